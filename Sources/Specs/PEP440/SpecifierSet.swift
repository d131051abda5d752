// A comma-separated set of PEP 440 specifiers (">=1.0,!=1.3.*,<2"); a version must satisfy all.
//
// Traps (packaging 26.4; rows in PEP440SpecifierSetTests):
// - "" is the empty set and matches every version; so does ", ," (empty items are skipped).
// - Pre-releases, packaging 26 rules:
//   * `contains(v)` with prereleases=nil admits a pre-release that is in range: a single
//     version has no alternative. packaging < 26 (pip < 25.1) rejected it unless a specifier
//     named a pre-release (`>=1.0a1`). Only prereleases=false rejects.
//   * `filter(vs)` with prereleases=nil keeps pre-releases only when nothing else matches,
//     or when some specifier names a pre-release (then all matches are kept).
//   * `!=1.0a1` and `==1.*` never count as naming a pre-release.
// - `===` compares the candidate's text: `contains(versionText:)` sees "1.0.0" as written,
//   `contains(_ version:)` sees its normalised form.
// - `description` sorts the specifiers by their text and drops duplicates (by meaning), as
//   packaging's `str(SpecifierSet)` does: ">=1.0,!=1.3" prints "!=1.3,>=1.0".

public struct SpecifierSet: Hashable, Sendable, CustomStringConvertible {
    /// The specifiers in the order written.
    public let specifiers: [VersionSpecifier]
    /// An explicit pre-release policy for this set (packaging's `prereleases=` constructor
    /// argument); nil follows PEP 440. Not part of equality.
    public let prereleases: Bool?
    /// What equality and hashing compare (`canonicalSet`), worked out once: a solve hashes
    /// the same sets thousands of times (requirements noted, walks and admitted wheels kept
    /// by specifier).
    private let canonicalTexts: [String]

    public init(_ specifiers: [VersionSpecifier] = [], prereleases: Bool? = nil) {
        self.specifiers = specifiers
        self.prereleases = prereleases
        canonicalTexts = Self.canonicalSet(of: specifiers)
    }

    /// Parses "spec, spec, ...". Whitespace around items is ignored; empty items are skipped.
    public init(parsing text: String, prereleases: Bool? = nil) throws(SpecError) {
        self.init(try text.withBytes { b in Self.parse(b, 0, b.count, text: text) }, prereleases: prereleases)
    }

    static func parse(_ b: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int, text: String) -> Result<
        [VersionSpecifier], SpecError
    > {
        var result: [VersionSpecifier] = []
        var start = lo
        var i = lo
        while true {
            if i == hi || b[i] == 0x2C {
                let (slo, shi) = UTF8Scan.strip(b, start, i)
                if slo < shi {
                    switch VersionSpecifier.parse(b, slo, shi, text: text) {
                    case .success(let s): result.append(s)
                    case .failure(let e): return .failure(e)
                    }
                }
                if i == hi { break }
                start = i + 1
            }
            i += 1
        }
        return .success(result)
    }

    public var isEmpty: Bool { specifiers.isEmpty }

    /// Whether the set holds a `===` specifier, which compares the candidate's text: then a
    /// candidate that is not a valid version can still match (`contains(versionText:)`).
    public var comparesText: Bool { specifiers.contains { $0.op == .arbitrary } }

    /// packaging's `SpecifierSet.prereleases` when not set explicitly: true when any
    /// specifier names a pre-release, else nil ("follow PEP 440's default").
    public var impliesPrereleases: Bool? {
        specifiers.contains { $0.impliesPrereleases == true } ? true : nil
    }

    /// False when `version` and every newer version are outside the set by an upper bound
    /// (`<`, `<=`, `==`): monotone over versions newest first, so that a walk over thousands
    /// of releases can binary-search its start past the ones the set excludes.
    public func admitsUpTo(_ version: PEP440Version) -> Bool {
        specifiers.allSatisfy { $0.admitsUpTo(version) }
    }

    /// False when `version` and every older version are outside the set by a lower bound
    /// (`>=`, `>`, `~=`, `==`): a newest-first walk can stop there instead of reading every
    /// older release (a `botocore>=1.19.5,<1.20.0` among 2,300 releases).
    public func admitsDownTo(_ version: PEP440Version) -> Bool {
        specifiers.allSatisfy { $0.admitsDownTo(version) }
    }

