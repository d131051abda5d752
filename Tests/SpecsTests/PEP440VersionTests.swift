// PEP 440 versions, against pypa/packaging 26.4's tests/test_version.py (tables in
// Vectors/PackagingVersionVectors.swift) plus our own traps.

import Testing

@testable import Specs

@Suite struct PEP440VersionTests {
    typealias V = PackagingVersionVectors

    static let sorted: [(PEP440Version, Text)] = V.sorted.map { (try! PEP440Version(parsing: $0.text), $0) }

    @Test("VERSIONS parse", arguments: V.sorted)
    func parses(_ row: Text) {
        #expect(throws: Never.self, sourceLocation: row.location) { try PEP440Version(parsing: row.text) }
    }

    /// test_comparison_true / test_comparison_false: every pair of the sorted list, with all six
    /// operators; and equal versions hash alike (test_version_hash).
    @Test("VERSIONS are in order", arguments: 0..<V.sorted.count)
    func ordering(_ i: Int) {
        let (a, row) = Self.sorted[i]
        for (j, (b, other)) in Self.sorted.enumerated() {
            let message: Comment = "\(row.text) vs \(other.text)"
            #expect((a < b) == (i < j), message, sourceLocation: row.location)
            #expect((a <= b) == (i <= j), message, sourceLocation: row.location)
            #expect((a == b) == (i == j), message, sourceLocation: row.location)
            #expect((a != b) == (i != j), message, sourceLocation: row.location)
            #expect((a >= b) == (i >= j), message, sourceLocation: row.location)
            #expect((a > b) == (i > j), message, sourceLocation: row.location)
        }
        #expect(a.hashValue == (try! PEP440Version(parsing: row.text)).hashValue, sourceLocation: row.location)
    }

    @Test(arguments: V.invalid)
    func invalid(_ row: Text) {
        #expect(throws: SpecError.self, sourceLocation: row.location) { try PEP440Version(parsing: row.text) }
    }

    /// Deliberate difference: Python refuses integers of more than 4300 digits (a CPython
    /// denial-of-service guard, `sys.set_int_max_str_digits`); we have no such limit and compare
    /// them exactly.
    @Test(arguments: V.oversized)
    func oversizedComponentsAreAccepted(_ row: Text) throws {
        let v = try PEP440Version(parsing: row.text)
        #expect(v.normalized == row.text, sourceLocation: row.location)
    }

    @Test(arguments: V.normalized + V.strings)
    func normalized(_ row: Pair) throws {
        let v = try PEP440Version(parsing: row.input)
        #expect(v.normalized == row.expected, sourceLocation: row.location)
        #expect(v.description == row.expected, sourceLocation: row.location)
    }

    @Test func rcAndCAreEqual() throws {
        #expect(try PEP440Version(parsing: "1.0rc1") == PEP440Version(parsing: "1.0c1"))
    }

