// Parsed core metadata, kept by the SHA-256 of the metadata file it was parsed from (the hash a
// PEP 658/714 index gives), so that a warm resolve reads a few cache files instead of thousands
// of metadata files (or HTTP cache entries: a meta file read and parsed, the body read and
// hashed). Same bytes, same parse: a record holds every field `CoreMetadata` keeps, with the
// Requires-Dist lines as text (parsed again, once per distinct list and through the index's
// memo, so a change to the requirement parser needs no new format; a change to the header
// parser does: bump `format`).
//
// `<cache>/pypi-metadata/v2-<random>.seg`: each file written once (temporary + rename) and never
// changed after; a process writes the records it parsed as a new file and, with more than
// `maxSegments` files about, merges those it read into one. A file:
//   "MLENVMD2" | count | record bytes | count × (sha256: 32 bytes, offset, length, checksum),
//   sorted by sha | records
// a record: sha256 | metadata-version | name | version | requires-python? | requires-dist lines |
//   provides-extra | dynamic | license? | license-expression? | summary?
// (integers u32 little-endian, the checksum u64 (CacheChecksum of the record), strings
// length-prefixed, optionals a 0/1 byte first). A file is mapped, not read: a resolve looks up a
// few hundred records of tens of thousands, so each record is checked against its own checksum
// when it is read, and nothing else is hashed. A file that is too large, of another format or
// size, or holds a record out of bounds, not matching its checksum, not decoding or naming
// another sha than its entry, is noted as damaged, not used again by this process, and removed;
// the metadata comes from its file as if there were no cache. (A damaged entry's digest only
// makes a look-up miss.)

import Basics
import FoundationEssentials
import Glibc
import Specs

public final class ParsedMetadataStore: Sendable {
    static let format = "MLENVMD2"
    static let prefix = "v2-"
    /// Files of earlier formats, removed by the next save.
    static let formerPrefixes = ["v1-"]
    /// An entry: sha256, offset, length, checksum.
    static let entrySize = 48
    /// Files read at most (a few; more are left for a merge to fold).
    static let maxSegments = 4
    /// A file larger than this is not read, and merging stops adding records at it.
    static let maxSegmentBytes = 64 << 20
    /// A record larger than this (a License field holding a whole licence) is not kept.
    static let maxRecordBytes = 256 << 10

    public let directory: String
    /// `--refresh`: nothing is read from the store (what is parsed is written to it).
    public let refresh: Bool

    private struct Segment: Sendable {
        let path: String
        let bytes: ImageBytes
        let count: Int
        /// Where the entries and the records start.
        let entriesStart: Int
        let recordsStart: Int

