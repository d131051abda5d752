// PEP 508 environment markers, against pypa/packaging 26.4's tests/test_markers.py (tables in
// Vectors/PackagingMarkerVectors.swift) plus our own traps.
//
// packaging evaluates against the running interpreter's environment updated with the caller's
// values; mlenv evaluates statically, so each ported row carries the generator's host
// environment (CPython 3.11, Linux) explicitly. Not ported: `Marker & Marker` / `|`, pickling,
// `prepare_environment`, `context="lock_file"` (we take `extras`/`dependency_groups` as sets
// in the environment instead).

import Testing

@testable import Specs

func environment(_ row: Evaluation) -> MarkerEnvironment {
    MarkerEnvironment(values: row.values, sets: row.sets.mapValues(Set.init))
}

@Suite struct PEP508MarkerTests {
    typealias V = PackagingMarkerVectors

    /// test_parses_valid, test_parses_pep345_valid, test_parses_setuptools_legacy_valid:
    /// every variable × operator × value, both ways round.
    @Test(arguments: V.variables + V.pep345Variables + V.setuptoolsVariables)
    func parsesValid(_ variable: String) throws {
        for op in V.operators {
            for value in V.values {
                _ = try Marker(parsing: "\(variable) \(op) '\(value)'")
                _ = try Marker(parsing: "'\(value)' \(op) \(variable)")
            }
        }
    }

    @Test(arguments: V.tokenBoundaries)
    func tokenBoundaries(_ row: Pair) throws {
        #expect(try Marker(parsing: row.input).description == row.expected, sourceLocation: row.location)
    }

    /// test_marker_atom_whitespace.
    @Test(arguments: ["", " ", "\t", " \t "])
    func atomWhitespace(_ padding: String) throws {
        for nested in [false, true] {
            var text = "\(padding)os_name\(padding)==\(padding)\"posix\"\(padding)"
            if nested { text = "\(padding)(\(text))\(padding)" }
            let marker = try Marker(parsing: text)
            #expect(marker.description == "os_name == \"posix\"")
            #expect(try marker.evaluate(MarkerEnvironment(values: ["os_name": "posix"])))
        }
    }

    @Test(arguments: V.invalid)
    func invalid(_ row: Text) {
        #expect(throws: SpecError.self, sourceLocation: row.location) { try Marker(parsing: row.text) }
    }