    /// Whether some specifier bounds the set from above (`admitsUpTo` can say false).
    public var hasUpperBound: Bool {
        specifiers.contains { s in s.op == .lessThan || s.op == .lessThanOrEqual || (s.op == .equal && !s.isWildcard) }
    }

    /// packaging's `SpecifierSet.prereleases`: the explicit policy, else true when a specifier
    /// names a pre-release, else nil.
    public var effectivePrereleases: Bool? { prereleases ?? impliesPrereleases }

    /// Whether `version` satisfies every specifier. Pre-releases are rejected only when
    /// `prereleases` (or the set's own policy) is false (packaging 26; see the header for
    /// older behaviour).
    public func contains(_ version: PEP440Version, prereleases: Bool? = nil) -> Bool {
        if (prereleases ?? self.prereleases) == false && version.isPrerelease { return false }
        for s in specifiers {
            if s.op == .arbitrary {
                if !s.matchesArbitrary(version.normalized) { return false }
            } else if !s.matches(version) {
                return false
            }
        }
        return true
    }

    /// Like packaging's `SpecifierSet.contains(str)`: `===` sees the text as written; any other
    /// specifier needs a valid version. An invalid version is only in sets made of `===`
    /// specifiers that all match it (and in the empty set).
    public func contains(versionText text: String, prereleases: Bool? = nil) -> Bool {
        guard let parsed = PEP440Version.parseOrNil(text) else {
            return specifiers.allSatisfy { $0.op == .arbitrary && $0.matchesArbitrary(text) }
        }
        if (prereleases ?? self.prereleases) == false && parsed.isPrerelease { return false }
        for s in specifiers {
            if s.op == .arbitrary {
                if !s.matchesArbitrary(text) { return false }
            } else if !s.matches(parsed) {
                return false
            }
        }
        return true
    }

    /// The versions that satisfy the set, in input order, with packaging's pre-release rules:
    /// `true` keeps matching pre-releases, `false` drops them, `nil` keeps them only if some
    /// specifier names a pre-release or no final release matches.
    public func filter<S: Sequence>(_ versions: S, prereleases: Bool? = nil) -> [PEP440Version]
    where S.Element == PEP440Version {
        let matching = versions.filter { contains($0, prereleases: true) }
        switch prereleases ?? effectivePrereleases {
        case true?: return matching
        case false?: return matching.filter { !$0.isPrerelease }
        case nil:
            let finals = matching.filter { !$0.isPrerelease }
            return finals.isEmpty ? matching : finals
        }
    }

    /// `Array(filter(versions).prefix(limit))`, matching only as many versions as it takes:
    /// a resolver asks for the newest few releases of a long, newest-first list.
    public func first<S: Sequence>(_ limit: Int, of versions: S) -> [PEP440Version] where S.Element == PEP440Version {
        var iterator = versions.makeIterator()
        return first(limit) { iterator.next() }
    }

    /// `first(_:of:)` over versions produced one at a time by `next` (nil at the end), so
    /// that a caller can work each one out only when it is needed.
    public func first(_ limit: Int, from next: () -> PEP440Version?) -> [PEP440Version] {
        guard limit > 0 else { return [] }
        let policy = effectivePrereleases
        var finals: [PEP440Version] = []
        var any: [PEP440Version] = []
        while let v = next() {
            guard contains(v, prereleases: true) else { continue }
            if !v.isPrerelease {
                finals.append(v)
                if finals.count == limit && policy != true { return finals }
            }
            if any.count < limit {
                any.append(v)
                if any.count == limit && policy == true { return any }
            }
        }
        switch policy {
        case true?: return any
        case false?: return finals
        case nil: return finals.isEmpty ? any : finals
        }
    }

