// Hostile inputs that once crashed mlenv, each with the exit code and message it gets now.
// Deep JSON (50,000 levels, 100 KB) in a request body and in an MLmodel signature: the value
// used to be freed recursively and overflow the stack (SIGSEGV), aborting a whole lint.

import Foundation
import Testing

@Suite struct HostileInputTests {
    static let deep = String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000)

    /// mlenv run as an unprivileged user (uid 65534, through setpriv): root reads everything.
    static func runAsNobody(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", CLI.binary.path] + arguments
        process.currentDirectoryURL = CLI.repository
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, stderr)
    }

    static func scratch(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-hostile-\(getpid())/\(name)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func aDeepRequestBodyIsInvalidNotACrash() throws {
        let dir = try Self.scratch("payload")
        let payload = dir.appendingPathComponent("deep.json")
        try Self.deep.write(to: payload, atomically: true, encoding: .utf8)
        let result = try CLI.run(["validate", "fixtures/models/sklearn-iris", "--payload", payload.path])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(
            result.stdout.contains(
                "the body is not valid JSON: line 1, column 1001: the JSON nests arrays and objects more than 1000 levels deep"
            ), "\(result.stdout)")
    }

    @Test func aDeepSignatureIsAFindingNotACrash() throws {
        let dir = try Self.scratch("signature")
        try FileManager.default.copyItem(
            atPath: CLI.repository.appendingPathComponent("fixtures/models/sklearn-conda/conda.yaml").path,
            toPath: dir.appendingPathComponent("conda.yaml").path)
        try
            "flavors:\n  python_function:\n    env: conda.yaml\n    loader_module: mlflow.sklearn\n    python_version: 3.11.9\nmlflow_version: 2.17.2\nsignature:\n  inputs: '\(Self.deep)'\n"
            .write(to: dir.appendingPathComponent("MLmodel"), atomically: true, encoding: .utf8)
        let result = try CLI.run(["lint", dir.path, "--format", "json"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(
            result.stdout.contains("\"MLE060\"") && result.stdout.contains("more than 1000 levels deep"),
            "\(result.stdout)")
    }

    /// A FIFO where a file should be: refused at once with what it is (opening one for reading
    /// waits for a writer, which once hung inspect, resolve and lint).
    @Test func aNamedPipeIsNotAFile() throws {
        let dir = try Self.scratch("fifo")
        try
            "flavors:\n  python_function:\n    env: conda.yaml\n    loader_module: mlflow.sklearn\n    python_version: 3.11.9\n"
            .write(to: dir.appendingPathComponent("MLmodel"), atomically: true, encoding: .utf8)
        #expect(mkfifo(dir.appendingPathComponent("conda.yaml").path, 0o644) == 0)
        let result = try CLI.run(["inspect", dir.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("'conda.yaml' is a named pipe (FIFO), not a regular file"), "\(result.stderr)")
    }

    /// A directory lint cannot read hides the models below it: exit 2 naming it, not a pass.
    /// (Run as an unprivileged user through setpriv, since root reads everything.)
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func anUnreadableDirectoryIsBadInput() throws {
        let dir = try Self.scratch("unreadable")
        let secret = dir.appendingPathComponent("models/secret")
        try FileManager.default.createDirectory(at: secret, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: CLI.repository.appendingPathComponent("fixtures/models/sklearn-conda").path,
            toPath: secret.appendingPathComponent("m").path)
        for path in [dir.deletingLastPathComponent(), dir, dir.appendingPathComponent("models")] {
            chmod(path.path, 0o755)
        }
        chmod(secret.path, 0)
        defer { chmod(secret.path, 0o755) }
        let (status, stderr) = try Self.runAsNobody([
            "lint", dir.appendingPathComponent("models").path, "--sources", "embedded"
        ])
        #expect(status == 2, "\(stderr)")
        #expect(
            stderr.contains(
                "cannot read the directory '\(secret.path)' (Permission denied): the models below it could not be checked"
            ), "\(stderr)")
    }

    /// A model directory that cannot be read is named as such (it used to say "no MLmodel file").
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func anUnreadableModelDirectoryIsNamed() throws {
        let dir = try Self.scratch("unreadable-model")
        let model = dir.appendingPathComponent("model")
        try FileManager.default.copyItem(
            atPath: CLI.repository.appendingPathComponent("fixtures/models/sklearn-conda").path, toPath: model.path)
        for path in [dir.deletingLastPathComponent(), dir] { chmod(path.path, 0o755) }
        chmod(model.path, 0)
        defer { chmod(model.path, 0o755) }
        let (status, stderr) = try Self.runAsNobody(["inspect", model.path])
        #expect(status == 2, "\(stderr)")
        #expect(stderr.contains("cannot read the model directory '\(model.path)' (Permission denied)"), "\(stderr)")
    }
}