    @Test func nestingLimit() throws {
        let ok = String(repeating: "(", count: 200) + "python_version >= \"3\"" + String(repeating: ")", count: 200)
        #expect(try Marker(parsing: ok) == Marker(parsing: "python_version >= \"3\""))
        for depth in [201, 10_000] {
            let deep =
                String(repeating: "(", count: depth) + "python_version >= \"3\"" + String(repeating: ")", count: depth)
            #expect { try Marker(parsing: deep) } throws: {
                ($0 as? SpecError)?.message.contains("nested more than") == true
            }
        }
    }

    @Test(arguments: [" ", "\t", " \t"])
    func trailingWhitespace(_ ws: String) throws {
        #expect(try Marker(parsing: "python_version >= \"3\"" + ws) == Marker(parsing: "python_version >= \"3\""))
    }

    @Test(arguments: V.errors)
    func errorText(_ row: Rendering) {
        do {
            _ = try Marker(parsing: row.input)
            Issue.record("expected an error", sourceLocation: row.location)
        } catch {
            #expect(error.description == row.rendered, sourceLocation: row.location)
        }
    }

    /// test_invalid_marker_syntax_details.
    @Test func syntaxErrorDetails() {
        do {
            _ = try Marker(parsing: "os_name == \"C:\\\"")
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "Invalid quoted string")
            #expect(error.offset == 11 && error.length == 5)
        }
    }

    @Test(arguments: V.strings)
    func description(_ row: Pair) throws {
        let m = try Marker(parsing: row.input)
        #expect(m.description == row.expected, sourceLocation: row.location)
        #expect(m == (try Marker(parsing: row.expected)), sourceLocation: row.location)
        #expect(m.hashValue == (try Marker(parsing: row.expected)).hashValue, sourceLocation: row.location)
    }

    @Test(arguments: V.different)
    func different(_ row: Pair) throws {
        let a = try Marker(parsing: row.input)
        let b = try Marker(parsing: row.expected)
        #expect(a != b && a.hashValue != b.hashValue, sourceLocation: row.location)
    }

    @Test(arguments: V.evaluations + V.evaluationErrors)
    func evaluate(_ row: Evaluation) throws {
        let marker = try Marker(parsing: row.marker)
        if let expected = row.expected {
            #expect(try marker.evaluate(environment(row)) == expected, sourceLocation: row.location)
        } else {
            #expect(throws: SpecError.self, sourceLocation: row.location) { try marker.evaluate(environment(row)) }
        }
    }

    /// TestOperatorEvaluation.
    @Test func operatorEvaluation() throws {
        func eval(_ m: String, _ values: [String: String]) throws -> Bool {
            try Marker(parsing: m).evaluate(MarkerEnvironment(values: values))
        }
        #expect(try eval("\"2.7.9\" < python_full_version", ["python_full_version": "2.7.10"]))
        #expect(try !eval("\"2.7.9\" < python_full_version", ["python_full_version": "2.7.8"]))
        #expect(try !eval("\"b\" < python_full_version", ["python_full_version": "c"]))
        #expect(try !eval("\"b\" < python_full_version", ["python_full_version": "a"]))
        #expect(try !eval("\"b\" > \"a\"", ["a": "a"]))
        #expect(try !eval("\"b\" < \"a\"", ["a": "a"]))
        #expect(try !eval("\"b\" >= \"a\"", ["a": "a"]))
        #expect(try !eval("\"b\" <= \"a\"", ["a": "a"]))
        #expect(try eval("\"a\" <= \"a\"", ["a": "a"]))
        #expect(throws: SpecError.self) { try eval("'2.7.0' ~= os_name", ["os_name": "posix"]) }
        #expect(throws: SpecError.self) { try eval("os_name === 'posix'", ["os_name": "posix"]) }
        #expect(throws: SpecError.self) { try eval("sys_platform === 'linux'", ["sys_platform": "linux"]) }
        #expect(try eval("python_full_version > \"3.6.2\"", ["python_full_version": "3.11.0a5"]))
    }

    @Test func extraDefaultsToEmpty() throws {
        #expect(try Marker(parsing: "extra == \"im_valid\"").evaluate(MarkerEnvironment()) == false)
        #expect(try Marker(parsing: "os_name == 'foo'").evaluate(MarkerEnvironment(values: ["os_name": "foo"])))
    }

    @Test func extraNormalization() throws {
        #expect(try Marker(parsing: "'S_P__A_M' == extra").description == "\"s-p-a-m\" == extra")
        #expect(try Marker(parsing: "extra == 'S_P__A_M'").description == "extra == \"s-p-a-m\"")
        #expect(try Marker(parsing: "extra == os_name").description == "extra == os_name")
        #expect(try Marker(parsing: "os_name == extra").description == "os_name == extra")
        let nested = try Marker(parsing: "(extra == \"Foo_Bar\" or extra == \"Baz\") and python_version >= \"3\"")
        #expect(nested.description == "(extra == \"foo-bar\" or extra == \"baz\") and python_version >= \"3\"")
        #expect(try nested.evaluate(MarkerEnvironment(values: ["extra": "foo-bar", "python_version": "3.12"])))
        for variable in ["extras", "dependency_groups"] {
            let raw = try Marker(parsing: "\"S_P__A_M\" in \(variable)")
            #expect(raw.description == "\"s-p-a-m\" in \(variable)")
            #expect(raw == (try Marker(parsing: "\"s-p-a-m\" in \(variable)")))
            #expect(
                try Marker(parsing: "\"Foo_Bar\" not in \(variable)").description == "\"foo-bar\" not in \(variable)")
        }
    }

    @Test func untaggedPythonIsRepaired() throws {
        #expect(
            try Marker(parsing: "python_full_version < '3.12'").evaluate(
                MarkerEnvironment(values: ["python_full_version": "3.11.1+"])))
    }

    @Test func missingVariableIsAnError() throws {
        let marker = try Marker(parsing: "\"foo\" in extras")
        #expect(throws: SpecError.self) { try marker.evaluate(MarkerEnvironment.target()) }
        var env = MarkerEnvironment.target()
        env.extras = []
        #expect(try marker.evaluate(env) == false)
    }

    // MARK: Ours

    static let ours: [Evaluation] = [
        Evaluation(
            "python_version >= '3.8' and os_name == 'posix'", ["python_version": "3.11", "os_name": "posix"], true),
        Evaluation(
            "python_version < '3.8' or os_name == 'posix'", ["python_version": "3.11", "os_name": "posix"], true),
        Evaluation(
            "os_name == 'nt' and python_version < '3' or os_name == 'posix'",
            ["python_version": "3.11", "os_name": "posix"], true),
        Evaluation(
            "os_name == 'nt' and (python_version < '3' or os_name == 'posix')",
            ["python_version": "3.11", "os_name": "posix"], false),
        Evaluation("'linux' in sys_platform", ["sys_platform": "linux"], true),
        Evaluation("'lin' in sys_platform", ["sys_platform": "linux"], true),
        Evaluation("'nux' not in sys_platform", ["sys_platform": "linux"], false),
        Evaluation("python_version in '3.10 3.11'", ["python_version": "3.11"], true),
        Evaluation("platform_release >= '5.0'", ["platform_release": ""], false),
        Evaluation("python_version ~= '3.10'", ["python_version": "3.11"], true),
        Evaluation("python_version === '3.11'", ["python_version": "3.11"], true),
        Evaluation("os_name == 'posix' or python_version == '3'", ["os_name": "posix"], nil),  // no short-circuit
        // scalars, not canonical equivalence
        Evaluation("sys_platform == \"\u{E9}\"", ["sys_platform": "e\u{301}"], false),
        Evaluation("extra == 'a' or extra == 'b'", [:], sets: ["extra": ["B"]], true),
        Evaluation("extra != 'b'", [:], sets: ["extra": ["a", "b"]], false),
        Evaluation("extra > 'b'", [:], sets: ["extra": ["a"]], nil),
        Evaluation("'tests' in extras", [:], sets: ["extras": ["Tests"]], true),
        Evaluation("'tests' == extras", [:], sets: ["extras": ["tests"]], false)
    ]

    @Test(arguments: ours)
    func ourRows(_ row: Evaluation) throws {
        try evaluate(row)
    }

    @Test func targetEnvironment() throws {
        let env = MarkerEnvironment.target(pythonVersion: "3.11", fullVersion: "3.11.9")
        let m = try Marker(
            parsing:
                "python_full_version >= '3.11.4' and platform_machine == 'x86_64' and sys_platform == 'linux' and implementation_name == 'cpython' and platform_python_implementation == 'CPython'"
        )
        #expect(try m.evaluate(env))
        #expect(try !Marker(parsing: "sys_platform == 'win32'").evaluate(env))
    }

    @Test func expressionTree() throws {
        let m = try Marker(
            parsing: "a_x == 'x' and os_name == 'y' or (python_version < '3' and sys_platform == 'z')".replacingAll(
                "a_x", with: "os_name"))
        guard case .or(let alternatives) = m.expression else {
            Issue.record("expected or")
            return
        }
        #expect(alternatives.count == 2)
        guard case .and(let first) = alternatives[0] else {
            Issue.record("expected and")
            return
        }
        #expect(first.count == 2)
    }

    @Test func quotedStringEscapes() throws {
        #expect(try Marker(parsing: "os_name == '\\x41\\t\\u00e9\\101'").description == "os_name == \"A\t\u{E9}A\"")
        #expect(try Marker(parsing: "os_name == '\\d'").description == "os_name == \"\\d\"")
        #expect(throws: SpecError.self) { try Marker(parsing: "os_name == 'a\nb'") }
        #expect(throws: SpecError.self) { try Marker(parsing: "os_name == 'abc\\'") }
    }
}