    @Test(arguments: V.publicVersions)
    func publicVersion(_ row: Pair) throws {
        #expect(
            try PEP440Version(parsing: row.input).publicVersion.normalized == row.expected, sourceLocation: row.location
        )
    }

    @Test(arguments: V.baseVersions)
    func baseVersion(_ row: Pair) throws {
        #expect(
            try PEP440Version(parsing: row.input).baseVersion.normalized == row.expected, sourceLocation: row.location)
    }

    @Test(arguments: V.epochs)
    func epoch(_ row: Pair) throws {
        #expect(try PEP440Version(parsing: row.input).epoch.description == row.expected, sourceLocation: row.location)
    }

    @Test(arguments: V.releases)
    func release(_ row: Pair) throws {
        let release = try PEP440Version(parsing: row.input).release.map(\.description).joined(separator: ".")
        #expect(release == row.expected, sourceLocation: row.location)
    }

    @Test(arguments: V.locals)
    func local(_ row: OptionalPair) throws {
        #expect(try PEP440Version(parsing: row.input).local == row.expected, sourceLocation: row.location)
    }

    @Test(arguments: V.pres)
    func pre(_ row: OptionalPair) throws {
        let pre = try PEP440Version(parsing: row.input).pre.map { "\($0.kind)\($0.number)" }
        #expect(pre == row.expected, sourceLocation: row.location)
    }

    @Test(arguments: V.devs)
    func dev(_ row: OptionalPair) throws {
        #expect(try PEP440Version(parsing: row.input).dev?.description == row.expected, sourceLocation: row.location)
    }

    @Test(arguments: V.posts)
    func post(_ row: OptionalPair) throws {
        #expect(try PEP440Version(parsing: row.input).post?.description == row.expected, sourceLocation: row.location)
    }

    @Test(arguments: V.isPrerelease)
    func isPrerelease(_ row: Flag) throws {
        #expect(try PEP440Version(parsing: row.input).isPrerelease == row.expected, sourceLocation: row.location)
    }

    @Test(arguments: V.isDevrelease)
    func isDevRelease(_ row: Flag) throws {
        #expect(try PEP440Version(parsing: row.input).isDevRelease == row.expected, sourceLocation: row.location)
    }

    @Test(arguments: V.isPostrelease)
    func isPostRelease(_ row: Flag) throws {
        #expect(try PEP440Version(parsing: row.input).isPostRelease == row.expected, sourceLocation: row.location)
    }

    /// test_major_version / test_minor_version / test_micro_version.
    @Test func majorMinorMicro() throws {
        let v = try PEP440Version(parsing: "1.2.3")
        #expect(v.major == 1 && v.minor == 2 && v.micro == 3)
        let short = try PEP440Version(parsing: "1")
        #expect(short.minor == 0 && short.micro == 0)
    }

    // MARK: Our own rows: the traps listed in Version.swift and VersionParser.swift.

    static let ordered: [Pair] = [
        Pair("1.0", "1.0.0"),  // trailing zeros (equal)
        Pair("1.0.dev0", "1.0a0"),
        Pair("1.0a1.dev1", "1.0a1"),
        Pair("1.0.post1.dev1", "1.0.post1"),
        Pair("1.0+x", "1.0.post0"),
        Pair("1.2+abc", "1.2+0"),
        Pair("1.2+9", "1.2+10"),
        Pair("1.2+abc", "1.2+abc.1"),
        Pair("2.0", "1!0.1"),
        Pair("1.99999999999999999998", "1.99999999999999999999"),
        Pair("18446744073709551615", "18446744073709551616"),
        Pair("1.9", "1.00000000000000000000000000010")
    ]

    @Test(arguments: ordered)
    func ourOrderingRows(_ row: Pair) throws {
        let a = try PEP440Version(parsing: row.input)
        let b = try PEP440Version(parsing: row.expected)
        if row.input == "1.0" {
            #expect(a == b && a.hashValue == b.hashValue, sourceLocation: row.location)
        } else {
            #expect(a < b && b > a && a != b, sourceLocation: row.location)
        }
    }

    static let spellings: [Pair] = [
        Pair("1.0a-", "1.0a0"),  // possessive separator: the "-" belongs to the pre-release
        Pair("1.0.post.", "1.0.post0"),
        Pair("1.0-1", "1.0.post1"),
        Pair("V1.0", "1.0"),
        Pair("1.0+AbC.01", "1.0+abc.1"),
        Pair("007!01.02", "7!1.2"),
        Pair("1.0preview2", "1.0rc2"),
        Pair("1.0alpha", "1.0a0"),
        Pair("1.0-r5", "1.0.post5"),
        Pair("\u{202F}1.0\t\u{2029}\n ", "1.0"),
        Pair("1.99999999999999999999", "1.99999999999999999999"),
        Pair("0000000000000000000000000001.0", "1.0")
    ]

    @Test(arguments: spellings)
    func ourSpellingRows(_ row: Pair) throws {
        #expect(try PEP440Version(parsing: row.input).normalized == row.expected, sourceLocation: row.location)
    }

    static let rejected: [Text] = [
        Text(""), Text("   "), Text("1.0_1"), Text("1.0+"), Text("1.0+a..b"), Text("v"), Text("1!"),
        Text("1.0.*"), Text("1.0a1a1"), Text("1.0.post1.post2"), Text("1!2!3"), Text("\u{0661}.0"),
        Text("1.0+\u{0130}"),
        Text("1.0\u{0}"), Text("1.0 a1")
    ]

    @Test(arguments: rejected)
    func ourRejectedRows(_ row: Text) {
        #expect(throws: SpecError.self, sourceLocation: row.location) { try PEP440Version(parsing: row.text) }
    }

    @Test func errorsPointAtTheProblem() {
        do {
            _ = try PEP440Version(parsing: "1.0+a+")
            Issue.record("expected an error")
        } catch {
            #expect(error.offset == 5)
            #expect(error.message.hasPrefix("Invalid version: '1.0+a+'"))
            #expect(error.description.hasSuffix("\n    1.0+a+\n         ~^"))
        }
    }

    /// Round trip: the normalised spelling parses back to an equal version with the same
    /// spelling (every table input).
    @Test(arguments: V.sorted + V.normalized.map { Text($0.input, location: $0.location) })
    func roundTrip(_ row: Text) throws {
        let v = try PEP440Version(parsing: row.text)
        let again = try PEP440Version(parsing: v.normalized)
        #expect(again == v && again.normalized == v.normalized, sourceLocation: row.location)
    }
}
