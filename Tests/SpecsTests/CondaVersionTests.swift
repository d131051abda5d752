// conda versions and version specs, ported from conda/conda tests/models/test_version.py at
// commit 0f64223fb (2026-08-21). Each table names the conda test it comes from.

import Testing

@testable import Specs

/// conda's parsed form of a version, for comparing with conda's published component lists.
func condaComponents(_ v: CondaVersion) -> String {
    func atom(_ a: CondaVersion.Atom) -> String {
        switch a {
        case .number(let n): return n.description
        case .post: return "inf"
        case .text(let s): return "'\(s)'"
        }
    }
    return "[" + v.version.map { "[" + $0.map(atom).joined(separator: ", ") + "]" }.joined(separator: ", ") + "]"
}

@Suite struct CondaVersionTests {
    /// test_version_order: the list is sorted; each version's components as conda prints them
    /// (float("inf") shown as inf).
    static let ordered: [Pair] = [
        Pair("0.4", "[[0], [0], [4]]"),
        Pair("0.4.0", "[[0], [0], [4], [0]]"),
        Pair("0.4.1a.vc11", "[[0], [0], [4], [1, 'a'], [0, 'vc', 11]]"),
        Pair("0.4.1.rc", "[[0], [0], [4], [1], [0, 'rc']]"),
        Pair("0.4.1.vc11", "[[0], [0], [4], [1], [0, 'vc', 11]]"),
        Pair("0.4.1", "[[0], [0], [4], [1]]"),
        Pair("0.5*", "[[0], [0], [5, '*']]"),
        Pair("0.5a1", "[[0], [0], [5, 'a', 1]]"),
        Pair("0.5b3", "[[0], [0], [5, 'b', 3]]"),
        Pair("0.5C1", "[[0], [0], [5, 'c', 1]]"),
        Pair("0.5z", "[[0], [0], [5, 'z']]"),
        Pair("0.5za", "[[0], [0], [5, 'za']]"),
        Pair("0.5", "[[0], [0], [5]]"),
        Pair("0.5_5", "[[0], [0], [5], [5]]"),
        Pair("0.5-5", "[[0], [0], [5], [5]]"),
        Pair("0.9.6", "[[0], [0], [9], [6]]"),
        Pair("0.960923", "[[0], [0], [960923]]"),
        Pair("1.0", "[[0], [1], [0]]"),
        Pair("1.0.4a3", "[[0], [1], [0], [4, 'a', 3]]"),
        Pair("1.0.4b1", "[[0], [1], [0], [4, 'b', 1]]"),
        Pair("1.0.4", "[[0], [1], [0], [4]]"),
        Pair("1.1dev1", "[[0], [1], [1, 'DEV', 1]]"),
        Pair("1.1_", "[[0], [1], [1, '_']]"),
        Pair("1.1a1", "[[0], [1], [1, 'a', 1]]"),
        Pair("1.1.dev1", "[[0], [1], [1], [0, 'DEV', 1]]"),
        Pair("1.1.a1", "[[0], [1], [1], [0, 'a', 1]]"),
        Pair("1.1", "[[0], [1], [1]]"),
        Pair("1.1.post1", "[[0], [1], [1], [0, inf, 1]]"),
        Pair("1.1.1dev1", "[[0], [1], [1], [1, 'DEV', 1]]"),
        Pair("1.1.1rc1", "[[0], [1], [1], [1, 'rc', 1]]"),
        Pair("1.1.1", "[[0], [1], [1], [1]]"),
        Pair("1.1.1post1", "[[0], [1], [1], [1, inf, 1]]"),
        Pair("1.1post1", "[[0], [1], [1, inf, 1]]"),
        Pair("2g6", "[[0], [2, 'g', 6]]"),
        Pair("2.0b1pr0", "[[0], [2], [0, 'b', 1, 'pr', 0]]"),
        Pair("2.2be.ta29", "[[0], [2], [2, 'be'], [0, 'ta', 29]]"),
        Pair("2.2be5ta29", "[[0], [2], [2, 'be', 5, 'ta', 29]]"),
        Pair("2.2beta29", "[[0], [2], [2, 'beta', 29]]"),
        Pair("2.2.0.1", "[[0], [2], [2], [0], [1]]"),
        Pair("3.1.1.6", "[[0], [3], [1], [1], [6]]"),
        Pair("3.2.p.r0", "[[0], [3], [2], [0, 'p'], [0, 'r', 0]]"),
        Pair("3.2.pr0", "[[0], [3], [2], [0, 'pr', 0]]"),
        Pair("3.2.pr.1", "[[0], [3], [2], [0, 'pr'], [1]]"),
        Pair("5.5.kw", "[[0], [5], [5], [0, 'kw']]"),
        Pair("11g", "[[0], [11, 'g']]"),
        Pair("14.3.1", "[[0], [14], [3], [1]]"),
        Pair("14.3.1.post26.g9d75ca2", "[[0], [14], [3], [1], [0, inf, 26], [0, 'g', 9, 'd', 75, 'ca', 2]]"),
        Pair("1996.07.12", "[[0], [1996], [7], [12]]"),
        Pair("1!0.4.1", "[[1], [0], [4], [1]]"),
        Pair("1!3.1.1.6", "[[1], [3], [1], [1], [6]]"),
        Pair("2!0.4.1", "[[2], [0], [4], [1]]")
    ]

