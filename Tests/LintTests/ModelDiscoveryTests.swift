// Which models a path names: a directory's models, and for a file the model it is in.

import Foundation
import Lint
import Testing

@Suite struct ModelDiscoveryTests {
    /// A scratch tree: models/a (with a nested model in data/inner), models/b, a file in no
    /// model, and .mlenv.yaml files at the top and in models/.
    static func tree() throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-discovery-\(UUID().uuidString)")
            .path
        let fm = FileManager.default
        for directory in ["models/a/data/inner", "models/b", "notes"] {
            try fm.createDirectory(atPath: root + "/" + directory, withIntermediateDirectories: true)
        }
        for file in ["models/a/MLmodel", "models/a/data/inner/MLmodel", "models/b/MLmodel"] {
            try "flavors: {}\n".write(toFile: root + "/" + file, atomically: true, encoding: .utf8)
        }
        for file in [
            "models/a/conda.yaml", "models/a/data/x.txt", "models/a/data/inner/requirements.txt",
            "notes/requirements.txt",
            ".mlenv.yaml", "models/.mlenv.yaml", "notes/.mlenv.yaml"
        ] {
            try "\n".write(toFile: root + "/" + file, atomically: true, encoding: .utf8)
        }
        return root
    }

    @Test func aFileNamesTheNearestModelAboveIt() throws {
        let root = try Self.tree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(ModelDiscovery.model(containing: root + "/models/a/conda.yaml") == root + "/models/a")
        #expect(ModelDiscovery.model(containing: root + "/models/a/MLmodel") == root + "/models/a")
        #expect(ModelDiscovery.model(containing: root + "/models/a/data/x.txt") == root + "/models/a")
        #expect(
            ModelDiscovery.model(containing: root + "/models/a/data/inner/requirements.txt") == root
                + "/models/a/data/inner")
        #expect(ModelDiscovery.model(containing: root + "/notes/requirements.txt") == nil)
        #expect(ModelDiscovery.model(containing: root + "/.mlenv.yaml") == nil)
    }

    @Test func scanTakesAFileAsItsModel() throws {
        let root = try Self.tree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let file = ModelDiscovery.scan(root + "/models/a/conda.yaml")
        #expect(file.models == [root + "/models/a"])
        #expect(file.unreadable.isEmpty)
        #expect(ModelDiscovery.scan(root + "/notes/requirements.txt").models.isEmpty)
        #expect(ModelDiscovery.scan(root + "/notes/requirements.txt").unreadable.isEmpty)
        // .mlenv.yaml configures every model below its directory.
        #expect(ModelDiscovery.scan(root + "/.mlenv.yaml").models == [root + "/models/a", root + "/models/b"])
        #expect(ModelDiscovery.scan(root + "/models/.mlenv.yaml").models == [root + "/models/a", root + "/models/b"])
        #expect(ModelDiscovery.scan(root + "/notes/.mlenv.yaml").models.isEmpty)
        #expect(ModelDiscovery.isFile(root + "/models/a/conda.yaml"))
        #expect(!ModelDiscovery.isFile(root + "/models/a"))
        #expect(!ModelDiscovery.isFile(root + "/does-not-exist"))
    }

    /// Through the linter: files of one model are one model; a file in none adds nothing (no
    /// MLE001 "no MLmodel here", which a directory without models gets).
    @Test func theLinterChecksEachModelOnceAndSkipsOtherFiles() throws {
        let root = try Self.tree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let report = try TestChannels.linter().lint(paths: [
            root + "/models/a/conda.yaml", root + "/models/a/MLmodel", root + "/notes/requirements.txt"
        ])
        #expect(report.models == [root + "/models/a"])
        let empty = try TestChannels.linter().lint(paths: [root + "/notes/requirements.txt"])
        #expect(empty.models.isEmpty && empty.findings.isEmpty)
    }
    // Relative paths (spelled as given, the search stopping at the current directory):
    // LintCommandTests.aFileStandsForTheModelItIsIn, in a process of its own.
}
