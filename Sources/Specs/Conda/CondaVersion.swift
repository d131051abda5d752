// conda versions and their order (conda's `VersionOrder`, conda/models/version.py).
//
// Traps (rows in CondaVersionOrderTests, ported from conda's test_version.py):
// - Case-insensitive: "1.0RC1" == "1.0rc1". Dashes become underscores, but only when the text
//   has no underscore already ("1.0-1" == "1.0_1"; "1_0-1" is invalid).
// - "." and "_" split components; each component splits into runs of digits and non-digits;
//   a component that starts with a letter gets a 0 in front so "1.1.a1" == "1.1.0a1".
// - Strings sort before numbers ("1.0a" < "1.0"), except "post", which sorts after every number,
//   and "dev", which sorts before every other string. "*" sorts before "dev", "_" after it.
// - A trailing "_" stays attached ("1.0.1_" < "1.0.1a", openssl's convention).
// - Missing components and subcomponents count as 0: 1.1 == 1.1.0 == 1.1.0.0 (and hash alike).
// - The epoch ("N!") is just the first component; the local version ("+...") only decides
//   between otherwise equal versions.
// - Numbers are unbounded (see Numeral); "1.99999999999999999999" must not trap.

/// A conda package version, with the spelling it was written in.
public struct CondaVersion: Sendable {
    /// One run inside a component.
    enum Atom: Hashable, Sendable {
        case number(Numeral)
        case text(String)  // lowercase, or "DEV" for dev (sorts before lowercase), or "*"/"_" runs
        case post  // "post": after every number

        static let zero = Atom.number(.zero)
    }

    /// The text as written.
    public let source: String
    /// conda's `str(VersionOrder)`: stripped, lowercased, "-" turned into "_" where conda does.
    public let normalized: String
    /// Epoch first, then the components of the main version.
    let version: [[Atom]]
    /// Components of the local version (after "+"), empty if none.
    let local: [[Atom]]

    public init(parsing text: String) throws(SpecError) {
        source = text
        var lowered = PythonText.lower(PythonText.strip(text))
        func fail(_ message: String) -> SpecError {
            SpecError(message: "Invalid version '\(text)': \(message)", input: text, offset: 0, length: text.count)
        }
        if lowered.isEmpty { throw fail("empty version string") }
        var invalid = !Self.hasOnlyVersionCharacters(lowered)
        if invalid && lowered.containsScalar("-") && !lowered.containsScalar("_") {
            lowered = String(lowered.map { $0 == "-" ? "_" : $0 })
            invalid = !Self.hasOnlyVersionCharacters(lowered)
        }
        if invalid {
            let bad = lowered.unicodeScalars.first { !Self.isVersionCharacter($0) }.map { String(Character($0)) } ?? "?"
            throw fail(
                "invalid character(s) (\(pythonRepr(bad)); allowed are letters, digits, '.', '_', '+', '!' and '*')")
        }
        normalized = lowered

        let bangParts = lowered.split(separator: "!", omittingEmptySubsequences: false)
        let epoch: Substring
        let rest: Substring
        switch bangParts.count {
        case 1:
            epoch = "0"
            rest = bangParts[0]
        case 2:
            guard !bangParts[0].isEmpty, bangParts[0].utf8.allSatisfy(\.isASCIIDigit) else {
                throw fail("epoch must be an integer")
            }
            epoch = bangParts[0]
            rest = bangParts[1]
        default:
            throw fail("duplicated epoch separator '!'")
        }
        let plusParts = rest.split(separator: "+", omittingEmptySubsequences: false)
        var localComponents: [Substring] = []
        switch plusParts.count {
        case 1: break
        case 2:
            localComponents = plusParts[1].split(
                omittingEmptySubsequences: false, whereSeparator: { $0 == "_" || $0 == "." }
            ).map { $0 }
            // "".split(...) gives [] in Swift but [""] in Python; keep Python's answer.
            if plusParts[1].isEmpty { localComponents = [""] }
        default:
            throw fail("duplicated local version separator '+'")
        }
        let main = plusParts[0]
        if main.isEmpty { throw fail("Missing version before local version separator '+'") }
        var mainComponents: [Substring]
        if main.hasSuffix("_") {
            // openssl-like "1.0.1_": the trailing underscore stays on the last component.
            mainComponents = main.dropLast().split(
                omittingEmptySubsequences: false, whereSeparator: { $0 == "_" || $0 == "." }
            ).map { $0 }
            if main.count == 1 { mainComponents = [""] }
            let last = mainComponents.removeLast()
            mainComponents.append(Substring(String(last) + "_"))
        } else {
            mainComponents = main.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "_" || $0 == "." })
                .map { $0 }
        }
        var parsedVersion: [[Atom]] = []
        parsedVersion.reserveCapacity(mainComponents.count + 1)
        for component in [epoch] + mainComponents {
            guard let atoms = Self.atoms(component) else { throw fail("empty version component") }
            parsedVersion.append(atoms)
        }
        var parsedLocal: [[Atom]] = []
        for component in localComponents {
            guard let atoms = Self.atoms(component) else { throw fail("empty version component") }
            parsedLocal.append(atoms)
        }
        version = parsedVersion
        local = parsedLocal
    }

    static func isVersionCharacter(_ s: Unicode.Scalar) -> Bool {
        s.isLowerASCIIAlnum || s == "*" || s == "." || s == "+" || s == "!" || s == "_"
    }

    static func hasOnlyVersionCharacters(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy(isVersionCharacter)
    }

    /// Splits a component into runs of digits, stars and other characters (conda's
    /// `([0-9]+|[*]+|[^0-9*]+)`), with a leading 0 when it starts with a non-digit.
    static func atoms(_ component: Substring) -> [Atom]? {
        let bytes = Array(component.utf8)
        guard !bytes.isEmpty else { return nil }
        var atoms: [Atom] = []
        if !bytes[0].isASCIIDigit { atoms.append(.zero) }
        var i = 0
        while i < bytes.count {
            var j = i + 1
            let kind: Int = bytes[i].isASCIIDigit ? 0 : (bytes[i] == 0x2A ? 1 : 2)
            while j < bytes.count {
                let k: Int = bytes[j].isASCIIDigit ? 0 : (bytes[j] == 0x2A ? 1 : 2)
                if k != kind { break }
                j += 1
            }
            if kind == 0 {
                atoms.append(.number(bytes.withUnsafeBufferPointer { Numeral(asciiDigits: $0, from: i, to: j) }))
            } else {
                let run = String(decoding: bytes[i..<j], as: UTF8.self)
                switch run {
                case "post": atoms.append(.post)
                case "dev": atoms.append(.text("DEV"))
                default: atoms.append(.text(run))
                }
            }
            i = j
        }
        return atoms
    }
}

