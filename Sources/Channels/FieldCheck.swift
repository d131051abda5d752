// Checks for fields that come from channels and indexes and end up in lock files, scripts and
// URLs: a digest is hex of its length, a file name is one plain path component, a URL has no
// whitespace or control characters. Applied where the field enters (repodata records, index
// pages), so nothing later can be made to write a line of an attacker's choosing.

public enum FieldCheck {
    /// `count` hex digits (either case), nothing else.
    public static func isHexDigest(_ text: String, count: Int) -> Bool {
        text.utf8.count == count && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || ($0 >= 0x41 && $0 <= 0x46) }
    }

    /// One path component: not empty, not `.` or `..`, no `/` or `\`, no whitespace or control
    /// characters (a newline in a name would start a new line in a lock file).
    public static func isPlainFileName(_ text: String) -> Bool {
        guard !text.isEmpty, text != ".", text != ".." else { return false }
        return text.unicodeScalars.allSatisfy { $0 != "/" && $0 != "\\" && !isSpaceOrControl($0) }
    }

    /// No whitespace or control characters anywhere (package names, versions, build strings, URLs).
    public static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { !isSpaceOrControl($0) }
    }

    static func isSpaceOrControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x21 || scalar.value == 0x7F || (scalar.value >= 0x80 && scalar.value < 0xA0)
            || scalar.properties.isWhitespace
    }
}