    @Test(arguments: ordered)
    func components(_ row: Pair) throws {
        let v = try CondaVersion(parsing: row.input)
        #expect(condaComponents(v) == row.expected, sourceLocation: row.location)
        #expect(v.normalized == row.input.lowercased().replacingAll("-", with: "_"), sourceLocation: row.location)
        #expect(v.source == row.input, sourceLocation: row.location)
    }

    /// test_version_order: `sorted(versions) == versions` — conda's list has equal neighbours
    /// ("0.5_5"/"0.5-5"), so each is ≤ the next and strictly less where conda's lists differ.
    @Test func versionOrderIsSorted() throws {
        let vs = try Self.ordered.map { try CondaVersion(parsing: $0.input) }
        for i in 0..<vs.count {
            for j in (i + 1)..<vs.count {
                #expect(vs[i] <= vs[j], "\(vs[i]) <= \(vs[j])")
                #expect(!(vs[j] < vs[i]), "not \(vs[j]) < \(vs[i])")
            }
        }
    }

    /// test_version_order: equality and invalid strings.
    @Test func equality() throws {
        #expect(try CondaVersion(parsing: "0.4.1.rc") == CondaVersion(parsing: "  0.4.1.RC  "))
        #expect(try CondaVersion(parsing: "  0.4.rc  ") == CondaVersion(parsing: "0.4.RC"))
        #expect(try CondaVersion(parsing: "0.4") == CondaVersion(parsing: "0.4.0"))
        #expect(try CondaVersion(parsing: "0.4") != CondaVersion(parsing: "0.4.1"))
        #expect(try CondaVersion(parsing: "0.4.a1") == CondaVersion(parsing: "0.4.0a1"))
        #expect(try CondaVersion(parsing: "0.4.a1") != CondaVersion(parsing: "0.4.1a1"))
        #expect(try CondaVersion(parsing: "0.4").hashValue == CondaVersion(parsing: "0.4.0.0").hashValue)
    }

    static let invalid: [Text] = [
        Text(""), Text("  "), Text("3.5&1"), Text("5.5++"), Text("5.5..mw"), Text("!"), Text("a!1.0"), Text("a!b!1.0"),
        // test_invalid_version_specs: misuse of '+'
        Text("1.2+"), Text("+1.2"), Text("+1.2+"), Text("++")
    ]

    @Test(arguments: invalid)
    func invalidVersions(_ row: Text) {
        #expect(throws: SpecError.self, sourceLocation: row.location) { try CondaVersion(parsing: row.text) }
    }

    /// test_version_order: startswith.
    @Test func startsWith() throws {
        func v(_ s: String) throws -> CondaVersion { try CondaVersion(parsing: s) }
        #expect(try v("0.4.1").starts(with: v("0")))
        #expect(try v("0.4.1").starts(with: v("0.4")))
        #expect(try v("0.4.1p1").starts(with: v("0.4")))
        #expect(try v("0.4.1p1").starts(with: v("0.4.1p")))
        #expect(try !v("0.4.1p1").starts(with: v("0.4.1q1")))
        #expect(try !v("0.4").starts(with: v("0.4.1")))
        #expect(try v("0.4.1+1.3").starts(with: v("0.4.1")))
        #expect(try v("0.4.1+1.3").starts(with: v("0.4.1+1")))
        #expect(try !v("0.4.1").starts(with: v("0.4.1+1.3")))
        #expect(try !v("0.4.1+1").starts(with: v("0.4.1+1.3")))
    }

