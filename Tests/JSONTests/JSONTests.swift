import JSON
import Testing

@Suite struct JSONParsingTests {
    @Test func keepsKeyOrderAndNumberText() throws {
        let value = try JSONValue.parse(string: #"{"b": 1, "a": 1.0, "c": [true, null, "x"], "d": -2e3}"#)
        let object = try #require(value.objectValue)
        #expect(object.keys == ["b", "a", "c", "d"])
        #expect(object["b"]?.numberValue?.text == "1")
        #expect(object["b"]?.numberValue?.isIntegerLiteral == true)
        #expect(object["a"]?.numberValue?.text == "1.0")
        #expect(object["a"]?.numberValue?.isIntegerLiteral == false)
        #expect(object["d"]?.numberValue?.double == -2000)
        #expect(object["c"] == [true, nil, "x"])
    }

    @Test func duplicateKeysLastWinsLikePython() throws {
        let value = try JSONValue.parse(string: #"{"a": 1, "a": 2}"#)
        #expect(value["a"] == 2)
        #expect(value.objectValue?.count == 2)
    }

    @Test(arguments: [
        (#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00""#, "a\"b\\c/d\n\té😀"),
        (#""plain ascii""#, "plain ascii"),
        ("\"caf\u{e9}\"", "café"),
        // Python's json accepts lone surrogates (a high one before a non-surrogate escape, a low
        // one alone); a Swift String cannot hold them: U+FFFD, and the next escape read alone.
        (#""\ud800\u0041""#, "\u{FFFD}A"),
        (#""\udc00x""#, "\u{FFFD}x"),
        (#""\ud800""#, "\u{FFFD}")
    ])
    func decodesStrings(_ input: String, _ expected: String) throws {
        #expect(try JSONValue.parse(string: input) == .string(expected))
    }

    @Test(arguments: [
        ("", 1, 1, "expected a JSON value, found end of input"),
        ("{\"a\": }", 1, 7, "expected a JSON value, found character '}'"),
        ("[1, 2", 1, 6, "unexpected end of input inside an array (expected ',' or ']')"),
        ("[1,]", 1, 4, "expected a JSON value, found character ']'"),
        ("{\"a\" 1}", 1, 6, "expected ':' after an object key, found character '1'"),
        ("01", 1, 1, "invalid number: leading zeros are not allowed"),
        ("1.", 1, 3, "invalid number: expected a digit after '.'"),
        ("NaN", 1, 1, "expected a JSON value, found character 'N'"),
        ("{\n  \"a\": tru\n}", 2, 8, "invalid literal, expected 'true'"),
        ("\"abc", 1, 1, "unterminated string"),
        ("\"a\\x\"", 1, 3, "invalid escape sequence '\\x'"),
        ("[1] 2", 1, 5, "unexpected character '2' after the end of the JSON value"),
        ("\"tab\there\"", 1, 5, "control character (byte 0x9) inside a string; escape it")
    ])
    func reportsErrorsWithPosition(_ input: String, _ line: Int, _ column: Int, _ message: String) {
        #expect {
            try JSONValue.parse(string: input)
        } throws: { error in
            guard let e = error as? JSONError else { return false }
            return e.line == line && e.column == column && e.message == message
        }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONError.self) { try JSONValue.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func roundTripsThroughTheWriter() throws {
        let text = #"{"z":[1,2.50,{"k":"v\"\n"}],"a":null,"é":false}"#
        let value = try JSONValue.parse(string: text)
        #expect(value.serialized() == text)
        #expect(try JSONValue.parse(string: value.serialized(pretty: true)) == value)
    }

    @Test func parsesAPrefixForJSONLines() throws {
        let bytes = Array("{\"id\": 1}\n{\"id\": 2}".utf8)
        let (value, end) = try bytes.withUnsafeBufferPointer { try JSONParser.parsePrefix($0) }
        #expect(value["id"] == 1)
        #expect(end == 9)
    }
}

/// Hostile nesting: the parser and the scanner's tree reader stop at JSONParser.maximumDepth
/// with a located error (a 50,000-level document once crashed mlenv while its value was freed).
@Suite struct JSONDepthTests {
    static func nested(_ depth: Int, open: String = "[", close: String = "]") -> [UInt8] {
        Array((String(repeating: open, count: depth) + String(repeating: close, count: depth)).utf8)
    }

    @Test func theDeepestAcceptedDocumentParses() throws {
        _ = try JSONValue.parse(Self.nested(JSONParser.maximumDepth))
        _ = try Self.scan(Self.nested(JSONParser.maximumDepth))
    }

    static func scan(_ bytes: [UInt8]) throws -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            return try scanner.readValue()
        }
    }

    @Test(arguments: [JSONParser.maximumDepth + 1, 50_000])
    func deeperDocumentsAreRefusedWithTheirPosition(_ depth: Int) {
        #expect {
            _ = try JSONValue.parse(Self.nested(depth))
        } throws: { error in
            (error as? JSONError).map {
                $0.message.contains("more than 1000 levels deep") && $0.column == JSONParser.maximumDepth + 1
            } == true
        }
        #expect {
            _ = try Self.scan(Self.nested(depth))
        } throws: { error in
            (error as? JSONError)?.message.contains("more than 1000 levels deep") == true
        }
        // Objects count the same as arrays.
        #expect(throws: JSONError.self) {
            _ = try JSONValue.parse(
                Array((String(repeating: "{\"a\":", count: depth) + "1" + String(repeating: "}", count: depth)).utf8))
        }
    }
}

/// The scanner's tree reader appends to open containers in place (a 100,000-column list was
/// copied at every element); a wide value reads whole and in order.
@Suite struct WideValueTests {
    @Test func aHundredThousandElementsReadInOrder() throws {
        let text =
            "{\"columns\": [" + (0..<100_000).map { "\"c\($0)\"" }.joined(separator: ",")
            + "], \"k\": {\"a\": [1, [2, {}]], \"b\": null}}"
        let value = try Array(text.utf8).withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            return try scanner.readValue()
        }
        let columns = value["columns"]?.arrayValue ?? []
        #expect(columns.count == 100_000 && columns.first == "c0" && columns.last == "c99999")
        #expect(value["k"] == (try JSONValue.parse(string: "{\"a\": [1, [2, {}]], \"b\": null}")))
    }
}
