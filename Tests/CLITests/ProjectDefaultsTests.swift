// `.mlenv.yaml` applies to the commands that resolve a model as it does to `lint`: its
// deployment, channels, indexes and exclude-newer where the command line gives none.

import Foundation
import JSON
import Testing

@Suite struct ProjectDefaultsTests {
    /// A project directory holding a copy of the sklearn-iris fixture and the given `.mlenv.yaml`.
    func project(_ configuration: String, name: String) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-project-\(getpid())-\(name)")
        try? FileManager.default.removeItem(at: root)
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("models"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: CLI.repository.appendingPathComponent("fixtures/models/sklearn-iris"),
            to: root.appendingPathComponent("models/iris"))
        try configuration.write(to: root.appendingPathComponent(".mlenv.yaml"), atomically: true, encoding: .utf8)
        return root
    }

    @Test func theProjectsDeploymentIsTheDefaultAndAFlagWins() throws {
        let root = try project("deployment: mlflow-serve\n", name: "deployment")
        defer { try? FileManager.default.removeItem(at: root) }
        let model = root.appendingPathComponent("models/iris").path
        let configured = try CLI.run(["resolve", model, "--format", "json"])
        #expect(configured.status == 0, "\(configured.stderr)")
        #expect(try JSONValue.parse(string: configured.stdout)["deployment"] == "mlflow-serve")
        let flagged = try CLI.run(["resolve", model, "--deployment", "none", "--format", "json"])
        #expect(try JSONValue.parse(string: flagged.stdout)["deployment"] == "none")
    }

    @Test func theProjectsIndexesAndCutoffAreUsed() throws {
        // Relative to the file; a directory that is not there is bad input naming it.
        let root = try project("deployment: none\nindexes: [no-such-mirror/pypi]\n", name: "indexes")
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try CLI.run([
            "resolve", root.appendingPathComponent("models/iris").path, "--env-manager", "virtualenv"
        ])
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("no-such-mirror/pypi"), "\(result.stderr)")
        // exclude-newer before any upload: nothing is left to install, so nothing resolves.
        try "deployment: none\nexclude-newer: 2000-01-01\n".write(
            to: root.appendingPathComponent(".mlenv.yaml"), atomically: true, encoding: .utf8)
        let old = try CLI.run([
            "resolve", root.appendingPathComponent("models/iris").path, "--env-manager", "virtualenv"
        ])
        #expect(old.status == 1, "\(old.stdout)\(old.stderr)")
        // The same with --config pointing elsewhere: that file wins.
        let other = root.appendingPathComponent("other.yaml")
        try "deployment: none\n".write(to: other, atomically: true, encoding: .utf8)
        let explicit = try CLI.run([
            "resolve", root.appendingPathComponent("models/iris").path, "--env-manager", "virtualenv", "--config",
            other.path
        ])
        #expect(explicit.status == 0, "\(explicit.stderr)")
    }

    @Test func aTypoInTheFileIsBadInputWithItsPosition() throws {
        let root = try project("deployment: none\nchanels: [x]\n", name: "typo")
        defer { try? FileManager.default.removeItem(at: root) }
        for command in [["resolve"], ["lock", "-o", root.appendingPathComponent("out").path]] {
            let result = try CLI.run(command + [root.appendingPathComponent("models/iris").path])
            #expect(result.status == 2)
            #expect(result.stderr.contains(".mlenv.yaml:2:1: unknown key 'chanels'"), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("out").path))
        }
    }
}