    /// test_openssl_convention, test_pep440 (PEP 440's list, slightly modified by conda), test_hexrd.
    static let sortedLists: [[String]] = [
        [
            "1.0.1dev", "1.0.1_", "1.0.1a", "1.0.1b", "1.0.1c", "1.0.1d", "1.0.1r", "1.0.1rc", "1.0.1rc1", "1.0.1rc2",
            "1.0.1s",
            "1.0.1", "1.0.1post.a", "1.0.1post.b", "1.0.1post.z", "1.0.1post.za", "1.0.2"
        ],
        [
            "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12", "1.0b1.dev456", "1.0b2", "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0c1.dev456", "1.0c1", "1.0c3", "1.0rc2", "1.0.dev456", "1.0", "1.0.post456.dev34", "1.0.post456",
            "1.1.dev1",
            "1.2.r32+123456", "1.2.rev33+123456", "1.2+abc", "1.2+abc123def", "1.2+abc123", "1.2+123abc",
            "1.2+123abc456",
            "1.2+1234.abc", "1.2+123456", "1!1.0a1", "1!1.0a2.dev456", "1!1.0a12.dev456", "1!1.0a12", "1!1.0b1.dev456",
            "1!1.0b2", "1!1.0b2.post345.dev456", "1!1.0b2.post345", "1!1.0c1.dev456", "1!1.0c1", "1!1.0c3", "1!1.0rc2",
            "1!1.0.dev456", "1!1.0", "1!1.0.post456.dev34", "1!1.0.post456", "1!1.1.dev1", "1!1.2.r32+123456",
            "1!1.2.rev33+123456", "1!1.2+abc", "1!1.2+abc123def", "1!1.2+abc123", "1!1.2+123abc", "1!1.2+123abc456",
            "1!1.2+1234.abc", "1!1.2+123456"
        ],
        ["0.3.0.dev", "0.3.3"]
    ]

    @Test(arguments: sortedLists)
    func sortedList(_ list: [String]) throws {
        let vs = try list.map { try CondaVersion(parsing: $0) }
        #expect(vs.sorted() == vs)
        #expect(vs.reversed().sorted() == vs)
    }

    // MARK: Ours

    @Test func bigNumbersDoNotTrap() throws {
        let a = try CondaVersion(parsing: "1.99999999999999999999")
        let b = try CondaVersion(parsing: "1.100000000000000000000")
        #expect(a < b)
        #expect(try CondaVersion(parsing: "18446744073709551616") > CondaVersion(parsing: "18446744073709551615"))
    }

    @Test func dashesOnlyWithoutUnderscores() throws {
        #expect(try CondaVersion(parsing: "1.0-1") == CondaVersion(parsing: "1.0_1"))
        #expect(throws: SpecError.self) { try CondaVersion(parsing: "1_0-1") }
    }
}

@Suite struct CondaVersionSpecTests {
    /// test_ver_eval.
    static let verEval: [Membership] = [
        Membership("==1.7", "1.7.0", true), Membership("<=1.7", "1.7.0", true), Membership("<1.7", "1.7.0", false),
        Membership(">=1.7", "1.7.0", true), Membership(">1.7", "1.7.0", false), Membership(">=1.7", "1.6.7", false),
        Membership(">2013b", "2013a", false), Membership(">2013b", "2013k", true), Membership(">2013b", "3.0.0", false),
        Membership(">1.0.0a", "1.0.0", true), Membership(">1.0.0*", "1.0.0", true), Membership("1.0*", "1.0", true),
        Membership("1.0*", "1.0.0", true), Membership("1.0.0*", "1.0", true), Membership("1.0.0*", "1.0.1", false),
        Membership("2013a*", "2013a", true), Membership("2013b*", "2013a", false), Membership("2013a*", "2013ab", true),
        Membership("1.2.4*", "1.3.4", false), Membership("1.2.3*", "1.2.3+4.5.6", true),
        Membership("1.2.3+4*", "1.2.3+4.5.6", true), Membership("1.2.3+5*", "1.2.3+4.5.6", false),
        Membership("1.2.4+5*", "1.2.3+4.5.6", false)
    ]

