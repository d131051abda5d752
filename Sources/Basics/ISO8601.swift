// Instants for `--exclude-newer`: the cut-off a user gives, the upload time of a PyPI file
// (PEP 700) and the build time of a conda record, as one type compared by one rule.
//
// FoundationEssentials' `Date.ISO8601FormatStyle` reads the text; what it lets through is
// checked first: it ignores text after the zone (`…Zjunk`), rolls a day past the month's
// end over (`2024-02-30` is March 1) and reads hour 24 and second 60.
//
// The rule (uv's, "uploaded prior to the given date"): a file uploaded or a build made at or
// after the cut-off is excluded. Files and builds that give no time are kept.

import FoundationEssentials

/// An instant, in microseconds since 1970-01-01T00:00:00Z (PyPI gives upload times to the
/// microsecond, conda build times to the millisecond).
public struct Timestamp: Comparable, Hashable, Sendable {
    public let microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }

    /// A conda record's `timestamp` (milliseconds; CondaRecord has turned old seconds into them).
    public init(milliseconds: Int64) { microseconds = milliseconds.multipliedReportingOverflow(by: 1000).partialValue }

    /// An RFC 3339 date and time with a zone (`2020-06-04T00:26:32.227525Z`,
    /// `2026-11-01T09:02:40+02:00`), or with `dateAlone`, also a date (`2024-05-01`, midnight UTC).
    public init?(rfc3339 text: String, dateAlone: Bool = false) {
        guard let hasTime = Self.shape(Array(text.utf8)), hasTime || dateAlone else { return nil }
        let date: Date
        do {
            date = hasTime ? try Self.dateTime.parse(text) : try Self.day.parse(text)
            // The day must be one of its month's (no rolling over into the next month).
            let day = String(decoding: Array(text.utf8).prefix(10), as: UTF8.self)
            guard Self.day.format(try Self.day.parse(day)) == day else { return nil }
        } catch {
            return nil
        }
        let micro = (date.timeIntervalSince1970 * 1_000_000).rounded()
        guard micro.magnitude < 9.2e18 else { return nil }
        microseconds = Int64(micro)
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.microseconds < b.microseconds }

    private static let dateTime = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    private static let day = Date.ISO8601FormatStyle().year().month().day()

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