// MARK: Ordering

extension CondaVersion.Atom {
    /// conda's `__lt__` on one pair: strings < numbers; "post" (infinity) above every number.
    static func less(_ a: Self, _ b: Self) -> Bool {
        switch (a, b) {
        case (.text(let x), .text(let y)): return x.utf8.lexicographicallyPrecedes(y.utf8)
        case (.text, _): return true
        case (_, .text): return false
        case (.number(let x), .number(let y)): return x < y
        case (.number, .post): return true
        case (.post, _): return false
        }
    }
}

extension CondaVersion: Comparable, Hashable, CustomStringConvertible {
    static func compare(_ a: [[Atom]], _ b: [[Atom]]) -> Int {
        let n = max(a.count, b.count)
        for i in 0..<n {
            let x = i < a.count ? a[i] : []
            let y = i < b.count ? b[i] : []
            let m = max(x.count, y.count)
            for k in 0..<m {
                let p = k < x.count ? x[k] : .zero
                let q = k < y.count ? y[k] : .zero
                if p == q { continue }
                return Atom.less(p, q) ? -1 : 1
            }
        }
        return 0
    }

    /// Three-way comparison in conda's order.
    public func compare(to other: CondaVersion) -> Int {
        let c = Self.compare(version, other.version)
        return c != 0 ? c : Self.compare(local, other.local)
    }

    public static func < (lhs: CondaVersion, rhs: CondaVersion) -> Bool { lhs.compare(to: rhs) < 0 }
    public static func == (lhs: CondaVersion, rhs: CondaVersion) -> Bool { lhs.compare(to: rhs) == 0 }

    public func hash(into hasher: inout Hasher) {
        for part in [version, local] {
            // Trailing zeros and trailing empty components do not count (1.1 == 1.1.0).
            var components = part.map { atoms -> ArraySlice<Atom> in
                var end = atoms.count
                while end > 0 && atoms[end - 1] == .zero { end -= 1 }
                return atoms[0..<end]
            }
            while let last = components.last, last.isEmpty { components.removeLast() }
            hasher.combine(components.count)
            for c in components {
                hasher.combine(c.count)
                for a in c { hasher.combine(a) }
            }
        }
    }

    /// The text as written.
    public var description: String { source }

    /// conda's `VersionOrder.startswith`: does this version begin with `prefix`, component by
    /// component, where the last component of `prefix` may be a prefix of a string part
    /// ("1.0.1rc1" starts with "1.0.1r")?
    public func starts(with prefix: CondaVersion) -> Bool {
        let t1: [[Atom]]
        let t2: [[Atom]]
        if !prefix.local.isEmpty {
            guard Self.compare(version, prefix.version) == 0 else { return false }
            t1 = local
            t2 = prefix.local
        } else {
            t1 = version
            t2 = prefix.version
        }
        let nt = t2.count - 1
        guard nt >= 0 else { return true }
        guard Self.compare(Array(t1.prefix(nt)), Array(t2.prefix(nt))) == 0 else { return false }
        let v1: [Atom] = t1.count <= nt ? [] : t1[nt]
        let v2 = t2[nt]
        let na = v2.count - 1
        guard na >= 0 else { return true }
        guard Self.compare([Array(v1.prefix(na))], [Array(v2.prefix(na))]) == 0 else { return false }
        let c1: Atom = v1.count <= na ? .zero : v1[na]
        let c2 = v2[na]
        if case .text(let s2) = c2 {
            guard case .text(let s1) = c1 else { return false }
            return s1.utf8.starts(with: s2.utf8)
        }
        return c1 == c2
    }
}
