// The binary caches' records (project pages, parsed metadata): little-endian u32 integers,
// length-prefixed UTF-8 strings, optional strings behind a 0/1 byte, and lists behind a count.
// A reader never reads past its end and answers nil for anything cut short or malformed; each
// cache checks its own checksum and bounds first.

/// Little-endian u32 integers and length-prefixed strings, every read bounded by `end`, read in
/// place from a cache file's bytes (mapped, or a copy).
struct CacheByteReader {
    let image: ImageBytes
    var position: Int
    let end: Int

    init(_ image: ImageBytes, position: Int = 0, end: Int? = nil) {
        self.image = image
        self.position = position
        self.end = end ?? image.count
    }

    var remaining: Int { end - position }

    func byte(_ at: Int) -> UInt8 { image.base.load(fromByteOffset: at, as: UInt8.self) }

    func u32(_ at: Int) -> UInt32 {
        UInt32(littleEndian: image.base.loadUnaligned(fromByteOffset: at, as: UInt32.self))
    }

    /// Bytes `range` of the image, copied.
    func bytes(_ range: Range<Int>) -> [UInt8] {
        Array(UnsafeRawBufferPointer(start: image.base + range.lowerBound, count: range.count))
    }

    mutating func int() -> Int? {
        guard remaining >= 4 else { return nil }
        defer { position += 4 }
        return Int(u32(position))
    }

    mutating func string() -> String? {
        guard let n = int(), n <= remaining else { return nil }
        defer { position += n }
        return String(
            decoding: UnsafeRawBufferPointer(start: image.base + position, count: n).bindMemory(to: UInt8.self),
            as: UTF8.self)
    }

    mutating func optional() -> String?? {
        guard remaining >= 1 else { return nil }
        position += 1
        switch byte(position - 1) {
        case 0: return .some(nil)
        case 1: return string().map { Optional($0) }
        default: return nil
        }
    }

    /// Where a list of strings lies (its count included), checked as `strings()` checks it,
    /// without making the strings: read later only if not known already.
    mutating func skipStrings() -> Range<Int>? {
        let start = position
        guard let n = int(), n <= remaining / 4 else { return nil }
        for _ in 0..<n {
            guard let length = int(), length <= remaining else { return nil }
            position += length
        }
        return start..<position
    }

    mutating func strings() -> [String]? {
        guard let n = int(), n <= remaining / 4 else { return nil }
        var list: [String] = []
        list.reserveCapacity(n)
        for _ in 0..<n {
            guard let s = string() else { return nil }
            list.append(s)
        }
        return list
    }
}

struct CacheByteWriter {
    var bytes: [UInt8] = []
    mutating func int(_ v: Int) { withUnsafeBytes(of: UInt32(truncatingIfNeeded: v).littleEndian) { bytes += $0 } }
    mutating func string(_ s: String) {
        let u = Array(s.utf8)
        int(u.count)
        bytes += u
    }
    mutating func optional(_ s: String?) {
        if let s {
            bytes.append(1)
            string(s)
        } else {
            bytes.append(0)
        }
    }
    mutating func strings(_ list: [String]) {
        int(list.count)
        for s in list { string(s) }
    }
}
