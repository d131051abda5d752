// `mlenv validate MODEL [--payload FILE...]`: wiring only; the checks live in the Inference module.

import ArgumentParser
import Basics
import Emit
import FoundationEssentials
import Glibc
import Inference
import JSON
import ModelFiles
import Specs

extension RequestProtocol: ExpressibleByArgument {}

/// `--numpy`: a numpy line, or `auto` (the one the model's environment pins).
enum NumpyChoice: String, ExpressibleByArgument, CaseIterable {
    case one = "1"
    case two = "2"
    case auto
}

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check request payloads (or the model's input example) against the model signature.",
        discussion: """
            Reads only MLmodel (and the example files it names): no environment files, no \
            network, no Python. Each payload gets the verdict the model server would give, using \
            MLflow's own rules for the request format: Azure ML online endpoints \
            ({"input_data": ..., "params": ...}) and `mlflow models serve` \
            ({"dataframe_split" | "dataframe_records" | "instances" | "inputs": ..., "params": ...}, \
            or CSV). The protocol is detected from the top-level keys unless --protocol is given.

            Warnings name what MLflow accepts but changes silently (a fraction truncated into an \
            integer column, a string read as a boolean, a dropped extra column or unknown param); \
            --strict makes them errors.

            Without --payload, checks the model's saved input example (and \
            serving_input_example.json) against its own signature.

            Examples:
              mlenv validate ./model --payload request.json
              mlenv validate ./model --payload a.json b.json --format json
              mlenv validate ./model --payload requests/    # each *.json, *.csv
              mlenv validate ./model --payload rows.csv --content-type text/csv
              mlenv validate ./model --payload request.json --protocol azureml --strict
              mlenv validate ./model
              mlenv validate ./model --payload request.json --numpy 1

            --numpy names the numpy release line the model's server runs with: numpy 1 wraps an \
            integer that does not fit an int32 / uint8 / ... input of `inputs` or `instances` \
            around, numpy 2 (the default) refuses it. --numpy auto reads the model's environment \
            files and follows their numpy pin when it allows one major version only (else 2).
              mlenv validate ./model --payload request.json --numpy auto

            With a bundle made by `mlenv package` (a directory or .tar.gz) and --run: checks every \
            file against MANIFEST.json and the locks against pkgs/, installs the wheels into a \
            scratch virtual environment with pip --no-index (the network is never used), starts \
            the bundled scoring core (under azmlinfsrv on 127.0.0.1 when the environment has \
            azureml-inference-server-http, else in-process), scores the model's input example and \
            every --payload, and checks the answers against the output signature.
              mlenv validate bundle.tar.gz --run
              mlenv validate bundle/ --run --payload request.json

            A conda bundle's environment is created from its pkgs/conda files, offline, by a \
            conda installer the machine has: --conda-installer (or MLENV_CONDA_INSTALLER), else \
            micromamba or conda on PATH, else py-rattler (PyPI: py-rattler) in the \
            --python-executable. Then pip installs the wheels with that environment's Python and \
            the scoring core runs as above. Without an installer every file is still checked and \
            the report says the install step was not run.
              mlenv validate conda-bundle.tar.gz --run --conda-installer micromamba
              MLENV_CONDA_INSTALLER=python3.11 mlenv validate bundle/ --run

            Exit codes: 0 every payload is valid; 1 a payload is invalid (including malformed \
            JSON) or the validation run failed; 2 the model, bundle or a payload file cannot be read.
            """
    ).underMLEnv()

    @Argument(help: "The MLflow model directory (the folder holding MLmodel).")
    var model: String

    @Option(
        name: .long, parsing: .upToNextOption,
        help: "Request bodies to check: files, or directories of *.json / *.csv files; '-' reads standard input.")
    var payload: [String] = []

    @Option(name: .long, help: "Output format.")
    var format: OutputFormat = .text

    @Option(name: .long, help: "Request protocol (default: detected from the body's top-level keys).")
    var `protocol`: RequestProtocol?

    @Flag(name: .long, help: "Treat warnings (silent changes MLflow makes) as errors.")
    var strict = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The numpy major version the model's server runs with: 1, 2, or auto (the model's numpy pin).",
            valueName: "major"))
    var numpy: NumpyChoice = .two

    /// The numpy line to follow; for `auto`, the model's pin (said on standard error).
    func numpyLine() -> NumpyLine {
        switch numpy {
        case .one: return .one
        case .two: return .two
        case .auto:
            guard let declared = (try? ModelLoader.load(path: model))?.declaredNumpy, declared.major == 1 else {
                StandardError.write(
                    "note: numpy 2 (the model's environment pins no single numpy major version, or pins 2)\n")
                return .two
            }
            StandardError.write("note: numpy 1, from \(declared.location): \(declared.text)\n")
            return .one
        }
    }

    @Option(
        name: .long,
        help: "Content type of the payloads: application/json (default) or text/csv (default for *.csv files).")
    var contentType: String?

    @Flag(name: .customLong("run"), help: "For a bundle: install it offline and score with the bundled scoring core.")
    var runBundle = false

    @Option(
        help: ArgumentHelp(
            "The Python interpreter for --run (its major.minor must be the bundle's).", valueName: "path"))
    var pythonExecutable = "python3"

    @Option(
        help: ArgumentHelp(
            "For --run on a conda bundle: micromamba, conda (or mamba), or a Python interpreter with py-rattler, as a path or a command on PATH (default: MLENV_CONDA_INSTALLER, else micromamba or conda on PATH, else py-rattler in the --python-executable).",
            valueName: "path"))
    var condaInstaller: String?

    @Flag(help: "For --run: keep the scratch environment (for debugging).")
    var keep = false

    func run() throws {
        if runBundle {
            let options = BundleRunOptions(
                payloads: payload, python: pythonExecutable, keepScratch: keep,
                condaInstaller: condaInstaller
                    ?? ProcessInfo.processInfo.environment[CondaInstallerSearch.environmentVariable],
                progress: { message in if StandardError.isTerminal { StandardError.write("\(message)…\n") } })
            let report: BundleRunReport
            do { report = try BundleRunner.run(bundle: model, options: options) } catch {
                StandardError.write("error: \(error.message)\n")
                throw ReportedFailure.badInput
            }
            switch format {
            case .json: StandardOutput.write(report.json.serialized(pretty: true) + "\n")
            case .text: StandardOutput.write(report.text)
            }
            if report.outcome == .failed { throw ReportedFailure.verdict }
            return
        }
        let files: SignatureFiles
        do {
            files = try ModelLoader.loadSignatureFiles(path: model)
        } catch {
            StandardError.write("error: \(model): \(error)\n")
            throw ReportedFailure.badInput
        }
        for diagnostic in files.diagnostics where diagnostic.code == "invalid-signature" {
            StandardError.write("error: \(model)/\(diagnostic)\n")
            throw ReportedFailure.badInput
        }
        let numpy = numpyLine()
        let results: PayloadResults
        if payload.isEmpty {
            for diagnostic in files.diagnostics where diagnostic.code.containsLiteral("example") {
                StandardError.write("\(model)/\(diagnostic)\n")
            }
            results = PayloadResults.checkingInputExamples(files, strict: strict, numpy: numpy)
            if results.isEmpty {
                StandardOutput.write(
                    format == .json
                        ? "[]\n"
                        : PayloadResults.noExampleNote(hasInputExample: files.mlmodel.inputExample != nil) + "\n")
                return
            }
        } else {
            do {
                results = try PayloadResults.checkingPayloads(
                    try PayloadFile.expand(payload), files: files, forcedProtocol: `protocol`,
                    contentType: contentType, strict: strict, numpy: numpy,
                    standardInput: StandardStreams.readInput)
            } catch {
                throw CommandError("\(error)")
            }
        }
        switch format {
        case .json: StandardOutput.write(results.json(single: !payload.isEmpty).serialized(pretty: true) + "\n")
        case .text: StandardOutput.write(results.text)
        }
        if !results.allValid { throw ReportedFailure.verdict }
    }
}
