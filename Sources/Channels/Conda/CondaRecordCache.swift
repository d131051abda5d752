// The binary cache of one channel subdir: its RepodataTable written out with each name's records
// together, newest first, so a warm start parses no JSON, sorts nothing and decodes only the
// names a solve reaches (rattler's sparse-repodata idea). The file is mapped, not read: a
// conda-forge-size subdir caches to a few hundred MB of which a solve touches a few.
//
// File: `<cache>/channels/<sha256 of the repodata path, size, mtime and format>.bin`, all
// integers little-endian:
//   "MLENVCR5" | u32 strings, blob bytes, lists, list items, names, records
//   | u32 string offsets (strings + 1) | blob | u32 list offsets (lists + 1) | u32 list items
//   | names: (u32 name string, u32 first record, u32 record count), sorted by name
//   | records: 80 bytes each (CacheImage.recordSize)
//   | u64 checksum of each 64 KiB block of all the above | u64 checksum of that list
// Every id and offset is checked when it is read, and every block against its checksum the
// first time something in it is read (a solve reads a few names of a file of hundreds of MB, so
// the file is never hashed whole). A file that does not match (magic, sizes, an id out of range,
// a block's checksum) is not trusted: the subdir is parsed again and the cache rewritten, with a
// note (CacheNotes).

import Basics
import FoundationEssentials
import Glibc
import Specs

/// The sections of a cache file, each read with bounds checks (nil when out of range) and its
/// blocks checked against their checksums on first read.
struct CacheImage {
    static let magic = Array("MLENVCR5".utf8)
    static let recordSize = 80
    let bytes: ImageBytes
    private let stringCount, blobSize, listCount, listItemCount, nameCount, recordCount: Int
    private let stringOffsets, blob, listOffsets, listItems, names, records: Int
    /// nil for an image mlenv has just written (nothing to check).
    private let blocks: CacheBlocks?

