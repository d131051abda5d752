// JSON values as Python sees them after `json.loads`, and the conversions pandas and numpy apply
// to them. MLflow's verdict on a value is often decided by one of these: `int("1.5")` fails,
// `float(" 7 ")` works, `base64.decodebytes` skips characters outside the alphabet.

import JSON

/// A JSON number as a Python object: `1` is an int (of any size), `1.0`, `1e3` and `NaN` are floats.
enum PyNumber: Hashable, Sendable {
    case int(Int64)
    /// An int outside Int64; `fitsUInt64` when it is in 2^63 ..< 2^64.
    case bigInt(negative: Bool, fitsUInt64: Bool)
    case float(Double)

    init(_ number: JSONNumber) {
        let text = number.text
        if text == "NaN" {
            self = .float(.nan)
            return
        }
        if text == "Infinity" {
            self = .float(.infinity)
            return
        }
        if text == "-Infinity" {
            self = .float(-.infinity)
            return
        }
        if number.isIntegerLiteral {
            if let v = Int64(text) {
                self = .int(v)
                return
            }
            let negative = text.hasPrefix("-")
            self = .bigInt(negative: negative, fitsUInt64: !negative && UInt64(text) != nil)
            return
        }
        self = .float(Double(text) ?? .nan)
    }

    var isInt: Bool {
        if case .float = self { return false }
        return true
    }
}

enum PythonText {
    /// Python's `int(str)`: surrounding whitespace, an optional sign, decimal digits with single
    /// underscores between them. Returns nil when `int()` raises.
    static func int(_ text: String) -> (value: Int64?, fitsInt64: Bool)? {
        var s = Substring(text).trimmingPythonWhitespace()
        if s.first == "+" || s.first == "-" { s = s.dropFirst() }
        guard isDigitsWithUnderscores(s) else { return nil }
        let cleaned = String(text.trimmingPythonWhitespaceString().filter { $0 != "_" })
        if let v = Int64(cleaned.hasPrefix("+") ? String(cleaned.dropFirst()) : cleaned) { return (v, true) }
        return (nil, false)
    }

    /// Python's `float(str)`: a decimal literal (underscores allowed between digits), or
    /// nan / inf / infinity in any case with an optional sign.
    static func float(_ text: String) -> Double? {
        let s = text.trimmingPythonWhitespaceString()
        var body = Substring(s)
        var negative = false
        if body.first == "+" || body.first == "-" {
            negative = body.first == "-"
            body = body.dropFirst()
        }
        switch body.lowercased() {
        case "nan": return .nan
        case "inf", "infinity": return negative ? -.infinity : .infinity
        default: break
        }
        // mantissa: digits[.digits] | .digits ; exponent: e[+-]digits
        var mantissa = body
        var exponent: Substring = ""
        if let e = body.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = body[..<e]
            exponent = body[body.index(after: e)...]
            if exponent.first == "+" || exponent.first == "-" { exponent = exponent.dropFirst() }
            guard isDigitsWithUnderscores(exponent) else { return nil }
        }
        let parts = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count >= 1, parts.count <= 2 else { return nil }
        let intPart = parts[0]
        let fracPart = parts.count == 2 ? parts[1] : ""
        guard !(intPart.isEmpty && fracPart.isEmpty) else { return nil }
        if !intPart.isEmpty && !isDigitsWithUnderscores(intPart) { return nil }
        if !fracPart.isEmpty && !isDigitsWithUnderscores(fracPart) { return nil }
        return Double(s.filter { $0 != "_" })
    }

    private static func isDigitsWithUnderscores(_ s: Substring) -> Bool {
        guard let first = s.first, let last = s.last, first.isASCII, first.isNumber, last.isASCII, last.isNumber else {
            return false
        }
        var previousUnderscore = false
        for c in s {
            if c == "_" {
                if previousUnderscore { return false }
                previousUnderscore = true
            } else if c.isASCII && c.isNumber {
                previousUnderscore = false
            } else {
                return false
            }
        }
        return true
    }

    /// `base64.decodebytes` (binascii.a2b_base64, non-strict): characters outside the alphabet are
    /// skipped, `=` ends the data once it completes a quad. Returns the error text binascii raises,
    /// or nil; `skipped` says whether characters were discarded (the text was not clean base64).
    static func base64Check(_ text: String) -> (error: String?, skipped: Bool) {
        var quadPos = 0
        var pads = 0
        var dataChars = 0
        var skipped = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: "=") {
                if quadPos >= 2 {
                    pads += 1
                    if quadPos + pads >= 4 {
                        return (nil, skipped)
                    }
                }
                continue
            }
            let isAlphabet =
                (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/")
            guard isAlphabet else {
                if byte != 0x0A && byte != 0x0D { skipped = true }
                continue
            }
            pads = 0
            dataChars += 1
            quadPos = (quadPos + 1) & 3
        }
        if quadPos == 1 {
            return (
                "Invalid base64-encoded string: number of data characters (\(dataChars)) cannot be 1 more than a multiple of 4",
                skipped
            )
        }
        if quadPos != 0 { return ("Incorrect padding", skipped) }
        return (nil, skipped)
    }
}