        func entry(_ i: Int) -> (sha: UnsafeRawBufferPointer, offset: Int, length: Int, checksum: UInt64) {
            let at = entriesStart + i * ParsedMetadataStore.entrySize
            let base = bytes.base
            return (
                UnsafeRawBufferPointer(start: base + at, count: 32),
                Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: at + 32, as: UInt32.self))),
                Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: at + 36, as: UInt32.self))),
                UInt64(littleEndian: base.loadUnaligned(fromByteOffset: at + 40, as: UInt64.self))
            )
        }

        /// Where entry `i`'s record lies, or nil when it is out of bounds or does not match its
        /// checksum.
        func recordRange(_ i: Int) -> Range<Int>? {
            let (_, offset, length, checksum) = entry(i)
            guard offset <= bytes.count - recordsStart, length <= bytes.count - recordsStart - offset else {
                return nil
            }
            let start = recordsStart + offset
            guard CacheChecksum.of(UnsafeRawBufferPointer(start: bytes.base + start, count: length)) == checksum
            else { return nil }
            return start..<start + length
        }

        /// Entry `i`'s record, copied (for a merge), or nil as `recordRange`.
        func record(_ i: Int) -> [UInt8]? {
            recordRange(i).map { Array(UnsafeRawBufferPointer(start: bytes.base + $0.lowerBound, count: $0.count)) }
        }
    }

    private struct State: Sendable {
        var loaded = false
        var segments: [Segment] = []
        /// Files found damaged: not read again, removed at the next save.
        var damaged: Set<String> = []
        /// Records parsed in this process, by sha, not written yet.
        var pending: [[UInt8]: [UInt8]] = [:]
        var hits = 0
    }

    private let state = Locked(State())

    /// Requires-Dist lists by their bytes in a record: a third of the records of a mirror's
    /// closure have a list of their own, the rest repeat one (a project's releases mostly
    /// require the same), and each repeat is then neither read into strings nor parsed.
    private let requiresDistBlocks = RequiresDistBlocks()

    public init(directory: String, refresh: Bool = false) {
        self.directory = directory
        self.refresh = refresh
    }

    /// How many look-ups the store answered in this process (for tests).
    public var hits: Int { state.withLock { $0.hits } }

    /// The 32 bytes of a SHA-256 given in lowercase hex, or nil when it is not one.
    static func digestBytes(_ hex: String) -> [UInt8]? {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 64 else { return nil }
        var out = [UInt8](repeating: 0, count: 32)
        for i in 0..<32 {
            guard let hi = nibble(utf8[2 * i]), let lo = nibble(utf8[2 * i + 1]) else { return nil }
            out[i] = hi << 4 | lo
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    // MARK: look-up

    /// The segments to look in (read on first use), without those found damaged.
    private func readableSegments() -> [Segment] {
        state.withLock { state -> [Segment] in
            if !state.loaded {
                state.loaded = true
                state.segments = loadSegments()
            }
            return state.damaged.isEmpty ? state.segments : state.segments.filter { !state.damaged.contains($0.path) }
        }
    }

    /// The metadata parsed earlier from a file with this SHA-256 (hex), or nil.
    func metadata(sha256 hex: String, requirement: (String) -> Requirement?) -> CoreMetadata? {
        metadata(sha256s: [hex], requirement: requirement)[0]
    }

    /// The metadata parsed earlier from files with these SHA-256s (hex), nil where none is
    /// kept. The store's lock is taken once for the lot: a resolve asks from many threads.
    func metadata(sha256s: [String], requirement: (String) -> Requirement?) -> [CoreMetadata?] {
        guard !refresh else { return sha256s.map { _ in nil } }
        let segments = readableSegments()
        var damaged: [String] = []
        var hits = 0
        let found = sha256s.map { hex -> CoreMetadata? in
            guard let key = ParsedMetadataStore.digestBytes(hex) else { return nil }
            for segment in segments where !damaged.contains(segment.path) {
                guard let i = ParsedMetadataStore.find(key, in: segment) else { continue }
                guard let range = segment.recordRange(i),
                    let metadata = decode(segment.bytes, range, key: key, requirement)
                else {
                    CacheNotes.damaged(
                        segment.path, "a record is out of bounds, does not match its checksum or does not decode")
                    damaged.append(segment.path)
                    continue
                }
                hits += 1
                return metadata
            }
            return nil
        }
        if hits > 0 || !damaged.isEmpty {
            state.withLock {
                $0.hits += hits
                $0.damaged.formUnion(damaged)
            }
        }
        return found
    }

    /// Keeps what was parsed from a metadata file with this SHA-256 (hex), for `save`.
    func keep(_ metadata: CoreMetadata, sha256 hex: String) {
        guard let key = ParsedMetadataStore.digestBytes(hex) else { return }
        let record = ParsedMetadataStore.encode(metadata, key: key)
        guard record.count <= ParsedMetadataStore.maxRecordBytes else { return }
        state.withLock { $0.pending[key] = record }
    }

    private func loadSegments() -> [Segment] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasPrefix(ParsedMetadataStore.prefix) && $0.hasSuffix(".seg") }.sorted()
        var segments: [Segment] = []
        for name in names.prefix(ParsedMetadataStore.maxSegments * 2) {
            let path = "\(directory)/\(name)"
            var info = stat()
            guard stat(path, &info) == 0 else { continue }
            guard Int(info.st_size) <= ParsedMetadataStore.maxSegmentBytes else {
                CacheNotes.damaged(path, "it is larger than \(ParsedMetadataStore.maxSegmentBytes >> 20) MiB")
                unlink(path)
                continue
            }
            // Not a regular file (a FIFO, a directory), or one that cannot be read: passed over.
            // An empty one is damaged, as below (it has no header).
            guard let bytes = ImageBytes(mapping: path) else { continue }
            guard let segment = ParsedMetadataStore.segment(path: path, bytes: bytes) else {
                CacheNotes.damaged(path, "it is not of its format or size")
                unlink(path)
                continue
            }
            segments.append(segment)
        }
        return segments
    }

    /// A file's header checked: the format, and a size that is exactly its entries' and
    /// records' (a file cut short is refused here). Entries are checked as they are read.
    private static func segment(path: String, bytes: ImageBytes) -> Segment? {
        let header = 4 + format.utf8.count + 8
        guard bytes.count >= header else { return nil }
        var r = CacheByteReader(bytes, end: header)
        guard r.string() == format, let count = r.int(), let recordBytes = r.int() else { return nil }
        let recordsStart = header + count * entrySize
        guard recordsStart + recordBytes == bytes.count else { return nil }
        return Segment(path: path, bytes: bytes, count: count, entriesStart: header, recordsStart: recordsStart)
    }

    /// The entry of `key` (a binary search over the sorted entries), or nil.
    private static func find(_ key: [UInt8], in segment: Segment) -> Int? {
        key.withUnsafeBytes { key -> Int? in
            var lo = 0
            var hi = segment.count
            while lo < hi {
                let mid = (lo + hi) / 2
                let order = memcmp(segment.entry(mid).sha.baseAddress!, key.baseAddress!, 32)
                if order == 0 { return mid }
                if order < 0 { lo = mid + 1 } else { hi = mid }
            }
            return nil
        }
    }

    // MARK: records

    static func encode(_ m: CoreMetadata, key: [UInt8]) -> [UInt8] {
        var w = CacheByteWriter()
        w.bytes += key
        w.string(m.metadataVersion)
        w.string(m.name)
        w.string(m.version)
        w.optional(m.requiresPythonText)
        w.strings(m.requiresDistLines)
        w.strings(m.providesExtra)
        w.strings(m.dynamic)
        w.optional(m.license)
        w.optional(m.licenseExpression)
        w.optional(m.summary)
        return w.bytes
    }

    private func decode(
        _ image: ImageBytes, _ record: Range<Int>, key: [UInt8], _ requirement: (String) -> Requirement?
    ) -> CoreMetadata? {
        guard record.count >= 32, key.count == 32,
            key.withUnsafeBytes({ memcmp(image.base + record.lowerBound, $0.baseAddress!, 32) }) == 0
        else { return nil }
        var r = CacheByteReader(image, position: record.lowerBound + 32, end: record.upperBound)
        guard let metadataVersion = r.string(), let name = r.string(), let version = r.string(),
            let requiresPython = r.optional(), let requiresDist = r.skipStrings(), let providesExtra = r.strings(),
            let dynamic = r.strings(), let license = r.optional(), let licenseExpression = r.optional(),
            let summary = r.optional(), r.remaining == 0, !name.isEmpty, !version.isEmpty
        else { return nil }
        guard
            let (lines, parsed, invalid) = requiresDistBlocks.block(
                r.bytes(requiresDist)[...],
                make: {
                    var reader = CacheByteReader(
                        image, position: requiresDist.lowerBound, end: requiresDist.upperBound)
                    return reader.strings().map { ($0, CoreMetadata.split($0, requirement)) }
                })
        else { return nil }
        return CoreMetadata(
            metadataVersion: metadataVersion, name: name, version: version, requiresPythonText: requiresPython,
            requiresDistLines: lines, requiresDist: parsed, invalidRequiresDist: invalid, providesExtra: providesExtra,
            dynamic: dynamic, license: license, licenseExpression: licenseExpression, summary: summary)
    }

    // MARK: writing

    /// Writes the records parsed since the last save as a new file; with more than
    /// `maxSegments` files about, merges the ones this process read with them into one (and
    /// removes those, and any found damaged). A failure to write only costs the next run time.
    public func save() {
        let (pending, segments, damaged) = state.withLock { state -> ([[UInt8]: [UInt8]], [Segment], Set<String>) in
            let taken = state.pending
            state.pending = [:]
            return (taken, state.segments, state.damaged)
        }
        for path in damaged { unlink(path) }
        guard !pending.isEmpty else { return }
        let live = segments.filter { !damaged.contains($0.path) }
        let all = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in all where ParsedMetadataStore.formerPrefixes.contains(where: name.hasPrefix) {
            unlink("\(directory)/\(name)")
        }
        let names = all.filter { $0.hasPrefix(ParsedMetadataStore.prefix) && $0.hasSuffix(".seg") }
        var records = pending
        let merging = names.count + 1 > ParsedMetadataStore.maxSegments && !live.isEmpty
        if merging {
            var size = records.values.reduce(0) { $0 + $1.count + ParsedMetadataStore.entrySize }
            outer: for segment in live {
                for i in 0..<segment.count {
                    let key = Array(segment.entry(i).sha)
                    // A record that does not match its checksum is not carried over.
                    guard records[key] == nil, let record = segment.record(i), record.starts(with: key) else {
                        continue
                    }
                    guard size + record.count + ParsedMetadataStore.entrySize <= ParsedMetadataStore.maxSegmentBytes
                    else { break outer }
                    size += record.count + ParsedMetadataStore.entrySize
                    records[key] = record
                }
            }
        }
        let keys = records.keys.sorted { $0.lexicographicallyPrecedes($1) }
        var w = CacheByteWriter()
        w.string(ParsedMetadataStore.format)
        w.int(keys.count)
        w.int(keys.reduce(0) { $0 + records[$1]!.count })
        var offset = 0
        for key in keys {
            let record = records[key]!
            w.bytes += key
            w.int(offset)
            w.int(record.count)
            withUnsafeBytes(of: CacheChecksum.of(record).littleEndian) { w.bytes += $0 }
            offset += record.count
        }
        for key in keys { w.bytes += records[key]! }
        guard w.bytes.count <= ParsedMetadataStore.maxSegmentBytes else { return }
        let path =
            "\(directory)/\(ParsedMetadataStore.prefix)\(String(UInt64.random(in: 0...UInt64.max), radix: 16)).seg"
        guard (try? FileBytes.writeAtomically(w.bytes, to: path)) != nil else { return }
        // Merged: the files read go (their mappings stay valid). The new file is one this
        // process has read, for its look-ups and its next merge.
        if merging { for segment in live { unlink(segment.path) } }
        guard let written = ParsedMetadataStore.segment(path: path, bytes: ImageBytes(copying: w.bytes)) else { return }
        state.withLock { state in
            state.loaded = true
            state.segments = (merging ? [] : state.segments.filter { !damaged.contains($0.path) }) + [written]
        }
    }
}

