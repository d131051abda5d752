// `--exclude-newer`: one cut-off type read once, one rule (at or after the cut-off is
// excluded, as uv's "uploaded prior to the given date"), the same for conda builds and PyPI
// uploads. The mirror's and the CLI's paths are in CLITests/ExcludeNewerTests.

import Basics
import Foundation
import Requests
import Testing

@testable import Channels

@Suite struct TimestampTests {
    static let tenUTC: Int64 = 1_793_527_200_000  // 2026-11-01T10:00:00Z in milliseconds

    @Test func readsDatesAndRFC3339Times() throws {
        #expect(try UploadCutoff("2026-11-01").instant == Timestamp(milliseconds: Self.tenUTC - 10 * 3_600_000))
        #expect(try UploadCutoff("2026-11-01T10:00:00Z").instant == Timestamp(milliseconds: Self.tenUTC))
        #expect(try UploadCutoff("2026-11-01T12:00:00+02:00").instant == Timestamp(milliseconds: Self.tenUTC))
        #expect(try UploadCutoff("2026-11-01T07:30:00-02:30").instant == Timestamp(milliseconds: Self.tenUTC))
        #expect(
            try UploadCutoff("2026-11-01T10:00:00.25Z").instant == Timestamp(microseconds: Self.tenUTC * 1000 + 250_000)
        )
        #expect(Timestamp(rfc3339: "2026-11-01T10:00:00.000001Z") == Timestamp(microseconds: Self.tenUTC * 1000 + 1))
        #expect(Timestamp(rfc3339: "2020-06-04T00:26:32.227525Z") == Timestamp(microseconds: 1_591_230_392_227_525))
        // An upload time is a time: a date alone is not one.
        #expect(Timestamp(rfc3339: "2026-11-01") == nil)
        #expect(Timestamp(rfc3339: "2026-11-01", dateAlone: true) != nil)
    }

    /// What Foundation's lenient readers let through is bad input here.
    @Test func refusesWhatIsNotADateOrATimeWithAZone() {
        for text in [
            "", "2024-02-30", "2023-02-29", "2024-04-31", "2024-13-01", "2024-00-10", "2024-05-00", "2024-5-1",
            "20240501",
            " 2024-05-01", "2024/05/01", "2024-05-01x", "2024-05-01T", "2024-05-01T12:00:00", "2024-05-01T12:00Z",
            "2024-05-01T12:00:00Zjunk", "2024-05-01T24:00:00Z", "2024-05-01T12:60:00Z", "2024-05-01T12:00:60Z",
            "2024-05-01t12:00:00z", "2024-05-01 12:00:00Z", "2024-05-01T12:00:00.Z", "2024-05-01T12:00:00+02",
            "2024-05-01T12:00:00+0200", "2024-05-01T12:00:00+24:00", "2024-05-01T12:00:00GMT", "+2024-05-01",
            "2024-W18-3"
        ] {
            #expect(throws: TimestampError.self, "\(text.debugDescription)") { try UploadCutoff(text) }
        }
        #expect(Timestamp(rfc3339: "2024-02-29T00:00:00Z") != nil)
    }

    /// The digits are read as the calendar has them: leap years by the Gregorian rule, times
    /// before 1970, offsets across midnight, fractions to the nearest microsecond.
    @Test func readsTheCalendar() {
        #expect(Timestamp(rfc3339: "1970-01-01T00:00:00Z") == Timestamp(microseconds: 0))
        #expect(Timestamp(rfc3339: "1969-12-31T23:59:59Z") == Timestamp(microseconds: -1_000_000))
        #expect(Timestamp(rfc3339: "2000-02-29T00:00:00Z") == Timestamp(microseconds: 951_782_400_000_000))
        #expect(Timestamp(rfc3339: "1900-02-29T00:00:00Z") == nil)
        #expect(Timestamp(rfc3339: "2100-02-29", dateAlone: true) == nil)
        #expect(
            Timestamp(rfc3339: "2026-11-02T01:00:00+03:00") == Timestamp(milliseconds: Self.tenUTC + 12 * 3_600_000))
        #expect(Timestamp(rfc3339: "2026-10-31T23:00:00-11:00") == Timestamp(milliseconds: Self.tenUTC))
        #expect(Timestamp(rfc3339: "2026-11-01T10:00:00.0000004Z") == Timestamp(milliseconds: Self.tenUTC))
        #expect(Timestamp(rfc3339: "2026-11-01T10:00:00.0000005Z") == Timestamp(microseconds: Self.tenUTC * 1000 + 1))
        #expect(Timestamp(rfc3339: "2026-11-01T09:59:59.9999999Z") == Timestamp(milliseconds: Self.tenUTC))
        #expect(Timestamp(rfc3339: "2026-11-01T10:00:00.5Z") == Timestamp(microseconds: Self.tenUTC * 1000 + 500_000))
    }

    @Test func theErrorNamesTheOptionAndTheText() {
        #expect(
            throws: TimestampError(
                "--exclude-newer '2026-13-01' is not a date (YYYY-MM-DD) or an RFC 3339 time with a zone (2024-05-01T12:00:00Z, 2024-05-01T12:00:00+02:00)"
            )
        ) {
            try UploadCutoff("2026-13-01")
        }
    }

    /// A cut-off with an offset is an instant: 12:00+02:00 excludes an upload at 11:00Z (a
    /// text comparison keeps it), excludes one at exactly the cut-off and keeps one a
    /// microsecond before.
    @Test func oneRuleForUploadsAndBuilds() throws {
        let cutoff = try UploadCutoff("2026-11-01T12:00:00+02:00")
        #expect(cutoff.excludes(uploadTime: "2026-11-01T11:00:00Z"))
        #expect(cutoff.excludes(uploadTime: "2026-11-01T10:00:00Z"))
        #expect(cutoff.excludes(uploadTime: "2026-11-01T10:00:00.000000Z"))
        #expect(!cutoff.excludes(uploadTime: "2026-11-01T09:59:59.999999Z"))
        #expect(!cutoff.excludes(uploadTime: "2026-11-01T11:59:59+02:00"))
        #expect(!cutoff.excludes(uploadTime: nil))
        #expect(!cutoff.excludes(uploadTime: "yesterday"))
        #expect(cutoff.excludes(buildMilliseconds: Self.tenUTC))
        #expect(!cutoff.excludes(buildMilliseconds: Self.tenUTC - 1))
        #expect(!cutoff.excludes(buildMilliseconds: nil))
    }

    /// The conda path: ChannelSet drops builds made at or after the cut-off, offset or not.
    @Test func condaBuildsAgainstAnOffsetCutoff() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-cutoff-\(getpid())")
        defer { try? FileManager.default.removeItem(at: root) }
        var packages: [String] = []
        for (version, at) in [("1.0", Self.tenUTC + 3_600_000), ("0.9", Self.tenUTC), ("0.8", Self.tenUTC - 1)] {
            packages.append(
                "\"demo-\(version)-0.tar.bz2\": {\"name\": \"demo\", \"version\": \"\(version)\", \"build\": \"0\", \"build_number\": 0, \"depends\": [], \"timestamp\": \(at)}"
            )
        }
        for subdir in ["linux-64", "noarch"] {
            let directory = root.appendingPathComponent(subdir)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let body = subdir == "noarch" ? packages.joined(separator: ", ") : ""
            try Data("{\"info\": {\"subdir\": \"\(subdir)\"}, \"packages\": {\(body)}}".utf8).write(
                to: directory.appendingPathComponent("repodata.json"))
        }
        func count(_ cutoff: String?) throws -> Int {
            try ChannelSet(
                condaChannels: [CondaChannel(root.path)], pypiIndexes: [],
                target: Target(python: PythonVersion(major: 3, minor: 11)),
                excludeNewer: cutoff
            ).condaRecordCount
        }
        #expect(try count(nil) == 3)
        #expect(try count("2026-11-01T12:00:00+02:00") == 1)
        #expect(try count("2026-11-01T10:00:00.001Z") == 2)
        #expect(try count("2026-11-02") == 3)
        #expect(throws: ChannelError.self) { try count("2026-11-01T12:00:00") }
    }
}
