// A binary cache of one channel subdir's parsed records, so a warm start parses no JSON and
// decodes only the package names a solve asks for (rattler's sparse-repodata idea).
//
// File: `<cache>/channels/<sha256 of the repodata path, size and mtime>.bin`
//   "MLENVCR2" | u32 name count | per name: string name, u64 offset, u32 record count
//   | record blob: per name its records newest first, strings as u32 length + UTF-8.
// A cache file that does not match (magic, truncated data) is ignored and rebuilt.

import FoundationEssentials
import Specs

final class CondaSubdirRecords: @unchecked Sendable {
    private let lock = Lock()
    private var decoded: [String: [CondaRecord]] = [:]
    private let index: [String: (offset: Int, count: Int)]
    private let blob: [UInt8]
    let channel: String
    let channelLocation: String

    /// Records already in memory (the cold path), grouped by name.
    init(records: [CondaRecord], channel: String, channelLocation: String) {
        var byName: [String: [CondaRecord]] = [:]
        for r in records { byName[r.name, default: []].append(r) }
        decoded = byName.mapValues { records in
            records.indices.sorted { CondaRecord.preferredFirst(records[$0], records[$1]) }.map { records[$0] }
        }
        index = [:]
        blob = []
        self.channel = channel
        self.channelLocation = channelLocation
    }

    private init(index: [String: (offset: Int, count: Int)], blob: [UInt8], channel: String, channelLocation: String) {
        self.index = index
        self.blob = blob
        self.channel = channel
        self.channelLocation = channelLocation
    }

    var names: Set<String> {
        lock.lock()
        defer { lock.unlock() }
        return Set(decoded.keys).union(index.keys)
    }

    func records(named name: String) -> [CondaRecord] {
        lock.lock()
        defer { lock.unlock() }
        if let known = decoded[name] { return known }
        guard let entry = index[name] else { return [] }
        var reader = ByteReader(bytes: blob, position: entry.offset)
        var records: [CondaRecord] = []
        for _ in 0..<entry.count {
            guard let record = reader.record(channel: channel, channelLocation: channelLocation) else { break }
            records.append(record)
        }
        decoded[name] = records
        return records
    }

    var allRecords: [CondaRecord] { names.sorted().flatMap { records(named: $0) } }

    // MARK: Cache files

    static func cacheKey(path: String) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = attributes[.size] as? UInt, let modified = attributes[.modificationDate] as? Date else { return nil }
        return Digester.hex(.sha256, of: Array("\(path)\n\(size)\n\(modified.timeIntervalSince1970)\nv1".utf8))
    }

    static func load(from file: String, channel: String, channelLocation: String) -> CondaSubdirRecords? {
        guard let data = FileManager.default.contents(atPath: file) else { return nil }
        let bytes = [UInt8](data)
        var reader = ByteReader(bytes: bytes, position: 0)
        guard reader.magic() == "MLENVCR2", let count = reader.u32() else { return nil }
        var index: [String: (offset: Int, count: Int)] = [:]
        for _ in 0..<count {
            guard let name = reader.string(), let offset = reader.u64(), let n = reader.u32() else { return nil }
            index[name] = (Int(offset), Int(n))
        }
        let blobStart = reader.position
        guard index.values.allSatisfy({ blobStart + $0.offset <= bytes.count }) else { return nil }
        return CondaSubdirRecords(index: index.mapValues { ($0.offset + blobStart, $0.count) }, blob: bytes,
                                  channel: channel, channelLocation: channelLocation)
    }

    /// Writes the records this value holds (parsed and sorted in memory) as a cache file.
    func write(to file: String) {
        var blob = ByteWriter()
        var table: [(String, Int, Int)] = []
        for name in decoded.keys.sorted() {
            // Stored newest first (as `init(records:)` sorted them), so a warm load needs no sorting.
            let records = decoded[name]!
            table.append((name, blob.bytes.count, records.count))
            for record in records { blob.record(record) }
        }
        var out = ByteWriter()
        out.raw(Array("MLENVCR2".utf8))
        out.u32(table.count)
        for (name, offset, count) in table {
            out.string(name)
            out.u64(offset)
            out.u32(count)
        }
        out.raw(blob.bytes)
        try? FileBytes.writeAtomically(out.bytes, to: file)
    }
}

