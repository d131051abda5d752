// RFC 8259 parser over UTF-8 bytes. Iterative (an explicit container stack), so hostile
// nesting cannot overflow the call stack, and bounded (JSONParser.maximumDepth), so the value it
// returns cannot either when it is freed; strict (no comments, no trailing commas, no NaN),
// as Python's `json.loads` is for the documents MLflow and the indexes write.

public struct JSONError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    /// 0-based byte offset of the problem.
    public let offset: Int
    /// 1-based line and column (column counts characters, not bytes).
    public let line: Int
    public let column: Int

    public var description: String { "line \(line), column \(column): \(message)" }
}

extension JSONError {
    /// A message at a byte offset of `bytes`, with its line and column.
    init(_ message: String, at offset: Int, in bytes: UnsafeBufferPointer<UInt8>) {
        let (line, column) = JSONParser.lineAndColumn(of: offset, in: bytes)
        self.init(message: message, offset: offset, line: line, column: column)
    }
}

extension JSONValue {
    public static func parse(string: String) throws(JSONError) -> JSONValue {
        try parse(Array(string.utf8))
    }

    public static func parse(_ bytes: [UInt8]) throws(JSONError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer throws(JSONError) in try JSONParser.parse(buffer) }
    }
}

public enum JSONParser {
    /// The deepest nesting accepted. Python's json module stops near its recursion limit
    /// (1000), so no document MLflow or an index writes is deeper; and a value this deep is
    /// still freed without exhausting the stack (Swift releases nested enums recursively).
    public static let maximumDepth = 1000

    /// Parses one JSON document; only whitespace may follow it.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONError) -> JSONValue {
        var reader = Reader(bytes: bytes)
        let value = try reader.parseDocument()
        reader.skipWhitespace()
        if reader.index < bytes.count {
            throw reader.error("unexpected \(reader.describeCurrent()) after the end of the JSON value")
        }
        return value
    }

    /// Parses the first JSON value in `bytes` and returns it with the offset just past it
    /// (for JSON Lines and streams of documents).
    public static func parsePrefix(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONError) -> (JSONValue, Int) {
        var reader = Reader(bytes: bytes)
        let value = try reader.parseDocument()
        return (value, reader.index)
    }

    /// 1-based line and column of a byte offset.
    public static func lineAndColumn(of offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        var i = 0
        let end = min(offset, bytes.count)
        while i < end {
            let b = bytes[i]
            if b == 0x0A {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
            i += 1
        }
        return (line, column)
    }
}

private struct Reader {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    func error(_ message: String, at offset: Int? = nil) -> JSONError {
        JSONError(message, at: offset ?? index, in: bytes)
    }

