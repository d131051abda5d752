// YAML 1.1 implicit typing of plain scalars, as PyYAML's `Resolver` does it (MLflow writes and
// reads MLmodel, conda.yaml and python_env.yaml with PyYAML). Traps:
// - `3.10` is a float (3.1) and `3.10.6` a string; `1e5` is a string (YAML 1.1 floats need a dot).
// - `yes`/`no`/`on`/`off` are booleans; `y`/`n` are not (PyYAML leaves them out).
// - `0777` is octal, `1_000` is 1000, `1:30` is sexagesimal (90).
// - only plain scalars are typed: `'3.10'` and `"yes"` stay strings.

public enum YAMLScalarValue: Hashable, Sendable {
    case null
    case bool(Bool)
    /// The integer's text with its sign (kept as text: YAML 1.1 ints are unbounded).
    case int(String)
    case float(Double)
    case timestamp(String)
    case string(String)

    public static func resolvePlain(_ text: String) -> YAMLScalarValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON": return .bool(true)
        case "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF": return .bool(false)
        default: break
        }
        guard let first = text.utf8.first else { return .string(text) }
        // Every int, float and timestamp starts with a sign, a digit or a dot.
        let startsNumeric =
            first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".")
            || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9"))
        guard startsNumeric else { return .string(text) }
        let bytes = Array(text.utf8)
        if PlainScalarShape.isInt(bytes) { return .int(text) }
        if PlainScalarShape.isFloat(bytes) { return .float(parseFloat(text)) }
        if PlainScalarShape.isTimestamp(bytes) { return .timestamp(text) }
        return .string(text)
    }

    static func resolve(explicitTag tag: String, text: String) -> YAMLScalarValue {
        switch tag {
        case "tag:yaml.org,2002:null": return .null
        case "tag:yaml.org,2002:bool": return resolvePlain(text)
        case "tag:yaml.org,2002:int": return .int(text)
        case "tag:yaml.org,2002:float": return .float(parseFloat(text))
        default: return .string(text)
        }
    }

    /// PyYAML's construct_yaml_float: drop underscores, handle sexagesimal and .inf/.nan.
    public static func parseFloat(_ text: String) -> Double {
        var t = String(text.filter { $0 != "_" }).lowercased()
        var sign = 1.0
        if t.hasPrefix("-") {
            sign = -1
            t.removeFirst()
        } else if t.hasPrefix("+") {
            t.removeFirst()
        }
        if t == ".inf" { return sign * .infinity }
        if t == ".nan" { return .nan }
        if t.contains(":") {
            var value = 0.0
            for part in t.split(separator: ":") { value = value * 60 + (Double(part) ?? 0) }
            return sign * value
        }
        return sign * (Double(t) ?? .nan)
    }
}