private struct ByteWriter {
    var bytes: [UInt8] = []
    mutating func raw(_ b: [UInt8]) { bytes += b }
    mutating func u32(_ v: Int) { withUnsafeBytes(of: UInt32(truncatingIfNeeded: v).littleEndian) { bytes += $0 } }
    mutating func u64(_ v: Int) { withUnsafeBytes(of: UInt64(truncatingIfNeeded: v).littleEndian) { bytes += $0 } }
    mutating func string(_ s: String) { let u = Array(s.utf8); u32(u.count); bytes += u }
    mutating func optional(_ s: String?) {
        if let s { bytes.append(1); string(s) } else { bytes.append(0) }
    }
    mutating func strings(_ list: [String]) { u32(list.count); for s in list { string(s) } }
    mutating func optionalInt(_ v: Int64?) {
        if let v { bytes.append(1); u64(Int(v)) } else { bytes.append(0) }
    }

    mutating func record(_ r: CondaRecord) {
        string(r.subdir); string(r.filename); string(r.name); string(r.versionText); string(r.build)
        u64(r.buildNumber)
        strings(r.depends); strings(r.constrains); strings(r.trackFeatures)
        optional(r.noarch); optionalInt(r.timestamp); optional(r.md5); optional(r.sha256); optionalInt(r.size)
        optional(r.license); strings(r.purls)
    }
}

private struct ByteReader {
    let bytes: [UInt8]
    var position: Int

    mutating func magic() -> String? {
        guard position + 8 <= bytes.count else { return nil }
        defer { position += 8 }
        return String(decoding: bytes[position..<position + 8], as: UTF8.self)
    }

    mutating func u32() -> Int? {
        guard position + 4 <= bytes.count else { return nil }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[position + i]) << (8 * UInt32(i)) }
        position += 4
        return Int(v)
    }

    mutating func u64() -> Int? {
        guard position + 8 <= bytes.count else { return nil }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
        position += 8
        return Int(truncatingIfNeeded: v)
    }

    mutating func string() -> String? {
        guard let n = u32(), position + n <= bytes.count else { return nil }
        defer { position += n }
        return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[position..<position + n]), as: UTF8.self) }
    }

    mutating func flag() -> Bool? {
        guard position < bytes.count else { return nil }
        defer { position += 1 }
        return bytes[position] == 1
    }

    mutating func optional() -> String?? {
        guard let present = flag() else { return nil }
        return present ? string().map { Optional($0) } : .some(nil)
    }

    mutating func optionalInt() -> Int64?? {
        guard let present = flag() else { return nil }
        return present ? u64().map { Optional(Int64($0)) } : .some(nil)
    }

    mutating func strings() -> [String]? {
        guard let n = u32(), n <= bytes.count else { return nil }
        var list: [String] = []
        list.reserveCapacity(n)
        for _ in 0..<n {
            guard let s = string() else { return nil }
            list.append(s)
        }
        return list
    }

    mutating func record(channel: String, channelLocation: String) -> CondaRecord? {
        guard let subdir = string(), let filename = string(), let name = string(), let versionText = string(), let build = string(),
              let buildNumber = u64(), let depends = strings(), let constrains = strings(), let trackFeatures = strings(),
              let noarch = optional(), let timestamp = optionalInt(), let md5 = optional(), let sha256 = optional(),
              let size = optionalInt(), let license = optional(), let purls = strings(),
              let version = try? CondaVersion(parsing: versionText) else { return nil }
        return CondaRecord(channel: channel, channelLocation: channelLocation, subdir: subdir, filename: filename, name: name,
                           versionText: versionText, version: version, build: build, buildNumber: buildNumber, depends: depends,
                           constrains: constrains, trackFeatures: trackFeatures, noarch: noarch, timestamp: timestamp, md5: md5,
                           sha256: sha256, size: size, license: license, purls: purls)
    }
}
