// The PEP 440 grammar, as packaging 26.4's `VERSION_PATTERN` reads it.
//
// Traps:
// - packaging's regex uses possessive quantifiers: once a separator or a digit run is taken it
//   is never given back, so a greedy scan with no backtracking reads exactly what it reads.
//   Consequences that surprise: "1.0a-" is 1.0a0 (the "-" belongs to the pre-release) and
//   "1.0.post." is 1.0.post0.
// - The alternation order matters: "alpha" is tried before "a", "preview" before "pre", "rc"
//   after "c"; "post" before "rev" before "r".
// - "1.0-1" is an implicit post release, but only a "-" followed by digits; "1.0_1" is invalid.
// - Letters are ASCII, matched case-insensitively; a leading "v" is allowed; surrounding
//   Unicode whitespace is ignored, inner whitespace is an error.
// - A local label is "+" then alphanumeric runs joined by single ".", "_" or "-".
// - Specifiers reuse this scanner: "==1.0.*" allows a trailing ".*" after the release only,
//   and only `==`/`!=` may carry a local label.

struct PEP440Parts {
    var epoch: Numeral = 0
    var release: [Numeral] = []
    var pre: PEP440Version.PreRelease?
    var post: Numeral?
    var dev: Numeral?
    var local: [PEP440Version.LocalSegment]?
    var isWildcard = false

    var version: PEP440Version {
        PEP440Version(epoch: epoch, release: release, pre: pre, post: post, dev: dev, local: local)
    }
}

enum PEP440Scanner {
    struct Failure: Error {
        let position: Int
        let message: String
    }

    @inline(__always)
    static func isSeparator(_ b: UInt8) -> Bool { b == 0x2E || b == 0x5F || b == 0x2D }  // . _ -

    /// A release segment's spellings, in packaging's alternation order (the first that matches wins).
    static let preReleaseLabels: [(StaticString, PEP440Version.PreReleaseKind)] = [
        ("alpha", .alpha), ("a", .alpha), ("beta", .beta), ("b", .beta),
        ("preview", .rc), ("pre", .rc), ("c", .rc), ("rc", .rc)
    ]
    static let postReleaseLabels: [(StaticString, Void)] = [("post", ()), ("rev", ()), ("r", ())]
    static let devReleaseLabels: [(StaticString, Void)] = [("dev", ())]

    /// `[._-]? LABEL [._-]? digits?` at `i`, LABEL the first of `labels` that matches: its kind,
    /// its number (0 when none is written) and where it ends; nil when no label stands there.
    static func labeledNumber<Kind>(
        _ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ hi: Int, _ labels: [(StaticString, Kind)]
    ) -> (Kind, Numeral, Int)? {
        var k = i
        if k < hi && isSeparator(b[k]) { k += 1 }
        guard case (let label, let kind)? = labels.first(where: { matches(b, k, hi, $0.0) }) else { return nil }
        k += label.utf8CodeUnitCount
        if k < hi && isSeparator(b[k]) { k += 1 }
        let e = digitsEnd(b, k, hi)
        return (kind, e > k ? Numeral(asciiDigits: b, from: k, to: e) : 0, e)
    }

    @inline(__always)
    static func isAlnum(_ b: UInt8) -> Bool { b.isASCIIDigit || b.isASCIILetter }

    /// Case-insensitive ASCII match of `word` (lowercase) at `i`.
    @inline(__always)
    static func matches(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ hi: Int, _ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard i + n <= hi else { return false }
        let w = word.utf8Start
        for k in 0..<n where b[i + k].asciiLowered != w[k] { return false }
        return true
    }

    @inline(__always)
    static func digitsEnd(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ hi: Int) -> Int {
        var k = i
        while k < hi && b[k].isASCIIDigit { k += 1 }
        return k
    }

