import ArgumentParser
import Channels
import ModelFiles

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what an MLflow model declares: flavors, Python, conda and pip requirements, signature.",
        discussion: """
            Reads MLmodel and the environment files it names (conda.yaml, python_env.yaml and the \
            requirement files they include). Every requirement keeps the file, line and column it \
            was written at. Problems are printed as file:line:column diagnostics.

            Exit codes: 0 the model reads cleanly (warnings allowed), 2 it cannot be read as \
            declared (missing MLmodel, a missing env file, malformed YAML, a bad requirement, ...).

            Examples:
              mlenv inspect fixtures/models/sklearn-conda
              mlenv inspect path/to/model --format json | jq .python
            """
    ).underMLEnv()

    @Argument(
        help:
            "The MLflow model directory (the folder that holds MLmodel), or a model URI: models:/NAME/VERSION, models:/NAME@ALIAS, models:/NAME/STAGE, models:/NAME/latest, models:/MODEL_ID, runs:/RUN_ID/PATH, mlflow-artifacts:/PATH (read from MLFLOW_TRACKING_URI's server)."
    )
    var model: String

    @Option(help: "Output format.")
    var format: OutputFormat = .text

    /// The model path as typed, without a trailing slash, to prefix file locations.
    private var displayPath: String {
        var path = model
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }

    func run() throws {
        let remote = RemoteModelFiles()
        defer { remote.removeAll() }
        let path: String
        do { path = try remote.local(model) } catch let error as CommandError {
            StandardError.write("error: \(error.message)\n")
            throw ReportedFailure.badInput
        }
        var environment: DeclaredEnvironment
        do {
            environment = try ModelLoader.load(path: path)
            if path != model { environment.modelPath = model }
        } catch {
            StandardError.write(
                "error: " + (error.location.map { "\(displayPath)/\($0): " } ?? "") + error.message + "\n")
            throw ReportedFailure.badInput
        }
        switch format {
        case .json:
            StandardOutput.write(InspectionReport.json(environment).serialized(pretty: true) + "\n")
        case .text:
            StandardOutput.write(InspectionReport.text(environment))
            for diagnostic in environment.diagnostics {
                StandardError.write("\(displayPath)/\(diagnostic)\n")
            }
        }
        if environment.hasErrors { throw ReportedFailure.badInput }
    }
}
