// The one-pass repodata reader and the mapped binary cache, checked against a reading of the
// same documents through the JSON tree (the reader mlenv used before, kept here as the oracle),
// on the real embedded conda-forge records and on hand-written edge cases; and the cache's
// behaviour when its file is damaged.

import Channels
import Foundation
import JSON
import Requests
import Specs
import Testing

/// The tree reading of conda's PackageRecord fields: what RepodataScanner must agree with.
enum TreeOracle {
    struct Fields: Equatable, CustomStringConvertible {
        var filename, name, versionText, build, subdir: String
        var buildNumber: Int
        var depends, constrains, trackFeatures, purls: [String]
        var noarch, md5, sha256, license: String?
        var timestamp, size: Int64?
        var description: String {
            "\(filename) \(name) \(versionText) \(build) \(subdir) \(buildNumber) \(depends) \(constrains) \(trackFeatures) \(purls) \(String(describing: noarch)) \(String(describing: timestamp)) \(String(describing: size))"
        }
    }

    static func fields(_ r: CondaRecord) -> Fields {
        Fields(
            filename: r.filename, name: r.name, versionText: r.versionText, build: r.build, subdir: r.subdir,
            buildNumber: r.buildNumber,
            depends: r.depends, constrains: r.constrains, trackFeatures: r.trackFeatures, purls: r.purls,
            noarch: r.noarch,
            md5: r.md5, sha256: r.sha256, license: r.license, timestamp: r.timestamp, size: r.size)
    }

    static func records(_ bytes: [UInt8], subdir: String) throws -> [Fields] {
        guard let object = try JSONValue.parse(bytes).objectValue else { return [] }
        let recordSubdir = object["info"]?["subdir"]?.stringValue ?? subdir
        var byDist: [String: Fields] = [:]
        var order: [String] = []
        for section in ["packages", "packages.conda"] {
            for entry in object[section]?.objectValue?.entries ?? [] {
                guard let f = entry.value.objectValue, let name = f["name"]?.stringValue,
                    let version = f["version"]?.stringValue,
                    let build = f["build"]?.stringValue, (try? CondaVersion(parsing: version)) != nil
                else { continue }
                func strings(_ key: String) -> [String] { f[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
                var track = strings("track_features")
                if track.isEmpty, let text = f["track_features"]?.stringValue {
                    track = text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
                }
                var noarch: String?
                switch f["noarch"] {
                case .string(let s)?: noarch = s
                case .bool(true)?: noarch = "generic"
                default: noarch = nil
                }
                var timestamp = f["timestamp"]?.numberValue.flatMap { Int64(exactly: $0.double) }
                if let t = timestamp, t < 253_402_300_799 {
                    let (ms, overflow) = t.multipliedReportingOverflow(by: 1000)
                    timestamp = overflow ? nil : ms
                }
                let record = Fields(
                    filename: entry.key, name: name, versionText: version, build: build,
                    subdir: f["subdir"]?.stringValue ?? recordSubdir,
                    buildNumber: f["build_number"]?.numberValue?.int.map { Int($0) } ?? 0,
                    depends: strings("depends"), constrains: strings("constrains"), trackFeatures: track,
                    purls: strings("purls"), noarch: noarch, md5: f["md5"]?.stringValue,
                    sha256: f["sha256"]?.stringValue,
                    license: f["license"]?.stringValue, timestamp: timestamp, size: f["size"]?.numberValue?.int)
                let dist = "\(name)-\(version)-\(build)"
                if let existing = byDist[dist] {
                    if entry.key.hasSuffix(".conda") && !existing.filename.hasSuffix(".conda") { byDist[dist] = record }
                } else {
                    byDist[dist] = record
                    order.append(dist)
                }
            }
        }
        return order.map { byDist[$0]! }
    }
}

/// A channel directory with one subdir written by the test, removed at the end.
final class ScratchChannel {
    let root: URL
    init(_ label: String) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlenv-\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("channel/noarch"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("cache"), withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: root) }
    var channel: String { root.appendingPathComponent("channel").path }
    var cache: String { root.appendingPathComponent("cache").path }
    func write(_ json: String, subdir: String = "noarch") throws {
        try Foundation.Data(json.utf8).write(to: root.appendingPathComponent("channel/\(subdir)/repodata.json"))
    }
    func cacheFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: cache).filter { $0.hasSuffix(".bin") }.map {
            "\(cache)/\($0)"
        }
    }
}

@Suite struct RepodataScannerTests {
    @Test(arguments: ["channels/conda-forge", "fixtures/channels/local-overrides", "fixtures/channels/compressed"])
    func agreesWithTheTreeReadingOnRealRecords(_ channel: String) throws {
        for subdir in ["linux-64", "noarch"] {
            let base = Paths.path("\(channel)/\(subdir)/repodata.json")
            guard
                let path = ["", ".zst", ".bz2", ".gz", ".xz"].map({ base + $0 }).first(
                    where: FileManager.default.fileExists(atPath:))
            else { continue }
            let expected = try TreeOracle.records(try FileBytes.read(path), subdir: subdir)
            let scanned = try CondaChannel(Paths.path(channel)).records(subdir: subdir).map(TreeOracle.fields)
            #expect(scanned.count == expected.count)
            #expect(scanned == expected)
        }
    }

