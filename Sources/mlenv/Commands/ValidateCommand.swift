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

    @Option(name: .long, parsing: .upToNextOption, help: "Request bodies to check: files, or directories of *.json / *.csv files; '-' reads standard input.")
    var payload: [String] = []

    @Option(name: .long, help: "Output format.")
    var format: OutputFormat = .text

    @Option(name: .long, help: "Request protocol (default: detected from the body's top-level keys).")
    var `protocol`: RequestProtocol?

    @Flag(name: .long, help: "Treat warnings (silent changes MLflow makes) as errors.")
    var strict = false

    @Option(name: .long, help: ArgumentHelp("The numpy major version the model's server runs with: 1, 2, or auto (the model's numpy pin).", valueName: "major"))
    var numpy: NumpyChoice = .two

    /// The numpy line to follow; for `auto`, the model's pin (said on standard error).
    func numpyLine() -> NumpyLine {
        switch numpy {
        case .one: return .one
        case .two: return .two
        case .auto:
            guard let declared = (try? ModelLoader.load(path: model))?.declaredNumpy, declared.major == 1 else {
                StandardError.write("note: numpy 2 (the model's environment pins no single numpy major version, or pins 2)\n")
                return .two
            }
            StandardError.write("note: numpy 1, from \(declared.location): \(declared.text)\n")
            return .one
        }
    }

    @Option(name: .long, help: "Content type of the payloads: application/json (default) or text/csv (default for *.csv files).")
    var contentType: String?

    @Flag(name: .customLong("run"), help: "For a bundle: install it offline and score with the bundled scoring core.")
    var runBundle = false

    @Option(help: ArgumentHelp("The Python interpreter for --run (its major.minor must be the bundle's).", valueName: "path"))
    var pythonExecutable = "python3"

    @Option(help: ArgumentHelp("For --run on a conda bundle: micromamba, conda (or mamba), or a Python interpreter with py-rattler, as a path or a command on PATH (default: MLENV_CONDA_INSTALLER, else micromamba or conda on PATH, else py-rattler in the --python-executable).", valueName: "path"))
    var condaInstaller: String?

    @Flag(help: "For --run: keep the scratch environment (for debugging).")
    var keep = false

    func run() throws {
        if runBundle {
            let options = BundleRunOptions(payloads: payload, python: pythonExecutable, keepScratch: keep,
                                           condaInstaller: condaInstaller ?? ProcessInfo.processInfo.environment[CondaInstallerSearch.environmentVariable],
                                           progress: { message in if StandardError.isTerminal { StandardError.write("\(message)…\n") } })
            let report: BundleRunReport
            do { report = try BundleRunner.run(bundle: model, options: options) } catch {
                StandardError.write("error: \(error.message)\n")
                throw ExitCode(2)
            }
            switch format {
            case .json: StandardOutput.write(report.json.serialized(pretty: true) + "\n")
            case .text: StandardOutput.write(report.text)
            }
            if report.outcome == .failed { throw ExitCode(1) }
            return
        }
        let files: SignatureFiles
        do {
            files = try ModelLoader.loadSignatureFiles(path: model)
        } catch {
            StandardError.write("error: \(model): \(error)\n")
            throw ExitCode(2)
        }
        for diagnostic in files.diagnostics where diagnostic.code == "invalid-signature" {
            StandardError.write("error: \(model)/\(diagnostic)\n")
            throw ExitCode(2)
        }
        let validator = PayloadValidator(signature: files.mlmodel.signature)
        let numpy = numpyLine()

        var results: [(name: String, report: PayloadReport)] = []
        if payload.isEmpty {
            for diagnostic in files.diagnostics where diagnostic.code.containsLiteral("example") {
                StandardError.write("\(model)/\(diagnostic)\n")
            }
            let options = ValidationOptions(forcedProtocol: .mlflow, strict: strict, numpy: numpy)
            for check in InputExampleValidator.validate(files, options: options) {
                results.append((check.file, check.report))
            }
            if results.isEmpty {
                let note = files.mlmodel.inputExample == nil ? "the model has no saved input example; pass --payload FILE to check a request" : "the model's input example is not a JSON request mlenv can check"
                if format == .json {
                    StandardOutput.write("[]\n")
                } else {
                    StandardOutput.write("\(note)\n")
                }
                return
            }
        } else {
            let paths: [String]
            do {
                paths = try PayloadFile.expand(payload)
            } catch {
                StandardError.write("error: \(error)\n")
                throw ExitCode(2)
            }
            for path in paths {
                let bytes: [UInt8]
                do {
                    bytes = try PayloadFile.read(path)
                } catch {
                    StandardError.write("error: \(error)\n")
                    throw ExitCode(2)
                }
                let type = contentType ?? (path.lowercased().hasSuffix(".csv") ? "text/csv" : "application/json")
                let options = ValidationOptions(forcedProtocol: `protocol`, contentType: type, strict: strict, numpy: numpy)
                results.append((path, validator.validate(bytes, options: options)))
            }
        }

        switch format {
        case .json:
            let objects: [JSONValue] = results.map { result in
                var object = JSONObject()
                object.append("payload", .string(result.name))
                if case .object(let report) = result.report.json { object.entries.append(contentsOf: report.entries) }
                return .object(object)
            }
            let value: JSONValue = objects.count == 1 && !payload.isEmpty ? objects[0] : .array(objects)
            StandardOutput.write(value.serialized(pretty: true) + "\n")
        case .text:
            var text = ""
            for (name, report) in results {
                let where_ = [report.requestProtocol?.rawValue, report.format?.rawValue].compactMap { $0 }.joined(separator: ", ")
                text += "\(name): \(report.isValid ? "valid" : "INVALID")\(where_.isEmpty ? "" : " (\(where_))")\n"
                for finding in report.errors { text += "  error: \(finding.path.isEmpty ? "" : finding.path + ": ")\(finding.message)\n" }
                for finding in report.warnings { text += "  warning: \(finding.path.isEmpty ? "" : finding.path + ": ")\(finding.message)\n" }
                for finding in report.notes { text += "  note: \(finding.path.isEmpty ? "" : finding.path + ": ")\(finding.message)\n" }
            }
            StandardOutput.write(text)
        }
        if results.contains(where: { !$0.report.isValid }) { throw ExitCode(1) }
    }
}

