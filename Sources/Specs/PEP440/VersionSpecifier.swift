// One PEP 440 version specifier ("~=2.2", "==1.0.*", "!=1.5+local", "===foobar").
//
// Traps (packaging 26.4 semantics; rows in PEP440SpecifierTests):
// - `==1.0` matches 1.0+anything; `==1.0+x` matches only 1.0+x. `<=` likewise ignores the
//   candidate's local label; `>=` compares it (1.0+x >= 1.0).
// - `>1.7` excludes 1.7.post1 and 1.7+local (the "post family" of 1.7) unless the specifier
//   itself names a post or dev release; `<1.7` excludes 1.7 pre-releases (1.7a1, 1.7.dev0)
//   unless the specifier is itself a pre-release.
//   Older packaging (< 26, vendored in pip < 25) also excluded 1.0a1 from `<1.0.post1`;
//   26.x admits it because 1.0a1 < 1.0.post1.dev0.
// - `~=2.2` is `>=2.2, ==2.*`; `~=1.4.5a4` is `>=1.4.5a4, ==1.4.*`. It needs two release
//   components and takes no local label.
// - `==1.2.*` / `!=1.2.*`: prefix match on the zero-padded release (1.2 matches ==1.2.0.*),
//   epoch must agree; no pre/post/dev/local before ".*".
// - `===` compares strings case-insensitively, and never parses them.
// - Pre-release policy lives in `contains(_:prereleases:)`: packaging 26 admits a pre-release
//   when asked about it alone (prereleases=nil); older packaging rejected it unless the
//   specifier named a pre-release. Only an explicit `false` rejects.
// - Equality ignores spelling: "==1.2.3" == "== 1.2.3.0" (trailing zeros dropped, except for
//   `~=` where they carry meaning). `===` and wildcards compare as written.

public struct VersionSpecifier: Hashable, Sendable, CustomStringConvertible {
    public enum Operator: String, CaseIterable, Sendable {
        case compatible = "~="
        case equal = "=="
        case notEqual = "!="
        case lessThanOrEqual = "<="
        case greaterThanOrEqual = ">="
        case lessThan = "<"
        case greaterThan = ">"
        case arbitrary = "==="
    }

    public let op: Operator
    /// The version as written after the operator, without surrounding whitespace
    /// (packaging's `Specifier.version`), including any ".*".
    public let versionText: String
    /// The parsed version (the base before ".*" for wildcards); nil only for `===` with text
    /// that is not a PEP 440 version.
    public let version: PEP440Version?
    /// `==X.*` or `!=X.*`.
    public let isWildcard: Bool
    /// The `<V` upper bound: V itself for pre-releases, else V.dev0.
    private let lessThanBound: PEP440Version?

    /// False when `v` sorts above every version this specifier matches, so that all newer
    /// versions are excluded too (monotone over a newest-first list): `<V`, `<=V` and `==V`
    /// (not wildcards) bound matches from above; other operators never say false.
    func admitsUpTo(_ v: PEP440Version) -> Bool {
        guard let s = version else { return true }
        switch op {
        case .lessThan: return lessThanBound.map { v.compare(to: $0) < 0 } ?? false
        case .lessThanOrEqual: return v.compare(to: s, ignoringLocal: true) <= 0
        case .equal where !isWildcard:
            return s.localSegments != nil ? v.compare(to: s) <= 0 : v.compare(to: s, ignoringLocal: true) <= 0
        default: return true
        }
    }

    /// False when `v` sorts below every version this specifier matches, so that all older
    /// versions are excluded too (monotone over a newest-first list): `>=V`, `>V`, `~=V` and
    /// `==V` (not wildcards) bound matches from below; other operators never say false.
    func admitsDownTo(_ v: PEP440Version) -> Bool {
        guard let s = version else { return true }
        switch op {
        case .greaterThanOrEqual, .compatible: return v.compare(to: s) >= 0
        case .greaterThan: return v.compare(to: s) > 0
        case .equal where !isWildcard: return v.compare(to: s, ignoringLocal: true) >= 0
        default: return true
        }
    }

    public init(parsing text: String) throws(SpecError) {
        self = try text.withBytes { b in
            let (lo, hi) = UTF8Scan.strip(b, 0, b.count)
            return Self.parse(b, lo, hi, text: text)
        }
    }

