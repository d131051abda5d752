// Instants for `--exclude-newer`: the cut-off a user gives, the upload time of a PyPI file
// (PEP 700) and the build time of a conda record, as one type compared by one rule.
//
// The text is read digit by digit after its shape is checked: no text after the zone
// (`…Zjunk`), no day past its month's end (`2024-02-30`), no hour 24 or second 60 (what
// FoundationEssentials' `Date.ISO8601FormatStyle`, used before, let through or rolled over).
//
// The rule (uv's, "uploaded prior to the given date"): a file uploaded or a build made at or
// after the cut-off is excluded. Files and builds that give no time are kept.

/// An instant, in microseconds since 1970-01-01T00:00:00Z (PyPI gives upload times to the
/// microsecond, conda build times to the millisecond).
public struct Timestamp: Comparable, Hashable, Sendable {
    public let microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }

    /// A conda record's `timestamp` (milliseconds; CondaRecord has turned old seconds into them).
    public init(milliseconds: Int64) { microseconds = milliseconds.multipliedReportingOverflow(by: 1000).partialValue }

    /// An RFC 3339 date and time with a zone (`2020-06-04T00:26:32.227525Z`,
    /// `2026-11-01T09:02:40+02:00`), or with `dateAlone`, also a date (`2024-05-01`, midnight UTC).
    /// Worked out from the digits (a resolve reads one per file its mirror lists): a fraction
    /// finer than a microsecond rounds to the nearest one.
    public init?(rfc3339 text: String, dateAlone: Bool = false) {
        let b = Array(text.utf8)
        guard let hasTime = Self.shape(b), hasTime || dateAlone else { return nil }
        func number(_ at: Int, _ count: Int) -> Int64 {
            b[at..<(at + count)].reduce(0) { $0 * 10 + Int64($1 - 0x30) }
        }
        let (year, month, day) = (number(0, 4), number(5, 2), number(8, 2))
        // The day must be one of its month's (no rolling over into the next month).
        guard day <= Self.days(inMonth: month, of: year) else { return nil }
        var seconds = Self.daysSinceEpoch(year: year, month: month, day: day) * 86_400
        var fraction: Int64 = 0
        if hasTime {
            seconds += number(11, 2) * 3_600 + number(14, 2) * 60 + number(17, 2)
            var at = 19
            if b[at] == UInt8(ascii: ".") {
                at += 1
                var digits = 0
                while at < b.count, (0x30...0x39).contains(b[at]) {
                    if digits < 6 { fraction = fraction * 10 + Int64(b[at] - 0x30) }
                    if digits == 6 && b[at] >= UInt8(ascii: "5") { fraction += 1 }  // rounded after the sixth
                    digits += 1
                    at += 1
                }
                for _ in digits..<max(digits, 6) { fraction *= 10 }
            }
            if b[at] != UInt8(ascii: "Z") {
                let offset = number(at + 1, 2) * 3_600 + number(at + 4, 2) * 60
                seconds += b[at] == UInt8(ascii: "+") ? -offset : offset
            }
        }
        microseconds = seconds * 1_000_000 + fraction
    }

    private static func days(inMonth month: Int64, of year: Int64) -> Int64 {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 in the proleptic Gregorian calendar (the civil-from-days method:
    /// years start in March, so the leap day is the last of its year).
    private static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.microseconds < b.microseconds }

    /// `YYYY-MM-DD`, optionally `THH:MM:SS`, a fraction and `Z` or `±HH:MM`, with each field in
    /// range: whether it has a time, or nil when it is not such a text.
    private static func shape(_ b: [UInt8]) -> Bool? {
        func number(_ at: Int, _ count: Int) -> Int? {
            guard at + count <= b.count else { return nil }
            var value = 0
            for i in at..<(at + count) {
                guard (0x30...0x39).contains(b[i]) else { return nil }
                value = value * 10 + Int(b[i] - 0x30)
            }
            return value
        }
        func byte(_ at: Int, _ c: Character) -> Bool { at < b.count && b[at] == c.asciiValue! }
        guard number(0, 4) != nil, byte(4, "-"), let month = number(5, 2), (1...12).contains(month), byte(7, "-"),
            let day = number(8, 2), (1...31).contains(day)
        else { return nil }
        if b.count == 10 { return false }
        guard byte(10, "T"), let hour = number(11, 2), hour <= 23, byte(13, ":"), let minute = number(14, 2),
            minute <= 59,
            byte(16, ":"), let second = number(17, 2), second <= 59
        else { return nil }
        var at = 19
        if byte(at, ".") {
            at += 1
            let start = at
            while at < b.count, (0x30...0x39).contains(b[at]) { at += 1 }
            guard at > start, at - start <= 9 else { return nil }
        }
        if byte(at, "Z") { return at + 1 == b.count ? true : nil }
        guard byte(at, "+") || byte(at, "-"), let zoneHour = number(at + 1, 2), zoneHour <= 23, byte(at + 3, ":"),
            let zoneMinute = number(at + 4, 2), zoneMinute <= 59, at + 6 == b.count
        else { return nil }
        return true
    }
}

/// The `--exclude-newer` cut-off, read once: as given (for reports and lock files) and as an
/// instant (for comparing).
public struct UploadCutoff: Sendable, CustomStringConvertible {
    /// The text as given.
    public let text: String
    public let instant: Timestamp

    /// `2024-05-01` (midnight UTC) or an RFC 3339 time with a zone (`2024-05-01T12:00:00Z`,
    /// `2024-05-01T12:00:00.5+02:00`); anything else is bad input named by `option`.
    public init(_ text: String, option: String = "--exclude-newer") throws(TimestampError) {
        guard let instant = Timestamp(rfc3339: text, dateAlone: true) else {
            throw TimestampError(
                "\(option) '\(text)' is not a date (YYYY-MM-DD) or an RFC 3339 time with a zone (2024-05-01T12:00:00Z, 2024-05-01T12:00:00+02:00)"
            )
        }
        self.text = text
        self.instant = instant
    }

    /// The one rule: excluded at or after the cut-off.
    public func excludes(_ time: Timestamp) -> Bool { time >= instant }

    /// A conda build: its `timestamp` in milliseconds; a record without one is kept.
    public func excludes(buildMilliseconds: Int64?) -> Bool {
        buildMilliseconds.map { excludes(Timestamp(milliseconds: $0)) } ?? false
    }

    /// A PyPI file: its PEP 700 `upload-time`; a file without one (or with one that does not
    /// read) is kept, as the index did not give it.
    public func excludes(uploadTime: String?) -> Bool {
        uploadTime.flatMap { Timestamp(rfc3339: $0) }.map(excludes) ?? false
    }

    public var description: String { text }
}

/// A cut-off that is not a date or a time with a zone.
public struct TimestampError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
