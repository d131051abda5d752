// PEP 440 specifiers and specifier sets, against pypa/packaging 26.4's tests/test_specifiers.py
// (tables in Vectors/PackagingSpecifierVectors.swift) plus our own traps.
//
// packaging's single `Specifier` and a `SpecifierSet` of one specifier answer `contains` and
// `filter` alike (both defer to the same matching and pre-release rules), so rows written for
// `Specifier` run against a one-item `SpecifierSet` here.
//
// Not ported: `__replace__`, pickling, `&` with mismatched policies, `installed=True` (pip's
// "already installed" override), `is_unsatisfiable` / `is_subset` / `to_range` (the range
// algebra: mlenv's solver works on concrete candidate lists instead).

import Testing

@testable import Specs

func membership(_ row: Membership) throws -> Bool {
    let set = try SpecifierSet(parsing: row.spec, prereleases: row.configured)
    if row.object {
        return set.contains(try PEP440Version(parsing: row.version), prereleases: row.argument)
    }
    let byText = set.contains(versionText: row.version, prereleases: row.argument)
    // The Version form must agree whenever `===` does not look at the spelling.
    if !set.specifiers.contains(where: { $0.op == .arbitrary }), let v = try? PEP440Version(parsing: row.version) {
        #expect(
            set.contains(v, prereleases: row.argument) == byText, "Version form disagrees", sourceLocation: row.location
        )
    }
    return byText
}

@Suite struct PEP440SpecifierTests {
    typealias V = PackagingSpecifierVectors

    @Test(arguments: V.valid + V.validSpellings)
    func valid(_ row: Text) {
        #expect(throws: Never.self, sourceLocation: row.location) { try VersionSpecifier(parsing: row.text) }
    }

    @Test(arguments: V.invalid)
    func invalid(_ row: Text) {
        #expect(throws: SpecError.self, sourceLocation: row.location) { try VersionSpecifier(parsing: row.text) }
    }

    @Test(arguments: V.strings)
    func description(_ row: Pair) throws {
        #expect(try VersionSpecifier(parsing: row.input).description == row.expected, sourceLocation: row.location)
    }

    /// test_comparison_true / test_comparison_false / test_specifiers_hash.
    @Test func eachSpecifierEqualsOnlyItself() throws {
        let specs = try V.specifiers.map { try VersionSpecifier(parsing: $0) }
        for (i, a) in specs.enumerated() {
            for (j, b) in specs.enumerated() {
                #expect((a == b) == (i == j), "\(a) vs \(b)")
            }
            #expect(a.hashValue == (try VersionSpecifier(parsing: V.specifiers[i])).hashValue)
        }
    }