    /// Scans a version starting at `lo`; returns the parts and where the scan stopped. The
    /// caller decides whether what follows is allowed. Throws only when no release is found.
    static func scan(
        _ b: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int, allowWildcard: Bool, allowLocal: Bool
    ) -> Result<(PEP440Parts, Int), Failure> {
        var parts = PEP440Parts()
        var i = lo
        if i < hi && b[i].asciiLowered == 0x76 { i += 1 }  // v
        var j = digitsEnd(b, i, hi)
        guard j > i else {
            return .failure(Failure(position: i, message: "expected a release number such as 1.0"))
        }
        if j < hi && b[j] == 0x21 {  // !
            parts.epoch = Numeral(asciiDigits: b, from: i, to: j)
            i = j + 1
            j = digitsEnd(b, i, hi)
            guard j > i else {
                return .failure(Failure(position: i, message: "expected a release number after the epoch '!'"))
            }
        }
        parts.release.append(Numeral(asciiDigits: b, from: i, to: j))
        i = j
        while i + 1 < hi && b[i] == 0x2E && b[i + 1].isASCIIDigit {
            j = digitsEnd(b, i + 1, hi)
            parts.release.append(Numeral(asciiDigits: b, from: i + 1, to: j))
            i = j
        }
        if allowWildcard && i + 1 < hi && b[i] == 0x2E && b[i + 1] == 0x2A {  // .*
            parts.isWildcard = true
            return .success((parts, i + 2))
        }
        // Pre-release: [._-]? (alpha|a|beta|b|preview|pre|c|rc) [._-]? digits?
        if case (let kind, let number, let end)? = labeledNumber(b, i, hi, preReleaseLabels) {
            parts.pre = .init(kind: kind, number: number)
            i = end
        }
        // Post release: -digits | [._-]? (post|rev|r) [._-]? digits?
        if i + 1 < hi && b[i] == 0x2D && b[i + 1].isASCIIDigit {
            let e = digitsEnd(b, i + 1, hi)
            parts.post = Numeral(asciiDigits: b, from: i + 1, to: e)
            i = e
        } else if case (_, let number, let end)? = labeledNumber(b, i, hi, postReleaseLabels) {
            parts.post = number
            i = end
        }
        // Dev release: [._-]? dev [._-]? digits?
        if case (_, let number, let end)? = labeledNumber(b, i, hi, devReleaseLabels) {
            parts.dev = number
            i = end
        }
        // Local label: + [a-z0-9]+ ([._-][a-z0-9]+)*
        if allowLocal && i + 1 < hi && b[i] == 0x2B && isAlnum(b[i + 1]) {
            var segments: [PEP440Version.LocalSegment] = []
            var start = i + 1
            var k = start
            while true {
                while k < hi && isAlnum(b[k]) { k += 1 }
                segments.append(localSegment(b, start, k))
                if k + 1 < hi && isSeparator(b[k]) && isAlnum(b[k + 1]) {
                    start = k + 1
                    k = start
                } else {
                    break
                }
            }
            parts.local = segments
            i = k
        }
        return .success((parts, i))
    }

    static func localSegment(_ b: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) -> PEP440Version.LocalSegment {
        var allDigits = true
        for k in lo..<hi where !b[k].isASCIIDigit {
            allDigits = false
            break
        }
        if allDigits { return .number(Numeral(asciiDigits: b, from: lo, to: hi)) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(hi - lo)
        for k in lo..<hi { bytes.append(b[k].asciiLowered) }
        return .text(String(decoding: bytes, as: UTF8.self))
    }

    /// Explains why the scan stopped at `i` before the end of a version.
    static func trailingProblem(_ b: UnsafeBufferPointer<UInt8>, at i: Int, _ hi: Int, allowLocal: Bool) -> String {
        let found = UTF8Scan.describe(b, at: i, end: hi)
        if b[i] == 0x2B {
            return allowLocal
                ? "expected a local version label (letters and digits joined by '.', '_' or '-') after '+'"
                : "a local version label ('+...') is not allowed here"
        }
        if b[i] == 0x2A || (b[i] == 0x2E && i + 1 < hi && b[i + 1] == 0x2A) {
            return "a wildcard '.*' is only allowed after the release of a '==' or '!=' specifier"
        }
        if PythonText.isWhitespace(UTF8Scan.scalar(b, at: i, end: hi).0) {
            return "whitespace is not allowed inside a version"
        }
        return "expected end of version, found \(found)"
    }
}

extension PEP440Version {
    /// Parses a PEP 440 version, accepting every spelling packaging 26.4 accepts.
    public init(parsing text: String) throws(SpecError) {
        self = try text.withBytes { b -> Result<PEP440Version, SpecError> in
            Self.parse(b, text: text)
        }
    }

    static func parse(_ b: UnsafeBufferPointer<UInt8>, text: String) -> Result<PEP440Version, SpecError> {
        // packaging's wording ("Invalid version: 'x'"), then what is wrong.
        var prefix: String { "Invalid version: \(pythonRepr(text))" }
        let (lo, hi) = UTF8Scan.strip(b, 0, b.count)
        if lo == hi {
            return .failure(SpecError(message: "\(prefix) (empty)", input: text, byteOffset: lo))
        }
        switch PEP440Scanner.scan(b, lo, hi, allowWildcard: false, allowLocal: true) {
        case .failure(let f):
            return .failure(
                SpecError(message: "\(prefix) (\(f.message))", input: text, byteOffset: f.position, byteLength: 1))
        case .success(let (parts, end)):
            if end != hi {
                let message = PEP440Scanner.trailingProblem(b, at: end, hi, allowLocal: true)
                return .failure(
                    SpecError(message: "\(prefix) (\(message))", input: text, byteOffset: end, byteLength: 1))
            }
            return .success(parts.version)
        }
    }

    /// Parses without building an error (for hot paths that only need "valid or not").
    static func parseOrNil(_ text: String) -> PEP440Version? {
        try? PEP440Version(parsing: text)
    }
}
