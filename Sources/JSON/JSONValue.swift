// A JSON document as values, keeping what mlenv needs that Foundation's JSONSerialization drops:
// object key order (signatures list columns in order), the literal text of numbers (MLflow treats
// `1` and `1.0` differently when it enforces an integer column), and error positions.

/// A JSON number as written. `1`, `1.0` and `1e0` are different texts and MLflow's
/// enforcement can tell them apart, so the literal is the value.
public struct JSONNumber: Hashable, Sendable, CustomStringConvertible {
    public let text: String

    public init(text: String) { self.text = text }
    public init(_ value: Int) { self.text = String(value) }

    /// True when the literal has no fraction and no exponent (`12`, `-3`).
    public var isIntegerLiteral: Bool {
        !text.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") })
    }
    /// The value as a 64-bit integer, when the literal is an integer that fits.
    public var int: Int64? { isIntegerLiteral ? Int64(text) : nil }
    public var double: Double { Double(text) ?? .nan }
    public var description: String { text }
}

/// A JSON object with its keys in document order. Lookups return the last value for a key,
/// as Python's `json` module does with duplicate keys.
public struct JSONObject: Hashable, Sendable {
    public var entries: [Entry]

    public struct Entry: Hashable, Sendable {
        public var key: String
        public var value: JSONValue
        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    public init(_ entries: [Entry] = []) { self.entries = entries }
    public init(_ pairs: KeyValuePairs<String, JSONValue>) {
        self.entries = pairs.map { Entry(key: $0.key, value: $0.value) }
    }

    public subscript(key: String) -> JSONValue? {
        for entry in entries.reversed() where entry.key == key { return entry.value }
        return nil
    }

    public var keys: [String] { entries.map(\.key) }
    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    public mutating func append(_ key: String, _ value: JSONValue) {
        entries.append(Entry(key: key, value: value))
    }
}

public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }
    public var numberValue: JSONNumber? {
        if case .number(let n) = self { return n }
        return nil
    }
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }
    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public subscript(key: String) -> JSONValue? { objectValue?[key] }

    /// The JSON type name as a user reads it in an error message.
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number(let n): return n.isIntegerLiteral ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    public static func int(_ value: Int) -> JSONValue { .number(JSONNumber(value)) }
}

extension String {
    /// The text's lines, split at "\n", "\r\n" or "\r". (Splitting a Swift String at the
    /// Character "\n" misses "\r\n", which is a single Character.)
    public var physicalLines: [Substring] {
        // Scans the UTF-8 bytes (grapheme breaking is slow and "\r\n" is one grapheme).
        var lines: [Substring] = []
        let utf8 = self.utf8
        var start = utf8.startIndex
        var i = utf8.startIndex
        while i != utf8.endIndex {
            let byte = utf8[i]
            if byte == 0x0A || byte == 0x0D {
                lines.append(self[start..<i])
                var next = utf8.index(after: i)
                if byte == 0x0D, next != utf8.endIndex, utf8[next] == 0x0A { next = utf8.index(after: next) }
                start = next
                i = next
            } else {
                i = utf8.index(after: i)
            }
        }
        lines.append(self[start..<utf8.endIndex])
        return lines
    }
}