    /// packaging's `SpecifierSet.filter` over strings: like `filter(_:)`, but `===` sees the
    /// text as written, and a string that is not a version is kept when `===` specifiers
    /// accept it (or the set is empty) and never counts as a pre-release.
    public func filter(versionTexts: [String], prereleases: Bool? = nil) -> [String] {
        let policy = prereleases ?? effectivePrereleases
        let hasArbitrary = specifiers.contains { $0.op == .arbitrary }
        var parsed: [(String, PEP440Version?)] = []
        for text in versionTexts {
            let v = PEP440Version.parseOrNil(text)
            if !specifiers.isEmpty && !hasArbitrary && v == nil { continue }
            guard contains(versionText: text, prereleases: true) else { continue }
            parsed.append((text, v))
        }
        switch policy {
        case true?: return parsed.map(\.0)
        case false?: return parsed.filter { !($0.1?.isPrerelease ?? false) }.map(\.0)
        case nil:
            // packaging's `_pep440_filter_prereleases`: strings that are not versions wait for
            // the first final release (or the end) and then come out in order.
            var out: [String] = []
            var waiting: [String] = []
            var nonFinal: [String] = []
            var foundFinal = false
            for (text, v) in parsed {
                guard let v else {
                    if foundFinal {
                        out.append(text)
                    } else {
                        waiting.append(text)
                        nonFinal.append(text)
                    }
                    continue
                }
                if !v.isPrerelease {
                    if !foundFinal {
                        out += waiting
                        foundFinal = true
                    }
                    out.append(text)
                } else if !foundFinal {
                    nonFinal.append(text)
                }
            }
            return foundFinal ? out : nonFinal
        }
    }

    /// Specifiers sorted by their text, duplicates (by meaning) dropped: packaging's
    /// `_canonical_specs`.
    public var canonicalSpecifiers: [VersionSpecifier] {
        if specifiers.count < 2 { return specifiers }
        let sorted = specifiers.sorted {
            $0.description.unicodeScalars.lexicographicallyPrecedes($1.description.unicodeScalars)
        }
        var seen = Set<[UInt8]>()
        var out: [VersionSpecifier] = []
        for s in sorted where seen.insert(Array(s.canonical.utf8)).inserted { out.append(s) }
        return out
    }

    public var description: String {
        specifiers.count == 1
            ? specifiers[0].description : canonicalSpecifiers.map(\.description).joined(separator: ",")
    }

    // Equality is by meaning and ignores order and duplicates. (packaging compares the
    // text-sorted lists; the two agree except for sets whose text order differs from their
    // canonical order, where packaging's answer depends on spelling.)
    public static func == (lhs: SpecifierSet, rhs: SpecifierSet) -> Bool {
        let a = lhs.canonicalTexts
        let b = rhs.canonicalTexts
        return a.count == b.count && zip(a, b).allSatisfy { $0.utf8.elementsEqual($1.utf8) }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(canonicalTexts)
    }

    /// The canonical texts, sorted and without duplicates: equal exactly for sets of the same
    /// meaning. (An array, not a Set: this is hashed for every requirement a solve notes.)
    private static func canonicalSet(of specifiers: [VersionSpecifier]) -> [String] {
        if specifiers.count < 2 { return specifiers.map(\.canonical) }
        var texts = specifiers.map(\.canonical)
        texts.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var out: [String] = []
        for t in texts where out.last.map({ !$0.utf8.elementsEqual(t.utf8) }) ?? true { out.append(t) }
        return out
    }
}

extension SpecifierSet {
    /// Why a version is not in the set, as data (for "why not" messages and solver hints).
    public enum Mismatch: Hashable, Sendable, CustomStringConvertible {
        /// The version is a pre-release and the policy excludes pre-releases.
        case prereleaseExcluded
        /// This specifier rejects the version.
        case specifier(VersionSpecifier)
        /// The text is not a PEP 440 version, so only `===` could have matched it.
        case notAVersion

        public var description: String {
            switch self {
            case .prereleaseExcluded: return "pre-releases are excluded (prereleases=false)"
            case .specifier(let s): return "it does not satisfy \(s)"
            case .notAVersion: return "it is not a valid PEP 440 version"
            }
        }
    }

    /// Every reason `contains(versionText:prereleases:)` is false; empty when it is true.
    public func mismatches(versionText text: String, prereleases: Bool? = nil) -> [Mismatch] {
        guard let parsed = PEP440Version.parseOrNil(text) else {
            if contains(versionText: text, prereleases: prereleases) { return [] }
            let failing = specifiers.filter { !($0.op == .arbitrary && $0.matchesArbitrary(text)) }
            return [.notAVersion] + failing.filter { $0.op == .arbitrary }.map { .specifier($0) }
        }
        var out: [Mismatch] = []
        if (prereleases ?? self.prereleases) == false && parsed.isPrerelease { out.append(.prereleaseExcluded) }
        for s in specifiers {
            let ok = s.op == .arbitrary ? s.matchesArbitrary(text) : s.matches(parsed)
            if !ok { out.append(.specifier(s)) }
        }
        return out
    }
}
