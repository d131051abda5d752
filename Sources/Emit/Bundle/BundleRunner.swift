// `mlenv validate BUNDLE --run`: do what the Dockerfile does, here, with the network unused,
// then score the model's input example (and given payloads) with the bundled scoring core.
//
// 1. A .tar.gz is extracted safely (TarArchive refuses entries that would escape).
// 2. Every file is checked against MANIFEST.json, and the bundle locks against pkgs/.
// 3. virtualenv bundles: a venv on the host's Python (its minor must be the bundle's), then
//    `pip install --no-index --no-deps --require-hashes` of pkgs/wheels — pip cannot fetch.
//    conda bundles: a real conda installer (micromamba, conda or py-rattler: CondaInstaller)
//    creates a fresh prefix offline from the explicit lock's pkgs/conda files (CondaEnvironment),
//    then that prefix's Python installs pkgs/wheels as above. With no installer on the machine
//    the install step is not run, and the report says which installers were looked for.
// 4. The scoring core runs under the real azmlinfsrv on 127.0.0.1 when the environment has
//    azureml-inference-server-http, otherwise in-process (inference/validate.py either way).

import Basics
import Channels
import FoundationEssentials
import Glibc
import JSON
import Specs

public struct BundleRunOptions: Sendable {
    public var payloads: [String]
    public var python: String
    public var keepScratch: Bool
    /// For conda bundles: the installer to use (--conda-installer); nil searches (CondaInstallerSearch).
    public var condaInstaller: String?
    /// Where a searched-for installer is looked up (PATH); tests give an empty one.
    public var searchPath: String?
    public var progress: @Sendable (String) -> Void

    public init(
        payloads: [String] = [], python: String = "python3", keepScratch: Bool = false, condaInstaller: String? = nil,
        searchPath: String? = ProcessInfo.processInfo.environment["PATH"],
        progress: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.payloads = payloads
        self.python = python
        self.keepScratch = keepScratch
        self.condaInstaller = condaInstaller
        self.searchPath = searchPath
        self.progress = progress
    }
}

public struct BundleRunReport: Sendable {
    public enum Outcome: String, Sendable {
        case passed, failed
        case installNotRun = "install-not-run"
    }
    public var outcome: Outcome
    /// What was checked or done, in order, each with its result.
    public var steps: [(String, Bool)]
    /// validate.py's report, when the scoring core ran.
    public var scoring: JSONValue?
    public var notes: [String]
    /// The conda installer that created a conda bundle's environment.
    public var installer: CondaInstaller?

    public init(
        outcome: Outcome, steps: [(String, Bool)], scoring: JSONValue?, notes: [String],
        installer: CondaInstaller? = nil
    ) {
        self.outcome = outcome
        self.steps = steps
        self.scoring = scoring
        self.notes = notes
        self.installer = installer
    }

    public var json: JSONValue {
        var object = JSONObject()
        object.append("outcome", .string(outcome.rawValue))
        object.append("steps", .array(steps.map { ["step": .string($0.0), "ok": .bool($0.1)] }))
        object.append("scoring", scoring ?? .null)
        object.append("notes", .array(notes.map { .string($0) }))
        if let installer { object.append("installer", installer.json) }
        return .object(object)
    }

    public var text: String {
        var out = ""
        for (step, ok) in steps { out += "\(ok ? "ok  " : "FAIL") \(step)\n" }
        if let payloads = scoring?["payloads"]?.arrayValue {
            for p in payloads {
                let name = p["name"]?.stringValue ?? "?"
                let status = p["status"]?.numberValue?.text ?? "?"
                if p["ok"]?.boolValue == true {
                    out +=
                        "ok   \(name): HTTP \(status), \(p["output_check"]?.stringValue ?? ""); predictions \(p["predictions"].map { $0.serialized() } ?? "")\n"
                } else {
                    out +=
                        "FAIL \(name): HTTP \(status): \(p["error"].map { $0.serialized() } ?? p["output_check"]?.stringValue ?? "")\n"
                }
            }
        }
        for note in notes { out += "note: \(note)\n" }
        switch outcome {
        case .passed: out += "Validation run passed.\n"
        case .failed: out += "Validation run FAILED.\n"
        case .installNotRun: out += "Checks passed; the install step was not run (see the note above).\n"
        }
        return out
    }
}

