// One channel subdir's records in compact form: every string once in a table, records as
// string ids, dependency lists as list ids. A conda-forge-size repodata.json has ~660,000
// records whose strings repeat (a dependency text is shared by thousands of builds), so the
// table is a fraction of the JSON, and the binary cache (CondaRecordCache.swift) is this table
// written out.
//
// `RepodataScanner` fills it from repodata.json in one pass over the bytes (no JSON tree, no
// String per value); limits: 4 GiB of distinct string bytes and 2^32 - 2 strings, records or
// lists, each checked (a larger document is refused with a message, not wrapped).

import Basics
import JSON
import Specs

/// Distinct byte strings with ids in order of first appearance.
struct StringTable {
    static let none: UInt32 = .max
    private(set) var blob: [UInt8] = []
    /// Start of each string in `blob`, and the end of the last: count + 1 entries.
    private(set) var offsets: [UInt32] = [0]
    /// Open addressing over string ids (-1: empty); twice the strings at least.
    private var slots: [Int32] = Array(repeating: -1, count: 1 << 12)
    private var hashes: [UInt32] = []

    var count: Int { offsets.count - 1 }

    func bytes(_ id: UInt32) -> ArraySlice<UInt8> { blob[Int(offsets[Int(id)])..<Int(offsets[Int(id) + 1])] }

    func string(_ id: UInt32) -> String { String(decoding: bytes(id), as: UTF8.self) }