    /// test_match: every spec against 1.7.1.
    static let match: [Membership] = [
        Membership("1.7.*", "1.7.1", true), Membership("1.7.1", "1.7.1", true), Membership("1.7.0", "1.7.1", false),
        Membership("1.7", "1.7.1", false), Membership("1.5.*", "1.7.1", false), Membership(">=1.5", "1.7.1", true),
        Membership("!=1.5", "1.7.1", true), Membership("!=1.7.1", "1.7.1", false), Membership("==1.7.1", "1.7.1", true),
        Membership("==1.7", "1.7.1", false), Membership("==1.7.2", "1.7.1", false),
        Membership("==1.7.1.0", "1.7.1", true),
        Membership("1.7.*|1.8.*", "1.7.1", true), Membership(">1.7,<1.8", "1.7.1", true),
        Membership(">1.7.1,<1.8", "1.7.1", false), Membership("^1.7.1$", "1.7.1", true),
        Membership("^1\\.7\\.1$", "1.7.1", true), Membership("^1\\.7\\.[0-9]+$", "1.7.1", true),
        Membership("^1\\.8.*$", "1.7.1", false), Membership("^1\\.[5-8]\\.1$", "1.7.1", true),
        Membership("^[^1].*$", "1.7.1", false), Membership("^[0-9+]+\\.[0-9+]+\\.[0-9]+$", "1.7.1", true),
        Membership("^$", "1.7.1", false), Membership("^.*$", "1.7.1", true), Membership("1.7.*|^0.*$", "1.7.1", true),
        Membership("1.6.*|^0.*$", "1.7.1", false), Membership("1.6.*|^0.*$|1.7.1", "1.7.1", true),
        Membership("^0.*$|1.7.1", "1.7.1", true), Membership("1.6.*|^.*\\.7\\.1$|0.7.1", "1.7.1", true),
        Membership("*", "1.7.1", true), Membership("1.*.1", "1.7.1", true),
        Membership("1.5.*|>1.7,<1.8", "1.7.1", true),
        Membership("1.5.*|>1.7,<1.7.1", "1.7.1", false),
        // test_local_identifier: a version string matches itself.
        Membership("1.7.0", "1.7.0", true), Membership("1.7.0.post123", "1.7.0.post123", true),
        Membership("1.7.0.post123.gabcdef9", "1.7.0.post123.gabcdef9", true),
        Membership("1.7.0.post123+gabcdef9", "1.7.0.post123+gabcdef9", true),
        // test_not_eq_star
        Membership("=3.3", "3.3.1", true), Membership("=3.3", "3.3", true), Membership("=3.3", "3.4", false),
        Membership("3.3.*", "3.3.1", true), Membership("3.3.*", "3.3", true), Membership("3.3.*", "3.4", false),
        Membership("=3.3.*", "3.3.1", true), Membership("=3.3.*", "3.3", true), Membership("=3.3.*", "3.4", false),
        Membership("!=3.3.*", "3.3.1", false), Membership("!=3.3.*", "3.4", true), Membership("!=3.3.*", "3.4.1", true),
        Membership("!=3.3", "3.3.1", true), Membership("!=3.3", "3.3.0.0", false),
        Membership("!=3.3.*", "3.3.0.0", false),
        // test_compound_versions
        Membership(">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*", "2.6.8", false),
        Membership(">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*", "2.7.2", true),
        Membership(">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*", "3.3", false),
        Membership(">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*", "3.3.4", false),
        Membership(">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*", "3.4", true),
        Membership(">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*", "3.4a", true),
        // test_compatible_release_versions
        Membership("~=1.10", "1.11.0", true), Membership("~=1.10.0", "1.11.0", false),
        Membership("~=3.3.2", "3.4.0", false), Membership("~=3.3.2", "3.3.1", false),
        Membership("~=3.3.2", "3.3.2.0", true), Membership("~=3.3.2", "3.3.3", true),
        Membership("~=3.3.2|==2.2", "2.2.0", true), Membership("~=3.3.2|==2.2", "3.3.3", true),
        Membership("~=3.3.2|==2.2", "2.2.1", false)
    ]

    @Test(arguments: verEval + match)
    func matches(_ row: Membership) throws {
        let spec = try CondaVersionSpec(parsing: row.spec)
        #expect(spec.matches(try CondaVersion(parsing: row.version)) == row.expected, sourceLocation: row.location)
    }