public enum BundleRunner {
    public static func run(bundle: String, options: BundleRunOptions) throws(BundleError) -> BundleRunReport {
        let fm = FileManager.default
        // Scratch directories of runs that were killed outright go first.
        StaleTemporaries.sweep(fm.temporaryDirectory.path, prefix: "mlenv-run-")
        let scratch = fm.temporaryDirectory.appendingPathComponent(
            "mlenv-run-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        ).path
        try? fm.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        // Interrupted (Ctrl-C, SIGTERM), mlenv still removes its scratch directory.
        let scratchGuard = options.keepScratch ? nil : Interruption.guardPath(scratch)
        defer {
            if let scratchGuard { Interruption.release(scratchGuard) }
            if !options.keepScratch { try? fm.removeItem(atPath: scratch) }
        }
        var report = BundleRunReport(outcome: .failed, steps: [], scoring: nil, notes: [])

        // 1. The bundle's root directory.
        var root = bundle
        var isDirectory = false
        guard fm.fileExists(atPath: bundle, isDirectory: &isDirectory) else {
            throw BundleError("no such bundle: \(bundle)")
        }
        if !isDirectory {
            do { try TarArchive.extract(bundle, into: scratch + "/bundle") } catch { throw BundleError(error.message) }
            let top = (try? fm.contentsOfDirectory(atPath: scratch + "/bundle")) ?? []
            guard top.count == 1 else {
                throw BundleError("\(bundle): expected one top-level directory in the archive")
            }
            root = scratch + "/bundle/" + top[0]
            report.steps.append(("extracted \(bundle)", true))
        }
        root = URL(fileURLWithPath: root).standardizedFileURL.path

        // 2. Files against the manifest.
        guard let data = fm.contents(atPath: root + "/MANIFEST.json"),
            let manifest = try? JSONValue.parse([UInt8](data))
        else {
            throw BundleError("\(bundle): no readable MANIFEST.json; this is not an mlenv bundle")
        }
        // Nothing unlisted, nothing outside, nothing special: else nothing of it runs.
        var mismatches = BundleInventory.check(root: root, manifest: manifest)
        for entry in manifest["files"]?.objectValue?.entries ?? [] where BundleInventory.isPlainRelativePath(entry.key)
        {
            let path = root + "/" + entry.key
            guard let expected = entry.value.stringValue else { continue }
            guard let actual = try? ArtifactCache.digest(of: path, algorithm: .sha256, filename: entry.key) else {
                mismatches.append("\(entry.key): missing")
                continue
            }
            if actual != expected {
                mismatches.append("\(entry.key): sha256 \(actual), MANIFEST.json says \(expected)")
            }
        }
        report.steps.append(
            (
                "every file matches MANIFEST.json"
                    + (mismatches.isEmpty ? "" : ": " + mismatches.prefix(5).joined(separator: "; ")),
                mismatches.isEmpty
            ))
        let lockProblems = checkLocks(root)
        report.steps.append(
            (
                "the bundle locks match pkgs/"
                    + (lockProblems.isEmpty ? "" : ": " + lockProblems.prefix(5).joined(separator: "; ")),
                lockProblems.isEmpty
            ))
        guard mismatches.isEmpty && lockProblems.isEmpty else { return report }

        let mode = manifest["environment"]?.stringValue ?? "virtualenv"
        let python = manifest["python"]?.stringValue ?? "?"
        // The venv or the conda prefix the model runs in.
        let environmentPath: String
        if mode == "conda" {
            // 3. conda: a fresh prefix from pkgs/conda, by a real installer, offline.
            let installer: CondaInstaller
            switch CondaInstallerSearch.find(
                named: options.condaInstaller, python: options.python, searchPath: options.searchPath)
            {
            case .found(let found): installer = found
            case .none(let lookedFor):
                report.notes.append(
                    "conda environment: creating it needs micromamba, conda or py-rattler, which mlenv does not install (looked for \(lookedFor)); the install and scoring steps were not run (the Dockerfile runs them in the image)"
                )
                report.outcome = .installNotRun
                return report
            case .unusable(let why):
                report.steps.append((why, false))
                return report
            }
            report.installer = installer
            environmentPath = scratch + "/conda-env"
            options.progress("creating the conda environment offline with \(installer.label)")
            let created = CondaEnvironment.create(
                with: installer, root: root, prefix: environmentPath, scratch: scratch)
            report.steps.append((created.step, created.ok))
            guard created.ok else { return report }
            let envPython =
                (run([
                    environmentPath + "/bin/python", "-c",
                    "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')"
                ]).output ?? "").trimmingWhitespaceAndNewlines()
            report.steps.append(
                (
                    "the conda environment's Python is \(envPython.isEmpty ? "missing or broken (no bin/python that runs)" : envPython)"
                        + (envPython == python || envPython.isEmpty ? "" : ", the bundle's is \(python)"),
                    envPython == python
                ))
            guard envPython == python else { return report }
        } else {
            // 3. A venv on the host's Python, installed from pkgs/wheels only.
            let hostPython =
                (run([options.python, "-c", "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')"]).output
                ?? "").trimmingWhitespaceAndNewlines()
            guard hostPython == python else {
                report.steps.append(
                    (
                        "the bundle needs Python \(python); \(options.python) is Python \(hostPython.isEmpty ? "unknown" : hostPython) (pass --python-executable pythonX.Y)",
                        false
                    ))
                return report
            }
            options.progress("creating a virtual environment (Python \(python))")
            environmentPath = scratch + "/venv"
            let created = run([options.python, "-m", "venv", environmentPath])
            report.steps.append(
                ("created a virtual environment with \(options.python) (Python \(python))", created.status == 0))
            guard created.status == 0 else { return report }
        }
        let wheelCount = ((try? fm.contentsOfDirectory(atPath: root + "/pkgs/wheels")) ?? []).count
        // A conda bundle may have no pip part: pip then has nothing to install (and may be absent).
        if mode != "conda" || wheelCount > 0 {
            options.progress("installing the bundle's wheels with pip --no-index")
            let install = run(
                [
                    environmentPath + "/bin/python", "-m", "pip", "install", "--no-index", "--no-deps",
                    "--require-hashes", "--no-compile", "--quiet",
                    "--disable-pip-version-check", "--find-links", root + "/pkgs/wheels", "-r",
                    root + "/env/requirements.bundle.txt"
                ],
                environment: [
                    "PIP_CONFIG_FILE": "/dev/null", "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": nil, "PIP_INDEX_URL": nil
                ])
            report.steps.append(
                (
                    "installed \(wheelCount) wheel(s) with pip --no-index --require-hashes"
                        + (install.status == 0 ? "" : ": " + install.errorTail), install.status == 0
                ))
            guard install.status == 0 else { return report }
        }

        // 4. Score.
        var validate = [environmentPath + "/bin/python", root + "/inference/validate.py", "--model", root + "/model"]
        for payload in options.payloads {
            validate += ["--payload", URL(fileURLWithPath: payload).standardizedFileURL.path]
        }
        var server: ChildProcess?
        var serverGuard: Interruption.Token?
        // azmlinfsrv runs its server in a child process: the whole group goes, on every path.
        defer {
            if let server {
                server.sendToGroup(SIGKILL)
                server.waitUntilExit()
            }
            if let serverGuard { Interruption.release(serverGuard) }
        }
        if manifest["server"]?.stringValue != nil, fm.isExecutableFile(atPath: environmentPath + "/bin/azmlinfsrv") {
            let port = Int.random(in: 30000...45000)
            options.progress("starting azmlinfsrv on 127.0.0.1:\(port)")
            let (process, state) = startServer(venv: environmentPath, root: root, port: port, scratch: scratch)
            server = process
            serverGuard = process.map { Interruption.guardProcessGroup($0.processIdentifier) }
            let log = (try? String(contentsOfFile: scratch + "/server.log", encoding: .utf8)) ?? ""
            let failure = ServerLog.failure(in: log, strip: [root + "/", environmentPath + "/"])
            var step: String
            switch state {
            case .ready: step = "azmlinfsrv answered its health check on 127.0.0.1:\(port)"
            case .exited(.exited(let status)):
                step = "azmlinfsrv exited (status \(status)) before answering on 127.0.0.1:\(port)"
            case .exited(.signaled(let number)):
                step = "azmlinfsrv was killed by signal \(number) before answering on 127.0.0.1:\(port)"
            case .timedOut:
                step = "azmlinfsrv did not answer on 127.0.0.1:\(port) within \(BundleRunner.serverStartSeconds) s"
            case .notStarted(let reason): step = "azmlinfsrv could not be started (\(reason))"
            }
            if let failure { step += ": " + failure.summary }
            report.steps.append((step, state == .ready))
            guard state == .ready else {
                if failure == nil {
                    report.notes.append(
                        "azmlinfsrv log (tail): " + log.split(separator: "\n").suffix(15).joined(separator: " | "))
                }
                return report
            }
            // The model's code runs in this server: it must be reachable from this machine only.
            let sockets = ListeningSockets.listening(on: port)
            let exposed = sockets.filter { !$0.isLoopback }
            report.steps.append(
                (
                    exposed.isEmpty
                        ? "azmlinfsrv listens on \(sockets.map(\.address).joined(separator: ", ")):\(port) only (loopback)"
                        : "azmlinfsrv listens on \(exposed.map(\.address).joined(separator: ", ")):\(port), reachable from other machines: stopped it before sending any request",
                    exposed.isEmpty && !sockets.isEmpty
                ))
            guard exposed.isEmpty && !sockets.isEmpty else { return report }
            validate += ["--server", "http://127.0.0.1:\(port)"]
        } else {
            report.notes.append(
                "the environment has no azureml-inference-server-http: the scoring core ran in-process (init()/run())")
        }
        options.progress(
            "scoring the input example" + (options.payloads.isEmpty ? "" : " and \(options.payloads.count) payload(s)"))
        let scored = run(validate, environment: ["AZUREML_MODEL_DIR": root, "MLFLOW_MODEL_FOLDER": "model"])
        report.scoring = scored.output.flatMap { try? JSONValue.parse(string: $0) }
        let ok = scored.status == 0 && report.scoring?["ok"]?.boolValue == true
        // Without a report the core died: its exception (loading the model, usually) says why.
        let died =
            ServerLog.failure(in: scored.error, strip: [root + "/", environmentPath + "/"])?.summary ?? scored.errorTail
        report.steps.append(
            (
                "scored with the bundled scoring core (\(report.scoring?["mode"]?.stringValue ?? "no report"))"
                    + (report.scoring == nil ? ": " + died : ""), ok
            ))
        report.outcome = ok ? .passed : .failed
        return report
    }

    /// requirements.bundle.txt and conda-linux-64.bundle.lock against the files in pkgs/.
    static func checkLocks(_ root: String) -> [String] {
        var problems: [String] = []
        let requirements = (try? String(contentsOfFile: root + "/env/requirements.bundle.txt", encoding: .utf8)) ?? ""
        let hashes = Set(
            requirements.components(separatedBy: "--hash=sha256:").dropFirst().map { String($0.prefix(64)) })
        for wheel in (try? FileManager.default.contentsOfDirectory(atPath: root + "/pkgs/wheels")) ?? [] {
            guard
                let sha = try? ArtifactCache.digest(
                    of: root + "/pkgs/wheels/" + wheel, algorithm: .sha256, filename: wheel)
            else { continue }
            if !hashes.contains(sha) { problems.append("pkgs/wheels/\(wheel) is not in requirements.bundle.txt") }
        }
        let explicit = (try? String(contentsOfFile: root + "/env/conda-linux-64.bundle.lock", encoding: .utf8)) ?? ""
        for line in explicit.split(separator: "\n") where line.hasPrefix("pkgs/") {
            let parts = line.split(separator: "#", maxSplits: 1)
            guard BundleInventory.isPlainRelativePath(String(parts[0])) else {
                problems.append("the explicit lock names '\(parts[0])', which is not a plain path inside the bundle")
                continue
            }
            let path = root + "/" + parts[0]
            guard FileManager.default.fileExists(atPath: path) else {
                problems.append("\(parts[0]) is in the explicit lock but not in the bundle")
                continue
            }
            if parts.count == 2,
                let md5 = try? ArtifactCache.digest(of: path, algorithm: .md5, filename: String(parts[0])),
                md5 != parts[1]
            {
                problems.append("\(parts[0]): md5 \(md5), the explicit lock says \(parts[1])")
            }
        }
        return problems
    }

    static let serverStartSeconds = 180

    /// azmlinfsrv (azureml_inference_server_http.amlserver:run) with its bind address set to
    /// loopback: it passes the constant DEFAULT_HOST (0.0.0.0) to gunicorn and ignores HOST.
    /// What it really listens on is checked afterwards all the same.
    static let loopbackServer = """
        import sys
        import azureml_inference_server_http.constants as constants
        constants.DEFAULT_HOST = "127.0.0.1"
        from azureml_inference_server_http.amlserver import run
        sys.argv = ["azmlinfsrv"] + sys.argv[1:]
        run()
        """

    enum ServerState: Equatable {
        case ready, timedOut
        case exited(ChildProcess.Termination)
        case notStarted(String)
    }

    private static func startServer(venv: String, root: String, port: Int, scratch: String) -> (
        ChildProcess?, ServerState
    ) {
        var environment = ProcessInfo.processInfo.environment
        environment["AZUREML_MODEL_DIR"] = root
        environment["MLFLOW_MODEL_FOLDER"] = "model"
        environment["HOST"] = "127.0.0.1"
        environment["AML_APP_ROOT"] = root + "/inference"
        environment["WORKER_COUNT"] = "1"
        _ = FileManager.default.createFile(atPath: scratch + "/server.log", contents: nil)
        let log = ChildProcess.Output.file(scratch + "/server.log")
        let process: ChildProcess
        do {
            process = try ChildProcess.launch(
                venv + "/bin/python",
                arguments: [
                    "-c", loopbackServer, "--entry_script", root + "/inference/score.py", "--model_dir", root, "--port",
                    String(port)
                ],
                environment: environment, standardOutput: log, standardError: log)
        } catch {
            return (nil, .notStarted("\(error)"))
        }
        // A server whose worker cannot load the model exits (gunicorn: "Worker failed to
        // boot"): that is reported at once, with the exception from its log.
        let deadline = ContinuousClock.now + .seconds(serverStartSeconds)
        while ContinuousClock.now < deadline {
            if !process.isRunning {
                process.waitUntilExit()
                return (process, .exited(process.termination ?? .exited(-1)))
            }
            if let (status, _) = httpGet("http://127.0.0.1:\(port)/"), status == 200 { return (process, .ready) }
            usleep(250_000)
        }
        return (process, .timedOut)
    }

    private static func httpGet(_ url: String) -> (Int, String)? {
        let result = run([
            "/usr/bin/env", "python3", "-c",
            "import urllib.request,sys\ntry:\n r=urllib.request.urlopen(sys.argv[1], timeout=2); print(r.status)\nexcept Exception as e: print(getattr(e,'code',0))",
            url
        ])
        guard let text = result.output?.trimmingWhitespaceAndNewlines(), let status = Int(text) else { return nil }
        return (status, text)
    }

    struct Run {
        let status: Int32
        let output: String?
        let error: String
        var errorTail: String { error.split(separator: "\n").suffix(8).joined(separator: " | ") }
    }

    static func run(_ command: [String], environment overrides: [String: String?] = [:]) -> Run {
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in overrides { environment[key] = value }
        let absolute = command[0].hasPrefix("/")
        do {
            let finished = try ChildProcess.run(
                absolute ? command[0] : "/usr/bin/env", arguments: absolute ? Array(command.dropFirst()) : command,
                environment: environment)
            return Run(
                status: finished.status, output: String(decoding: finished.output, as: UTF8.self),
                error: String(decoding: finished.error, as: UTF8.self))
        } catch {
            return Run(status: -1, output: nil, error: error.description)
        }
    }
}
