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
        ("a:\n\t- b\n", 2, 1, "found character that cannot start any token")
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
        ("python=3.8", .string("python=3.8"))
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

/// Nesting is bounded while libyaml reads (the tree is built from its event stream): libyaml's
/// scanner does work proportional to the flow depth for every token, so 100,000 levels would take
/// minutes if the check waited for the whole document. Brackets inside quotes and comments do
/// not count.
@Suite struct YAMLFlowDepthTests {
    @Test func deepFlowNestingIsRefusedAtItsPosition() {
        let text = "a: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n"
        #expect {
            _ = try YAMLLoader.load(Array(text.utf8))
        } throws: { error in
            guard let error = error as? YAMLError else { return false }
            // The root mapping is level 1, so the 256th '[' is the first node past 256 levels.
            return error.message.contains("nests deeper than 256 levels")
                && error.mark == Mark(line: 1, column: 4 + 255)
        }
    }

    @Test func bracketsInQuotesAndCommentsDoNotCount() throws {
        let many = String(repeating: "[", count: 1000)
        let text = "a: \"\(many)\"\nb: '\(many)'\n# \(many)\nc: [1, [2]]\n"
        let node = try YAMLLoader.load(Array(text.utf8))
        #expect(node?["a"]?.scalarText == many && node?["b"]?.scalarText == many)
    }
}

/// Hostile documents found while fuzzing the loader (fuzz/yaml): each used to cost time growing
/// with the square of its size inside libyaml; each is now refused or loaded in linear time.
@Suite struct YAMLFuzzRegressionTests {
    /// A quote inside a plain scalar (`it's`) made the old text pre-pass skip the rest of the
    /// file as "quoted", so libyaml saw the deep nesting: 80,000 levels took 20 s.
    @Test func aQuoteInAPlainScalarDoesNotHideDeepNesting() {
        for prefix in ["name: it's\ndeps: ", "name: a, 'b\ndeps: ", "name: a # x \"\ndeps: "] {
            let text = prefix + String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000) + "\n"
            #expect {
                _ = try YAMLLoader.load(Array(text.utf8))
            } throws: { error in
                (error as? YAMLError)?.message.contains("nests deeper than 256 levels") == true
            }
        }
    }

    /// libyaml's loader compared every anchor with all earlier ones (40,000 took 3.6 s).
    @Test func manyAnchorsAndAliasesLoad() throws {
        let n = 100_000
        var text = "anchors:\n"
        for i in 0..<n { text += "- &a\(i) v\(i)\n" }
        text += "aliases:\n"
        for i in 0..<n { text += "- *a\((i * 7) % n)\n" }
        let root = try #require(try YAMLLoader.load(string: text))
        #expect(root["aliases"]?.sequence?.count == n)
        #expect(root["aliases"]?.sequence?[1].scalarText == "v7")
    }

    /// Each %TAG directive was compared with every earlier one (40,000 took 3.5 s).
    @Test func manyTagDirectivesAreRefused() {
        var text = ""
        for i in 0..<50_000 { text += "%TAG !t\(i)! tag:example.com,2000:\n" }
        text += "---\na: 1\n"
        #expect {
            _ = try YAMLLoader.load(string: text)
        } throws: { error in
            (error as? YAMLError)?.message.contains("more than 100 %TAG directives") == true
                && (error as? YAMLError)?.mark == Mark(line: 101, column: 1)
        }
        let few = "%TAG !e! tag:example.com,2000:\n---\na: !e!thing 1\n"
        #expect((try? YAMLLoader.load(string: few))??["a"]?.tag == "tag:example.com,2000:thing")
    }

    @Test func aRecursiveAliasIsRefused() {
        #expect {
            _ = try YAMLLoader.load(string: "a: &x [1, *x]\n")
        } throws: { error in
            (error as? YAMLError)?.message.contains("the alias *x is inside the node it refers to") == true
                && (error as? YAMLError)?.mark == Mark(line: 1, column: 11)
        }
    }

    @Test func duplicateAnchorsAndUndefinedAliasesKeepLibyamlsMessages() {
        #expect {
            _ = try YAMLLoader.load(string: "a: &x 1\nb: &x [2]\n")
        } throws: { error in
            (error as? YAMLError)?.description
                == "2:4: second occurrence (found duplicate anchor; first occurrence started at 1:4)"
        }
        #expect {
            _ = try YAMLLoader.load(string: "a: *nope\n")
        } throws: { error in
            (error as? YAMLError)?.description == "1:4: found undefined alias"
        }
    }

    /// An alias counts the depth of what it copies.
    @Test func anAliasCopyingADeepNodeCountsItsDepth() {
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        let text =
            "a: &d \(deep)\nb: " + String(repeating: "[", count: 60) + "*d" + String(repeating: "]", count: 60) + "\n"
        #expect {
            _ = try YAMLLoader.load(string: text)
        } throws: { error in
            (error as? YAMLError)?.message.contains("nests deeper than 256 levels") == true
        }
        let shallow = "a: &d \(deep)\nb: [[*d]]\n"
        #expect((try? YAMLLoader.load(string: shallow)) != nil)
    }
}

/// YAMLWriter's double-quoted scalars load back as the same string (found by fuzz/yaml: NEL,
/// written raw, was read back as a line break folded into a space).
@Suite struct YAMLWriterRoundTripTests {
    @Test(arguments: [
        "é\u{85}\u{A0}", "a\u{2028}b\u{2029}c", "\u{7F}", "\u{80}x\u{9F}", "\u{FEFF}bom", "\u{FFFE}\u{FFFF}",
        "tab\there", "\u{1}\u{1F}", "  spaced  "
    ])
    func escapedScalarsLoadBack(text: String) throws {
        let written = YAMLWriter.scalar(text)
        let loaded = try YAMLLoader.load(string: "a: \(written)\n")
        #expect(loaded?["a"]?.scalarText == text, "written as \(written)")
    }
}

/// Whatever a model's name or path holds, the scalar is one value that reads back the same.
@Suite struct YAMLWriterTests {
    @Test(arguments: [
        "plain", "3.10", "yes", "x: 1\nname: evil", "\"q\" #c", "tab\there", "del\u{7f}", "c1\u{85}\u{9f}",
        "ls\u{2028}ps\u{2029}", "nonchar\u{fffe}", "é ü 日本", "-lead", "trail:", ""
    ])
    func scalarReadsBackTheSame(_ text: String) throws {
        let root = try #require(try YAMLLoader.load(string: "key: \(YAMLWriter.scalar(text))\nnext: 1\n"))
        #expect(root["key"]?.scalarText == text)
        #expect(root.pairs?.count == 2)
    }
}
