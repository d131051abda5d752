// `--exclude-newer` dates: `2024-05-01` (midnight UTC) or a time such as `2024-05-01T12:00:00Z`
// or `2024-05-01T12:00:00+02:00`, read as Foundation's ISO8601DateFormatter read them before:
// first as a date and time with a zone, else as the date alone, ignoring what follows it.
//
// Traps (ICU's lenient parsing, kept):
// - Leading whitespace is skipped; the date's parts may be separated by any of ` ,-./`.
// - A day past the month's end rolls over (`2024-02-30` is March 1); month 13 or day 32 is no date.
// - Before 1582-10-15 the calendar is the Julian one.
// - A time without a zone, or with fractional seconds, counts as the date alone.

public enum ISO8601 {
    /// Milliseconds since the epoch of `2024-05-01` or `2024-05-01T12:00:00Z`.
    public static func milliseconds(_ text: String) -> Int64? {
        var reader = Reader(bytes: Array(text.utf8))
        reader.skipWhitespace()
        guard let year = reader.number(), reader.skip(oneOf: " ,-./"),
              let month = reader.number(), (1...12).contains(month), reader.skip(oneOf: " ,-./"),
              let day = reader.number(), (1...31).contains(day) else { return nil }
        let midnight = daysSinceEpoch(year: year, month: month, day: day) * 86_400
        return Int64(midnight + (reader.timeOfDayInUTC() ?? 0)) * 1000
    }

    /// Milliseconds since the epoch of an index's upload time (PEP 700: RFC 3339, fractional
    /// seconds allowed, `2020-06-04T00:26:32.227525Z`); the fraction is cut to milliseconds.
    public static func uploadMilliseconds(_ text: String) -> Int64? {
        var reader = Reader(bytes: Array(text.utf8))
        guard let year = reader.number(), reader.skip("-"), let month = reader.number(maxDigits: 2), (1...12).contains(month),
              reader.skip("-"), let day = reader.number(maxDigits: 2), (1...31).contains(day),
              reader.skip(oneOf: "Tt "), let hour = reader.number(maxDigits: 2), hour <= 23, reader.skip(":"),
              let minute = reader.number(maxDigits: 2), minute <= 59, reader.skip(":"), let second = reader.number(maxDigits: 2), second <= 60
        else { return nil }
        var millis = 0
        if reader.skip(".") {
            var digits = 0
            while let d = reader.digit() {
                if digits < 3 { millis = millis * 10 + d }
                digits += 1
            }
            guard digits > 0 else { return nil }
            for _ in min(digits, 3)..<3 { millis *= 10 }
        }
        guard let offset = reader.zoneOffset() else { return nil }
        let seconds = daysSinceEpoch(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Int64(seconds) * 1000 + Int64(millis)
    }

    /// Days from 1970-01-01, in the Gregorian calendar from 1582-10-15 on and the Julian one
    /// before (Foundation's calendar). Linear in `day`, so a day past the month's end rolls over.
    private static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let march = month <= 2 ? 1 : 0
        let y = year + 4800 - march
        let m = month + 12 * march - 3
        let common = day + (153 * m + 2) / 5 + 365 * y + y / 4
        let gregorian = (year, month, day) >= (1582, 10, 15)
        let julianDayNumber = gregorian ? common - y / 100 + y / 400 - 32_045 : common - 32_083
        return julianDayNumber - 2_440_588
    }

    private struct Reader {
        let bytes: [UInt8]
        var position = 0

        mutating func skipWhitespace() {
            while position < bytes.count, [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D].contains(bytes[position]) { position += 1 }
        }

        mutating func digit() -> Int? {
            guard position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 else { return nil }
            position += 1
            return Int(bytes[position - 1] - 0x30)
        }

        mutating func skip(oneOf characters: String) -> Bool {
            guard position < bytes.count, characters.utf8.contains(bytes[position]) else { return false }
            position += 1
            return true
        }

        mutating func skip(_ text: String) -> Bool {
            guard bytes[position...].starts(with: text.utf8) else { return false }
            position += text.utf8.count
            return true
        }

        /// Decimal digits (at most `maxDigits`), or nil when there are none.
        mutating func number(maxDigits: Int = 9) -> Int? {
            var value = 0
            let start = position
            while position < bytes.count, position - start < maxDigits, (0x30...0x39).contains(bytes[position]) {
                value = value * 10 + Int(bytes[position] - 0x30)
                position += 1
            }
            return position > start ? value : nil
        }

        /// `THH:mm:ss` and a zone, in seconds after midnight UTC; nil when the text has no such time.
        mutating func timeOfDayInUTC() -> Int? {
            guard skip("T"), let hour = number(maxDigits: 2), hour <= 24, skip(oneOf: " -.:"),
                  let minute = number(maxDigits: 2), minute <= 59, skip(oneOf: " -.:"),
                  let second = number(maxDigits: 2), second <= 59 else { return nil }
            while skip(" ") {}
            guard let offset = zoneOffset() else { return nil }
            return hour * 3600 + minute * 60 + second - offset
        }

        /// `Z`, `+02:00`, `-0230`, `+2`, optionally after `GMT` or `UTC`, in seconds east of UTC.
        mutating func zoneOffset() -> Int? {
            if skip("Z") || skip("z") { return 0 }
            let named = skip("GMT") || skip("UTC")
            guard position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") else {
                return named ? 0 : nil
            }
            let sign = bytes[position] == UInt8(ascii: "-") ? -1 : 1
            position += 1
            let digitsStart = position
            guard let first = number(maxDigits: 4) else { return nil }
            var hours = first
            var minutes = 0
            if position - digitsStart > 2 {
                hours = first / 100
                minutes = first % 100
            } else if position + 2 < bytes.count, bytes[position] == UInt8(ascii: ":") {
                let mark = position
                position += 1
                if let m = number(maxDigits: 2), position - mark == 3 { minutes = m } else { position = mark }
            }
            guard hours <= 23, minutes <= 59 else { return nil }
            return sign * (hours * 3600 + minutes * 60)
        }
    }
}