/// Which date and time texts parse. pandas (`to_datetime`, for DataFrame bodies) and numpy
/// (`np.datetime64`, for `instances`/`inputs`) accept different sets.
enum DateText {
    /// numpy's ISO 8601 parser: `YYYY[-MM[-DD[(T| )hh[:mm[:ss[.fff]]]]]]` with an optional `Z` or
    /// offset, plus `NaT`, `today`, `now`. A bare number is a year.
    static func numpyAccepts(_ text: String) -> Bool {
        let s = text
        if ["nat", "today", "now", ""].contains(s.lowercased()) { return true }
        return isoDateTime(Substring(s), allowBareYear: true)
    }

    /// pandas `to_datetime` on an object column: ISO 8601 and the usual written forms
    /// (`2024/01/02`, `01/02/2024`, `Jan 2 2024`); a string that is just a number is "not likely a
    /// datetime".
    static func pandasAccepts(_ text: String) -> Bool {
        let s = text.trimmingPythonWhitespaceString()
        if s.isEmpty || ["nat", "today", "now", "none", "nan", "null"].contains(s.lowercased()) { return true }
        if PythonText.float(s) != nil { return false }
        if isoDateTime(Substring(s), allowBareYear: false) { return true }
        // Slash / dot dates: d/m/y or y/m/d with an optional time.
        let datePart = s.split(whereSeparator: { $0 == " " || $0 == "T" }).first.map(String.init) ?? s
        for separator: Character in ["/", ".", "-"] {
            let pieces = datePart.split(separator: separator, omittingEmptySubsequences: false)
            if pieces.count == 3,
                pieces.allSatisfy({ !$0.isEmpty && $0.count <= 4 && $0.allSatisfy { $0.isASCII && $0.isNumber } })
            {
                let nums = pieces.compactMap { Int($0) }
                if nums.count == 3, validDayMonth(nums) { return true }
            }
        }
        // Month names.
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        let lower = s.lowercased()
        let words = lower.split(whereSeparator: { !$0.isLetter })
        let hasMonth = words.contains { word in months.contains { word.hasPrefix($0) } }
        let hasDigits = lower.contains { $0.isNumber }
        let unknownWords = words.filter { word in
            !months.contains { word.hasPrefix($0) }
                && ![
                    "am", "pm", "t", "z", "utc", "gmt", "st", "nd", "rd", "th", "of",
                    "mon", "tue", "wed", "thu", "fri", "sat", "sun", "monday", "tuesday",
                    "wednesday", "thursday", "friday", "saturday", "sunday"
                ].contains(String(word))
        }
        return hasMonth && hasDigits && unknownWords.isEmpty
    }

