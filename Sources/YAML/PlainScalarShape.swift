// PyYAML's implicit resolver patterns for ints, floats and timestamps (YAML 1.1), matched by
// hand over bytes: every MLmodel and environment file has dozens of plain scalars, and
// compiling and running them as Swift `Regex`es took a millisecond of every command. Each
// function accepts exactly the whole strings its pattern (quoted above it) accepts; a test
// checks them against the patterns on generated strings.

enum PlainScalarShape {
    /// `[-+]?0b[0-1_]+ | [-+]?0[0-7_]+ | [-+]?(?:0|[1-9][0-9_]*) | [-+]?0x[0-9a-fA-F_]+
    /// | [-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+`
    static func isInt(_ b: [UInt8]) -> Bool {
        var c = Cursor(b)
        c.skipSign()
        let start = c.i
        if c.take("0") {
            if c.atEnd { return true }
            if c.take("b") { return c.takeRun(of: isBinary) > 0 && c.atEnd }
            if c.take("x") { return c.takeRun(of: isHex) > 0 && c.atEnd }
            return c.takeRun(of: isOctal) > 0 && c.atEnd
        }
        c.i = start
        guard c.take(where: isNonZeroDigit) else { return false }
        c.takeRun(of: isDigitOrUnderscore)
        if c.atEnd { return true }
        return c.takeSexagesimalGroups() && c.atEnd
    }

    /// `[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)? | \.[0-9_]+(?:[eE][-+][0-9]+)?
    /// | [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]* | [-+]?\.(?:inf|Inf|INF) | \.(?:nan|NaN|NAN)`
    static func isFloat(_ b: [UInt8]) -> Bool {
        var c = Cursor(b)
        let signed = c.skipSign()
        if c.take(".") {
            let rest = Array(b[c.i...])
            if rest == Array("inf".utf8) || rest == Array("Inf".utf8) || rest == Array("INF".utf8) { return true }
            if signed { return false }
            if rest == Array("nan".utf8) || rest == Array("NaN".utf8) || rest == Array("NAN".utf8) { return true }
            guard c.takeRun(of: isDigitOrUnderscore) > 0 else { return false }
            return c.takeExponent() && c.atEnd
        }
        guard c.take(where: isDigit) else { return false }
        c.takeRun(of: isDigitOrUnderscore)
        if c.take(".") {
            c.takeRun(of: isDigitOrUnderscore)
            return c.takeExponent() && c.atEnd
        }
        guard c.takeSexagesimalGroups(), c.take(".") else { return false }
        c.takeRun(of: isDigitOrUnderscore)
        return c.atEnd
    }

    /// `[0-9]{4}-[0-9]{2}-[0-9]{2} | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}
    /// (?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?`
    static func isTimestamp(_ b: [UInt8]) -> Bool {
        var c = Cursor(b)
        guard c.takeDigits(4...4), c.take("-") else { return false }
        let month = c.takeDigits(1...2)
        let dash = c.take("-")
        let day = c.takeDigits(1...2)
        guard month, dash, day else { return false }
        if c.atEnd { return c.i == 10 }  // the date-only form has two-digit month and day
        if !c.take("T") && !c.take("t") {
            guard c.takeRun(of: isBlank) > 0 else { return false }
        }
        guard c.takeDigits(1...2), c.take(":"), c.takeDigits(2...2), c.take(":"), c.takeDigits(2...2) else {
            return false
        }
        if c.take(".") { c.takeRun(of: isDigit) }
        if c.atEnd { return true }
        c.takeRun(of: isBlank)
        if c.take("Z") { return c.atEnd }
        guard c.skipSign(), c.takeDigits(1...2) else { return false }
        if c.atEnd { return true }
        return c.take(":") && c.takeDigits(2...2) && c.atEnd
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    private static func isNonZeroDigit(_ b: UInt8) -> Bool { b >= 0x31 && b <= 0x39 }
    private static func isDigitOrUnderscore(_ b: UInt8) -> Bool { isDigit(b) || b == 0x5F }
    private static func isBinary(_ b: UInt8) -> Bool { b == 0x30 || b == 0x31 || b == 0x5F }
    private static func isOctal(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x37) || b == 0x5F }
    private static func isHex(_ b: UInt8) -> Bool {
        isDigitOrUnderscore(b) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46)
    }
    private static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

    private struct Cursor {
        let b: [UInt8]
        var i = 0
        init(_ b: [UInt8]) { self.b = b }

        var atEnd: Bool { i == b.count }

        mutating func take(_ literal: Unicode.Scalar) -> Bool {
            guard i < b.count, b[i] == UInt8(literal.value) else { return false }
            i += 1
            return true
        }

        mutating func take(where test: (UInt8) -> Bool) -> Bool {
            guard i < b.count, test(b[i]) else { return false }
            i += 1
            return true
        }

        @discardableResult
        mutating func skipSign() -> Bool { take("-") || take("+") }

        @discardableResult
        mutating func takeRun(of test: (UInt8) -> Bool) -> Int {
            let start = i
            while i < b.count && test(b[i]) { i += 1 }
            return i - start
        }

        /// Between `range.lowerBound` and `range.upperBound` digits, followed by no digit.
        mutating func takeDigits(_ range: ClosedRange<Int>) -> Bool {
            let start = i
            while i < b.count && i - start < range.upperBound && isDigit(b[i]) { i += 1 }
            if i - start < range.lowerBound || (i < b.count && isDigit(b[i])) {
                i = start
                return false
            }
            return true
        }

        /// `(?::[0-5]?[0-9])+`: one or more groups, each ':' and one digit or two (the first 0–5).
        mutating func takeSexagesimalGroups() -> Bool {
            var groups = 0
            while i < b.count && b[i] == 0x3A {
                let start = i + 1
                var end = start
                while end < b.count && isDigit(b[end]) { end += 1 }
                switch end - start {
                case 1: break
                case 2 where b[start] <= 0x35: break
                default: return false
                }
                i = end
                groups += 1
            }
            return groups > 0
        }

        /// `(?:[eE][-+][0-9]+)?`
        mutating func takeExponent() -> Bool {
            guard take("e") || take("E") else { return true }
            guard skipSign() else { return false }
            return takeRun(of: isDigit) > 0
        }
    }
}