    init(op: Operator, versionText: String, parts: PEP440Parts?) {
        self.op = op
        self.versionText = versionText
        self.isWildcard = parts?.isWildcard ?? false
        let version = parts?.version ?? (op == .arbitrary ? PEP440Version.parseOrNil(versionText) : nil)
        self.version = version
        if op == .lessThan, let v = version {
            lessThanBound =
                v.isPrerelease ? v : PEP440Version(epoch: v.epoch, release: v.release, pre: v.pre, post: v.post, dev: 0)
        } else {
            lessThanBound = nil
        }
    }

    /// Parses `b[lo..<hi]` (already stripped) as exactly one specifier.
    static func parse(_ b: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int, text: String) -> Result<
        VersionSpecifier, SpecError
    > {
        // packaging's wording ("Invalid specifier: '=>2.0'"), then what is wrong.
        func fail(_ message: String, _ at: Int, _ length: Int = 1) -> Result<VersionSpecifier, SpecError> {
            let item = pythonRepr(UTF8Scan.string(b, lo, hi))
            return .failure(
                SpecError(
                    message: "Invalid specifier: \(item) (\(message))", input: text, byteOffset: at, byteLength: length)
            )
        }
        guard lo < hi else { return fail("empty specifier", lo, 0) }
        switch scan(b, lo, hi) {
        case .failure(let f):
            return fail(f.message, f.position)
        case .success(let s):
            if s.end != hi {
                let problem: String
                if s.op == .arbitrary {
                    problem = "whitespace, ';' and ')' are not allowed in an arbitrary version"
                } else {
                    problem = PEP440Scanner.trailingProblem(
                        b, at: s.end, hi, allowLocal: s.op == .equal || s.op == .notEqual)
                }
                return fail(problem, s.end)
            }
            let (vlo, vhi) = UTF8Scan.strip(b, s.opEnd, hi)
            return .success(VersionSpecifier(op: s.op, versionText: UTF8Scan.string(b, vlo, vhi), parts: s.parts))
        }
    }

    struct Scan {
        var op: Operator
        var opEnd: Int
        var parts: PEP440Parts?
        var end: Int
    }

    /// Matches packaging's specifier regex at `lo` (like `re.match`, not anchored at the end).
    static func scan(_ b: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) -> Result<Scan, PEP440Scanner.Failure> {
        func at(_ i: Int) -> UInt8 { i < hi ? b[i] : 0 }
        let op: Operator
        switch (at(lo), at(lo + 1), at(lo + 2)) {
        case (0x3D, 0x3D, 0x3D): op = .arbitrary
        case (0x7E, 0x3D, _): op = .compatible
        case (0x3D, 0x3D, _): op = .equal
        case (0x21, 0x3D, _): op = .notEqual
        case (0x3C, 0x3D, _): op = .lessThanOrEqual
        case (0x3E, 0x3D, _): op = .greaterThanOrEqual
        case (0x3C, _, _): op = .lessThan
        case (0x3E, _, _): op = .greaterThan
        default:
            return .failure(.init(position: lo, message: "expected an operator (~=, ==, !=, <=, >=, <, >, ===)"))
        }
        let opEnd = lo + op.rawValue.utf8.count
        let vstart = UTF8Scan.skipWhitespace(b, opEnd, hi)
        if op == .arbitrary {
            var k = vstart
            while k < hi {
                let (s, n) = UTF8Scan.scalar(b, at: k, end: hi)
                if PythonText.isWhitespace(s) || s == ";" || s == ")" { break }
                k += n
            }
            guard k > vstart else {
                return .failure(.init(position: vstart, message: "expected a version after '==='"))
            }
            return .success(Scan(op: op, opEnd: opEnd, parts: nil, end: k))
        }
        let equality = op == .equal || op == .notEqual
        switch PEP440Scanner.scan(b, vstart, hi, allowWildcard: equality, allowLocal: equality) {
        case .failure(let f):
            return .failure(.init(position: f.position, message: "\(f.message) after '\(op.rawValue)'"))
        case .success(let (parts, end)):
            if op == .compatible && parts.release.count < 2 {
                return .failure(
                    .init(position: vstart, message: "'~=' needs a release with at least two components, as in ~=2.2"))
            }
            return .success(Scan(op: op, opEnd: opEnd, parts: parts, end: end))
        }
    }