    func describeCurrent() -> String {
        guard index < bytes.count else { return "end of input" }
        let b = bytes[index]
        if b >= 0x20 && b < 0x7F { return "character '\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x\(String(b, radix: 16, uppercase: true))"
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    /// An open array or object. Values are appended in place (`frames[last].items.append`), so
    /// a container's storage is never copied while it grows.
    private struct Frame {
        let isArray: Bool
        var items: [JSONValue] = []
        var entries: [JSONObject.Entry] = []
        var pendingKey: String = ""
    }

    func tooDeep() -> JSONError {
        error("the JSON nests arrays and objects more than \(JSONParser.maximumDepth) levels deep")
    }

    /// Consumes a container's opening bracket at `depth` (too deep is an error) and, when the
    /// container is empty, its `closing` one too: whether it was empty.
    private mutating func openIsEmpty(closing: UInt8, depth: Int) throws(JSONError) -> Bool {
        guard depth < JSONParser.maximumDepth else { throw tooDeep() }
        index += 1
        skipWhitespace()
        guard index < bytes.count && bytes[index] == closing else { return false }
        index += 1
        return true
    }

    mutating func parseDocument() throws(JSONError) -> JSONValue {
        var frames: [Frame] = []
        while true {
            skipWhitespace()
            guard index < bytes.count else {
                throw error(
                    frames.isEmpty
                        ? "expected a JSON value, found end of input"
                        : "unexpected end of input inside \(frames[frames.count - 1].isArray ? "an array" : "an object")"
                )
            }
            var value: JSONValue
            switch bytes[index] {
            case UInt8(ascii: "{"):
                if try openIsEmpty(closing: UInt8(ascii: "}"), depth: frames.count) {
                    value = .object(JSONObject())
                } else {
                    let key = try parseKey()
                    frames.append(Frame(isArray: false, pendingKey: key))
                    continue
                }
            case UInt8(ascii: "["):
                if try openIsEmpty(closing: UInt8(ascii: "]"), depth: frames.count) {
                    value = .array([])
                } else {
                    frames.append(Frame(isArray: true))
                    continue
                }
            case UInt8(ascii: "\""):
                value = .string(try parseString())
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                value = .bool(true)
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                value = .bool(false)
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                value = .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = .number(try parseNumber())
            default:
                throw error("expected a JSON value, found \(describeCurrent())")
            }

            // Fold the finished value into its containers, closing every one that ends here.
            while true {
                guard !frames.isEmpty else { return value }
                let top = frames.count - 1
                skipWhitespace()
                if frames[top].isArray {
                    frames[top].items.append(value)
                    guard index < bytes.count else {
                        throw error("unexpected end of input inside an array (expected ',' or ']')")
                    }
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                        break
                    } else if bytes[index] == UInt8(ascii: "]") {
                        index += 1
                        value = .array(frames.removeLast().items)
                        continue
                    } else {
                        throw error("expected ',' or ']' in an array, found \(describeCurrent())")
                    }
                } else {
                    frames[top].entries.append(JSONObject.Entry(key: frames[top].pendingKey, value: value))
                    guard index < bytes.count else {
                        throw error("unexpected end of input inside an object (expected ',' or '}')")
                    }
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                        skipWhitespace()
                        frames[top].pendingKey = try parseKey()
                        break
                    } else if bytes[index] == UInt8(ascii: "}") {
                        index += 1
                        value = .object(JSONObject(frames.removeLast().entries))
                        continue
                    } else {
                        throw error("expected ',' or '}' in an object, found \(describeCurrent())")
                    }
                }
            }
        }
    }

    /// `"key" :` — leaves the reader at the value.
    private mutating func parseKey() throws(JSONError) -> String {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
            throw error("expected a string key in an object, found \(describeCurrent())")
        }
        let key = try parseString()
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
            throw error("expected ':' after an object key, found \(describeCurrent())")
        }
        index += 1
        return key
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONError) {
        let start = index
        let count = literal.utf8CodeUnitCount
        guard bytes.count - index >= count else { throw error("invalid literal", at: start) }
        let base = literal.utf8Start
        for i in 0..<count where bytes[index + i] != base[i] {
            throw error("invalid literal, expected '\(literal)'", at: start)
        }
        index += count
    }

    private mutating func parseNumber() throws(JSONError) -> JSONNumber {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else {
            throw error("invalid number: expected a digit", at: index)
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) {
                throw error("invalid number: leading zeros are not allowed", at: start)
            }
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw error("invalid number: expected a digit after '.'", at: index)
            }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw error("invalid number: expected a digit in the exponent", at: index)
            }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        return JSONNumber(text: String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
    }

    private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    private mutating func parseString() throws(JSONError) -> String {
        let open = index
        index += 1
        let start = index
        // Fast path: no escapes, plain ASCII or valid UTF-8 checked once at the end.
        var hasEscape = false
        var hasHighBytes = false
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") { break }
            if b == UInt8(ascii: "\\") {
                hasEscape = true
                break
            }
            if b < 0x20 {
                throw error("control character (byte 0x\(String(b, radix: 16))) inside a string; escape it", at: index)
            }
            if b >= 0x80 { hasHighBytes = true }
            index += 1
        }
        guard index < bytes.count else { throw error("unterminated string", at: open) }
        if !hasEscape {
            let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
            index += 1
            if hasHighBytes {
                guard let s = String(validating: slice, as: UTF8.self) else {
                    throw error("invalid UTF-8 inside a string", at: start)
                }
                return s
            }
            return String(decoding: slice, as: UTF8.self)
        }
        return try JSONString.decodeEscaped(bytes, open: open, start: start, index: &index)
    }
}
