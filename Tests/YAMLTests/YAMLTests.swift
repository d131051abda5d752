import Testing
import YAML

@Suite struct YAMLLoadingTests {
    @Test func buildsATreeWithMarks() throws {
        let text = """
            artifact_path: model
            flavors:
              python_function:
                env:
                  conda: conda.yaml
                python_version: 3.10.6
            list:
            - a
            - 'b'
            """
        let root = try #require(try YAMLLoader.load(string: text))
        #expect(root.pairs?.map { $0.key.scalarText } == ["artifact_path", "flavors", "list"])
        let version = try #require(root["flavors"]?["python_function"]?["python_version"])
        #expect(version.scalarText == "3.10.6")
        #expect(version.mark == Mark(line: 6, column: 21))
        #expect(root["list"]?.sequence?.map { $0.scalarText } == ["a", "b"])
        #expect(root["list"]?.sequence?[1].style == .singleQuoted)
        #expect(root["list"]?.sequence?[1].mark == Mark(line: 9, column: 3))
    }

    @Test func emptyStreamIsNull() throws {
        #expect(try YAMLLoader.load(string: "") == nil)
        #expect(try YAMLLoader.load(string: "# only a comment\n") == nil)
    }

    @Test func duplicateKeysLastWinsLikePyYAML() throws {
        let root = try #require(try YAMLLoader.load(string: "a: 1\na: 2\n"))
        #expect(root["a"]?.scalarText == "2")
        #expect(root.pairs?.count == 2)
    }

    @Test func expandsAliases() throws {
        let root = try #require(try YAMLLoader.load(string: "base: &b {x: 1}\nother: *b\n"))
        #expect(root["other"]?["x"]?.scalarText == "1")
    }

    @Test func refusesAliasBombs() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1..<9 {
            text += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        #expect(throws: YAMLError.self) { try YAMLLoader.load(string: text) }
    }

    @Test func refusesDeepNesting() {
        let text = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        #expect(throws: YAMLError.self) { try YAMLLoader.load(string: text) }
    }

    @Test func refusesASecondDocument() {
        #expect {
            try YAMLLoader.load(string: "a: 1\n---\nb: 2\n")
        } throws: { error in
            (error as? YAMLError)?.mark == Mark(line: 3, column: 1)
        }
    }

    @Test(arguments: [
        ("a: b: c\n", 1, 5, "mapping values are not allowed in this context"),
        ("key: \"unterminated\n", 2, 1, "found unexpected end of stream"),
        ("- a\nb: c\n", 2, 1, "did not find expected '-' indicator"),
        ("a:\n\t- b\n", 2, 1, "found character that cannot start any token"),
    ])
    func reportsParserErrorsWithPosition(_ text: String, _ line: Int, _ column: Int, _ message: String) {
        #expect {
            try YAMLLoader.load(string: text)
        } throws: { error in
            guard let e = error as? YAMLError else { return false }
            return e.mark == Mark(line: line, column: column) && e.message == message
        }
    }

    @Test func reportsInvalidUTF8WithPosition() {
        let bytes: [UInt8] = Array("name: ok\nx: ".utf8) + [0xFF, 0x0A]
        #expect {
            try YAMLLoader.load(bytes)
        } throws: { error in
            guard let e = error as? YAMLError else { return false }
            return e.kind == .reader && e.mark.line == 2
        }
    }
}

