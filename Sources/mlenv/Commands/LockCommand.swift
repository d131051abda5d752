import ArgumentParser
import Channels
import Deploy
import Emit
import ModelFiles
import Solver

struct LockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock",
        abstract: "Resolve a model for a deployment and write lock files.",
        discussion: """
            Writes to DIR: conda-lock.yml (conda-lock's unified v1 format: conda and pip entries \
            with hashes and dependencies), conda-linux-64.lock (@EXPLICIT, URLs with md5), \
            requirements.lock.txt (== pins with --hash=sha256:) and environment.yml (fully pinned). \
            File URLs of local mirrors are relative to the mirror root. The same inputs give the \
            same bytes. Existing different files are not overwritten without --force.

            Exit codes: 0 written, 1 unsatisfiable (nothing written), 2 bad input.

            Examples:
              mlenv lock fixtures/models/sklearn-conda --deployment azureml-online -o locks/
              mlenv lock path/to/model --deployment mlflow-serve --env-manager virtualenv -o out --force
            """
    )

    @Argument(help: "The MLflow model directory.")
    var model: String

    @OptionGroup var deployment: DeploymentOptionGroup
    @OptionGroup var channelOptions: ChannelOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("The directory to write the lock files to.", valueName: "dir"))
    var output: String

    @Flag(help: "Overwrite existing files that differ.")
    var force = false

    func run() throws {
        let (environment, plan) = try deployment.plan(model: model)
        let channels = try channelOptions.channelSet(target: plan.request.target)
        let outcome: SolveOutcome
        do { outcome = try Resolver(channels: channels).solve(plan.request) } catch {
            StandardError.write("error: \(error.message)\n")
            throw ExitCode(1)
        }
        guard case .resolved(let resolution) = outcome else {
            StandardOutput.write(ResolutionReport.text(outcome, plan: plan, model: model, tree: false))
            throw ExitCode(1)
        }
        let inputs = LockInputs(resolution: resolution, plan: plan,
                                environmentName: environment.conda?.name ?? "mlflow-env",
                                sources: environment.filesRead.filter { $0 != "MLmodel" },
                                channelNames: plan.request.mode == .conda ? channels.condaChannels.map(\.name) : [])
        do { try OutputFiles.write(LockFiles.render(inputs), to: output, force: force) } catch {
            throw CommandError(error.message)
        }
        StandardError.write("wrote \(LockFiles.names.map { "\(output)/\($0)" }.joined(separator: ", ")) (\(resolution.packages.count) packages)\n")
    }
}
