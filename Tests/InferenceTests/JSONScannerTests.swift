// The streaming JSONScanner (Sources/JSON/JSONScanner.swift) must accept exactly what JSONParser
// accepts, with the same positions, plus Python's NaN / Infinity when asked.

import JSON
import Testing

@Suite struct JSONScannerTests {
    static let documents: [String] = [
        #"{"a": [1, 2.5, -3e2, true, false, null, "x\n\u00e9\ud83d\ude00"], "b": {}}"#,
        "[]", "{}", "[[[]]]", #""s""#, "0", "-0.0e+1",
        "", "[1,]", "{\"a\" 1}", "01", "1.", "[1 2]", "{\"a\":1,}", "\"\\x\"", "\"abc", "[1]]", "{\"a\":[}", "tru",
        "nul",
        "\"\u{01}\"", "[\"\\ud800\"]", "[\"\\ud800\\u0041\"]", "[\"\\ud800\\u12\"]", "{\"a\":1} x",
        // keys are skipped without being built: the same errors at the same places
        "{\"a\u{01}\": 1}", "{\"a\\x\": 1}", "{\"a\\u00e9\": [1]}", "{1: 2}", "{\"a\": 1 \"b\": 2}", "{\"a\"}",
        "[{\"k\": {\"k2\": [{\"k3\"", "{\"\\ud800\": 0}"
    ]

    /// After a checking pass, `skipCheckedValue` finds the same value ranges as `skipValue`.
    @Test(arguments: documents) func checkedSkipFindsTheSameRanges(_ text: String) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBufferPointer { buffer in
            var checking = JSONScanner(buffer, pythonLiterals: true)
            guard (try? checking.skipValue()) != nil, (try? checking.expectEnd()) != nil else { return }
            var a = JSONScanner(buffer, pythonLiterals: true)
            var b = JSONScanner(buffer, pythonLiterals: true)
            #expect((try? a.skipValue()) == b.skipCheckedValue())
            // and element by element inside a top-level list or object
            var outer = JSONScanner(buffer, pythonLiterals: true)
            var first = true
            switch try? outer.peekKind() {
            case .array?:
                try? outer.beginArray()
                while (try? outer.nextElement(&first)) == true {
                    var copy = outer
                    let checked = copy.skipCheckedValue()
                    #expect((try? outer.skipValue()) == checked)
                    #expect(copy.offset == outer.offset)
                }
            case .object?:
                try? outer.beginObject()
                while (try? outer.nextKey(&first)) ?? nil != nil {
                    var copy = outer
                    let checked = copy.skipCheckedValue()
                    #expect((try? outer.skipValue()) == checked)
                    #expect(copy.offset == outer.offset)
                }
            default:
                break
            }
        }
    }

    static let nested: [String] = [
        #"[1, -2.5e3, "a\"b]", {"x": [null, true, false, NaN, -Infinity]}, [[], {}], "", "\\", 0]"#,
        #"{"a": {"b": [1, {"c": "}"}]}, "d": "[", "e" : 7 , "f":"x"}"#,
        "  [ 1 ,\n 2 ]  "
    ]
    @Test(arguments: nested) func checkedSkipOnNestedValues(_ text: String) { checkedSkipFindsTheSameRanges(text) }

    @Test(arguments: documents) func agreesWithTheParser(_ text: String) {
        let bytes = Array(text.utf8)
        let parsed: Result<JSONValue, JSONError> = Result { () throws(JSONError) in try JSONValue.parse(bytes) }
        bytes.withUnsafeBufferPointer { buffer in
            var skipper = JSONScanner(buffer)
            let skipped: Result<Void, JSONError> = Result { () throws(JSONError) in
                try skipper.skipValue()
                try skipper.expectEnd()
            }
            var reader = JSONScanner(buffer)
            let read: Result<JSONValue, JSONError> = Result { () throws(JSONError) in
                let v = try reader.readValue()
                try reader.expectEnd()
                return v
            }
            switch (parsed, skipped, read) {
            case (.success(let a), .success, .success(let b)):
                #expect(a == b)
            case (.failure(let a), .failure(let b), .failure(let c)):
                #expect(a.offset == b.offset && a.offset == c.offset, "\(a) / \(b) / \(c)")
            default:
                Issue.record("parser \(parsed), skip \(skipped), read \(read) disagree on \(text.debugDescription)")
            }
        }
    }

    @Test func pythonLiterals() throws {
        let bytes = Array("[NaN, Infinity, -Infinity, 1]".utf8)
        try bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer, pythonLiterals: true)
            let value = try scanner.readValue()
            #expect(value.arrayValue?.compactMap { $0.numberValue?.text } == ["NaN", "Infinity", "-Infinity", "1"])
            var strict = JSONScanner(buffer)
            #expect(throws: JSONError.self) { try strict.readValue() }
        }
    }

    @Test func deepNestingDoesNotOverflowTheStack() throws {
        let text = String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000)
        try Array(text.utf8).withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            let range = try scanner.skipValue()
            #expect(range == 0..<400_000)
        }
    }
}