/// YAML 1.1 typing as PyYAML's safe loader does it (yaml/resolver.py).
@Suite struct PyYAMLScalarTypingTests {
    @Test(arguments: [
        ("3.10", YAMLScalarValue.float(3.1)),
        ("3.10.6", .string("3.10.6")),
        ("3", .int("3")),
        ("1e5", .string("1e5")),
        ("1.0e+5", .float(100000)),
        ("0777", .int("0777")),
        ("0x1F", .int("0x1F")),
        ("1_000", .int("1_000")),
        ("1:30", .int("1:30")),
        (".inf", .float(.infinity)),
        ("-.INF", .float(-.infinity)),
        ("yes", .bool(true)),
        ("Off", .bool(false)),
        ("TRUE", .bool(true)),
        ("y", .string("y")),
        ("~", .null),
        ("null", .null),
        ("", .null),
        ("2021-01-02", .timestamp("2021-01-02")),
        ("2023-05-21 19:16:51.054335", .timestamp("2023-05-21 19:16:51.054335")),
        ("mlflow==1.26.1", .string("mlflow==1.26.1")),
        ("python=3.8", .string("python=3.8")),
    ])
    func typesPlainScalars(_ text: String, _ expected: YAMLScalarValue) throws {
        let root = try #require(try YAMLLoader.load(string: "v: \(text)\n"))
        let value = try #require(root["v"])
        #expect(value.resolved == expected)
        if text.isEmpty { return }
        // The text as written survives whatever the type.
        #expect(value.scalarText == text)
    }

    @Test func quotedScalarsStayStrings() throws {
        let root = try #require(try YAMLLoader.load(string: "a: '3.10'\nb: \"yes\"\nc: !!str 7\n"))
        #expect(root["a"]?.resolved == .string("3.10"))
        #expect(root["b"]?.resolved == .string("yes"))
    }

    @Test func explicitCustomTagIsKept() throws {
        let root = try #require(try YAMLLoader.load(string: "a: !custom x\n"))
        #expect(root["a"]?.tag == "!custom")
    }
}

/// Aliases are budgeted by the text they copy, not only by node count: one 1 MB anchored scalar
/// referenced 3,000 times is 3,000 nodes and 3 GB of text.
@Suite struct YAMLAliasBytesTests {
    @Test func aBigAnchorReferencedManyTimesIsRefused() {
        let big = String(repeating: "x", count: 1 << 20)
        let text = "a: &big \(big)\nlist: [" + Array(repeating: "*big", count: 3000).joined(separator: ", ") + "]\n"
        #expect {
            _ = try YAMLLoader.load(Array(text.utf8))
        } throws: { error in
            (error as? YAMLError)?.message.contains("MiB of text beyond its own size through aliases") == true
        }
    }

    @Test func aFewAliasesOfABigScalarAreFine() throws {
        let big = String(repeating: "x", count: 1 << 20)
        let text = "a: &big \(big)\nb: *big\nc: *big\n"
        let node = try YAMLLoader.load(Array(text.utf8))
        #expect(node?["c"]?.scalarText?.count == 1 << 20)
    }
}

/// Flow nesting is bounded before libyaml reads the text (its work grows with the square of the
/// depth: 100,000 levels would take minutes); brackets inside quotes and comments do not count.
@Suite struct YAMLFlowDepthTests {
    @Test func deepFlowNestingIsRefusedAtItsPosition() {
        let text = "a: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n"
        #expect {
            _ = try YAMLLoader.load(Array(text.utf8))
        } throws: { error in
            guard let error = error as? YAMLError else { return false }
            return error.message.contains("nests deeper than 256 levels") && error.mark == Mark(line: 1, column: 4 + 256)
        }
    }

    @Test func bracketsInQuotesAndCommentsDoNotCount() throws {
        let many = String(repeating: "[", count: 1000)
        let text = "a: \"\(many)\"\nb: '\(many)'\n# \(many)\nc: [1, [2]]\n"
        let node = try YAMLLoader.load(Array(text.utf8))
        #expect(node?["a"]?.scalarText == many && node?["b"]?.scalarText == many)
    }
}

@Suite struct YAMLWriterTests {
    /// Whatever a model's name or path holds, the scalar is one value that reads back the same.
    @Test(arguments: ["plain", "3.10", "yes", "x: 1\nname: evil", "\"q\" #c", "tab\there", "del\u{7f}", "c1\u{85}\u{9f}",
                      "ls\u{2028}ps\u{2029}", "nonchar\u{fffe}", "é ü 日本", "-lead", "trail:", ""])
    func scalarReadsBackTheSame(_ text: String) throws {
        let root = try #require(try YAMLLoader.load(string: "key: \(YAMLWriter.scalar(text))\nnext: 1\n"))
        #expect(root["key"]?.scalarText == text)
        #expect(root.pairs?.count == 2)
    }
}