    /// Whether a date/time text names a time zone: a `Z`, a `±hh[:mm]` offset after the time, or
    /// the words UTC/GMT (pandas then makes the value zone-aware).
    static func hasTimeZone(_ text: String) -> Bool {
        let s = text.trimmingPythonWhitespaceString()
        let words = s.lowercased().split(whereSeparator: { !$0.isLetter })
        if words.contains(where: { $0 == "utc" || $0 == "gmt" || $0 == "z" }) && s.contains(where: { $0.isNumber })
            && s.last.map({ $0 == "Z" || $0 == "z" || $0.isLetter }) == true
        {
            return true
        }
        // An offset needs a time before it (`2024-01-02` is a date, not a -02 offset).
        guard let timeStart = s.firstIndex(where: { $0 == "T" || $0 == " " }) ?? (s.contains(":") ? s.startIndex : nil)
        else { return false }
        let time = s[timeStart...]
        guard let sign = time.lastIndex(where: { $0 == "+" || $0 == "-" }) else { return false }
        let offset = time[time.index(after: sign)...].filter { $0 != ":" }
        return time[..<sign].contains(":") && (offset.count == 2 || offset.count == 4)
            && offset.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// The written form of an ISO-like date/time (digits → d), to compare formats within a column:
    /// pandas infers the format from the first string and refuses the others that differ.
    static func isoShape(_ text: String) -> String? {
        let s = text.trimmingPythonWhitespaceString()
        guard s.count >= 4, s.prefix(4).allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return String(s.map { $0.isASCII && $0.isNumber ? "d" : $0 })
    }

    private static func validDayMonth(_ n: [Int]) -> Bool {
        // y/m/d or m/d/y or d/m/y
        if n[0] > 31 { return (1...12).contains(n[1]) && (1...31).contains(n[2]) }
        if n[2] > 31 || n[2] >= 1000 {
            return ((1...12).contains(n[0]) && (1...31).contains(n[1]))
                || ((1...31).contains(n[0]) && (1...12).contains(n[1]))
        }
        return (1...12).contains(n[0]) && (1...31).contains(n[1])
    }

    private static func isoDateTime(_ s: Substring, allowBareYear: Bool) -> Bool {
        var rest = s
        func digits(_ count: Int) -> Int? {
            guard rest.count >= count else { return nil }
            let head = rest.prefix(count)
            guard head.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            rest = rest.dropFirst(count)
            return Int(head)
        }
        if allowBareYear, !s.isEmpty {
            var body = s
            if body.first == "-" || body.first == "+" { body = body.dropFirst() }
            if !body.isEmpty, body.allSatisfy({ $0.isASCII && $0.isNumber }) { return true }
        }
        guard digits(4) != nil else { return false }
        if rest.isEmpty { return allowBareYear }
        guard rest.first == "-" else { return false }
        rest = rest.dropFirst()
        guard let month = digits(2), (1...12).contains(month) else { return false }
        if rest.isEmpty { return allowBareYear }
        guard rest.first == "-" else { return false }
        rest = rest.dropFirst()
        guard let day = digits(2), (1...31).contains(day) else { return false }
        if rest.isEmpty { return true }
        guard rest.first == "T" || rest.first == " " else { return false }
        rest = rest.dropFirst()
        guard let hour = digits(2), hour < 24 else { return false }
        if rest.first == ":" {
            rest = rest.dropFirst()
            guard let minute = digits(2), minute < 60 else { return false }
            if rest.first == ":" {
                rest = rest.dropFirst()
                guard let second = digits(2), second < 61 else { return false }
                if rest.first == "." || rest.first == "," {
                    rest = rest.dropFirst()
                    let fraction = rest.prefix { $0.isASCII && $0.isNumber }
                    guard !fraction.isEmpty else { return false }
                    rest = rest.dropFirst(fraction.count)
                }
            }
        }
        if rest.isEmpty { return true }
        if rest == "Z" { return true }
        if rest.first == "+" || rest.first == "-" {
            rest = rest.dropFirst()
            guard digits(2) != nil else { return false }
            if rest.first == ":" { rest = rest.dropFirst() }
            if rest.isEmpty { return true }
            return digits(2) != nil && rest.isEmpty
        }
        return false
    }
}

extension Substring {
    func trimmingPythonWhitespace() -> Substring {
        var s = self
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return s
    }
}

extension String {
    func trimmingPythonWhitespaceString() -> String { String(Substring(self).trimmingPythonWhitespace()) }
}

extension JSONValue {
    /// The value as the user wrote it, shortened for messages.
    var quoted: String {
        let text: String
        switch self {
        case .string(let s): text = "\"" + s + "\""
        case .number(let n): text = n.text
        case .bool(let b): text = b ? "true" : "false"
        case .null: text = "null"
        case .array, .object: text = serialized()
        }
        return text.count > 60 ? String(text.prefix(57)) + "..." : text
    }

    /// What Python calls it (`type(x).__name__`), for messages quoting MLflow.
    var pythonTypeName: String {
        switch self {
        case .null: return "NoneType"
        case .bool: return "bool"
        case .number(let n): return PyNumber(n).isInt ? "int" : "float"
        case .string: return "str"
        case .array: return "list"
        case .object: return "dict"
        }
    }
}
