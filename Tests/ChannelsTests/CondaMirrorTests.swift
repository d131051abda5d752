// `mlenv mirror --conda-upstream`: the closure of the roots, records copied unchanged, and the
// MIRROR.json stamp that tells every later reader the channel is a subset of its upstream.

import Foundation
import JSON
import Testing

@testable import Channels

@Suite struct CondaMirrorTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test func theClosureIsWrittenWithItsStamp() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-conda-mirror-\(getpid())")
            .path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let builder = CondaMirrorBuilder(
            upstream: CondaChannel(Self.repository + "/channels/conda-forge"), subdirs: ["linux-64", "noarch"],
            output: output, generator: "mlenv test")
        let report = try builder.run(roots: ["xz"])
        #expect(report.missing.isEmpty && report.records > 0)
        let mirrored = CondaChannel(output + "/conda-forge")
        let stamp = try #require(MirrorStamp.read(directory: mirrored.location))
        #expect(stamp["kind"] == "conda-subset" && stamp["generator"] == "mlenv test" && stamp["roots"] == ["xz"])
        let note = try #require(MirrorStamp.partiality(directory: mirrored.location, name: "conda here"))
        #expect(
            note.hasPrefix("conda here is a subset of conda-forge made by mlenv on ")
                && note.contains("the dependency closure of 1 root"))
        // xz's records, unchanged, and nothing outside the closure.
        let repodata = try JSONValue.parse(
            [UInt8](Data(contentsOf: URL(fileURLWithPath: output + "/conda-forge/linux-64/repodata.json"))))
        let names = Set(
            ((repodata["packages"]?.objectValue?.entries ?? [])
                + (repodata["packages.conda"]?.objectValue?.entries ?? [])).compactMap { $0.value["name"]?.stringValue }
        )
        #expect(names.contains("xz") && !names.contains("python"))
    }

    static func records(_ output: String, _ subdir: String) throws -> [String: JSONValue] {
        let repodata = try JSONValue.parse(
            [UInt8](Data(contentsOf: URL(fileURLWithPath: output + "/conda-forge/\(subdir)/repodata.json"))))
        var result: [String: JSONValue] = [:]
        for section in ["packages", "packages.conda"] {
            for entry in repodata[section]?.objectValue?.entries ?? [] { result[entry.key] = entry.value }
        }
        return result
    }

    static func tree(_ root: String) -> [String: Data] {
        var result: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            if let data = FileManager.default.contents(atPath: root + "/" + relative) { result[relative] = data }
        }
        return result
    }

    /// A second run with other roots extends the subset: both closures' records, both roots;
    /// the same roots again change no byte (the stamp's date included).
    @Test func aSecondRunExtendsTheSubset() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-conda-extend-\(getpid())")
            .path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let upstream = CondaChannel(Self.repository + "/channels/conda-forge")
        let builder = CondaMirrorBuilder(
            upstream: upstream, subdirs: ["linux-64", "noarch"], output: output, generator: "mlenv test")
        _ = try builder.run(roots: ["xz"])
        let first = try Self.records(output, "linux-64")
        let fresh = try Self.records(
            FileManager.default.temporaryDirectory.path + "/mlenv-conda-extend-fresh-\(getpid())", "linux-64",
            building: ["bzip2"], upstream: upstream)
        let adds = !Set(fresh.keys).isSubset(of: Set(first.keys))
        #expect(adds, "pick a second root outside xz's closure")

        let report = try builder.run(roots: ["bzip2"])
        #expect(report.extended)
        let merged = try Self.records(output, "linux-64")
        let union = Set(merged.keys) == Set(first.keys).union(fresh.keys)
        #expect(union)
        #expect(report.mirrorRecords >= merged.count)
        let stamp = try #require(MirrorStamp.read(directory: output + "/conda-forge"))
        #expect(stamp["roots"] == ["bzip2", "xz"])

        let before = Self.tree(output)
        _ = try builder.run(roots: ["bzip2"])
        #expect(Self.tree(output) == before)
    }

    static func records(_ output: String, _ subdir: String, building roots: [String], upstream: CondaChannel) throws
        -> [String: JSONValue]
    {
        defer { try? FileManager.default.removeItem(atPath: output) }
        _ = try CondaMirrorBuilder(upstream: upstream, subdirs: [subdir], output: output).run(roots: roots)
        return try records(output, subdir)
    }

    /// The same file name with another sha256 upstream is a conflict, and a subset whose
    /// repodata.json cannot be read is refused; neither changes a byte.
    @Test func aConflictOrAnUnreadableSubsetChangesNothing() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-conda-conflict-\(getpid())")
            .path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let output = scratch + "/mirror"
        _ = try CondaMirrorBuilder(
            upstream: CondaChannel(Self.repository + "/channels/conda-forge"), subdirs: ["linux-64"], output: output
        ).run(roots: ["xz"])
        let first = try Self.records(output, "linux-64")
        let victim = try #require(first.keys.sorted().first { $0.hasPrefix("xz-") })

        // An upstream copy whose record of that file has another sha256.
        let upstreamCopy = scratch + "/upstream/conda-forge"
        try FileManager.default.createDirectory(atPath: upstreamCopy + "/linux-64", withIntermediateDirectories: true)
        let original = try JSONValue.parse(
            [UInt8](
                Data(contentsOf: URL(fileURLWithPath: Self.repository + "/channels/conda-forge/linux-64/repodata.json"))
            ))
        var document = try #require(original.objectValue)
        for (i, section) in document.entries.enumerated()
        where section.key == "packages" || section.key == "packages.conda" {
            var records = try #require(section.value.objectValue)
            for (j, record) in records.entries.enumerated() where record.key == victim {
                var fields = try #require(record.value.objectValue)
                for (k, field) in fields.entries.enumerated() where field.key == "sha256" {
                    fields.entries[k].value = .string(String(repeating: "0", count: 64))
                }
                records.entries[j].value = .object(fields)
            }
            document.entries[i].value = .object(records)
        }
        try Data(JSONValue.object(document).serialized().utf8).write(
            to: URL(fileURLWithPath: upstreamCopy + "/linux-64/repodata.json"))

        let before = Self.tree(output)
        let builder = CondaMirrorBuilder(upstream: CondaChannel(upstreamCopy), subdirs: ["linux-64"], output: output)
        #expect {
            _ = try builder.run(roots: ["xz"])
        } throws: { error in
            let message = (error as? ChannelError)?.message ?? ""
            return message.hasPrefix("conflict: ") && message.contains("linux-64/repodata.json: \(victim) is sha256 ")
        }
        #expect(Self.tree(output) == before)

        try Data("{\"packages\": [".utf8).write(
            to: URL(fileURLWithPath: output + "/conda-forge/linux-64/repodata.json"))
        let broken = Self.tree(output)
        #expect {
            _ = try CondaMirrorBuilder(
                upstream: CondaChannel(Self.repository + "/channels/conda-forge"), subdirs: ["linux-64"], output: output
            ).run(roots: ["zstd"])
        } throws: { error in
            ((error as? ChannelError)?.message ?? "").hasPrefix(output + "/conda-forge/linux-64/repodata.json:")
        }
        #expect(Self.tree(output) == broken)
    }
}
