// MLflow model URIs (models:/NAME/VERSION, models:/NAME@ALIAS, runs:/RUN_ID/PATH,
// mlflow-artifacts:/PATH) against a real `mlflow server` on loopback: a SQLite store, the
// artifact proxy (--serve-artifacts), the fixture model logged to a run and registered with
// MLflow's own client. scripts/python-tools installs mlflow into .venv-mlflow-server (`make
// test` runs it); without that venv these tests are skipped, unless MLENV_REQUIRE_TOOLS is set.

import Foundation
import Glibc
import Testing

final class MLflowServer {
    static let python = CLI.repository.appendingPathComponent(".venv-mlflow-server/bin/python").path
    static let mlflow = CLI.repository.appendingPathComponent(".venv-mlflow-server/bin/mlflow").path
    static var available: Bool { FileManager.default.isExecutableFile(atPath: mlflow) }
    static var required: Bool { ProcessInfo.processInfo.environment["MLENV_REQUIRE_TOOLS"] != nil }

    let directory: URL
    let url: String
    private let process: Process
    /// Environment for mlenv and the register script (the tracking URI, credentials when asked).
    var environment: [String: String]

    /// Logs fixtures/models/sklearn-iris to a run under `model`, registers it as iris version 1
    /// with the alias champion, and registers iris-s3 with an s3:// source; prints the run ID.
    static let register = """
        import sys, mlflow
        from mlflow import MlflowClient
        mlflow.set_experiment("mlenv")
        with mlflow.start_run() as run:
            mlflow.log_artifacts(sys.argv[1], artifact_path="model")
        client = MlflowClient()
        client.create_registered_model("iris")
        version = client.create_model_version("iris", source=f"{run.info.artifact_uri}/model", run_id=run.info.run_id)
        client.set_registered_model_alias("iris", "champion", version.version)
        client.create_registered_model("iris-s3")
        client.create_model_version("iris-s3", source="s3://no-such-bucket/model")
        print(run.info.run_id)  # the last line
        """

    /// Starts a server (basic auth when `adminPassword` is given) and registers the fixture.
    init(adminPassword: String? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlenv-uri-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let port = try MLflowServer.freePort()
        url = "http://127.0.0.1:\(port)"
        var serverEnvironment = ProcessInfo.processInfo.environment
        var arguments = [
            "server", "--host", "127.0.0.1", "--port", String(port), "--workers", "1",
            "--backend-store-uri", "sqlite:///" + directory.path + "/mlflow.db",
            "--artifacts-destination", directory.path + "/artifacts", "--serve-artifacts"
        ]
        environment = ["MLFLOW_TRACKING_URI": url, "TMPDIR": directory.path + "/tmp"]
        try FileManager.default.createDirectory(atPath: directory.path + "/tmp", withIntermediateDirectories: true)
        if let adminPassword {
            let config = """
                [mlflow]
                default_permission = READ
                database_uri = sqlite:///\(directory.path)/auth.db
                admin_username = admin
                admin_password = \(adminPassword)
                authorization_function = mlflow.server.auth:authenticate_request_basic_auth
                """
            try config.write(toFile: directory.path + "/auth.ini", atomically: true, encoding: .utf8)
            serverEnvironment["MLFLOW_AUTH_CONFIG_PATH"] = directory.path + "/auth.ini"
            serverEnvironment["MLFLOW_FLASK_SERVER_SECRET_KEY"] = "mlenv-test-only"
            arguments += ["--app-name", "basic-auth"]
        }
        // A session of its own (setsid, then exec), so that stopping it stops its workers too.
        process = Process()
        process.executableURL = URL(fileURLWithPath: MLflowServer.python)
        process.arguments =
            [
                "-c", "import os, sys\ntry: os.setsid()\nexcept OSError: pass\nos.execv(sys.argv[1], sys.argv[1:])",
                MLflowServer.mlflow
            ] + arguments
        process.environment = serverEnvironment
        process.currentDirectoryURL = directory
        let log = FileHandle(
            forWritingAtPath: {
                FileManager.default.createFile(atPath: directory.path + "/server.log", contents: nil)
                return directory.path + "/server.log"
            }())
        process.standardOutput = log
        process.standardError = log
        try process.run()
        do {
            try waitUntilHealthy()
            var registerEnvironment = environment
            if let adminPassword {
                registerEnvironment["MLFLOW_TRACKING_USERNAME"] = "admin"
                registerEnvironment["MLFLOW_TRACKING_PASSWORD"] = adminPassword
            }
            runID =
                try MLflowServer.runPython(
                    MLflowServer.register, [CLI.repository.appendingPathComponent("fixtures/models/sklearn-iris").path],
                    environment: registerEnvironment
                )
                // MLflow prints a "View run" line first
                .split(separator: "\n").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        } catch {
            stop()
            throw error
        }
    }

