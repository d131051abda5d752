// A pull parser over UTF-8 bytes: the caller walks the document token by token and decides what
// to keep. Payload validation uses it to check a 200 MB request without building a tree of it:
// memory stays at the body plus what the caller keeps.
//
// Same grammar and messages as JSONParser, plus one option: `pythonLiterals` accepts `NaN`,
// `Infinity` and `-Infinity`, which Python's `json.loads` (and so every MLflow and Azure ML
// server) accepts and `json.dumps` writes for non-finite floats.

public struct JSONScanner {
    public enum Kind: Hashable, Sendable {
        case object, array, string, number, bool, null
    }

    public let bytes: UnsafeBufferPointer<UInt8>
    /// Byte offset of the next unread byte.
    public private(set) var offset: Int
    public let pythonLiterals: Bool

    public init(_ bytes: UnsafeBufferPointer<UInt8>, pythonLiterals: Bool = false) {
        self.bytes = bytes
        self.offset = 0
        self.pythonLiterals = pythonLiterals
    }

    /// A scanner over `bytes[range]` that reports offsets (and lines) within the whole buffer.
    public init(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>, pythonLiterals: Bool = false) {
        self.bytes = UnsafeBufferPointer(rebasing: bytes[..<range.upperBound])
        self.offset = range.lowerBound
        self.pythonLiterals = pythonLiterals
    }

    public var isAtEnd: Bool { offset >= bytes.count }

    public func error(_ message: String, at position: Int? = nil) -> JSONError {
        JSONError(message, at: position ?? offset, in: bytes)
    }

