// Hostile inputs that once crashed mlenv, each with the exit code and message it gets now.
// Deep JSON (50,000 levels, 100 KB) in a request body and in an MLmodel signature: the value
// used to be freed recursively and overflow the stack (SIGSEGV), aborting a whole lint.

import Foundation
import Testing

@Suite struct HostileInputTests {
    static let deep = String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000)

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
        #expect(result.stdout.contains("the body is not valid JSON: line 1, column 1001: the JSON nests arrays and objects more than 1000 levels deep"), "\(result.stdout)")
    }

    @Test func aDeepSignatureIsAFindingNotACrash() throws {
        let dir = try Self.scratch("signature")
        try FileManager.default.copyItem(atPath: CLI.repository.appendingPathComponent("fixtures/models/sklearn-conda/conda.yaml").path,
                                         toPath: dir.appendingPathComponent("conda.yaml").path)
        try "flavors:\n  python_function:\n    env: conda.yaml\n    loader_module: mlflow.sklearn\n    python_version: 3.11.9\nmlflow_version: 2.17.2\nsignature:\n  inputs: '\(Self.deep)'\n"
            .write(to: dir.appendingPathComponent("MLmodel"), atomically: true, encoding: .utf8)
        let result = try CLI.run(["lint", dir.path, "--format", "json"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains("\"MLE060\"") && result.stdout.contains("more than 1000 levels deep"), "\(result.stdout)")
    }

    /// A FIFO where a file should be: refused at once with what it is (opening one for reading
    /// waits for a writer, which once hung inspect, resolve and lint).
    @Test func aNamedPipeIsNotAFile() throws {
        let dir = try Self.scratch("fifo")
        try "flavors:\n  python_function:\n    env: conda.yaml\n    loader_module: mlflow.sklearn\n    python_version: 3.11.9\n"
            .write(to: dir.appendingPathComponent("MLmodel"), atomically: true, encoding: .utf8)
        #expect(mkfifo(dir.appendingPathComponent("conda.yaml").path, 0o644) == 0)
        let result = try CLI.run(["inspect", dir.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("'conda.yaml' is a named pipe (FIFO), not a regular file"), "\(result.stderr)")
    }
}
