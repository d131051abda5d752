// PEP 440 versions: the value, its ordering and its canonical spelling.
// https://packaging.python.org/en/latest/specifications/version-specifiers/
//
// Traps (each has a row in PEP440OrderingTests / PEP440NormalizationTests):
// - Trailing zeros do not count: 1.0 == 1.0.0 == 1, and they hash alike.
// - dev releases sort before everything of their release: 1.0.dev0 < 1.0a0 < 1.0 — but a
//   dev release of a pre or post release stays with it: 1.0a1.dev1 < 1.0a1, 1.0.post1.dev1 <
//   1.0.post1.
// - Post releases sort after the release and after its local versions: 1.0+x < 1.0.post0.
// - Local versions sort after the public version; within them strings sort before numbers
//   ("1.2+abc" < "1.2+0"), numbers compare numerically ("+9" < "+10"), and a shorter label that
//   is a prefix sorts first.
// - "c", "pre", "preview" mean "rc"; "alpha"/"beta" mean "a"/"b"; "r"/"rev" and "1.0-1" mean post.
// - Components are unbounded integers (see Numeral); leading zeros are dropped ("1.01" == "1.1").
// - Epochs dominate: 1!0.1 > 2.0.

/// A PEP 440 version ("1!2.0rc1.post2.dev3+local.7").
public struct PEP440Version: Sendable {
    public enum PreReleaseKind: Int, Sendable, Hashable, Comparable, CustomStringConvertible {
        case alpha = 0
        case beta = 1
        case rc = 2
        public var description: String {
            switch self {
            case .alpha: return "a"
            case .beta: return "b"
            case .rc: return "rc"
            }
        }
        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public struct PreRelease: Hashable, Sendable {
        public let kind: PreReleaseKind
        public let number: Numeral
        public init(kind: PreReleaseKind, number: Numeral) {
            self.kind = kind
            self.number = number
        }
    }

    /// One dot-separated part of a local version label: a number or lowercase text.
    public enum LocalSegment: Hashable, Sendable, Comparable, CustomStringConvertible {
        case number(Numeral)
        case text(String)

        public var description: String {
            switch self {
            case .number(let n): return n.description
            case .text(let s): return s
            }
        }

        // PEP 440: alphanumeric segments sort before numeric ones.
        public static func < (lhs: Self, rhs: Self) -> Bool {
            switch (lhs, rhs) {
            case (.number(let a), .number(let b)): return a < b
            case (.text(let a), .text(let b)): return a.utf8.lexicographicallyPrecedes(b.utf8)
            case (.text, .number): return true
            case (.number, .text): return false
            }
        }
    }

    public let epoch: Numeral
    public let release: [Numeral]
    public let pre: PreRelease?
    public let post: Numeral?
    public let dev: Numeral?
    public let localSegments: [LocalSegment]?

    /// Builds a version from its parts. `release` must not be empty.
    public init(
        epoch: Numeral = 0, release: [Numeral], pre: PreRelease? = nil, post: Numeral? = nil,
        dev: Numeral? = nil, local: [LocalSegment]? = nil
    ) {
        self.epoch = epoch
        self.release = release.isEmpty ? [0] : release
        self.pre = pre
        self.post = post
        self.dev = dev
        self.localSegments = local
    }

    // MARK: Properties named as in packaging.version.Version

    /// The local label, normalised ("ubuntu.1"), or nil.
    public var local: String? {
        localSegments.map { $0.map(\.description).joined(separator: ".") }
    }

    /// Pre-release or dev release (packaging's `is_prerelease`).
    public var isPrerelease: Bool { pre != nil || dev != nil }
    public var isDevRelease: Bool { dev != nil }
    public var isPostRelease: Bool { post != nil }

    /// The version without its local label.
    public var publicVersion: PEP440Version {
        PEP440Version(epoch: epoch, release: release, pre: pre, post: post, dev: dev, local: nil)
    }

    /// Epoch and release only ("1!1.0" for "1!1.0rc1.post2+x").
    public var baseVersion: PEP440Version {
        PEP440Version(epoch: epoch, release: release)
    }

    public var major: Numeral { release.first ?? 0 }
    public var minor: Numeral { release.count > 1 ? release[1] : 0 }
    public var micro: Numeral { release.count > 2 ? release[2] : 0 }

    /// The release without trailing zeros, keeping at least one component.
    var trimmedRelease: ArraySlice<Numeral> {
        var end = release.count
        while end > 1 && release[end - 1].isZero { end -= 1 }
        return release[0..<end]
    }

    /// Number of release components once trailing zeros are dropped (0 for "0.0").
    @inline(__always)
    var significantReleaseCount: Int {
        var end = release.count
        while end > 0 && release[end - 1].isZero { end -= 1 }
        return end
    }

    // MARK: Spelling