    mutating func intern(_ text: String) throws(ChannelError) -> UInt32 {
        var text = text
        let result: Result<UInt32, ChannelError> = text.withUTF8 { buffer in
            do throws(ChannelError) { return .success(try intern(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) throws(ChannelError) -> UInt32 {
        let hash = StringTable.hash(bytes)
        let mask = slots.count - 1
        var slot = Int(hash) & mask
        while true {
            let id = slots[slot]
            if id < 0 { break }
            if hashes[Int(id)] == hash && equal(Int(id), bytes) { return UInt32(id) }
            slot = (slot + 1) & mask
        }
        guard count < Int(Int32.max) - 1, blob.count + bytes.count < Int(UInt32.max) else {
            throw ChannelError("too many distinct strings for one channel subdir (limit 4 GiB)")
        }
        let id = count
        blob.append(contentsOf: bytes)
        offsets.append(UInt32(blob.count))
        hashes.append(hash)
        slots[slot] = Int32(id)
        if count * 2 > slots.count { grow() }
        return UInt32(id)
    }

    private func equal(_ id: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = Int(offsets[id])
        let end = Int(offsets[id + 1])
        guard end - start == bytes.count else { return false }
        return blob.withUnsafeBufferPointer { stored in
            bytes.isEmpty || memcmp(stored.baseAddress! + start, bytes.baseAddress!, bytes.count) == 0
        }
    }

    private mutating func grow() {
        var bigger = [Int32](repeating: -1, count: slots.count * 2)
        let mask = bigger.count - 1
        for id in 0..<count {
            var slot = Int(hashes[id]) & mask
            while bigger[slot] >= 0 { slot = (slot + 1) & mask }
            bigger[slot] = Int32(id)
        }
        slots = bigger
    }

    /// FNV-1a: enough spread for package texts, and no allocation.
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var h: UInt32 = 2_166_136_261
        for b in bytes { h = (h ^ UInt32(b)) &* 16_777_619 }
        return h
    }
}

@_silgen_name("memcmp") private func memcmp(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Int32

/// Lists of string ids (depends, constrains, track_features, purls), each distinct list once;
/// list 0 is the empty list.
struct ListTable {
    private(set) var items: [UInt32] = []
    private(set) var offsets: [UInt32] = [0, 0]
    private var ids: [[UInt32]: UInt32] = [[]: 0]

    var count: Int { offsets.count - 1 }

    func list(_ id: UInt32) -> ArraySlice<UInt32> { items[Int(offsets[Int(id)])..<Int(offsets[Int(id) + 1])] }

    mutating func intern(_ list: [UInt32]) throws(ChannelError) -> UInt32 {
        if let known = ids[list] { return known }
        guard count < Int(UInt32.max) - 1, items.count + list.count < Int(UInt32.max) else {
            throw ChannelError("too many distinct dependency lists for one channel subdir")
        }
        let id = UInt32(count)
        items += list
        offsets.append(UInt32(items.count))
        ids[list] = id
        return id
    }
}

/// One record as ids into the tables (`StringTable.none` where a field is absent).
struct CompactRecord {
    var filename: UInt32
    var name: UInt32
    var versionText: UInt32
    var build: UInt32
    /// nil in the JSON: the subdir of the document.
    var subdir: UInt32
    var noarch: UInt32
    var md5: UInt32
    var sha256: UInt32
    var license: UInt32
    var depends: UInt32
    var constrains: UInt32
    var trackFeatures: UInt32
    var purls: UInt32
    var buildNumber: Int64
    var timestamp: Int64?
    var size: Int64?
}

extension CompactRecord {
    /// The record these ids stand for, through lookups that answer nil for an id they cannot
    /// resolve (a cache file's ids are checked as they are read): nil then. `shared` looks up
    /// texts many records share (versions, subdirs, licenses), `unique` the others.
    func condaRecord(
        channel: String, channelLocation: String, shared: (UInt32) -> String?, unique: (UInt32) -> String?,
        list: (UInt32) -> [String]?, version: (UInt32) -> CondaVersion?
    ) -> CondaRecord? {
        /// A field that may be absent: .some(nil) when absent, nil when the id does not resolve.
        func optional(_ id: UInt32, _ lookup: (UInt32) -> String?) -> String?? {
            id == StringTable.none ? .some(nil) : lookup(id).map { .some($0) }
        }
        guard let filename = unique(self.filename), let name = unique(self.name), let build = unique(self.build),
            let versionText = shared(self.versionText), let version = version(self.versionText),
            let subdir = shared(self.subdir),
            let noarch = optional(self.noarch, shared), let md5 = optional(self.md5, unique),
            let sha256 = optional(self.sha256, unique),
            let license = optional(self.license, shared), let depends = list(self.depends),
            let constrains = list(self.constrains),
            let trackFeatures = list(self.trackFeatures), let purls = list(self.purls)
        else { return nil }
        return CondaRecord(
            channel: channel, channelLocation: channelLocation, subdir: subdir, filename: filename, name: name,
            versionText: versionText, version: version, build: build, buildNumber: Int(buildNumber), depends: depends,
            constrains: constrains, trackFeatures: trackFeatures, noarch: noarch, timestamp: timestamp, md5: md5,
            sha256: sha256, size: size, license: license, purls: purls)
    }
}

struct RepodataTable {
    var strings = StringTable()
    var lists = ListTable()
    /// In document order (the first occurrence of each build), `.conda` preferred.
    var records: [CompactRecord] = []
    /// Every record's version, parsed once per distinct text.
    var versions: [UInt32: CondaVersion] = [:]

    /// Every record, in document order.
    func condaRecords(channel: String, channelLocation: String) -> [CondaRecord] {
        records.compactMap {
            $0.condaRecord(
                channel: channel, channelLocation: channelLocation, shared: strings.string, unique: strings.string,
                list: { lists.list($0).map(strings.string) }, version: { versions[$0] })
        }
    }
}

/// repodata.json → RepodataTable in one pass (conda's PackageRecord fields, as RepodataParser
/// read them from a JSON tree before): `packages` (`.tar.bz2`) and `packages.conda` (`.conda`),
/// the `.conda` file kept where a build is in both; `info.subdir` for records without a
/// `subdir`; a record without a string `name`, `version` and `build`, or with a version conda
/// cannot parse, is left out. Duplicate keys: the last one counts, as in Python's json.
enum RepodataScanner {
    static func parse(
        _ bytes: UnsafeBufferPointer<UInt8>, subdir: String, path: String,
        consumed: ((Int) -> Void)? = nil
    ) throws(ChannelError) -> RepodataTable {
        do { return try scan(bytes, subdir: subdir, consumed: consumed) } catch let error as JSONError {
            throw ChannelError("\(path):\(error.line):\(error.column): invalid JSON: \(error.message)")
        } catch let error as ChannelError {
            throw ChannelError("\(path): \(error.message)")
        } catch {
            throw ChannelError("\(path): \(error)")
        }
    }

    private struct Section {
        var records: [CompactRecord] = []
    }

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>, subdir: String, consumed: ((Int) -> Void)?) throws
        -> RepodataTable
    {
        var scanner = JSONScanner(bytes)
        var table = RepodataTable()
        guard try scanner.peekKind() == .object else { throw ChannelError("expected a JSON object") }
        try scanner.beginObject()
        var sections: [String: Section] = [:]
        var infoSubdir: UInt32?
        var reader = FieldReader()
        var first = true
        while let key = try scanner.nextKey(&first) {
            switch key {
            case "packages", "packages.conda":
                // The last occurrence of a key counts, even when it is not an object.
                sections[key] = Section()
                guard try scanner.peekKind() == .object else {
                    try scanner.skipValue()
                    continue
                }
                var section = Section()
                try scanner.beginObject()
                var firstEntry = true
                while let filename = try scanner.nextKey(&firstEntry) {
                    if let record = try reader.record(&scanner, filename: filename, table: &table) {
                        section.records.append(record)
                    }
                    consumed?(scanner.offset)
                }
                sections[key] = section
            case "info":
                infoSubdir = nil
                guard try scanner.peekKind() == .object else {
                    try scanner.skipValue()
                    continue
                }
                try scanner.beginObject()
                var firstField = true
                while let field = try scanner.nextKey(&firstField) {
                    if field == "subdir", try scanner.peekKind() == .string {
                        infoSubdir = try table.strings.intern(try scanner.readString())
                    } else {
                        infoSubdir = field == "subdir" ? nil : infoSubdir
                        try scanner.skipValue()
                    }
                }
            default:
                try scanner.skipValue()
            }
        }
        try scanner.expectEnd()
        let documentSubdir = try infoSubdir ?? table.strings.intern(subdir)

        // One record per build (name-version-build), in order of first appearance, `.conda` kept.
        struct Dist: Hashable { let name, version, build: UInt32 }
        var position: [Dist: Int] = [:]
        for key in ["packages", "packages.conda"] {
            for var record in sections[key]?.records ?? [] {
                if record.subdir == StringTable.none { record.subdir = documentSubdir }
                let dist = Dist(name: record.name, version: record.versionText, build: record.build)
                if let existing = position[dist] {
                    if isCondaFormat(record.filename, table) && !isCondaFormat(table.records[existing].filename, table)
                    {
                        table.records[existing] = record
                    }
                } else {
                    position[dist] = table.records.count
                    table.records.append(record)
                }
            }
        }
        guard table.records.count < Int(UInt32.max) else {
            throw ChannelError("too many records for one channel subdir")
        }
        return table
    }

    private static func isCondaFormat(_ filename: UInt32, _ table: RepodataTable) -> Bool {
        table.strings.bytes(filename).suffix(6).elementsEqual(".conda".utf8)
    }
}

/// Reads one record's object. Fields are kept as their last occurrence, as a JSON tree would.
private struct FieldReader {
    var scratch: [UInt32] = []

    mutating func record(_ scanner: inout JSONScanner, filename: String, table: inout RepodataTable) throws
        -> CompactRecord?
    {
        guard try scanner.peekKind() == .object else {
            try scanner.skipValue()
            return nil
        }
        try scanner.beginObject()
        let none = StringTable.none
        var name: UInt32?
        var version: UInt32?
        var build: UInt32?
        var subdir = none
        var md5 = none
        var sha256 = none
        var license = none
        var noarch = none
        var depends: UInt32 = 0
        var constrains: UInt32 = 0
        var purls: UInt32 = 0
        var trackList: UInt32 = 0
        var trackText: UInt32?
        var buildNumber: Int64 = 0
        var timestamp: Int64?
        var size: Int64?
        var first = true
        while let key = try scanner.nextKey(&first) {
            switch key {
            case "name": name = try optionalString(&scanner, &table)
            case "version": version = try optionalString(&scanner, &table)
            case "build": build = try optionalString(&scanner, &table)
            case "subdir": subdir = try optionalString(&scanner, &table) ?? none
            case "md5": md5 = try optionalString(&scanner, &table) ?? none
            case "sha256": sha256 = try optionalString(&scanner, &table) ?? none
            case "license": license = try optionalString(&scanner, &table) ?? none
            case "depends": depends = try stringList(&scanner, &table)
            case "constrains": constrains = try stringList(&scanner, &table)
            case "purls": purls = try stringList(&scanner, &table)
            case "track_features":
                switch try scanner.peekKind() {
                case .array:
                    trackList = try stringList(&scanner, &table)
                    trackText = nil
                case .string:
                    trackList = 0
                    trackText = try table.strings.intern(try scanner.readString())
                default:
                    trackList = 0
                    trackText = nil
                    try scanner.skipValue()
                }
            case "noarch":
                switch try scanner.peekKind() {
                case .string: noarch = try table.strings.intern(try scanner.readString())
                case .bool: noarch = try scanner.readBool() ? try table.strings.intern("generic") : none
                default:
                    noarch = none
                    try scanner.skipValue()
                }
            case "build_number": buildNumber = try integer(&scanner) ?? 0
            case "size": size = try integer(&scanner)
            case "timestamp": timestamp = try milliseconds(&scanner)
            default: try scanner.skipValue()
            }
        }
        guard let name, let version, let build, isVersion(version, &table) else { return nil }
        // Fields that reach lock files must be what they say: a record with a digest that is
        // not hex of its length, or a name, build or file name with whitespace or control
        // characters, is left out (it could write lines of its own into a lock file).
        guard FieldCheck.isPlainFileName(filename),
            FieldCheck.isToken(table.strings.bytes(name)), FieldCheck.isToken(table.strings.bytes(build)),
            md5 == none || FieldCheck.isHexDigest(table.strings.bytes(md5), count: 32),
            sha256 == none || FieldCheck.isHexDigest(table.strings.bytes(sha256), count: 64)
        else { return nil }
        if trackList == 0, let trackText {
            // A legacy string: features separated by spaces or commas.
            let parts = table.strings.string(trackText).split(whereSeparator: { $0 == " " || $0 == "," })
            scratch.removeAll(keepingCapacity: true)
            for part in parts { scratch.append(try table.strings.intern(String(part))) }
            trackList = try table.lists.intern(scratch)
        }
        return CompactRecord(
            filename: try table.strings.intern(filename), name: name, versionText: version, build: build,
            subdir: subdir, noarch: noarch, md5: md5, sha256: sha256, license: license, depends: depends,
            constrains: constrains, trackFeatures: trackList, purls: purls, buildNumber: buildNumber,
            timestamp: timestamp, size: size)
    }

    /// Whether conda can parse the version text, each distinct text parsed once (into the table).
    private func isVersion(_ id: UInt32, _ table: inout RepodataTable) -> Bool {
        if table.versions[id] != nil { return true }
        guard let version = try? CondaVersion(parsing: table.strings.string(id)) else { return false }
        table.versions[id] = version
        return true
    }

    /// A string value interned, or nil for any other value (skipped).
    private func optionalString(_ scanner: inout JSONScanner, _ table: inout RepodataTable) throws -> UInt32? {
        guard try scanner.peekKind() == .string else {
            try scanner.skipValue()
            return nil
        }
        return try string(&scanner, &table)
    }

    private func string(_ scanner: inout JSONScanner, _ table: inout RepodataTable) throws -> UInt32 {
        if let range = try scanner.readUnescapedString() {
            return try table.strings.intern(UnsafeBufferPointer(rebasing: scanner.bytes[range]))
        }
        return try table.strings.intern(try scanner.readString())
    }

    /// The string elements of an array (others skipped) as a list id; 0 for anything but an array.
    private mutating func stringList(_ scanner: inout JSONScanner, _ table: inout RepodataTable) throws -> UInt32 {
        guard try scanner.peekKind() == .array else {
            try scanner.skipValue()
            return 0
        }
        try scanner.beginArray()
        scratch.removeAll(keepingCapacity: true)
        var first = true
        while try scanner.nextElement(&first) {
            if try scanner.peekKind() == .string {
                scratch.append(try string(&scanner, &table))
            } else {
                try scanner.skipValue()
            }
        }
        return try table.lists.intern(scratch)
    }

    /// An integer literal that fits in 64 bits (`12`, not `12.0`), else nil; non-numbers skipped.
    private func integer(_ scanner: inout JSONScanner) throws -> Int64? {
        guard try scanner.peekKind() == .number else {
            try scanner.skipValue()
            return nil
        }
        let token = try scanner.readNumberToken()
        guard token.isInteger else { return nil }
        return Int64(scanner.text(of: token))
    }

    /// `timestamp`: any number that is a whole value, in milliseconds (old records give seconds:
    /// anything before year 9999 in seconds is below 253402300799).
    private func milliseconds(_ scanner: inout JSONScanner) throws -> Int64? {
        guard try scanner.peekKind() == .number else {
            try scanner.skipValue()
            return nil
        }
        let token = try scanner.readNumberToken()
        let text = scanner.text(of: token)
        guard let t = Int64(exactly: Double(text) ?? .nan) else { return nil }
        guard t < 253_402_300_799 else { return t }
        let (ms, overflow) = t.multipliedReportingOverflow(by: 1000)
        return overflow ? nil : ms
    }
}
