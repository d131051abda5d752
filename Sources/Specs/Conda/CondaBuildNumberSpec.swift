// The build_number field of a conda MatchSpec (conda's `BuildNumberMatch`): "3", ">=3", "*".
//
// Traps:
// - A plain number is read with Python's int(): surrounding whitespace, a sign and "_" between
//   digits are allowed ("0_3" is 3); it prints normalised ("007" → "7").
// - Comparisons reuse conda's version order on the number's text: ">=10" holds for 12.
//   "=1" means "starts with 1" component-wise (1 and 1.x, not 12): conda's operator table, kept.
// - Anything else is compared as text with the number and therefore never matches (conda);
//   "^...$" is a regex over the number's digits (conda fails on it at match time).

public struct CondaBuildNumberSpec: Hashable, Sendable, CustomStringConvertible {
    enum Kind: Sendable {
        case exact(Numeral, negative: Bool)
        case any
        case relation(String, CondaVersion)
        case pattern(TextPattern)
        case never
    }

    let kind: Kind
    /// conda's `str(BuildNumberMatch)`.
    public let spec: String

    public init(parsing text: String) throws(SpecError) {
        func fail(_ message: String) -> SpecError {
            SpecError(
                message: "Invalid build number spec '\(text)': \(message)", input: text, offset: 0, length: text.count)
        }
        if let (value, negative) = Self.pythonInt(text) {
            kind = .exact(value, negative: negative)
            spec = (negative && !value.isZero ? "-" : "") + value.description
            return
        }
        let s = PythonText.strip(text)
        spec = s
        guard let first = s.unicodeScalars.first else { throw fail("empty build number") }
        if s.scalarsEqual("*") {
            kind = .any
        } else if "=<>!".unicodeScalars.contains(first) {
            guard let (op, rest) = CondaVersionSpec.relation(Array(s.unicodeScalars)) else {
                throw fail("invalid operator")
            }
            do { kind = .relation(op, try CondaVersion(parsing: rest)) } catch { throw fail(error.message) }
        } else if first == "^" || s.hasScalarSuffix("$") {
            guard first == "^" && s.hasScalarSuffix("$") else {
                throw fail("regex specs must start with '^' and end with '$'")
            }
            do { kind = .pattern(try TextPattern(regex: s)) } catch { throw fail("invalid regular expression") }
        } else {
            kind = .never
        }
    }

    /// Python's int() on a str: whitespace, optional sign, ASCII digits with single "_" between.
    static func pythonInt(_ text: String) -> (Numeral, Bool)? {
        var s = Substring(PythonText.strip(text))
        var negative = false
        if s.first == "+" || s.first == "-" {
            negative = s.first == "-"
            s = s.dropFirst()
        }
        guard let f = s.first, f.isASCII, f.isNumber, let l = s.last, l.isASCII, l.isNumber else { return nil }
        var digits = ""
        var previousUnderscore = false
        for c in s {
            if c == "_" {
                if previousUnderscore { return nil }
                previousUnderscore = true
            } else if c.isASCII && c.isNumber {
                digits.append(c)
                previousUnderscore = false
            } else {
                return nil
            }
        }
        guard let n = Numeral(digits: digits) else { return nil }
        return (n, negative)
    }

    public func matches(_ buildNumber: Int) -> Bool {
        switch kind {
        case .any: return true
        case .never: return false
        case .exact(let n, let negative):
            if n.isZero { return buildNumber == 0 }
            guard let v = n.intValue else { return false }
            return negative ? buildNumber == -v : buildNumber == v
        case .pattern(let p):
            return p.matches(String(buildNumber))
        case .relation(let op, let w):
            guard let v = try? CondaVersion(parsing: String(buildNumber)) else { return false }
            let c = v.compare(to: w)
            switch op {
            case "==": return c == 0
            case "!=": return c != 0
            case "<=": return c <= 0
            case ">=": return c >= 0
            case "<": return c < 0
            case ">": return c > 0
            case "=": return v.starts(with: w)
            case "~=":
                let prefix = w.normalized.splitScalars(".").dropLast().joined(separator: ".")
                guard let p = try? CondaVersion(parsing: prefix) else { return false }
                return c >= 0 && v.starts(with: p)
            default: return false
            }
        }
    }

    /// The exact number, if this spec is one.
    public var exactValue: Int? {
        if case .exact(let n, let negative) = kind, let v = n.intValue { return negative ? -v : v }
        return nil
    }

    public var description: String { spec }

    public static func == (a: Self, b: Self) -> Bool { a.spec.scalarsEqual(b.spec) }
    public func hash(into hasher: inout Hasher) { hasher.combine(Array(spec.utf8)) }
}
