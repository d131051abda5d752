// A finding about availability names the copy it looked in and is an error only where that copy
// is the whole source: the embedded conda channel carries the MIRROR.json `mlenv mirror` writes
// (a subset of conda-forge), so a Python missing there is a warning that says so; the same
// records in a directory without the stamp (a complete channel, as far as mlenv can know) make
// it an error.

import Channels
import Deploy
import Foundation
import Lint
import Testing

@Suite struct PartialSourceTests {
    static func model(in root: URL) throws -> String {
        let dir = root.appendingPathComponent("python-3.7.6")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try
            "flavors:\n  python_function:\n    env:\n      conda: conda.yaml\n    loader_module: mlflow.sklearn\n    python_version: 3.7.6\nmlflow_version: 1.26.1\n"
            .write(to: dir.appendingPathComponent("MLmodel"), atomically: true, encoding: .utf8)
        try "channels:\n- conda-forge\ndependencies:\n- python=3.7.6\n- pip\n- pip:\n  - mlflow==1.26.1\n"
            .write(to: dir.appendingPathComponent("conda.yaml"), atomically: true, encoding: .utf8)
        return dir.path
    }

    static func lint(_ model: String, channel: String) throws -> [Finding] {
        let sources = ChannelSources(
            condaChannels: [CondaChannel(channel)], pypiIndexes: TestChannels.sources.pypiIndexes)
        let linter = try Linter(
            options: LintOptions(deployment: "none", today: Repo.today), sources: sources,
            breakers: try BreakerCatalog.builtIn())
        return linter.lint(paths: [model]).findings
    }

    @Test func aPythonMissingFromAPartialCopyIsAWarningThatNamesTheCopy() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-partial-\(getpid())")
        defer { try? FileManager.default.removeItem(at: root) }
        let model = try Self.model(in: root)

        let partial = try #require(
            try Self.lint(model, channel: Repo.path("channels/conda-forge")).first { $0.ruleID == "MLE011" })
        #expect(partial.severity == .warning)
        #expect(partial.message.contains("is not in the conda channels searched"), "\(partial.message)")
        #expect(partial.notes.contains { $0.message.contains("is a subset of conda-forge made by mlenv on") })

        // The same records without the stamp.
        let complete = root.appendingPathComponent("conda-forge")
        for subdir in ["linux-64", "noarch"] {
            try FileManager.default.createDirectory(
                at: complete.appendingPathComponent(subdir), withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                atPath: Repo.path("channels/conda-forge/\(subdir)/repodata.json"),
                toPath: complete.appendingPathComponent("\(subdir)/repodata.json").path)
        }
        let full = try #require(try Self.lint(model, channel: complete.path).first { $0.ruleID == "MLE011" })
        #expect(full.severity == .error)
        #expect(
            full.message.contains(
                "cannot be installed: the configured conda channels (conda-forge) have no Python 3.7 at all"),
            "\(full.message)")
    }

    @Test func theStampOfTheEmbeddedChannelIsWhatMirrorWrites() throws {
        let stamp = try #require(MirrorStamp.read(directory: Repo.path("channels/conda-forge")))
        #expect(stamp["kind"] == "conda-subset" && stamp["upstream"] == "conda-forge")
        #expect((stamp["roots"]?.arrayValue ?? []).contains("python"))
        #expect(MirrorStamp.partiality(directory: Repo.path("fixtures/models"), name: "x") == nil)
    }
}
