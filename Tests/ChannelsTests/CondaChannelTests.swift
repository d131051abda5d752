// conda channels on real conda-forge records (the embedded subset made by `mlenv mirror`, and
// the full shared records when they are beside the checkout) and on small fixture channels.

import Channels
import Foundation
import Requests
import Specs
import Testing

enum Paths {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static func path(_ relative: String) -> String { repository.appendingPathComponent(relative).path }
    static let embeddedCondaForge = path("channels/conda-forge")
    static let embeddedPyPI = path("channels/pypi")
    static let sharedCondaForge = repository.deletingLastPathComponent().appendingPathComponent(
        "shared/channels/conda-forge"
    ).path
    static var hasSharedChannel: Bool { FileManager.default.fileExists(atPath: sharedCondaForge) }
}

@Suite struct CondaChannelTests {
    static let py311 = Target(python: PythonVersion(major: 3, minor: 11))

    @Test func readsAPythonRecordsDepends() throws {
        let channel = CondaChannel(Paths.embeddedCondaForge)
        let records = try channel.records(subdir: "linux-64")
        let python = try #require(records.first { $0.filename == "python-3.11.9-hb806964_0_cpython.conda" })
        #expect(python.name == "python")
        #expect(python.build == "hb806964_0_cpython")
        #expect(python.buildNumber == 0)
        #expect(python.depends.contains("openssl >=3.2.1,<4.0a0"))
        #expect(python.depends.contains("libzlib >=1.2.13,<2.0.0a0"))
        #expect(python.depends.count == 16)
        #expect(python.constrains == ["python_abi 3.11.* *_cp311"])
        #expect(python.url == Paths.embeddedCondaForge + "/linux-64/python-3.11.9-hb806964_0_cpython.conda")
    }

    @Test func readsConstrains() throws {
        let records = try CondaChannel(Paths.embeddedCondaForge).records(subdir: "linux-64")
        let numpy = try #require(records.first { $0.filename == "numpy-1.26.4-py311h64a7726_0.conda" })
        #expect(numpy.constrains == ["numpy-base <0a0"])
        #expect(numpy.depends.contains("python_abi 3.11.* *_cp311"))
        let mutex = try #require(records.first { $0.filename == "_openmp_mutex-4.5-20_gnu.conda" })
        #expect(mutex.constrains == ["openmp_impl <0.0a0"])
        #expect(mutex.timestamp == 1_770_939_786_096)
    }

    @Test func prefersCondaFormatAndNormalisesTimestamps() throws {
        let records = try CondaChannel(Paths.path("fixtures/channels/local-overrides")).records(subdir: "noarch")
        let demo = records.filter { $0.name == "demo-pkg" }
        #expect(demo.map(\.filename) == ["demo-pkg-1.0-0.conda"])
        #expect(demo.first?.timestamp == 1_600_000_000_123)
        #expect(demo.first?.pypiNamesFromPurls == [NormalizedName("demo-pkg")])
        // Seconds become milliseconds.
        #expect(records.first { $0.name == "cloudpickle" }?.timestamp == 1_600_000_000_000)
        #expect(records.first { $0.name == "cloudpickle" }?.noarch == "python")
    }