    // MARK: Matching

    /// Whether `version` satisfies this specifier. `prereleases: false` rejects pre-releases;
    /// nil and true admit them (a single version has no alternative, packaging 26 rule).
    public func contains(_ candidate: PEP440Version, prereleases: Bool? = nil) -> Bool {
        if prereleases == false && candidate.isPrerelease { return false }
        if op == .arbitrary { return matchesArbitrary(candidate.normalized) }
        return matches(candidate)
    }

    /// Like packaging's `Specifier.contains(str)`: `===` compares the text as given, other
    /// operators parse it and never match an invalid version.
    public func contains(versionText text: String, prereleases: Bool? = nil) -> Bool {
        let parsed = PEP440Version.parseOrNil(text)
        if prereleases == false, let parsed, parsed.isPrerelease { return false }
        if op == .arbitrary { return matchesArbitrary(text) }
        guard let parsed else { return false }
        return matches(parsed)
    }

    /// packaging's `Specifier.prereleases` when not set explicitly: does this specifier name a
    /// pre-release? (`!=` and `==X.*` never do; `===` only if its text parses.)
    public var impliesPrereleases: Bool? {
        switch op {
        case .notEqual: return false
        case .equal where isWildcard: return false
        case .arbitrary: return version?.isPrerelease
        default: return version?.isPrerelease ?? false
        }
    }

    func matchesArbitrary(_ text: String) -> Bool {
        PythonText.lower(text).scalarsEqual(PythonText.lower(versionText))
    }

    /// The operator's set membership, without any pre-release policy (not for `===`).
    func matches(_ v: PEP440Version) -> Bool {
        guard let s = version else { return false }
        switch op {
        case .greaterThanOrEqual:
            return v.compare(to: s) >= 0
        case .lessThanOrEqual:
            return v.compare(to: s, ignoringLocal: true) <= 0
        case .equal:
            return matchesEqual(v, s)
        case .notEqual:
            return !matchesEqual(v, s)
        case .lessThan:
            guard let bound = lessThanBound else { return false }
            return v.compare(to: bound) < 0
        case .greaterThan:
            guard v.compare(to: s) > 0 else { return false }
            if s.dev != nil || s.post != nil {
                // The next real version above V.devN / V.postN is V.dev(N+1) / V.post(N+1).dev0;
                // only V's own local versions lie between.
                return v.compare(to: s, ignoringLocal: true) != 0
            }
            // Exclude V's post family: V+local and V.postN (same epoch, release and pre).
            return v.epoch != s.epoch || PEP440Version.compareRelease(v.release, s.release) != 0 || v.pre != s.pre
        case .compatible:
            return v.compare(to: s) >= 0 && v.epoch == s.epoch && v.releaseStarts(with: s.release.dropLast())
        case .arbitrary:
            return false
        }
    }

    private func matchesEqual(_ v: PEP440Version, _ s: PEP440Version) -> Bool {
        if isWildcard { return v.epoch == s.epoch && v.releaseStarts(with: s.release[...]) }
        if s.localSegments != nil { return v.compare(to: s) == 0 }
        return v.compare(to: s, ignoringLocal: true) == 0
    }

    // MARK: Identity and spelling

    /// packaging's `Specifier._canonical_spec`.
    var canonical: String {
        if op == .arbitrary || isWildcard { return op.rawValue + versionText }
        guard let v = version else { return op.rawValue + versionText }
        return op.rawValue + (op == .compatible ? v.normalized : v.canonicalWithoutTrailingZeros)
    }

    public static func == (lhs: VersionSpecifier, rhs: VersionSpecifier) -> Bool {
        lhs.canonical.scalarsEqual(rhs.canonical)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(Array(canonical.utf8)) }

    /// As written, without inner whitespace: operator then version text (packaging's `str`).
    public var description: String { op.rawValue + versionText }
}

extension PEP440Version {
    /// Three-way comparison; with `ignoringLocal`, this version's local label is disregarded
    /// (`other` is expected to have none).
    func compare(to other: PEP440Version, ignoringLocal: Bool) -> Int {
        guard ignoringLocal, localSegments != nil else { return compare(to: other) }
        return publicVersion.compare(to: other)
    }
}