/// Requires-Dist lists read and parsed once per store, by their bytes (the loaders of a round
/// decode records side by side).
private final class RequiresDistBlocks: Sendable {
    typealias Block = (lines: [String], parsed: [Requirement], invalid: [String])
    /// A list's bytes, compared as one buffer.
    private struct Bytes: Hashable, Sendable {
        let bytes: ArraySlice<UInt8>
        static func == (a: Bytes, b: Bytes) -> Bool {
            a.bytes.withUnsafeBytes { x in b.bytes.withUnsafeBytes { y in x.elementsEqual(y) } }
        }
        func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
    }
    private let blocks = ShardedMemo<Bytes, Block>()

    /// The block these bytes hold, made by `make` the first time (nil: they hold none). Hashed
    /// as one buffer: an `ArraySlice`'s own hash takes the bytes one at a time.
    func block(_ bytes: ArraySlice<UInt8>, make: () -> ([String], ([Requirement], [String]))?) -> Block? {
        let key = Bytes(bytes: bytes)
        return blocks.value(for: key, hash: key.hashValue) {
            make().map { lines, parsed in (lines, parsed.0, parsed.1) }
        }
    }
}

extension CoreMetadata {
    /// Stands for metadata not read: a candidate whose requirements are not followed (a
    /// universe of the requested projects only, see `Universe`) has none and offers no extra.
    public static func unread(name: String, version: String) -> CoreMetadata {
        CoreMetadata(
            metadataVersion: "2.1", name: name, version: version, requiresPythonText: nil, requiresDistLines: [],
            requiresDist: [], invalidRequiresDist: [], providesExtra: [], dynamic: [], license: nil,
            licenseExpression: nil, summary: nil)
    }

    /// Metadata from its fields as the header parser left them (a parsed-metadata record).
    init(
        metadataVersion: String, name: String, version: String, requiresPythonText: String?,
        requiresDistLines: [String], requiresDist: [Requirement], invalidRequiresDist: [String],
        providesExtra: [String], dynamic: [String], license: String?, licenseExpression: String?, summary: String?
    ) {
        self.metadataVersion = metadataVersion
        self.name = name
        self.version = version
        self.requiresPythonText = requiresPythonText
        self.requiresPython = requiresPythonText.flatMap { try? SpecifierSet(parsing: $0) }
        self.requiresDistLines = requiresDistLines
        self.requiresDist = requiresDist
        self.invalidRequiresDist = invalidRequiresDist
        self.providesExtra = providesExtra
        self.dynamic = dynamic
        self.license = license
        self.licenseExpression = licenseExpression
        self.summary = summary
    }
}
