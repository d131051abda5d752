// A channel with many builds per version (every real record of the embedded conda-forge repeated
// as extra builds with the same name, version and dependencies, as ../shared/bench/
// full-size-conda-channel.py makes conda-forge-size channels) must give the same names and
// versions as the channel it was made from; and a spec that names build strings still sees
// every build (equivalent builds are merged only where no spec tells them apart).

import Channels
import Foundation
import JSON
import Requests
import Solver
import Specs
import Testing

@Suite struct ManyBuildsTests {
    static let copies = 6

    /// The embedded channel with `copies` builds per real build: build `<build>_sN`, N seconds
    /// older (a record without a timestamp gets 1600000000000 - N·1000, so its copies are newer).
    static func multiplied(into root: URL) throws {
        for subdir in ["linux-64", "noarch"] {
            let source = try FileBytes.read(Data.path("channels/conda-forge/\(subdir)/repodata.json"))
            guard var document = try JSONValue.parse(source).objectValue else { continue }
            for section in ["packages", "packages.conda"] {
                guard let packages = document[section]?.objectValue else { continue }
                let ext = section == "packages" ? ".tar.bz2" : ".conda"
                var out = JSONObject()
                for entry in packages.entries {
                    out.append(entry.key, entry.value)
                    guard let fields = entry.value.objectValue, let build = fields["build"]?.stringValue else {
                        continue
                    }
                    let timestamp = fields["timestamp"]?.numberValue?.int ?? 1_600_000_000_000
                    for i in 1..<copies {
                        var copy = JSONObject()
                        for field in fields.entries where field.key != "build" && field.key != "timestamp" {
                            copy.append(field.key, field.value)
                        }
                        copy.append("build", .string("\(build)_s\(i)"))
                        copy.append("timestamp", .number(JSONNumber(Int(max(0, timestamp - Int64(i) * 1000)))))
                        out.append("\(entry.key.dropLast(ext.count))_s\(i)\(ext)", .object(copy))
                    }
                }
                document.entries.removeAll { $0.key == section }
                document.append(section, .object(out))
            }
            let directory = root.appendingPathComponent(subdir)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Foundation.Data(JSONValue.object(document).serialized().utf8).write(
                to: directory.appendingPathComponent("repodata.json"))
        }
    }

    func solve(_ specs: [String], channel: String) throws -> Resolution? {
        let channels = try ChannelSet(
            condaChannels: [CondaChannel(channel)], pypiIndexes: [],
            target: Target(python: PythonVersion("3.11.9")!))
        let request = SolveRequest(target: channels.target, mode: .conda, conda: try specs.map { try Data.conda($0) })
        guard case .resolved(let resolution) = try Resolver(channels: channels).solve(request) else {
            Issue.record("expected a resolution for \(specs)")
            return nil
        }
        return resolution
    }

    @Test func manyBuildsPerVersionGiveTheSameNamesAndVersions() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlenv-many-builds-\(getpid())/conda-forge")
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        try Self.multiplied(into: root)
        let multiplied = try CondaChannel(root.path).records(subdir: "linux-64").count
        #expect(
            multiplied == Self.copies
                * (try CondaChannel(Data.path("channels/conda-forge")).records(subdir: "linux-64").count))

        for specs in [
            ["python=3.11", "numpy", "pandas", "scikit-learn", "scipy", "pip"],
            ["python=3.11", "numpy=1.26.4", "pandas<2.2", "cloudpickle", "pip"]
        ] {
            let one = try #require(try solve(specs, channel: Data.path("channels/conda-forge")))
            let many = try #require(try solve(specs, channel: root.path))
            #expect(many.packages.map { "\($0.name) \($0.version)" } == one.packages.map { "\($0.name) \($0.version)" })
            #expect(many.packages.count > 20)
        }
    }

    /// `*_cpython` matches the real python builds but not their `_sN` copies, so the copies are
    /// not interchangeable with them for this request: the answer must be a real build.
    @Test func aBuildStringSpecSeesEveryBuild() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlenv-many-builds-spec-\(getpid())/conda-forge")
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        try Self.multiplied(into: root)
        let resolution = try #require(try solve(["python 3.11.* *_cpython", "numpy"], channel: root.path))
        let python = try #require(resolution.package("python", .conda))
        #expect(python.build?.hasSuffix("_cpython") == true)
        // And the newest copy wins where nothing tells copies apart.
        let copied = try #require(try solve(["python 3.11.*", "numpy"], channel: root.path))
        #expect(copied.package("python", .conda)?.version == python.version)
    }
}