    @Test(.enabled(if: Paths.hasSharedChannel, "../shared/channels/conda-forge is not beside this checkout"))
    func agreesWithTheTreeReadingOnTheSharedRecords() throws {
        for subdir in ["linux-64", "noarch"] {
            let expected = try TreeOracle.records(
                try FileBytes.read("\(Paths.sharedCondaForge)/\(subdir)/repodata.json"), subdir: subdir)
            let scanned = try CondaChannel(Paths.sharedCondaForge).records(subdir: subdir).map(TreeOracle.fields)
            #expect(scanned == expected)
        }
    }

    static let edgeCases = """
        {"packages": {"ignored-1-0.tar.bz2": {"name": "ignored", "version": "1", "build": "0"}},
         "packages": {
          "a-1.0-0.tar.bz2": {"name": "a", "version": "1.0", "build": "0", "depends": ["b >=1", 7, "c"], "build_number": 3,
                              "timestamp": 1600000000, "track_features": "x y,z", "noarch": true, "size": 12},
          "a-1.0-0.tar.bz2": {"name": "a", "version": "9", "build": "0"},
          "a-1.0-1.tar.bz2": {"name": "a", "version": "1.0", "build": "1", "depends": ["b >=2"], "timestamp": -9000000000000000000,
                              "build_number": 2.0, "name": "a", "license": "MIT\\u00e9", "noarch": false},
          "b-2-h1.tar.bz2": {"name": "b", "version": "2", "build": "h1", "constrains": ["c <1"], "md5": "\\u0061bc\(String(repeating: "0", count: 29))", "subdir": "linux-64",
                             "noarch": "python", "purls": ["pkg:pypi/b"], "track_features": ["f1", ""], "timestamp": 1.6e12, "size": 1e3},
          "bad-x-0.tar.bz2": {"name": "bad", "version": "1!!", "build": "0"},
          "noname-1-0.tar.bz2": {"version": "1", "build": "0"},
          "notanobject.tar.bz2": [1, 2],
          "esc\\u0061ped-1-0.tar.bz2": {"name": "escaped", "version": "1", "build": "0", "depends": ["d \\u003e=1"]}
         },
         "packages.conda": {"b-2-h1.conda": {"name": "b", "version": "2", "build": "h1", "sha256": "\(String(repeating: "f", count: 64))"}},
         "info": {"subdir": "noarch", "subdir": "osx-arm64"},
         "repodata_version": 1}
        """

