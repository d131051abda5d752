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
                // Controls, and what YAML reads as a line break (NEL, LS, PS: folded to a space
                // inside quotes) or refuses as non-printable (DEL, C1, U+FFFE/FFFF), escaped.
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
                } else if scalar.value == 0x2028 || scalar.value == 0x2029 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    out += "\\u" + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    static func isSafePlain(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return false }
        if "-?:,[]{}#&*!|>'\"%@` ".unicodeScalars.contains(first) || last == " " || last == ":" { return false }
        if text.contains(": ") || text.contains(" #") || text.contains("\t") || text.contains("\n") { return false }
        for s in text.unicodeScalars where s.value < 0x20 || s.value > 0x7E { return false }
        return YAMLScalarValue.resolvePlain(text) == .string(text)
    }
}