    /// A compressed repodata is decompressed into a scratch file beside the cache and read like
    /// a plain one (mapped, in one pass): the same records as the plain file, and no scratch
    /// file left behind.
    @Test(arguments: [("zstd", ".zst"), ("bzip2", ".bz2")])
    func compressedRepodataReadsAsThePlainFile(tool: String, ext: String) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlenv-zst-channel-\(getpid())-\(tool)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let channel = root + "/conda-forge"
        let cache = root + "/cache"
        for subdir in ["linux-64", "noarch"] {
            try FileManager.default.createDirectory(atPath: channel + "/" + subdir, withIntermediateDirectories: true)
            let plain = channel + "/" + subdir + "/repodata.json"
            try FileManager.default.copyItem(
                atPath: Paths.embeddedCondaForge + "/" + subdir + "/repodata.json", toPath: plain)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [tool, "-q", plain]  // replaces the plain file with the compressed one
            try process.run()
            process.waitUntilExit()
            try #require(process.terminationStatus == 0, "\(tool) is not installed")
            if FileManager.default.fileExists(atPath: plain) { try FileManager.default.removeItem(atPath: plain) }
        }
        let names = { (records: [CondaRecord]) in records.map { "\($0.filename) \($0.depends) \($0.sha256 ?? "")" } }
        let plain = try CondaChannel(Paths.embeddedCondaForge).records(subdir: "linux-64")
        #expect(names(try CondaChannel(channel).records(subdir: "linux-64")) == names(plain))
        let set = try ChannelSet(
            condaChannels: [CondaChannel(channel)], pypiIndexes: [], target: Self.py311, cacheDirectory: cache)
        #expect(
            set.condaRecords(named: "python").count
                == (try ChannelSet(
                    condaChannels: [CondaChannel(Paths.embeddedCondaForge)], pypiIndexes: [],
                    target: Self.py311
                ).condaRecords(named: "python").count))
        let left = try FileManager.default.contentsOfDirectory(atPath: cache).filter {
            $0.hasPrefix(".mlenv-repodata-")
        }
        #expect(left.isEmpty, "\(left)")
    }

    @Test func readsCompressedRepodata() throws {
        let records = try CondaChannel("file://" + Paths.path("fixtures/channels/compressed")).records(
            subdir: "linux-64")
        #expect(records.map(\.filename) == ["zlib-1.3.1-hb9d3cd8_2.conda"])
        #expect(records.first?.depends.first == "__glibc >=2.17,<3.0.a0")
        // A subdir that is not there is empty, not an error.
        #expect(try CondaChannel(Paths.path("fixtures/channels/compressed")).records(subdir: "noarch").isEmpty)
    }

    @Test func strictChannelPriorityHidesLowerChannels() throws {
        let channels = try ChannelSet(
            condaChannels: [
                CondaChannel(Paths.path("fixtures/channels/local-overrides")), CondaChannel(Paths.embeddedCondaForge)
            ],
            pypiIndexes: [], target: Self.py311)
        // cloudpickle is in both: only the higher-priority channel's build is visible.
        #expect(channels.condaRecords(named: "cloudpickle").map(\.versionText) == ["0.0.1"])
        #expect(channels.allCondaRecords(named: "cloudpickle").count > 1)
        // Pinned to the lower channel (`conda-forge::cloudpickle`), its builds are visible.
        let pinned = channels.condaRecords(named: "cloudpickle", channel: "conda-forge")
        #expect(!pinned.isEmpty && pinned.allSatisfy { $0.channel == "conda-forge" })
        // Names only the lower channel has are not hidden.
        #expect(channels.condaRecords(named: "numpy").first?.channel == "conda-forge")
    }

    @Test func ordersBuildsAsConda() throws {
        let channels = try ChannelSet(
            condaChannels: [CondaChannel(Paths.embeddedCondaForge)], pypiIndexes: [], target: Self.py311)
        let numpy = channels.condaRecords(named: "numpy")
        #expect(!numpy.isEmpty)
        for (a, b) in zip(numpy, numpy.dropFirst()) {
            #expect(a.version >= b.version)
            if a.version == b.version && a.trackFeatures.isEmpty == b.trackFeatures.isEmpty {
                #expect(a.buildNumber >= b.buildNumber)
            }
        }
    }

    @Test func malformedRepodataIsAnErrorWithPosition() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-bad-channel-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("noarch"), withIntermediateDirectories: true)
        try Data("{\"packages\": {\n  \"x\": [}\n".utf8).write(
            to: directory.appendingPathComponent("noarch/repodata.json"))
        #expect {
            try CondaChannel(directory.path).records(subdir: "noarch")
        } throws: { error in
            (error as? ChannelError)?.message.contains("repodata.json:2:") == true
        }
    }

    @Test(.enabled(if: Paths.hasSharedChannel, "../shared/channels/conda-forge is not beside this checkout"))
    func loadsTheFullSharedRecords() throws {
        let channel = CondaChannel(Paths.sharedCondaForge)
        let linux = try channel.records(subdir: "linux-64")
        let noarch = try channel.records(subdir: "noarch")
        // PROVENANCE.md: 16531 + 10046 records, none of them the same build in both formats.
        #expect(linux.count == 16531)
        #expect(noarch.count == 10046)
    }
}
