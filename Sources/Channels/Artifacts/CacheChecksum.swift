// Checksums of mlenv's own cache files (parsed channels, parsed pages, shard tables), so that a
// damaged file is noticed and rebuilt instead of crashing mlenv or putting a wrong digest into a
// lock file. Not a defence against an attacker who can write the cache (they can write a
// matching checksum); docs/security.md says what the cache is trusted with.
//
// The hash takes 8 bytes per step: h = mix((h ^ word) * K). Each step is a bijection of h for a
// given word (xor, multiplication by an odd constant and x ^ (x >> s) all are), so two inputs
// that differ in one word always hash differently; other damage goes unnoticed with odds of
// about 2^-64. About 4 GB/s on one core: a 64 KiB block costs some 16 µs.

import Basics
import Glibc

public enum CacheChecksum {
    /// The checksum of `bytes`.
    public static func of(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(bytes.count)
        guard let base = bytes.baseAddress else { return finish(h) }
        let count = bytes.count
        var i = 0
        while i + 8 <= count {
            h = step(h, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            i += 8
        }
        if i < count {
            var tail: UInt64 = 0
            for j in i..<count { tail |= UInt64(base.load(fromByteOffset: j, as: UInt8.self)) << (8 * UInt64(j - i)) }
            h = step(h, tail)
        }
        return finish(h)
    }

    public static func of(_ bytes: [UInt8]) -> UInt64 { bytes.withUnsafeBytes { of($0) } }

    @inline(__always) private static func step(_ h: UInt64, _ word: UInt64) -> UInt64 {
        let x = (h ^ word) &* 0x9E37_79B9_7F4A_7C15
        return x ^ (x >> 29)
    }

    @inline(__always) private static func finish(_ h: UInt64) -> UInt64 {
        let x = (h ^ (h >> 32)) &* 0xD6E8_FEB8_6659_FD93
        return x ^ (x >> 32)
    }

    /// `bytes` followed by their checksum (8 bytes, little-endian): the form of a small cache
    /// file that is read whole.
    public static func sealed(_ bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        withUnsafeBytes(of: of(bytes).littleEndian) { out += $0 }
        return out
    }

    /// The bytes of a sealed file without their checksum, or nil when they do not match it.
    public static func unsealed(_ bytes: [UInt8]) -> ArraySlice<UInt8>? {
        bytes.withUnsafeBytes { sealedBody($0) }.map { bytes[..<$0] }
    }

    /// How many bytes of a sealed file (read in place: a mapping) come before its checksum, or
    /// nil when they do not match it.
    public static func sealedBody(_ raw: UnsafeRawBufferPointer) -> Int? {
        guard raw.count >= 8 else { return nil }
        let body = raw.count - 8
        let stored = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: body, as: UInt64.self))
        return of(UnsafeRawBufferPointer(rebasing: raw[..<body])) == stored ? body : nil
    }
}

/// What mlenv says when it finds one of its cache files damaged: once per file, on standard
/// error, as a note (the command goes on with a rebuilt copy; the answer does not change).
public enum CacheNotes {
    /// The files noted so far, and the notes in order.
    private static let notes = Locked<(said: Set<String>, recorded: [String])>(([], []))

    /// Notes that `path` was damaged (`what`: how) and is rebuilt from its source.
    public static func damaged(_ path: String, _ what: String) {
        let text = "note: the cache file \(path) is damaged (\(what)); it is rebuilt from its source\n"
        let first = notes.withLock { notes -> Bool in
            guard notes.said.insert(path).inserted else { return false }
            notes.recorded.append(text)
            return true
        }
        if first { StandardStreams.writeError(text) }
    }

    /// The notes given so far in this process (for tests).
    public static var given: [String] { notes.withLock { $0.recorded } }
}