    private(set) var runID = ""

    deinit { stop() }

    func stop() {
        guard process.isRunning else { return }
        kill(-process.processIdentifier, SIGTERM)
        for _ in 0..<50 where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(-process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Files mlenv left in its temporary directory.
    var leftovers: [String] { (try? FileManager.default.contentsOfDirectory(atPath: directory.path + "/tmp")) ?? [] }

    private func waitUntilHealthy() throws {
        // Polled by Python (urllib): Foundation here has no HTTP client.
        let poll = """
            import sys, time, urllib.request
            for _ in range(960):  # up to 4 minutes on a loaded machine
                try:
                    if b"OK" in urllib.request.urlopen(sys.argv[1] + "/health", timeout=2).read(): sys.exit(0)
                except Exception:
                    time.sleep(0.25)
            sys.exit(1)
            """
        if process.isRunning, (try? MLflowServer.runPython(poll, [url], environment: [:])) != nil { return }
        let log = (try? String(contentsOfFile: directory.path + "/server.log", encoding: .utf8)) ?? ""
        throw ServerError(message: "mlflow server did not answer on \(url):\n\(log.suffix(3000))")
    }

    static func freePort() throws -> Int {
        let out = try runPython(
            "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])", [],
            environment: [:])
        guard let port = Int(out.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw ServerError(message: "no free port: \(out)")
        }
        return port
    }

    static func runPython(_ script: String, _ arguments: [String], environment extra: [String: String]) throws -> String
    {
        let result = try CLI.runProcess(
            python, ["-c", script] + arguments, in: FileManager.default.currentDirectoryPath,
            environment: ProcessInfo.processInfo.environment.merging(extra) { $1 })
        guard result.status == 0 else {
            throw ServerError(message: "python failed (\(result.status)):\n\(result.stderr.suffix(3000))")
        }
        return result.stdout
    }

    /// A started server, or the test stops here as skipped (failed under MLENV_REQUIRE_TOOLS).
    static func startOrSkip(adminPassword: String? = nil) throws -> MLflowServer {
        guard available else {
            if required { Issue.record("mlflow is not installed in .venv-mlflow-server (run scripts/python-tools)") }
            try Test.cancel("model URI tests skipped: no .venv-mlflow-server (scripts/python-tools installs it)")
        }
        return try MLflowServer(adminPassword: adminPassword)
    }

    struct ServerError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}

@Suite(.serialized) struct ModelURITests {
    /// `inspect`'s text without its first line (`Model: ...`, which names the argument).
    static func body(_ text: String) -> String { text.split(separator: "\n", maxSplits: 1).dropFirst().joined() }

    @Test func everyURIFormReadsTheRegisteredModel() throws {
        let server = try MLflowServer.startOrSkip()
        defer { server.stop() }
        let local = try CLI.run(["inspect", "fixtures/models/sklearn-iris"])
        #expect(local.status == 0, "\(local.stderr)")
        let uris = [
            "models:/iris/1", "models:/iris@champion", "runs:/\(server.runID)/model",
            "mlflow-artifacts:/1/\(server.runID)/artifacts/model"
        ]
        for uri in uris {
            let result = try CLI.run(["inspect", uri], environment: server.environment)
            #expect(result.status == 0, "\(uri): \(result.stderr)")
            #expect(result.stdout.hasPrefix("Model: \(uri)\n"), "\(uri): \(result.stdout)")
            #expect(Self.body(result.stdout) == Self.body(local.stdout), "\(uri)")
            #expect(
                !result.stdout.contains(server.directory.path) && !result.stderr.contains(server.directory.path),
                "\(uri): a temporary path shown")
        }
        // resolve and lint name the URI, not the temporary copy.
        let resolved = try CLI.run(
            ["resolve", "models:/iris@champion", "--deployment", "mlflow-serve"], environment: server.environment)
        #expect(resolved.status == 0, "\(resolved.stderr)")
        #expect(resolved.stdout.hasPrefix("Resolved models:/iris@champion for mlflow-serve"), "\(resolved.stdout)")
        let linted = try CLI.run(
            ["lint", "models:/iris/1", "--deployment", "mlflow-serve"], environment: server.environment)
        #expect(linted.status != 2, "\(linted.stderr)")
        #expect(linted.stdout.contains("1 model checked for mlflow-serve"), "\(linted.stdout)")
        #expect(!linted.stdout.contains(server.directory.path), "\(linted.stdout)")
        #expect(server.leftovers.isEmpty, "left behind: \(server.leftovers)")
    }

    @Test func missingModelsAndWrongAliasesExitTwoWithClearMessages() throws {
        let server = try MLflowServer.startOrSkip()
        defer { server.stop() }
        let cases: [(String, String)] = [
            ("models:/no-such-model/1", "models:/no-such-model/1: not found on the tracking server"),
            ("models:/iris/9", "models:/iris/9: not found on the tracking server"),
            ("models:/iris@no-such-alias", "no-such-alias not found"),
            (
                "runs:/\(server.runID)/elsewhere",
                "there is no MLmodel at mlflow-artifacts:/1/\(server.runID)/artifacts/elsewhere"
            ),
            ("models:/iris-s3/1", "in a s3: store"),
            ("models:/iris/Production", "models:/iris/Production: iris has no version in stage Production")
        ]
        for (uri, message) in cases {
            let result = try CLI.run(["inspect", uri], environment: server.environment)
            #expect(result.status == 2, "\(uri): \(result.stdout) \(result.stderr)")
            #expect(result.stderr.contains(message), "\(uri): \(result.stderr)")
            #expect(!result.stderr.contains("Fatal error"))
        }
        let noServer = try CLI.run(["inspect", "models:/iris/1"], environment: ["MLFLOW_TRACKING_URI": ""])
        #expect(noServer.status == 2)
        #expect(noServer.stderr.contains("set MLFLOW_TRACKING_URI"), "\(noServer.stderr)")
        #expect(server.leftovers.isEmpty, "left behind: \(server.leftovers)")
    }

    @Test func credentialsAreSentAndNeverPrinted() throws {
        let password = "mlenv-admin-\(UInt32.random(in: 0...UInt32.max))"
        let server = try MLflowServer.startOrSkip(adminPassword: password)
        defer { server.stop() }
        let without = try CLI.run(["inspect", "models:/iris/1"], environment: server.environment)
        #expect(without.status == 2)
        #expect(without.stderr.contains("wants credentials"), "\(without.stderr)")

        var wrong = server.environment
        wrong["MLFLOW_TRACKING_USERNAME"] = "admin"
        wrong["MLFLOW_TRACKING_PASSWORD"] = "wrong-\(password)"
        let refused = try CLI.run(["inspect", "models:/iris/1"], environment: wrong)
        #expect(refused.status == 2)
        #expect(
            refused.stderr.contains("HTTP 401") && refused.stderr.contains("wants credentials"), "\(refused.stderr)")
        #expect(!refused.stderr.contains(password), "the password was printed")

        var token = server.environment
        token["MLFLOW_TRACKING_TOKEN"] = "not-a-valid-token-\(password)"
        let badToken = try CLI.run(["inspect", "models:/iris/1"], environment: token)
        #expect(badToken.status == 2)
        #expect(!badToken.stderr.contains(password), "the token was printed")

        var right = server.environment
        right["MLFLOW_TRACKING_USERNAME"] = "admin"
        right["MLFLOW_TRACKING_PASSWORD"] = password
        let accepted = try CLI.run(["inspect", "models:/iris@champion"], environment: right)
        #expect(accepted.status == 0, "\(accepted.stderr)")
        #expect(accepted.stdout.contains("scikit-learn==1.7.2"))
        #expect(!accepted.stdout.contains(password) && !accepted.stderr.contains(password))
    }
}
