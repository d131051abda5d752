// Character classes as Python's `str` and `re` see them, because the reference parsers are
// Python regular expressions and `str.strip()`.
//
// Traps:
// - `\s` and `str.strip()` take Unicode whitespace (NO-BREAK SPACE, PARAGRAPH SEPARATOR, …), not
//   only ASCII: packaging accepts "\u{202F}1.0\t\u{2029}\n " as the version 1.0.
// - `\b` and `\w` are Unicode-aware: "fooé" is one word, so IDENTIFIER cannot stop before "é".
// - Letters in PEP 440 grammar are ASCII-only (`(?a:...)`): "1.0+\u{130}" is invalid even
//   though İ lowercases to an ASCII i.

enum PythonText {
    /// `str.isspace()` / `re`'s `\s` for str patterns.
    @inline(__always)
    static func isWhitespace(_ v: UInt32) -> Bool {
        switch v {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F,
            0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    @inline(__always)
    static func isWhitespace(_ s: Unicode.Scalar) -> Bool { isWhitespace(s.value) }

    /// `re`'s `\w` for str patterns: alphanumerics (`str.isalnum()`) and underscore.
    static func isWordCharacter(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 {
            return (0x30...0x39).contains(v) || (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v) || v == 0x5F
        }
        let props = s.properties
        switch props.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return true
        default:
            return props.numericType != nil
        }
    }

    /// `str.isprintable()`.
    static func isPrintable(_ s: Unicode.Scalar) -> Bool {
        if s.value == 0x20 { return true }
        switch s.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator,
            .paragraphSeparator, .spaceSeparator:
            return false
        default:
            return true
        }
    }

    /// `str.strip()`.
    static func strip(_ text: Substring) -> Substring { text.trimmingScalars(where: isWhitespace) }

    static func strip(_ text: String) -> String { String(strip(Substring(text))) }

    /// Python `str.lower()` for the common ASCII case without allocating through Foundation.
    static func lower(_ text: String) -> String {
        var ascii = true
        var hasUpper = false
        for b in text.utf8 {
            if b >= 0x80 {
                ascii = false
                break
            }
            if b >= 0x41 && b <= 0x5A { hasUpper = true }
        }
        if ascii {
            if !hasUpper { return text }
            return String(decoding: text.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
        }
        return text.lowercased()
    }
}

extension UInt8 {
    @inline(__always) var isASCIIDigit: Bool { self >= 0x30 && self <= 0x39 }
    @inline(__always) var isASCIILetter: Bool { (self | 0x20) >= 0x61 && (self | 0x20) <= 0x7A }
    @inline(__always) var asciiLowered: UInt8 { self >= 0x41 && self <= 0x5A ? self | 0x20 : self }
}

extension Unicode.Scalar {
    @inline(__always) var isASCIIDigit: Bool { value >= 0x30 && value <= 0x39 }
    @inline(__always) var isASCIIAlnum: Bool {
        (value >= 0x30 && value <= 0x39) || (value >= 0x41 && value <= 0x5A) || (value >= 0x61 && value <= 0x7A)
    }
    @inline(__always) var isLowerASCIIAlnum: Bool {
        (value >= 0x30 && value <= 0x39) || (value >= 0x61 && value <= 0x7A)
    }
}