    @Test(arguments: V.canonicallyEqual)
    func canonicallyEqual(_ row: Pair) throws {
        let a = try VersionSpecifier(parsing: row.input)
        let b = try VersionSpecifier(parsing: row.expected)
        #expect(a == b && a.hashValue == b.hashValue, sourceLocation: row.location)
        #expect(
            try SpecifierSet(parsing: row.input) == SpecifierSet(parsing: row.expected), sourceLocation: row.location)
    }

    /// test_specifier_equal_for_compatible_operator: `~=` keeps trailing zeros.
    @Test func compatibleKeepsTrailingZeros() throws {
        #expect(try VersionSpecifier(parsing: "~=1.18.0") != VersionSpecifier(parsing: "~=1.18"))
    }

    @Test(
        arguments: V.contains + V.containsText + V.containsConfigured + V.arbitrary + V.arbitraryNormalization
            + V.containsPolicy)
    func contains(_ row: Membership) throws {
        #expect(try membership(row) == row.expected, sourceLocation: row.location)
    }

    @Test(arguments: V.impliesPrereleases)
    func impliesPrereleases(_ row: OptionalFlag) throws {
        #expect(
            try VersionSpecifier(parsing: row.input).impliesPrereleases == row.expected, sourceLocation: row.location)
    }

    @Test(arguments: V.filter + V.filterArbitraryNormalization)
    func filter(_ row: Filtering) throws {
        let set = try SpecifierSet(parsing: row.spec, prereleases: row.configured)
        #expect(
            set.filter(versionTexts: row.input, prereleases: row.argument) == row.expected, sourceLocation: row.location
        )
    }

    /// `first(n, of:)` is `filter(_:)` cut short: the same answer on every filter row that is
    /// made of valid versions, for every n.
    @Test(arguments: V.filter)
    func firstIsAPrefixOfFilter(_ row: Filtering) throws {
        guard row.argument == nil else { return }
        let set = try SpecifierSet(parsing: row.spec, prereleases: row.configured)
        let versions = row.input.compactMap { PEP440Version.parseOrNil($0) }
        for n in 0...(versions.count + 1) {
            #expect(
                set.first(n, of: versions) == Array(set.filter(versions).prefix(n)), "n = \(n)",
                sourceLocation: row.location)
        }
    }

    /// `admitsUpTo` lets a resolver binary-search where a newest-first walk starts: over
    /// versions sorted newest first it is false, then true (monotone), and true for every
    /// version the set contains (it never skips a match). Every specifier of packaging's rows,
    /// alone and with a lower bound, over versions with epochs, locals, pre, post and dev parts.
    @Test func admitsUpToIsMonotoneAndKeepsEveryMatch() throws {
        let texts = [
            "0.9", "1.0.dev1", "1.0a1", "1.0rc1", "1.0", "1.0+abc", "1.0+abc.5", "1.0.post1", "1.0.post1+x", "1.1",
            "2.0", "2.0.0.1", "2.1", "2.1.0.3", "2.1.1", "2.1.1+local", "2.2.dev0", "2.2", "3.0a1", "3.0", "1!0.5",
            "1!2.0"
        ]
        let versions = try texts.map { try PEP440Version(parsing: $0) }.sorted(by: >)
        for text in V.specifiers {
            guard let single = try? SpecifierSet(parsing: text) else { continue }
            for set in [single, try SpecifierSet(parsing: text + ",>=0.1")] {
                var seenTrue = false
                for v in versions {
                    let admits = set.admitsUpTo(v)
                    #expect(!seenTrue || admits, "\(set) turns false again at \(v)")
                    seenTrue = seenTrue || admits
                    if set.contains(v, prereleases: true) {
                        #expect(admits, "\(set) contains \(v) but says it is above its bounds")
                    }
                    if !set.hasUpperBound { #expect(admits) }
                }
            }
        }
    }

    /// `admitsDownTo` lets a newest-first walk stop at a lower bound: over versions sorted
    /// newest first it is true, then false (monotone), and true for every version the set
    /// contains. The same rows, alone and with an upper bound.
    @Test func admitsDownToIsMonotoneAndKeepsEveryMatch() throws {
        let texts = [
            "0.9", "1.0.dev1", "1.0a1", "1.0rc1", "1.0", "1.0+abc", "1.0+abc.5", "1.0.post1", "1.0.post1+x", "1.1",
            "2.0", "2.0.0.1", "2.1", "2.1.0.3", "2.1.1", "2.1.1+local", "2.2.dev0", "2.2", "3.0a1", "3.0", "1!0.5",
            "1!2.0"
        ]
        let versions = try texts.map { try PEP440Version(parsing: $0) }.sorted(by: >)
        var stopped = 0
        for text in V.specifiers {
            guard let single = try? SpecifierSet(parsing: text) else { continue }
            for set in [single, try SpecifierSet(parsing: text + ",<9")] {
                var seenFalse = false
                for v in versions {
                    let admits = set.admitsDownTo(v)
                    #expect(!seenFalse || !admits, "\(set) turns true again at \(v)")
                    seenFalse = seenFalse || !admits
                    if set.contains(v, prereleases: true) {
                        #expect(admits, "\(set) contains \(v) but says it is below its bounds")
                    }
                }
                if seenFalse { stopped += 1 }
            }
        }
        // The walk does stop somewhere for the lower-bounded rows.
        #expect(stopped > 0)
    }

    @Test(arguments: V.operators)
    func operatorProperty(_ row: Pair) throws {
        #expect(try VersionSpecifier(parsing: row.input).op.rawValue == row.expected, sourceLocation: row.location)
    }

    @Test(arguments: V.versions)
    func versionProperty(_ row: Pair) throws {
        #expect(try VersionSpecifier(parsing: row.input).versionText == row.expected, sourceLocation: row.location)
    }

    /// test_specifier_filter_with_key: our `filter` takes versions, the key is the caller's.
    @Test func filterKeepsPrereleasesOnlyWhenNothingElse() throws {
        let set = try SpecifierSet(parsing: ">=2.0")
        let versions = try ["1.0", "2.1a1"].map { try PEP440Version(parsing: $0) }
        #expect(set.filter(versions).map(\.normalized) == ["2.1a1"])
        #expect(set.filter(versions, prereleases: true).map(\.normalized) == ["2.1a1"])
        #expect(set.filter(versions, prereleases: false).isEmpty)
    }

    // MARK: Our own rows: the traps listed in VersionSpecifier.swift.

    static let ours: [Membership] = [
        Membership("==1.0", "1.0+anything", true),
        Membership("==1.0+x", "1.0+y", false),
        Membership("==1.0+x", "1.0+X", true),
        Membership("<=1.0", "1.0+local", true),
        Membership(">=1.0", "1.0+local", true),
        Membership(">1.7", "1.7.post1", false),
        Membership(">1.7", "1.7+local", false),
        Membership(">1.7", "1.7.1", true),
        Membership(">1.7.post1", "1.7.post2", true),
        Membership(">1.7.post1", "1.7.post1+local", false),
        Membership(">1.7.dev1", "1.7.dev1+local", false),
        Membership(">1.7.dev1", "1.7.dev2", true),
        Membership(">1.0a1", "1.0a1.post1", false),
        Membership(">1.0a1", "1.0a2", true),
        Membership("<1.7", "1.7a1", false),
        Membership("<1.7", "1.7.dev0", false),
        Membership("<1.7a2", "1.7a1", true),
        Membership("<1.7a2", "1.7a2.dev1", true),
        // packaging 26: 1.0a1 < 1.0.post1.dev0 (older packaging said False).
        Membership("<1.0.post1", "1.0a1", true),
        Membership("~=2.2", "2.9", true),
        Membership("~=2.2", "3.0", false),
        Membership("~=2.2", "2.1", false),
        Membership("~=1.4.5a4", "1.4.9", true),
        Membership("~=1.4.5a4", "1.5.0", false),
        Membership("~=1!2.2", "2.5", false),
        Membership("==1.2.*", "1.2", true),
        Membership("==1.2.*", "1.2.0.0a1", true),
        Membership("==1.2.*", "1.20", false),
        Membership("==1.2.0.*", "1.2", true),
        Membership("==1.*", "1!1.0", false),
        Membership("!=1.2.*", "1.3", true),
        Membership("===1.0", "1.0.0", false),
        Membership("===Foo", "foo", true),
        Membership(">=1.0", "1.99999999999999999999", true),
        Membership("<1.99999999999999999999", "1.99999999999999999998", true),
        Membership(">=2.0", "2.1a1", true),  // a single pre-release is admitted (packaging 26)
        Membership(">=2.0", "2.1a1", false, argument: false),
        Membership(">=2.0", "2.1a1", false, configured: false),
        Membership(">=2.0", "not a version", false),
        Membership("", "not a version", true)
    ]

    @Test(arguments: ours)
    func ourRows(_ row: Membership) throws {
        #expect(try membership(row) == row.expected, sourceLocation: row.location)
    }

    static let oursInvalid: [Text] = [
        Text("~=1"), Text(">=1.0.*"), Text("<1.0+local"), Text("==1.0a1.*"), Text("=== foo bar"), Text("==="),
        Text("= 1.0"),
        Text("=>1.0"), Text(">= 1.0 1"), Text("~=1.0+x"), Text("==\u{0661}"), Text("")
    ]

    @Test(arguments: oursInvalid)
    func ourInvalidRows(_ row: Text) {
        #expect(throws: SpecError.self, sourceLocation: row.location) { try VersionSpecifier(parsing: row.text) }
    }
}

