// Checks for fields that come from channels and indexes and end up in lock files, scripts and
// URLs: a digest is hex of its length, a file name is one plain path component, a URL has no
// whitespace or control characters. Applied where the field enters (repodata records, index
// pages), so nothing later can be made to write a line of an attacker's choosing. They work on
// UTF-8 bytes (a conda-forge-size channel checks millions of fields on a cold load); only text
// with non-ASCII bytes is decoded, for Unicode's other whitespace and control characters.

public enum FieldCheck {
    /// `count` hex digits (either case), nothing else.
    public static func isHexDigest(_ text: String, count: Int) -> Bool { isHexDigest(text.utf8, count: count) }

    public static func isHexDigest<Bytes: Collection>(_ bytes: Bytes, count: Int) -> Bool where Bytes.Element == UInt8 {
        bytes.count == count
            && bytes.allSatisfy {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || ($0 >= 0x41 && $0 <= 0x46)
            }
    }

    /// One path component: not empty, not `.` or `..`, no `/` or `\`, no whitespace or control
    /// characters (a newline in a name would start a new line in a lock file).
    public static func isPlainFileName(_ text: String) -> Bool { isPlainFileName(text.utf8) }

    public static func isPlainFileName<Bytes: Collection>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        guard !bytes.isEmpty, !bytes.elementsEqual([0x2E]), !bytes.elementsEqual([0x2E, 0x2E]) else { return false }
        return !bytes.contains { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\\") } && isToken(bytes)
    }

    /// No whitespace or control characters anywhere (package names, versions, build strings, URLs).
    public static func isToken(_ text: String) -> Bool { isToken(text.utf8) }

    public static func isToken<Bytes: Collection>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        guard !bytes.isEmpty else { return false }
        var ascii = true
        for b in bytes {
            if b < 0x21 || b == 0x7F { return false }
            if b >= 0x80 { ascii = false }
        }
        if ascii { return true }
        return String(decoding: bytes, as: UTF8.self).unicodeScalars.allSatisfy { !isSpaceOrControl($0) }
    }

    static func isSpaceOrControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x21 || scalar.value == 0x7F || (scalar.value >= 0x80 && scalar.value < 0xA0)
            || scalar.properties.isWhitespace
    }
}