    /// The canonical spelling (packaging's `str(Version)`): "1.0a5", "1!2.0.post1.dev3+abc.7".
    public var normalized: String {
        var out = ""
        if !epoch.isZero {
            out += epoch.description
            out += "!"
        }
        out += releaseString(release[...])
        appendSuffixes(to: &out)
        if let local {
            out += "+"
            out += local
        }
        return out
    }

    /// Like `normalized` but with trailing zeros of the release removed (packaging's
    /// `canonicalize_version`, used for specifier equality).
    var canonicalWithoutTrailingZeros: String {
        var out = ""
        if !epoch.isZero {
            out += epoch.description
            out += "!"
        }
        out += releaseString(trimmedRelease)
        appendSuffixes(to: &out)
        if let local {
            out += "+"
            out += local
        }
        return out
    }

    private func releaseString(_ parts: ArraySlice<Numeral>) -> String {
        var out = ""
        for (i, part) in parts.enumerated() {
            if i > 0 { out += "." }
            out += part.description
        }
        return out
    }

    private func appendSuffixes(to out: inout String) {
        if let pre {
            out += pre.kind.description
            out += pre.number.description
        }
        if let post {
            out += ".post"
            out += post.description
        }
        if let dev {
            out += ".dev"
            out += dev.description
        }
    }

    // MARK: Ordering key (packaging's `_cmpkey`)

    /// (pre_rank, pre_n, post_rank, post_n, dev_rank, dev_n) as in packaging's `_cmpkey`: a
    /// dev-only release ranks -1 so 1.0.dev0 sorts before 1.0a0; no pre-release ranks 3 so
    /// 1.0 sorts after 1.0rc9.
    @inline(__always)
    var preRank: Int {
        if let pre { return pre.kind.rawValue }
        if post == nil && dev != nil { return -1 }
        return 3
    }

    /// Three-way comparison: -1, 0 or 1.
    public func compare(to other: PEP440Version) -> Int {
        if epoch != other.epoch { return epoch < other.epoch ? -1 : 1 }
        let c = Self.compareRelease(release, other.release)
        if c != 0 { return c }
        let ra = preRank
        let rb = other.preRank
        if ra != rb { return ra < rb ? -1 : 1 }
        let pa = pre?.number ?? 0
        let pb = other.pre?.number ?? 0
        if pa != pb { return pa < pb ? -1 : 1 }
        switch (post, other.post) {
        case (nil, .some): return -1
        case (.some, nil): return 1
        case (let a?, let b?) where a != b: return a < b ? -1 : 1
        default: break
        }
        switch (dev, other.dev) {
        case (nil, .some): return 1
        case (.some, nil): return -1
        case (let a?, let b?) where a != b: return a < b ? -1 : 1
        default: break
        }
        switch (localSegments, other.localSegments) {
        case (nil, nil): return 0
        case (nil, .some): return -1
        case (.some, nil): return 1
        case (let a?, let b?):
            for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
            return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
        }
    }

    /// Compares releases as if padded with zeros (1.0 == 1.0.0).
    static func compareRelease(_ a: [Numeral], _ b: [Numeral]) -> Int {
        let n = max(a.count, b.count)
        var i = 0
        while i < n {
            let x = i < a.count ? a[i] : Numeral.zero
            let y = i < b.count ? b[i] : Numeral.zero
            if x != y { return x < y ? -1 : 1 }
            i += 1
        }
        return 0
    }

    /// Whether the first `prefix.count` release components (zero-padded) equal `prefix`.
    func releaseStarts(with prefix: ArraySlice<Numeral>) -> Bool {
        var i = 0
        for p in prefix {
            let x = i < release.count ? release[i] : Numeral.zero
            if x != p { return false }
            i += 1
        }
        return true
    }
}

extension PEP440Version: Comparable, Hashable, CustomStringConvertible {
    public static func < (lhs: PEP440Version, rhs: PEP440Version) -> Bool { lhs.compare(to: rhs) < 0 }
    public static func == (lhs: PEP440Version, rhs: PEP440Version) -> Bool { lhs.compare(to: rhs) == 0 }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(epoch)
        let count = significantReleaseCount
        hasher.combine(count)
        for i in 0..<count { hasher.combine(release[i]) }
        hasher.combine(preRank)
        hasher.combine(pre?.number ?? 0)
        hasher.combine(post)
        hasher.combine(dev)
        hasher.combine(localSegments)
    }

    public var description: String { normalized }
}

extension PEP440Version {
    /// packaging's `canonicalize_version`: the normalised spelling, without trailing zeros in
    /// the release unless `stripTrailingZero` is false; text that is not a version comes back
    /// unchanged.
    public static func canonicalize(_ text: String, stripTrailingZero: Bool = true) -> String {
        guard let v = parseOrNil(text) else { return text }
        return stripTrailingZero ? v.canonicalWithoutTrailingZeros : v.normalized
    }
}
