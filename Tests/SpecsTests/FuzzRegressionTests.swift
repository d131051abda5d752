// Inputs the fuzzers (fuzz/, see fuzz/README.md) found, kept as rows: each once broke an
// invariant or ran too long. The checks mirror fuzz/SpecsFuzzer.swift.

import Testing

@testable import Specs

@Suite struct FuzzRegressionTests {
    /// Markers whose printed form did not parse back: values holding a line break, a
    /// backslash sequence or both quote characters are printed as escaped literals.
    static let markers: [Text] = [
        Text("\"tesjs(extra == 'a-me Se \\ra:== 'b')ionBolo.la~ptfo\u{FFFD}\u{FFFD}A\" in extras"),
        Text("'((sjs\u{FFFD}i\\\\\\\\\\\\\\\\\\\t\t\t\t\t\t\t\"\u{FFFD}r,\" in\u{17}niux' in sys_platform"),
        Text(" extra ==='\\n__!\"te_t='"),
        Text("os_name == 'a\\\\nb'"),
        // A quote followed by a combining mark is one Swift Character but two Python characters:
        // the quote was missed and the value printed between double quotes.
        Text("platform_release >= '0a)\t\u{FFFD}\t:\t\u{08}\te> \"\u{659}\t\u{FFFD}'")
    ]

    @Test(arguments: markers)
    func markerRoundTrip(_ row: Text) throws {
        let m = try Marker(parsing: row.text)
        #expect(try Marker(parsing: m.description) == m, "\(m.description)", sourceLocation: row.location)
    }

    /// Requirements whose printed form did not parse back. Each row says what the input is
    /// now: its printed form when it parses (which must parse back to the same requirement),
    /// or nil when it is rejected (a SpecError).
    static let requirements: [OptionalPair] = [
        OptionalPair(
            "appdirs>=1.4.4,<2; os_name == 'po\u{FFFD}\u{FFFD}six' and extra == 'eqe\\\\ng'",
            "appdirs<2,>=1.4.4; os_name == \"po\u{FFFD}\u{FFFD}six\" and extra == \"eqe\\\\ng\""),
        OptionalPair(
            "ppc0r2; os_name === '\u{659}espython_version<\")3.8i\\|\\0\\\u{18}\\f\\\\\\\rMM5iNg'",
            "ppc0r2; os_name === \"\u{659}espython_version<\\x22)3.8i\\\\|\\x00\\\\\\x18\\x0c\\\\MM5iNg\"")
    ]

    @Test(arguments: requirements)
    func requirementRoundTrip(_ row: OptionalPair) throws {
        guard let expected = row.expected else {
            #expect(throws: SpecError.self, sourceLocation: row.location) { try Requirement(parsing: row.input) }
            return
        }
        let r = try Requirement(parsing: row.input)
        #expect(r.description == expected, sourceLocation: row.location)
        #expect(try Requirement(parsing: r.description) == r, "\(r.description)", sourceLocation: row.location)
    }

    /// Took seconds per match with a backtracking regex engine ("*" next to "\" turns the
    /// glob into a regex); linear now. The answer is conda's: the "," joins the glob with "**"
    /// ("starts with *", see below), which no version meets.
    @Test func globWithRegexCharactersIsFast() throws {
        let spec = try CondaVersionSpec(parsing: "1********\\*************\u{0}*,**")
        let matched = try ["0", "1.0", "1.0a1", "1!1.0", "1.0+local"].filter {
            spec.matches(try CondaVersion(parsing: $0))
        }
        #expect(matched == [])
        #expect(try !CondaVersionSpec(parsing: "**").matches(CondaVersion(parsing: "1.0")))
    }

    /// conda prints "**" as "*.*", which reads back as a glob with another meaning (conda's own
    /// behaviour, kept): "**" is "starts with *", "*.*" is "any text with a dot".
    @Test func condaStarsReprint() throws {
        let spec = try CondaVersionSpec(parsing: "**")
        #expect(spec.description == "*.*")
        #expect(!spec.matches(try CondaVersion(parsing: "1.0")))
        #expect(try CondaVersionSpec(parsing: "*.*").matches(CondaVersion(parsing: "1.0")))
    }
}

@Suite struct DeepNestingTests {
    /// Nothing recursive may overflow the stack on hostile input.
    @Test func deepConda() {
        let deep = String(repeating: "(", count: 100_000) + "1.0" + String(repeating: ")", count: 100_000)
        #expect(throws: SpecError.self) { try CondaVersionSpec(parsing: deep) }
        let ok = String(repeating: "(", count: 150) + "1.0|2.0" + String(repeating: ")", count: 150)
        #expect(throws: Never.self) { try CondaVersionSpec(parsing: ok) }
    }

    @Test func deepRegex() {
        let deep = "^" + String(repeating: "(", count: 10_000) + "a" + String(repeating: ")", count: 10_000) + "$"
        #expect(throws: PythonRegex.SyntaxError.self) { try PythonRegex(deep) }
        #expect(throws: SpecError.self) { try MatchSpec(parsing: "numpy * " + deep) }
    }

    @Test func longInputs() throws {
        let long = String(repeating: "1.", count: 50_000) + "0"
        #expect(try PEP440Version(parsing: long).release.count == 50_001)
        #expect(try CondaVersion(parsing: long) == CondaVersion(parsing: long + ".0"))
        let manySpecs = Array(repeating: ">=1.0", count: 10_000).joined(separator: ",")
        #expect(try SpecifierSet(parsing: manySpecs).contains(PEP440Version(parsing: "2")))
        let manyOr = Array(repeating: "1.0", count: 10_000).joined(separator: "|")
        #expect(try CondaVersionSpec(parsing: manyOr).matches(CondaVersion(parsing: "1.0")))
    }
}

/// Strings compare by code point (Python), not by Swift's canonical equivalence.
@Suite struct CodePointTests {
    @Test func namesAndMarkers() throws {
        #expect(NormalizedName("caf\u{E9}") != NormalizedName("cafe\u{301}"))
        #expect(NormalizedName("caf\u{E9}").hashValue == NormalizedName("caf\u{E9}").hashValue)
        #expect(try Marker(parsing: "os_name == 'caf\u{E9}'") != Marker(parsing: "os_name == 'cafe\u{301}'"))
        #expect(try SpecifierSet(parsing: "===caf\u{E9}") != SpecifierSet(parsing: "===cafe\u{301}"))
        #expect(try !SpecifierSet(parsing: "===caf\u{E9}").contains(versionText: "cafe\u{301}"))
    }

    @Test func condaBuildsWithCombiningMarks() throws {
        // conda quotes a build holding ">" in brackets; here the ">" carries a combining mark.
        let spec = try MatchSpec(parsing: "numpy[build='py3>\u{301}x']")
        #expect(spec.description == "numpy[build='py3>\u{301}x']")
        let star = try MatchSpec(parsing: "numpy 1.0 *\u{301}x")
        #expect(star.build == "*\u{301}x")
        #expect(
            star.matches(name: "numpy", version: try CondaVersion(parsing: "1.0"), build: "a\u{301}x", buildNumber: 0))
    }
}