@Suite struct PEP440SpecifierSetTests {
    typealias V = PackagingSpecifierVectors

    @Test(arguments: V.setInvalid)
    func invalid(_ row: Text) {
        #expect(throws: SpecError.self, sourceLocation: row.location) { try SpecifierSet(parsing: row.text) }
    }

    /// test_empty_specifier: the empty set (prereleases=True) holds every version.
    @Test(arguments: PackagingVersionVectors.sorted)
    func emptySetHoldsEverything(_ row: Text) throws {
        let set = SpecifierSet(prereleases: true)
        #expect(set.contains(versionText: row.text), sourceLocation: row.location)
        #expect(set.contains(try PEP440Version(parsing: row.text)), sourceLocation: row.location)
    }

    /// test_specifier_contains_prereleases.
    @Test func emptySetPrereleasePolicy() {
        #expect(SpecifierSet().prereleases == nil)
        #expect(SpecifierSet().contains(versionText: "1.0.dev1"))
        #expect(SpecifierSet().contains(versionText: "1.0.dev1", prereleases: true))
        #expect(SpecifierSet(prereleases: true).contains(versionText: "1.0.dev1"))
        #expect(!SpecifierSet(prereleases: true).contains(versionText: "1.0.dev1", prereleases: false))
    }

    @Test(arguments: V.setEmptyArbitrary + V.setEmptyOrdering + V.setFilter + V.setFilterBridges)
    func filter(_ row: Filtering) throws {
        let set = try SpecifierSet(parsing: row.spec, prereleases: row.configured)
        #expect(
            set.filter(versionTexts: row.input, prereleases: row.argument) == row.expected, sourceLocation: row.location
        )
        if row.spec.isEmpty { #expect(set.contains(versionText: "foobar"), sourceLocation: row.location) }
    }

    @Test(
        arguments: V.setContainsConfigured + V.setContainsPolicy + V.setContainsBridges + V.setContainsInvalid
            + V.setContainsPostBoundary + V.setArbitrary + V.setArbitraryNormalization + V.setIgnoresLocal)
    func contains(_ row: Membership) throws {
        #expect(try membership(row) == row.expected, sourceLocation: row.location)
    }