    /// test_match: `str(VersionSpec(s)) == s` for every spec in the table.
    @Test(arguments: match.prefix(33))
    func printsAsWritten(_ row: Membership) throws {
        #expect(try CondaVersionSpec(parsing: row.spec).description == row.spec, sourceLocation: row.location)
    }

    /// test_ver_eval_errors, test_version_spec_2, test_invalid_version_specs,
    /// test_compatible_release_versions, test_pep_440_arbitrary_equality_operator.
    static let invalid: [Text] = [
        Text("><2.4.5"), Text("!!2.4.5"), Text("!"), Text("(1.5"), Text("1.5)"), Text("1.5||1.6"), Text("^1.5"),
        Text("~"), Text("^"), Text("1.2+"), Text("+1.2"), Text("+1.2+"), Text("++"), Text("c +, 0/|0 *"),
        Text("a[version=)|("), Text("a=)(=b"), Text("=="), Text("="), Text(">="), Text("<="), Text("~=3.3.2.*"),
        Text("===3.3.2"),
        // Ours: conda accepts "~=1" and fails later, when matching.
        Text("~=1"), Text(""), Text("<= 1.2")
    ]

    @Test(arguments: invalid)
    func invalidSpecs(_ row: Text) {
        #expect(throws: SpecError.self, sourceLocation: row.location) { try CondaVersionSpec(parsing: row.text) }
    }

    /// test_version_spec_1, _3, _4: exactness and equality.
    @Test func exactnessAndEquality() throws {
        let v1 = try CondaVersionSpec(parsing: "1.7.1")
        let v2 = try CondaVersionSpec(parsing: "1.7.1*")
        let v1again = try CondaVersionSpec(parsing: "1.7.1")
        #expect(v1.isExact && !v2.isExact)
        #expect(v1 == v1again && v1 != v2)
        let v3 = try CondaVersionSpec(parsing: "1.7.1.*")
        #expect(v2 == v3 && v2.hashValue == v3.hashValue)
        let a = try CondaVersionSpec(parsing: "1.7.1*,1.8.1*")
        let b = try CondaVersionSpec(parsing: "1.7.1.*,1.8.1.*")
        let c = try CondaVersionSpec(parsing: "1.7.1*,1.8.1.*")
        #expect(!a.isExact && a == b && b == c && a.hashValue == c.hashValue)
    }

    /// test_version_spec_2. Deliberate difference: conda prints this tree as
    /// "1.5|1.6|1.7,1.8,1.9|2.0|2.1", which reads back as a different expression (its "(1.6|1.7)"
    /// group inside "," loses its parentheses); we keep them.
    @Test func nestedSpecPrintsWithNeededParentheses() throws {
        let spec = try CondaVersionSpec(parsing: "( (1.5|((1.6|1.7), 1.8), 1.9 |2.0))|2.1")
        #expect(spec.description == "1.5|(1.6|1.7),1.8,1.9|2.0|2.1")
        let again = try CondaVersionSpec(parsing: spec.description)
        for v in ["1.5", "1.6", "1.8", "1.9", "2.0", "2.1", "1.7", "3.0"] {
            let version = try CondaVersion(parsing: v)
            #expect(spec.matches(version) == again.matches(version), "\(v)")
        }
        #expect(spec.matches(try CondaVersion(parsing: "1.6")) == false)
        #expect(spec.matches(try CondaVersion(parsing: "1.8")) == false)
    }

    @Test func treeifyMatchesConda() throws {
        // conda's treeify docstring examples, rendered.
        #expect(try CondaVersionSpec(parsing: "1.2.3,>4.5.6").description == "1.2.3,>4.5.6")
        #expect(try CondaVersionSpec(parsing: "1.2.3,4.5.6|<=7.8.9").description == "1.2.3,4.5.6|<=7.8.9")
        #expect(try CondaVersionSpec(parsing: "(1.2.3|4.5.6),<=7.8.9").description == "(1.2.3|4.5.6),<=7.8.9")
        #expect(
            try CondaVersionSpec(parsing: "1.5|(1.6|1.7),1.8,1.9|2.0|2.1").description
                == "1.5|(1.6|1.7),1.8,1.9|2.0|2.1")
    }
}
