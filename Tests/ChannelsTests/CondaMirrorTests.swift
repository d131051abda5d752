// `mlenv mirror --conda-upstream`: the closure of the roots, records copied unchanged, and the
// MIRROR.json stamp that tells every later reader the channel is a subset of its upstream.

@testable import Channels
import Foundation
import JSON
import Testing

@Suite struct CondaMirrorTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    @Test func theClosureIsWrittenWithItsStamp() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-conda-mirror-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let builder = CondaMirrorBuilder(upstream: CondaChannel(Self.repository + "/channels/conda-forge"), subdirs: ["linux-64", "noarch"],
                                         output: output, generator: "mlenv test")
        let report = try builder.run(roots: ["xz"])
        #expect(report.missing.isEmpty && report.records > 0)
        let mirrored = CondaChannel(output + "/conda-forge")
        let stamp = try #require(MirrorStamp.read(directory: mirrored.location))
        #expect(stamp["kind"] == "conda-subset" && stamp["generator"] == "mlenv test" && stamp["roots"] == ["xz"])
        let note = try #require(MirrorStamp.partiality(directory: mirrored.location, name: "conda here"))
        #expect(note.hasPrefix("conda here is a subset of conda-forge made by mlenv on ") && note.contains("the dependency closure of 1 root"))
        // xz's records, unchanged, and nothing outside the closure.
        let repodata = try JSONValue.parse([UInt8](Data(contentsOf: URL(fileURLWithPath: output + "/conda-forge/linux-64/repodata.json"))))
        let names = Set(((repodata["packages"]?.objectValue?.entries ?? []) + (repodata["packages.conda"]?.objectValue?.entries ?? [])).compactMap { $0.value["name"]?.stringValue })
        #expect(names.contains("xz") && !names.contains("python"))
    }
}