    /// `trusted`: bytes this process wrote itself.
    init?(_ bytes: ImageBytes, trusted: Bool = false) {
        self.bytes = bytes
        let header = CacheImage.magic.count + 6 * 4
        guard bytes.count >= header,
            (0..<8).allSatisfy({ bytes.base.load(fromByteOffset: $0, as: UInt8.self) == CacheImage.magic[$0] })
        else { return nil }
        func u32(_ at: Int) -> Int {
            Int(UInt32(littleEndian: bytes.base.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
        }
        stringCount = u32(8)
        blobSize = u32(12)
        listCount = u32(16)
        listItemCount = u32(20)
        nameCount = u32(24)
        recordCount = u32(28)
        stringOffsets = header
        blob = stringOffsets + (stringCount + 1) * 4
        listOffsets = blob + blobSize
        listItems = listOffsets + (listCount + 1) * 4
        names = listItems + listItemCount * 4
        records = names + nameCount * 12
        let body = records + recordCount * CacheImage.recordSize
        guard body + CacheBlocks.tableSize(body: body) == bytes.count else { return nil }
        if trusted {
            blocks = nil
        } else {
            guard let blocks = CacheBlocks(bytes, body: body), blocks.intact(0, blob) else { return nil }
            self.blocks = blocks
        }
        // String offsets only grow and stay in the blob: a string read can then never fail, and a
        // damaged table is caught here rather than as missing names later.
        var previous: UInt32 = 0
        for i in 0...stringCount {
            let offset = UInt32(
                littleEndian: bytes.base.loadUnaligned(fromByteOffset: stringOffsets + i * 4, as: UInt32.self))
            guard offset >= previous, Int(offset) <= blobSize else { return nil }
            previous = offset
        }
    }

    private func u32(_ at: Int) -> UInt32 {
        UInt32(littleEndian: bytes.base.loadUnaligned(fromByteOffset: at, as: UInt32.self))
    }
    private func i64(_ at: Int) -> Int64 {
        Int64(littleEndian: bytes.base.loadUnaligned(fromByteOffset: at, as: Int64.self))
    }
    private func intact(_ start: Int, _ end: Int) -> Bool { blocks?.intact(start, end) ?? true }

    func string(_ id: UInt32) -> String? {
        let i = Int(id)
        guard i < stringCount else { return nil }
        let start = Int(u32(stringOffsets + i * 4))
        let end = Int(u32(stringOffsets + (i + 1) * 4))
        guard start <= end, end <= blobSize, intact(blob + start, blob + end) else { return nil }
        return String(
            decoding: UnsafeRawBufferPointer(start: bytes.base + blob + start, count: end - start), as: UTF8.self)
    }

    func list(_ id: UInt32) -> [UInt32]? {
        let i = Int(id)
        guard i < listCount, intact(listOffsets + i * 4, listOffsets + (i + 2) * 4) else { return nil }
        let start = Int(u32(listOffsets + i * 4))
        let end = Int(u32(listOffsets + (i + 1) * 4))
        guard start <= end, end <= listItemCount, intact(listItems + start * 4, listItems + end * 4) else { return nil }
        return (start..<end).map { u32(listItems + $0 * 4) }
    }

    /// Each name with its records' range, or nil when the table is not as written: names in
    /// increasing order, ranges one after another covering every record.
    func nameIndex() -> [String: Range<Int>]? {
        guard intact(names, records) else { return nil }
        var index: [String: Range<Int>] = [:]
        index.reserveCapacity(nameCount)
        var previous: String?
        var next = 0
        for n in 0..<nameCount {
            let at = names + n * 12
            let first = Int(u32(at + 4))
            let count = Int(u32(at + 8))
            guard let name = string(u32(at)), first == next, count > 0, first + count <= recordCount,
                previous.map({ $0 < name }) ?? true
            else { return nil }
            index[name] = first..<(first + count)
            previous = name
            next = first + count
        }
        guard next == recordCount else { return nil }
        return index
    }

    func record(_ i: Int) -> CompactRecord? {
        let at = records + i * CacheImage.recordSize
        guard i >= 0, i < recordCount, intact(at, at + CacheImage.recordSize) else { return nil }
        let flags = u32(at + 52)
        return CompactRecord(
            filename: u32(at), name: u32(at + 4), versionText: u32(at + 8), build: u32(at + 12),
            subdir: u32(at + 16), noarch: u32(at + 20), md5: u32(at + 24), sha256: u32(at + 28),
            license: u32(at + 32), depends: u32(at + 36), constrains: u32(at + 40),
            trackFeatures: u32(at + 44), purls: u32(at + 48), buildNumber: i64(at + 56),
            timestamp: flags & 1 != 0 ? i64(at + 64) : nil, size: flags & 2 != 0 ? i64(at + 72) : nil)
    }

    // MARK: Writing

    /// The table as a cache file: records grouped by name (names sorted), newest first.
    static func write(_ table: RepodataTable) -> [UInt8] {
        var byName: [UInt32: [Int]] = [:]
        for (i, r) in table.records.enumerated() { byName[r.name, default: []].append(i) }
        let names = byName.keys.map { (id: $0, text: table.strings.string($0)) }.sorted { $0.text < $1.text }
        let order = PreferenceOrder(table: table)

        var out: [UInt8] = []
        out.reserveCapacity(
            32 + table.strings.blob.count + (table.strings.count + table.lists.count + table.lists.items.count) * 4
                + names.count * 12 + table.records.count * recordSize)
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        func i64(_ v: Int64) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        out += magic
        for count in [
            table.strings.count, table.strings.blob.count, table.lists.count, table.lists.items.count, names.count,
            table.records.count
        ] {
            u32(UInt32(count))
        }
        for offset in table.strings.offsets { u32(offset) }
        out += table.strings.blob
        for offset in table.lists.offsets { u32(offset) }
        for item in table.lists.items { u32(item) }
        var sorted: [Int] = []
        sorted.reserveCapacity(table.records.count)
        for name in names {
            u32(name.id)
            u32(UInt32(sorted.count))
            let group = order.sorted(byName[name.id]!)
            u32(UInt32(group.count))
            sorted += group
        }
        for i in sorted {
            let r = table.records[i]
            for field in [
                r.filename, r.name, r.versionText, r.build, r.subdir, r.noarch, r.md5, r.sha256, r.license,
                r.depends, r.constrains, r.trackFeatures, r.purls
            ] { u32(field) }
            u32((r.timestamp != nil ? 1 : 0) | (r.size != nil ? 2 : 0))
            i64(r.buildNumber)
            i64(r.timestamp ?? 0)
            i64(r.size ?? 0)
        }
        out += CacheBlocks.table(for: out)
        return out
    }
}

/// The block checksums at the end of a cache image, and which blocks were found intact. Used
/// under the mutex of the records that own the image (CondaSubdirRecords), or before they exist.
final class CacheBlocks: @unchecked Sendable {
    static let blockSize = 1 << 16
    private let bytes: ImageBytes
    private let body: Int
    /// Per block: 0 not checked yet, 1 intact, 2 damaged.
    private var state: [UInt8]

    static func blockCount(body: Int) -> Int { (body + blockSize - 1) / blockSize }
    static func tableSize(body: Int) -> Int { blockCount(body: body) * 8 + 8 }

    /// The checksum list of `body` (one per block, then the list's own checksum).
    static func table(for body: [UInt8]) -> [UInt8] {
        var table: [UInt8] = []
        table.reserveCapacity(tableSize(body: body.count))
        body.withUnsafeBytes { raw in
            for b in 0..<blockCount(body: body.count) {
                let start = b * blockSize
                let sum = CacheChecksum.of(
                    UnsafeRawBufferPointer(rebasing: raw[start..<min(body.count, start + blockSize)]))
                withUnsafeBytes(of: sum.littleEndian) { table += $0 }
            }
        }
        withUnsafeBytes(of: CacheChecksum.of(table).littleEndian) { table += $0 }
        return table
    }

    /// The checksums of an image whose body ends at `body`, or nil when their list is damaged.
    init?(_ bytes: ImageBytes, body: Int) {
        let count = CacheBlocks.blockCount(body: body)
        let list = UnsafeRawBufferPointer(start: bytes.base + body, count: count * 8)
        let stored = UInt64(littleEndian: bytes.base.loadUnaligned(fromByteOffset: body + count * 8, as: UInt64.self))
        guard CacheChecksum.of(list) == stored else { return nil }
        self.bytes = bytes
        self.body = body
        state = Array(repeating: 0, count: count)
    }

    /// Whether every block holding bytes `start..<end` of the body matches its checksum.
    func intact(_ start: Int, _ end: Int) -> Bool {
        guard start < end else { return start == end && start >= 0 && start <= body }
        guard start >= 0, end <= body else { return false }
        for b in (start / CacheBlocks.blockSize)...((end - 1) / CacheBlocks.blockSize) {
            switch state[b] {
            case 1: continue
            case 2: return false
            default:
                let from = b * CacheBlocks.blockSize
                let to = min(body, from + CacheBlocks.blockSize)
                let sum = CacheChecksum.of(UnsafeRawBufferPointer(start: bytes.base + from, count: to - from))
                let stored = UInt64(
                    littleEndian: bytes.base.loadUnaligned(fromByteOffset: body + b * 8, as: UInt64.self))
                state[b] = sum == stored ? 1 : 2
                if sum != stored { return false }
            }
        }
        return true
    }
}

/// `CondaRecord.preferredFirst` on table records: each distinct version ranked once, so sorting
/// compares integers (a full-size subdir sorts ~660,000 records).
private struct PreferenceOrder {
    private let table: RepodataTable
    /// Rank of each version text among all of the table's, equal versions equal ranks.
    private var rank: [UInt32: Int] = [:]

    init(table: RepodataTable) {
        self.table = table
        let parsed = table.versions.sorted { $0.value < $1.value }
        var current = 0
        for (i, entry) in parsed.enumerated() {
            if i > 0 && parsed[i - 1].value != entry.value { current += 1 }
            rank[entry.key] = current
        }
    }

    private struct Key {
        let version: Int
        let plain: Bool
        let buildNumber: Int64
        let timestamp: Int64
        let index: Int
    }

    func sorted(_ indices: [Int]) -> [Int] {
        let keys = indices.map { i in
            let r = table.records[i]
            return Key(
                version: rank[r.versionText] ?? -1, plain: table.lists.list(r.trackFeatures).isEmpty,
                buildNumber: r.buildNumber, timestamp: r.timestamp ?? 0, index: i)
        }
        return keys.sorted { a, b in
            if a.version != b.version { return a.version > b.version }
            if a.plain != b.plain { return a.plain }
            if a.buildNumber != b.buildNumber { return a.buildNumber > b.buildNumber }
            if a.timestamp != b.timestamp { return a.timestamp > b.timestamp }
            return table.strings.string(table.records[a.index].filename)
                < table.strings.string(table.records[b.index].filename)
        }.map(\.index)
    }
}

/// One subdir's records, decoded by name on demand from a cache image.
final class CondaSubdirRecords: Sendable {
    private let state: Locked<State>
    /// Parses the repodata again (and rewrites the cache) when the image turns out corrupt.
    private let reparse: @Sendable () throws(ChannelError) -> CacheImage
    /// The cache file the image was mapped from (for the note when it turns out damaged).
    private let file: String?
    let channel: String
    let channelLocation: String

    fileprivate struct State {
        var image: CacheImage
        var index: [String: Range<Int>]
        var decoded: [String: [CondaRecord]] = [:]
        /// Shared texts (versions, dependency texts, subdirs, licenses), one String each.
        var texts: [UInt32: String] = [:]
        var lists: [UInt32: [String]] = [:]
        var versions: [UInt32: CondaVersion] = [:]
        var repaired = false
    }

    private init(
        image: CacheImage, index: [String: Range<Int>], channel: String, channelLocation: String, file: String?,
        reparse: @escaping @Sendable () throws(ChannelError) -> CacheImage
    ) {
        state = Locked(State(image: image, index: index))
        self.channel = channel
        self.channelLocation = channelLocation
        self.file = file
        self.reparse = reparse
    }

    /// Records of an image (nil when its header or name table is not sound).
    static func make(
        image: CacheImage?, channel: String, channelLocation: String, file: String? = nil,
        reparse: @escaping @Sendable () throws(ChannelError) -> CacheImage
    ) -> CondaSubdirRecords? {
        guard let image, let index = image.nameIndex() else { return nil }
        return CondaSubdirRecords(
            image: image, index: index, channel: channel, channelLocation: channelLocation, file: file,
            reparse: reparse)
    }

    /// Records of the cache file `file`, or nil when there is none or it is damaged (then noted).
    static func mapped(
        _ file: String, channel: String, channelLocation: String,
        reparse: @escaping @Sendable () throws(ChannelError) -> CacheImage
    ) -> CondaSubdirRecords? {
        guard let bytes = ImageBytes(mapping: file) else { return nil }
        guard
            let records = make(
                image: CacheImage(bytes), channel: channel, channelLocation: channelLocation, file: file,
                reparse: reparse)
        else {
            CacheNotes.damaged(file, "its header, tables or a checksum do not match")
            return nil
        }
        return records
    }

    var names: Set<String> {
        state.withLock { Set($0.index.keys) }
    }

    /// The builds of `name`, newest first.
    func records(named name: String) -> [CondaRecord] {
        state.withLock { state in
            if let known = state.decoded[name] { return known }
            guard let range = state.index[name] else { return [] }
            if let records = state.decode(range, channel: channel, channelLocation: channelLocation) {
                state.decoded[name] = records
                return records
            }
            // A record that does not decode: the cache file was damaged. Parse the repodata again
            // once; if even that fails, the error was reported when the channel was loaded.
            if let file, !state.repaired {
                CacheNotes.damaged(file, "the records of \(name) do not match their checksum or bounds")
            }
            guard !state.repaired, let fresh = try? reparse(), let freshIndex = fresh.nameIndex() else { return [] }
            state = State(image: fresh, index: freshIndex, repaired: true)
            guard let range = state.index[name],
                let records = state.decode(range, channel: channel, channelLocation: channelLocation)
            else { return [] }
            state.decoded[name] = records
            return records
        }
    }
}

extension CondaSubdirRecords.State {
    fileprivate mutating func decode(_ range: Range<Int>, channel: String, channelLocation: String) -> [CondaRecord]? {
        var records: [CondaRecord] = []
        records.reserveCapacity(range.count)
        let image = self.image
        for i in range {
            guard
                let record = image.record(i)?.condaRecord(
                    channel: channel, channelLocation: channelLocation, shared: { text($0) },
                    unique: image.string, list: { list($0) }, version: { version($0) })
            else { return nil }
            records.append(record)
        }
        return records
    }

    private mutating func text(_ id: UInt32) -> String? {
        if let known = texts[id] { return known }
        guard let text = image.string(id) else { return nil }
        texts[id] = text
        return text
    }

    private mutating func list(_ id: UInt32) -> [String]? {
        if let known = lists[id] { return known }
        guard let ids = image.list(id) else { return nil }
        var list: [String] = []
        list.reserveCapacity(ids.count)
        for item in ids {
            guard let text = text(item) else { return nil }
            list.append(text)
        }
        lists[id] = list
        return list
    }

    private mutating func version(_ id: UInt32) -> CondaVersion? {
        if let known = versions[id] { return known }
        guard let text = text(id), let version = try? CondaVersion(parsing: text) else { return nil }
        versions[id] = version
        return version
    }
}

extension CondaSubdirRecords {
    // MARK: Cache files

    static func cacheKey(path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let modified = "\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        return Digester.hex(.sha256, of: Array("\(path)\n\(info.st_size)\n\(modified)\nMLENVCR5".utf8))
    }
}