    @Test func readsEdgeCasesAsTheTreeDoes() throws {
        let scratch = try ScratchChannel("edges")
        try scratch.write(Self.edgeCases)
        let expected = try TreeOracle.records(Array(Self.edgeCases.utf8), subdir: "noarch")
        let scanned = try CondaChannel(scratch.channel).records(subdir: "noarch").map(TreeOracle.fields)
        #expect(scanned == expected)
        // The facts the oracle encodes, stated once more: the last section and the last key win,
        // `.conda` is kept, info.subdir (its last value) fills in, seconds become milliseconds and
        // an overflowing timestamp is dropped.
        #expect(scanned.map(\.name) == ["a", "a", "a", "b", "escaped"])
        #expect(
            scanned[0].depends == ["b >=1", "c"] && scanned[0].buildNumber == 3
                && scanned[0].timestamp == 1_600_000_000_000)
        #expect(scanned[0].trackFeatures == ["x", "y", "z"] && scanned[0].noarch == "generic" && scanned[0].size == 12)
        #expect(scanned[1].versionText == "9" && scanned[1].depends.isEmpty && scanned[1].subdir == "osx-arm64")
        let a = scanned[2]
        #expect(
            a.depends == ["b >=2"] && a.buildNumber == 0 && a.timestamp == nil && a.noarch == nil && a.license == "MITé"
        )
        #expect(
            scanned[3].filename == "b-2-h1.conda" && scanned[3].sha256 == String(repeating: "f", count: 64)
                && scanned[3].md5 == nil && scanned[3].subdir == "osx-arm64")
        #expect(scanned[4].filename == "escaped-1-0.tar.bz2" && scanned[4].depends == ["d >=1"])
    }

    @Test func malformedDocumentsAreErrorsWithPosition() throws {
        for (json, line) in [
            ("{\"packages\": {\n \"x\": {\"name\": \"x\",}}}", 2), ("[1]", 1), ("{\"packages\": {}} extra", 1),
            ("{\"packages\": {\"a\": {\"name\": \"\u{01}\"}}}", 1)
        ] {
            let scratch = try ScratchChannel("bad")
            try scratch.write(json)
            #expect {
                try CondaChannel(scratch.channel).records(subdir: "noarch")
            } throws: { error in
                guard let message = (error as? ChannelError)?.message else { return false }
                return message.contains("repodata.json")
                    && (json == "[1]" || message.contains("repodata.json:\(line):"))
            }
        }
    }

    // MARK: The binary cache

    static let py311 = Target(python: PythonVersion(major: 3, minor: 11))

    func channelSet(_ scratch: ScratchChannel) throws -> ChannelSet {
        try ChannelSet(
            condaChannels: [CondaChannel(scratch.channel)], pypiIndexes: [], target: Self.py311,
            cacheDirectory: scratch.cache)
    }

    @Test func aWarmLoadGivesWhatTheColdOneGave() throws {
        let scratch = try ScratchChannel("warm")
        try scratch.write(
            String(decoding: try FileBytes.read(Paths.path("channels/conda-forge/noarch/repodata.json")), as: UTF8.self)
        )
        let cold = try channelSet(scratch)
        let names = cold.condaNames.sorted()
        let coldRecords = names.map { cold.condaRecords(named: $0).map(TreeOracle.fields) }
        #expect(try scratch.cacheFiles().count == 1)
        let warm = try channelSet(scratch)
        #expect(warm.condaNames.sorted() == names)
        #expect(names.map { warm.condaRecords(named: $0).map(TreeOracle.fields) } == coldRecords)
        // Newest first, as conda orders builds.
        for records in names.map({ warm.condaRecords(named: $0) }) {
            for (a, b) in zip(records, records.dropFirst()) { #expect(CondaRecord.preferredFirst(a, b)) }
        }
    }

    /// A damaged cache file (ids out of range, a cut-off tail, garbage, one digit of a digest
    /// changed into another, one bit of a build number) is never trusted: the records come out as
    /// parsed from the repodata, a note names the file, and the file is rewritten whole.
    @Test(arguments: ["records", "truncate", "garbage", "strings", "digest-digit", "build-number-bit"])
    func aDamagedCacheIsReparsed(_ damage: String) throws {
        let scratch = try ScratchChannel("damage")
        try scratch.write(
            String(decoding: try FileBytes.read(Paths.path("channels/conda-forge/noarch/repodata.json")), as: UTF8.self)
        )
        let expected = try channelSet(scratch)
        let names = expected.condaNames.sorted()
        let want = names.map { expected.condaRecords(named: $0).map(TreeOracle.fields) }
        let file = try #require(try scratch.cacheFiles().first)
        var bytes = try FileBytes.read(file)
        switch damage {
        case "records": for i in (bytes.count - 8000)..<bytes.count { bytes[i] = 0xFF }
        case "truncate": bytes.removeLast(1000)
        case "garbage": bytes = Array(repeating: 0x41, count: 4096)
        case "digest-digit":
            // The first run of 64 hex digits (a sha256 in the string blob): its middle digit
            // becomes another hex digit, which every bounds check and field check would accept.
            let hex = Set("0123456789abcdef".utf8)
            var run = 0
            var at = -1
            for (i, b) in bytes.enumerated() {
                run = hex.contains(b) ? run + 1 : 0
                if run == 64 {
                    at = i - 32
                    break
                }
            }
            try #require(at > 0)
            bytes[at] = bytes[at] == UInt8(ascii: "a") ? UInt8(ascii: "b") : UInt8(ascii: "a")
        case "build-number-bit":
            // The last record's build number (its bytes 56..<64), one bit flipped.
            bytes[bodySize(of: bytes) - 80 + 56] ^= 0x01
        default: for i in 40..<4000 { bytes[i] = 0xEE }  // string offsets
        }
        try Foundation.Data(bytes).write(to: URL(fileURLWithPath: file))
        let reread = try channelSet(scratch)
        #expect(reread.condaNames.sorted() == names)
        #expect(names.map { reread.condaRecords(named: $0).map(TreeOracle.fields) } == want)
        #expect(CacheNotes.given.contains { $0.contains(file) && $0.contains("damaged") }, "\(CacheNotes.given)")
        // Rewritten whole: read again, it gives the same records with no damage found.
        let rewritten = try #require(try scratch.cacheFiles().first)
        let again = try channelSet(scratch)
        #expect(names.map { again.condaRecords(named: $0).map(TreeOracle.fields) } == want)
        #expect(try FileBytes.read(rewritten) != bytes)
    }

    /// The size of a cache image's body (before its checksums), from its header.
    private func bodySize(of bytes: [UInt8]) -> Int {
        func u32(_ at: Int) -> Int {
            Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24
        }
        let strings = u32(8)
        let blob = u32(12)
        let lists = u32(16)
        let items = u32(20)
        let names = u32(24)
        let records = u32(28)
        return 32 + (strings + 1) * 4 + blob + (lists + 1) * 4 + items * 4 + names * 12 + records * 80
    }
}