/// Reads a payload into one buffer of exactly its size (a 200 MB body costs 200 MB, not twice that).
enum PayloadFile {
    struct ReadError: Error, CustomStringConvertible {
        let description: String
    }

    /// A directory stands for the `.json` and `.csv` files directly inside it, in name order.
    static func expand(_ paths: [String]) throws -> [String] {
        var result: [String] = []
        for path in paths {
            var isDirectory = false
            if path != "-", FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory {
                let names = try FileManager.default.contentsOfDirectory(atPath: path)
                    .filter { $0.lowercased().hasSuffix(".json") || $0.lowercased().hasSuffix(".csv") }
                    .sorted()
                if names.isEmpty { throw ReadError(description: "payload directory '\(path)' holds no .json or .csv files") }
                result += names.map { path.hasSuffix("/") ? path + $0 : path + "/" + $0 }
            } else {
                result.append(path)
            }
        }
        return result
    }

    static func read(_ path: String) throws -> [UInt8] {
        if path == "-" {
            return StandardStreams.readInput()
        }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ReadError(description: "cannot read payload '\(path)': \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ReadError(description: "cannot read payload '\(path)': \(String(cString: strerror(errno)))") }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw ReadError(description: "payload '\(path)' is a directory, expected a file") }
        let size = Int(info.st_size)
        var failure: String?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var done = 0
            while done < size {
                let n = Glibc.read(fd, buffer.baseAddress! + done, size - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    break
                }
                if n == 0 { break }
                done += n
            }
            count = done
        }
        if let failure { throw ReadError(description: "cannot read payload '\(path)': \(failure)") }
        return bytes
    }
}
