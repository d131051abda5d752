// The end-to-end check of the bundle issue, on the real scikit-learn model made with real
// MLflow (fixtures/models/sklearn-iris, scripts/make-fixture-model): `mlenv package` fetches the
// real wheels (through pip, once; the cache keeps them), `mlenv validate --run` installs them
// with pip --no-index and scores the input example under the real azmlinfsrv. Packaging twice
// gives the same bytes. Needs the network the first time and a few minutes: enabled by
// MLENV_E2E=1 (`make test` sets it).

import Foundation
import JSON
import Testing

@Suite(
    .serialized,
    .enabled(if: ProcessInfo.processInfo.environment["MLENV_E2E"] == "1", "set MLENV_E2E=1 (make test does)"))
struct EndToEndBundleTests {
    @Test func packageInstallOfflineAndPredict() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-e2e-\(getpid())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let first = scratch.appendingPathComponent("iris.tar.gz").path
        let arguments = [
            "package", "fixtures/models/sklearn-iris", "--deployment", "azureml-online", "--env-manager", "virtualenv"
        ]
        let packaged = try CLI.run(arguments + ["-o", first])
        #expect(packaged.status == 0, "\(packaged.stderr)")

        let serversBefore = Self.azmlinfsrvProcesses()
        let run = try CLI.run([
            "validate", first, "--run", "--format", "json", "--payload",
            "fixtures/payloads/sklearn-iris/azureml-valid.json",
            "fixtures/payloads/sklearn-iris/mlflow-split-valid.json"
        ])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        // The server and the process it runs in are gone once validate has answered.
        #expect(Self.azmlinfsrvProcesses().subtracting(serversBefore).isEmpty)
        let report = try JSONValue.parse(string: run.stdout)
        #expect(report["outcome"] == "passed")
        #expect(report["scoring"]?["mode"] == "server")
        // The server runs the model's code: it listened on loopback only (checked in the kernel's table).
        let steps = report["steps"]?.arrayValue?.compactMap { $0["step"]?.stringValue } ?? []
        #expect(
            steps.contains { $0.hasPrefix("azmlinfsrv listens on 127.0.0.1:") && $0.hasSuffix(" only (loopback)") },
            "\(steps)")
        let payloads = report["scoring"]?["payloads"]?.arrayValue ?? []
        let example = try #require(payloads.first { $0["name"]?.stringValue == "input_example (azureml)" })
        #expect(example["status"] == 200)
        #expect(example["predictions"] == [0, 1, 2])
        #expect(payloads.count == 4 && payloads.allSatisfy { $0["ok"] == true })

        // Same inputs, same bytes (the cache now holds every wheel).
        let second = scratch.appendingPathComponent("again/iris.tar.gz").path
        #expect(try CLI.run(arguments + ["--offline", "-o", second]).status == 0)
        #expect(FileManager.default.contents(atPath: first) == FileManager.default.contents(atPath: second))
        // An existing output is not replaced without --force.
        let refused = try CLI.run(arguments + ["--offline", "-o", first])
        #expect(refused.status == 2 && refused.stderr.contains("--force"))
    }

    /// A model that cannot load: the server's worker fails to boot and the server exits. The
    /// step reports that at once, with the exception from the server's log (not a timeout and
    /// the tail of a wheel listing); `package` warned before writing the bundle.
    @Test func aModelThatCannotLoadFailsWithItsException() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-e2e-broken-\(getpid())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let model = scratch.appendingPathComponent("iris-without-pickle")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "fixtures/models/sklearn-iris", toPath: model.path)
        try FileManager.default.removeItem(at: model.appendingPathComponent("model.pkl"))
        let bundle = scratch.appendingPathComponent("broken.tar.gz").path
        let packaged = try CLI.run([
            "package", model.path, "--deployment", "azureml-online", "--env-manager", "virtualenv", "-o", bundle
        ])
        #expect(packaged.status == 0, "\(packaged.stderr)")
        #expect(
            packaged.stderr.contains("python_function.model_path is 'model.pkl', which is not in the model directory"))

        let run = try CLI.run(["validate", bundle, "--run", "--format", "json"])
        #expect(run.status == 1)
        let report = try JSONValue.parse(string: run.stdout)
        let server = try #require(
            report["steps"]?.arrayValue?.first { $0["step"]?.stringValue?.hasPrefix("azmlinfsrv") == true })
        #expect(server["ok"] == false)
        let step = server["step"]?.stringValue ?? ""
        #expect(step.contains("azmlinfsrv exited (status 3) before answering"), "\(step)")
        #expect(step.contains("FileNotFoundError: [Errno 2] No such file or directory: 'model/model.pkl'"), "\(step)")
        #expect(step.contains("in mlflow/sklearn/__init__.py"), "\(step)")
    }

    /// SIGTERM while the server runs: mlenv kills the server's process group and removes its
    /// scratch directory before it exits (128 + 15).
    @Test func anInterruptedRunLeavesNothingBehind() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-e2e-term-\(getpid())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let bundle = scratch.appendingPathComponent("iris.tar.gz").path
        #expect(
            try CLI.run([
                "package", "fixtures/models/sklearn-iris", "--deployment", "azureml-online", "--env-manager",
                "virtualenv", "-o", bundle
            ]).status == 0)

        let serversBefore = Self.azmlinfsrvProcesses()
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["validate", bundle, "--run"]
        process.currentDirectoryURL = CLI.repository
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait for the server (at most 3 minutes), then interrupt mlenv.
        var started = false
        for _ in 0..<360 where process.isRunning {
            if !Self.azmlinfsrvProcesses().subtracting(serversBefore).isEmpty {
                started = true
                break
            }
            usleep(500_000)
        }
        try #require(started, "the server never started")
        let scratchDirectories = {
            (try? FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path))?.filter
            { $0.hasPrefix("mlenv-run-\(process.processIdentifier)-") } ?? []
        }
        #expect(scratchDirectories().count == 1)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        // Ended by the signal, or by exit(128 + 15) where the signal could not be re-raised.
        #expect(
            (process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGTERM)
                || process.terminationStatus == 128 + SIGTERM,
            "\(process.terminationReason) \(process.terminationStatus)")
        usleep(500_000)
        #expect(Self.azmlinfsrvProcesses().subtracting(serversBefore).isEmpty)
        #expect(scratchDirectories().isEmpty)
    }

    /// Processes whose command line runs azmlinfsrv.
    static func azmlinfsrvProcesses() -> Set<String> {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return Set(
            entries.filter { pid in
                guard pid.allSatisfy(\.isNumber),
                    let line = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline")
                else { return false }
                return String(decoding: line, as: UTF8.self).contains("azmlinfsrv")
            })
    }
}