    public mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x0A, 0x0D, 0x09: offset += 1
            default: return
            }
        }
    }

    func describeCurrent() -> String {
        guard offset < bytes.count else { return "end of input" }
        let b = bytes[offset]
        if b >= 0x20 && b < 0x7F { return "character '\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x\(String(b, radix: 16, uppercase: true))"
    }

    /// The kind of the next value (after whitespace), without consuming it.
    public mutating func peekKind() throws(JSONError) -> Kind {
        skipWhitespace()
        guard offset < bytes.count else { throw error("expected a JSON value, found end of input") }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case UInt8(ascii: "N") where pythonLiterals, UInt8(ascii: "I") where pythonLiterals: return .number
        default: throw error("expected a JSON value, found \(describeCurrent())")
        }
    }

    /// Only whitespace may follow the document.
    public mutating func expectEnd() throws(JSONError) {
        skipWhitespace()
        if offset < bytes.count { throw error("unexpected \(describeCurrent()) after the end of the JSON value") }
    }

    // MARK: Containers

    /// Consumes `[`.
    public mutating func beginArray() throws(JSONError) {
        try consume(UInt8(ascii: "["), expected: "'['")
    }

    /// Before each element: true when one follows (consuming the ',' between elements), false
    /// after consuming the closing `]`. Start with `first = true`.
    public mutating func nextElement(_ first: inout Bool) throws(JSONError) -> Bool {
        let afterComma = !first
        guard try nextMember(&first, closing: "]", in: "an array") else { return false }
        if afterComma, offset < bytes.count, bytes[offset] == UInt8(ascii: "]") {
            throw error("expected a JSON value, found character ']'")
        }
        return true
    }

    /// Before an array element or an object member: true when one follows (consuming the ','
    /// between them), false after consuming the `closing` bracket.
    private mutating func nextMember(_ first: inout Bool, closing: Unicode.Scalar, in container: String)
        throws(JSONError) -> Bool
    {
        skipWhitespace()
        guard offset < bytes.count else {
            throw error("unexpected end of input inside \(container) (expected ',' or '\(closing)')")
        }
        if bytes[offset] == UInt8(ascii: closing) {
            offset += 1
            return false
        }
        if !first {
            guard bytes[offset] == UInt8(ascii: ",") else {
                throw error("expected ',' or '\(closing)' in \(container), found \(describeCurrent())")
            }
            offset += 1
            skipWhitespace()
        }
        first = false
        return true
    }

    /// Skips whitespace and consumes `byte`, else fails with "expected WHAT, found ...".
    private mutating func consume(_ byte: UInt8, expected what: String) throws(JSONError) {
        skipWhitespace()
        guard offset < bytes.count, bytes[offset] == byte else {
            throw error("expected \(what), found \(describeCurrent())")
        }
        offset += 1
    }

    /// Consumes `{`.
    public mutating func beginObject() throws(JSONError) {
        try consume(UInt8(ascii: "{"), expected: "'{'")
    }

    /// The next key (its `:` consumed), or nil after consuming the closing `}`. Start with `first = true`.
    public mutating func nextKey(_ first: inout Bool) throws(JSONError) -> String? {
        guard try beginKey(&first) else { return nil }
        let key = try readString()
        try endKey()
        return key
    }

    /// `nextKey` for a value being skipped: the same checks and errors, but the key is not built
    /// (no String per key when a large document is only walked through).
    private mutating func skipKey(_ first: inout Bool) throws(JSONError) -> Bool {
        guard try beginKey(&first) else { return false }
        if try readUnescapedString() == nil { _ = try readString() }
        try endKey()
        return true
    }

    /// Before a key: consumes the `,` between members, or the closing `}` (then false). Leaves
    /// the key's opening quote next.
    private mutating func beginKey(_ first: inout Bool) throws(JSONError) -> Bool {
        guard try nextMember(&first, closing: "}", in: "an object") else { return false }
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else {
            throw error("expected a string key in an object, found \(describeCurrent())")
        }
        return true
    }

    /// After a key: consumes the `:`.
    private mutating func endKey() throws(JSONError) {
        try consume(UInt8(ascii: ":"), expected: "':' after an object key")
    }

    // MARK: Scalars

    /// A number as written: its byte range and whether it is an integer literal.
    public struct NumberToken: Sendable {
        public let range: Range<Int>
        public let isInteger: Bool
        /// `NaN`, `Infinity`, `-Infinity` (only with `pythonLiterals`).
        public let isNonFinite: Bool
    }

    public mutating func readNumberToken() throws(JSONError) -> NumberToken {
        skipWhitespace()
        let start = offset
        guard offset < bytes.count else { throw error("expected a JSON value, found end of input") }
        if pythonLiterals {
            if matches("NaN") {
                offset += 3
                return NumberToken(range: start..<offset, isInteger: false, isNonFinite: true)
            }
            if matches("Infinity") {
                offset += 8
                return NumberToken(range: start..<offset, isInteger: false, isNonFinite: true)
            }
            if matches("-Infinity") {
                offset += 9
                return NumberToken(range: start..<offset, isInteger: false, isNonFinite: true)
            }
        }
        var isInteger = true
        if bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        guard offset < bytes.count, isDigit(bytes[offset]) else {
            throw error("invalid number: expected a digit", at: offset)
        }
        if bytes[offset] == UInt8(ascii: "0") {
            offset += 1
            if offset < bytes.count, isDigit(bytes[offset]) {
                throw error("invalid number: leading zeros are not allowed", at: start)
            }
        } else {
            while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            isInteger = false
            offset += 1
            guard offset < bytes.count, isDigit(bytes[offset]) else {
                throw error("invalid number: expected a digit after '.'", at: offset)
            }
            while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
            isInteger = false
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") {
                offset += 1
            }
            guard offset < bytes.count, isDigit(bytes[offset]) else {
                throw error("invalid number: expected a digit in the exponent", at: offset)
            }
            while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
        }
        return NumberToken(range: start..<offset, isInteger: isInteger, isNonFinite: false)
    }

    public func text(of token: NumberToken) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[token.range]), as: UTF8.self)
    }

    public mutating func readBool() throws(JSONError) -> Bool {
        skipWhitespace()
        if matches("true") {
            offset += 4
            return true
        }
        if matches("false") {
            offset += 5
            return false
        }
        throw error("invalid literal, expected 'true' or 'false'")
    }

    public mutating func readNull() throws(JSONError) {
        skipWhitespace()
        guard matches("null") else { throw error("invalid literal, expected 'null'") }
        offset += 4
    }

    private func matches(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - offset >= count else { return false }
        let base = literal.utf8Start
        for i in 0..<count where bytes[offset + i] != base[i] { return false }
        return true
    }

    private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// Checks a string's syntax and encoding without building it.
    public mutating func skipString() throws(JSONError) {
        skipWhitespace()
        let open = offset
        try consume(UInt8(ascii: "\""), expected: "a string")
        var plainStart = offset
        while true {
            guard offset < bytes.count else { throw error("unterminated string", at: open) }
            let b = bytes[offset]
            if b == UInt8(ascii: "\"") {
                try checkUTF8(plainStart..<offset)
                offset += 1
                return
            }
            if b == UInt8(ascii: "\\") {
                try checkUTF8(plainStart..<offset)
                let escapeAt = offset
                offset += 1
                guard offset < bytes.count else { throw error("unterminated escape sequence", at: escapeAt) }
                let e = bytes[offset]
                offset += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    break
                case UInt8(ascii: "u"):
                    _ = try JSONString.hex4(bytes, index: &offset, escapeAt: escapeAt)
                default:
                    throw error("invalid escape sequence '\\\(Character(Unicode.Scalar(e)))'", at: escapeAt)
                }
                plainStart = offset
                continue
            }
            if b < 0x20 {
                throw error("control character (byte 0x\(String(b, radix: 16))) inside a string; escape it", at: offset)
            }
            offset += 1
        }
    }

    private func checkUTF8(_ range: Range<Int>) throws(JSONError) {
        var i = range.lowerBound
        // ASCII fast path.
        while i < range.upperBound, bytes[i] < 0x80 { i += 1 }
        guard i < range.upperBound else { return }
        if String(validating: UnsafeBufferPointer(rebasing: bytes[i..<range.upperBound]), as: UTF8.self) == nil {
            throw error("invalid UTF-8 inside a string", at: i)
        }
    }

    /// A string's value. Lone surrogates (which Python accepts) become U+FFFD.
    public mutating func readString() throws(JSONError) -> String {
        skipWhitespace()
        let open = offset
        try consume(UInt8(ascii: "\""), expected: "a string")
        let start = offset
        var hasHigh = false
        while offset < bytes.count {
            let b = bytes[offset]
            if b == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<offset])
                offset += 1
                if !hasHigh { return String(decoding: slice, as: UTF8.self) }
                guard let s = String(validating: slice, as: UTF8.self) else {
                    throw error("invalid UTF-8 inside a string", at: start)
                }
                return s
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 {
                throw error("control character (byte 0x\(String(b, radix: 16))) inside a string; escape it", at: offset)
            }
            if b >= 0x80 { hasHigh = true }
            offset += 1
        }
        guard offset < bytes.count else { throw error("unterminated string", at: open) }
        return try JSONString.decodeEscaped(bytes, open: open, start: start, index: &offset)
    }

    /// A string without escapes, as the byte range of its content (checked as `readString` checks
    /// it: no control characters, valid UTF-8); nil, with nothing consumed, when the string has
    /// an escape, so the caller reads it with `readString`. Lets a large document be read with
    /// no String built per value (repodata.json: millions of strings).
    public mutating func readUnescapedString() throws(JSONError) -> Range<Int>? {
        skipWhitespace()
        let open = offset
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else {
            throw error("expected a string, found \(describeCurrent())")
        }
        var i = offset + 1
        var hasHigh = false
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                let range = (open + 1)..<i
                if hasHigh, String(validating: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) == nil {
                    throw error("invalid UTF-8 inside a string", at: open + 1)
                }
                offset = i + 1
                return range
            }
            if b == UInt8(ascii: "\\") { return nil }
            if b < 0x20 {
                throw error("control character (byte 0x\(String(b, radix: 16))) inside a string; escape it", at: i)
            }
            if b >= 0x80 { hasHigh = true }
            i += 1
        }
        throw error("unterminated string", at: open)
    }

    // MARK: Whole values

    /// Skips one value of any size, checking its syntax; returns its byte range.
    @discardableResult
    public mutating func skipValue() throws(JSONError) -> Range<Int> {
        skipWhitespace()
        let start = offset
        // Each level remembers whether it is an array; depth costs one byte per level.
        var stack: [Bool] = []
        var firsts: [Bool] = []
        while true {
            // At a value position.
            switch try peekKind() {
            case .object:
                offset += 1
                var first = true
                if try skipKey(&first) {
                    stack.append(false)
                    firsts.append(first)
                    continue
                }
            case .array:
                offset += 1
                var first = true
                if try nextElement(&first) {
                    stack.append(true)
                    firsts.append(first)
                    continue
                }
            case .string: try skipString()
            case .number: _ = try readNumberToken()
            case .bool: _ = try readBool()
            case .null: try readNull()
            }
            // After a value: close containers that end here, or move to the next slot.
            while true {
                guard let isArray = stack.last else { return start..<offset }
                var first = firsts[firsts.count - 1]
                if isArray {
                    if try nextElement(&first) {
                        firsts[firsts.count - 1] = first
                        break
                    }
                } else {
                    if try skipKey(&first) {
                        firsts[firsts.count - 1] = first
                        break
                    }
                }
                stack.removeLast()
                firsts.removeLast()
            }
        }
    }

    /// Skips one value of a document whose syntax a checking pass (`skipValue`, `readValue`) has
    /// already accepted: only brackets, quotes and separators are looked at, so it is much faster.
    /// On unchecked bytes its range may be wrong; call it only on a range already checked.
    @discardableResult
    public mutating func skipCheckedValue() -> Range<Int> {
        skipWhitespace()
        let start = offset
        let end = bytes.count
        var depth = 0
        repeat {
            guard offset < end else { return start..<end }
            switch bytes[offset] {
            case UInt8(ascii: "\""):
                offset += 1
                while offset < end {
                    let b = bytes[offset]
                    if b == UInt8(ascii: "\\") {
                        offset += 2
                        continue
                    }
                    offset += 1
                    if b == UInt8(ascii: "\"") { break }
                }
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                offset += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth -= 1
                offset += 1
            default:
                if depth == 0 {
                    // A number or a literal: it ends at a separator, a closing bracket or whitespace.
                    while offset < end {
                        switch bytes[offset] {
                        case UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"), 0x20, 0x0A, 0x0D, 0x09:
                            return start..<offset
                        default: offset += 1
                        }
                    }
                    return start..<offset
                }
                offset += 1
            }
        } while depth > 0
        return start..<min(offset, end)
    }

    /// Reads one value into a tree (for small values: cells, params, column lists), no deeper
    /// than JSONParser.maximumDepth (the tree is freed recursively). Open containers are
    /// appended to in place: popping one to append to it copied it, so a list of n columns
    /// cost n² (100,000 columns took over 30 s).
    public mutating func readValue() throws(JSONError) -> JSONValue {
        struct Frame {
            let isArray: Bool
            var items: [JSONValue] = []
            var object = JSONObject()
            var key = ""
            var first: Bool
        }
        var stack: [Frame] = []
        let tooDeep = "the JSON nests arrays and objects more than \(JSONParser.maximumDepth) levels deep"
        while true {
            var value: JSONValue
            switch try peekKind() {
            case .object:
                guard stack.count < JSONParser.maximumDepth else { throw error(tooDeep) }
                offset += 1
                var first = true
                if let key = try nextKey(&first) {
                    stack.append(Frame(isArray: false, key: key, first: first))
                    continue
                }
                value = .object(JSONObject())
            case .array:
                guard stack.count < JSONParser.maximumDepth else { throw error(tooDeep) }
                offset += 1
                var first = true
                if try nextElement(&first) {
                    stack.append(Frame(isArray: true, first: first))
                    continue
                }
                value = .array([])
            case .string: value = .string(try readString())
            case .number: value = .number(JSONNumber(text: text(of: try readNumberToken())))
            case .bool: value = .bool(try readBool())
            case .null:
                try readNull()
                value = .null
            }
            // Hand the value to its container; close every container that ends here.
            while true {
                guard !stack.isEmpty else { return value }
                let top = stack.count - 1
                if stack[top].isArray {
                    stack[top].items.append(value)
                    if try nextElement(&stack[top].first) { break }
                    value = .array(stack.removeLast().items)
                } else {
                    stack[top].object.append(stack[top].key, value)
                    if let next = try nextKey(&stack[top].first) {
                        stack[top].key = next
                        break
                    }
                    value = .object(stack.removeLast().object)
                }
            }
        }
    }
}