    @Test(arguments: V.setStrings)
    func description(_ row: Pair) throws {
        #expect(try SpecifierSet(parsing: row.input).description == row.expected, sourceLocation: row.location)
    }

    @Test(arguments: V.setCombined)
    func combined(_ row: Pair) throws {
        #expect(
            try SpecifierSet(parsing: row.input) == SpecifierSet(parsing: row.expected), sourceLocation: row.location)
    }

    @Test(arguments: V.lengths)
    func length(_ row: Pair) throws {
        #expect(
            try SpecifierSet(parsing: row.input).specifiers.count == Int(row.expected), sourceLocation: row.location)
    }

    @Test(arguments: V.iteration)
    func iteration(_ row: Pair) throws {
        let items = try SpecifierSet(parsing: row.input).specifiers.map(\.description).sorted().joined(separator: ",")
        #expect(items == row.expected, sourceLocation: row.location)
    }

    /// test_comparison_true / test_comparison_false for sets, test_specifiers_hash.
    @Test func eachSetEqualsOnlyItself() throws {
        let sets = try V.specifiers.map { try SpecifierSet(parsing: $0) }
        for (i, a) in sets.enumerated() {
            for (j, b) in sets.enumerated() { #expect((a == b) == (i == j)) }
        }
        for text in V.specifiers + V.legacySpecifiers {
            #expect(try SpecifierSet(parsing: text).hashValue == SpecifierSet(parsing: text).hashValue)
        }
    }

    /// test_contains_with_compatible_operator.
    @Test func compatibleCombination() throws {
        let set = try SpecifierSet(parsing: "~=1.18.0,~=1.18")
        #expect(!set.contains(versionText: "1.19.5"))
        #expect(set.contains(versionText: "1.18.0"))
    }

    /// test_arbitrary_equality_is_intersection_preserving: filtering by both equals the
    /// intersection of filtering by each.
    @Test func arbitraryEqualityIntersects() throws {
        let cases: [(String, String, [String])] = [
            ("===1.0", "===1.0.0", ["1.0", "1.0.0"]), ("===1.0.0", "===1.0", ["1.0.0", "1.0"]),
            ("===1.0", "===1.0+local", ["1.0", "1.0+local"]), ("===1.0+local", "===1.0", ["1.0+local", "1.0"])
        ]
        for (a, b, versions) in cases {
            let both = try SpecifierSet(parsing: a + "," + b).filter(versionTexts: versions)
            let left = Set(try SpecifierSet(parsing: a).filter(versionTexts: versions))
            let right = Set(try SpecifierSet(parsing: b).filter(versionTexts: versions))
            #expect(Set(both) == left.intersection(right), "\(a) \(b)")
        }
    }

    /// test_filter_multirange_pep440_prerelease_after_final.
    @Test func prereleaseAfterFinalIsDropped() throws {
        let set = try SpecifierSet(parsing: "!=1.5")
        #expect(set.filter(versionTexts: ["1.0", "2.0a1"]) == ["1.0"])
        #expect(set.filter(versionTexts: ["2.0a1", "1.0"]) == ["1.0"])
    }

    // MARK: Ours

    @Test func emptyItemsAreSkipped() throws {
        #expect(try SpecifierSet(parsing: " , ,").isEmpty)
        #expect(try SpecifierSet(parsing: ">=1.0,,<2").specifiers.count == 2)
    }

    @Test func descriptionSortsAndDeduplicatesByMeaning() throws {
        #expect(try SpecifierSet(parsing: ">=1.0, ==1.0.0 ,>=01.0").description == "==1.0.0,>=01.0")
        #expect(try SpecifierSet(parsing: ">=1.0,!=1.3").description == "!=1.3,>=1.0")
    }

    @Test func filterOfVersions() throws {
        let versions = try ["1.0", "1.5a1", "2.0", "2.5rc1"].map { try PEP440Version(parsing: $0) }
        #expect(try SpecifierSet(parsing: ">=1.0").filter(versions).map(\.normalized) == ["1.0", "2.0"])
        #expect(try SpecifierSet(parsing: ">=2.1").filter(versions).map(\.normalized) == ["2.5rc1"])
        #expect(try SpecifierSet(parsing: ">=1.0a1").filter(versions).count == 4)
        #expect(try SpecifierSet(parsing: ">=1.0").filter(versions, prereleases: true).count == 4)
        #expect(try SpecifierSet(parsing: ">=2.1").filter(versions, prereleases: false).isEmpty)
    }

    @Test func errorsNameTheItem() {
        do {
            _ = try SpecifierSet(parsing: ">=1.0, =>2")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasPrefix("Invalid specifier: '=>2'"))
            #expect(error.offset == 7)
        }
    }
}
