// Writing YAML that PyYAML and every other loader read back as the same strings: a scalar is
// written plain only when YAML 1.1 would read it back as that string (not `3.10` → float,
// not `yes` → bool) and it has no indicator characters; otherwise it is double-quoted (JSON
// string syntax, which YAML accepts).

public enum YAMLWriter {
    public static func scalar(_ text: String) -> String {
        if isSafePlain(text) { return text }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if mustEscape(scalar) {
                    let hex = String(scalar.value, radix: 16)
                    if scalar.value <= 0xFF {
                        out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
                    } else {
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Characters a double-quoted scalar cannot hold raw: those outside YAML's printable set
    /// (C0 and C1 controls, DEL, U+FFFE, U+FFFF), which libyaml refuses, the line breaks YAML 1.1
    /// adds to `\n` and `\r` (NEL, LS, PS), which a loader folds into a space, and the byte order
    /// mark.
    static func mustEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F...0x9F, 0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF: return true
        default: return false
        }
    }

    static func isSafePlain(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return false }
        if "-?:,[]{}#&*!|>'\"%@` ".unicodeScalars.contains(first) || last == " " || last == ":" { return false }
        if text.contains(": ") || text.contains(" #") || text.contains("\t") || text.contains("\n") { return false }
        for s in text.unicodeScalars where s.value < 0x20 || s.value > 0x7E { return false }
        return YAMLScalarValue.resolvePlain(text) == .string(text)
    }
}
