// What replaced Foundation in Channels gives Foundation's answers: percent decoding,
// `--exclude-newer` dates, the words of file errors, and running child processes.
// Foundation is the oracle here (test binaries may load it; mlenv does not).

import Basics
@testable import Channels
import Foundation
import Testing

@Suite struct PercentEncodingTests {
    @Test func decodesAsFoundationDid() {
        let atoms = ["a", "%", "%2", "%20", "%2f", "%2F", "%zz", "%00", "%C3", "%A9", "%C3%A9", "%e9", "%FF", "+", "é", "/",
                     "%4", "%F0%9F%98%80", "%ED%A0%80", "%C0%AF", " ", "%EF%BB%BF"]
        var texts = [""]
        for a in atoms { for b in atoms { for c in atoms { texts.append(a + b + c) } } }
        for text in texts {
            #expect(PercentEncoding.decoded(text) == text.removingPercentEncoding, "\(text.debugDescription)")
        }
    }
}

@Suite struct ExcludeNewerDateTests {
    static func foundation(_ text: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970 * 1000) }
        formatter.formatOptions = [.withFullDate]
        if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970 * 1000) }
        return nil
    }

    @Test func readsDatesAsISO8601DateFormatterDid() {
        var texts = ["2024-05-01", "2024-05-01T12:00:00Z", "2024-05-01T12:00:00+02:00", "2024-05-01T12:00:00+0200", "2024-05-01T12:00:00-02:30",
                     "2024-05-01T12:00:00+02", "2024-05-01T12:00:00+2", "2024-05-01T12:00:00+02:3", "2024-05-01T12:00:00GMT", "2024-05-01T12:00:00UTC",
                     "2024-05-01T12:00:00GMT+2", "2024-05-01T12:00:00 Z", "2024-05-01T12:00:00z", "2024-05-01T12:00:00Zjunk", "2024-05-01T1:2:3Z",
                     "2024-05-01T24:00:00Z", "2024-05-01T25:00:00Z", "2024-05-01T12:60:00Z", "2024-05-01T12:00:60Z", "2024-05-01T12:00:00.5Z",
                     "2024-05-01T12:00Z", "2024-05-01T12:00:00", "2024-05-01T12:00:00PST", "2024-05-01t12:00:00z", "2024-05-01T", "2024-05-01x",
                     " 2024-05-01", "\t2024-05-01", "2024/05/01", "2024.05.01", "2024 05 01", "2024,05,01", "2024-5-1", "2024-005-001", "24-05-01",
                     "0001-01-01", "1582-10-15", "1582-10-04", "99999-01-01", "2024-02-30", "2023-02-29", "2024-04-31", "2024-13-01", "2024-05-32",
                     "2024-00-10", "2024-05-00", "20240501", "2024--05-01", "+2024-05-01", "x2024-05-01", "", "2024-W18-3", "2024-122"]
        for year in ["1600", "1900", "1969", "1970", "2000", "2024", "2025", "2100"] {
            for month in 1...12 { for day in [1, 28, 29, 30, 31] { texts.append("\(year)-\(month)-\(day)") } }
        }
        for text in texts {
            #expect(ISO8601.milliseconds(text) == Self.foundation(text), "\(text.debugDescription)")
        }
    }
}

@Suite struct FileErrorTextTests {
    @Test func describesFileErrorsAsFoundationDid() {
        var errors: [any Error] = []
        do { try FileManager.default.createDirectory(atPath: "/proc/mlenv/x", withIntermediateDirectories: true) } catch { errors.append(error) }
        do { try Data([1]).write(to: URL(fileURLWithPath: "/proc/mlenv")) } catch { errors.append(error) }
        do { try FileManager.default.copyItem(atPath: "/nonexistent/mlenv", toPath: "/tmp/mlenv-never") } catch { errors.append(error) }
        do { _ = try FileManager.default.contentsOfDirectory(atPath: "/nonexistent/mlenv") } catch { errors.append(error) }
        #expect(errors.count == 4)
        for error in errors { #expect(FileErrorText.describe(error) == error.localizedDescription) }
    }
}

@Suite struct ChildProcessTests {
    /// A shell script that reports what a child sees: its arguments, an environment variable,
    /// its directory, its open descriptors, whether it leads its process group, its stdin.
    static let script = #"""
        printf 'args=%s|' "$0" "$@"; printf 'env=%s\n' "${MLENV_CHILD_TEST-unset}"; pwd
        ls /proc/self/fd | sort -n | tr '\n' ' '; echo
        [ "$(awk '{print $5}' /proc/$$/stat)" = "$$" ] && echo leader || echo member
        echo to-stderr >&2; exit 3
        """#

    static func foundation(environment: [String: String]?) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script, "zero", "one two", ""]
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let error = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output, error)
    }

    @Test(arguments: [nil, ["MLENV_CHILD_TEST": "set", "PATH": "/usr/bin:/bin"]] as [[String: String]?])
    func runsAChildAsFoundationsProcessDid(environment: [String: String]?) throws {
        let child = try ChildProcess.run("/bin/sh", arguments: ["-c", Self.script, "zero", "one two", ""], environment: environment)
        let (status, output, error) = try Self.foundation(environment: environment)
        #expect(child.status == 3 && status == 3)
        // Everything but the descriptor line as Foundation's Process; that line exactly 0–2 (and
        // the descriptor `ls` reads /proc with). Foundation's own line is not compared: it left
        // the socket it watched the child with open in the child, and whatever another test's
        // thread opened while it spawned.
        func withoutDescriptors(_ text: String) -> [Substring] {
            text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().filter { $0.offset != 2 }.map(\.element)
        }
        let childOutput = String(decoding: child.output, as: UTF8.self)
        #expect(withoutDescriptors(childOutput) == withoutDescriptors(output))
        #expect(childOutput.contains("\n0 1 2 3 \nleader\n"))
        #expect(String(decoding: child.error, as: UTF8.self) == error)
    }

    @Test func reportsTheSignalThatEndedAChild() throws {
        let child = try ChildProcess.run("/bin/sh", arguments: ["-c", "kill -KILL $$"])
        #expect(child.status == SIGKILL)
    }

    @Test func refusesWhatItCannotRunInFoundationsWords() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-spawn-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (name, mode) in [("plain", 0o644), ("not-a-program", 0o755)] {
            #expect(FileManager.default.createFile(atPath: directory + "/" + name, contents: Data("not a program\n".utf8), attributes: [.posixPermissions: mode]))
        }
        for path in ["/nonexistent/mlenv", directory, directory + "/plain", directory + "/not-a-program"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            let expected = #expect(throws: (any Error).self) { try process.run() }
            let error = #expect(throws: ProcessLaunchError.self) { try ChildProcess.run(path, arguments: []) }
            #expect(error?.description == expected?.localizedDescription, "\(path)")
        }
    }

    @Test func writesBothStreamsToOneFileAndDiscards() throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-child-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        #expect(FileManager.default.createFile(atPath: log, contents: nil))
        let child = try ChildProcess.launch("/bin/sh", arguments: ["-c", "echo out; echo err >&2; echo more"],
                                            standardOutput: .file(log), standardError: .file(log))
        #expect(child.waitUntilExit() == 0)
        #expect(!child.isRunning)
        #expect(FileManager.default.contents(atPath: log) == Data("out\nerr\nmore\n".utf8))
        let quiet = try ChildProcess.run("/bin/sh", arguments: ["-c", "echo out; echo err >&2"], standardOutput: .discard, standardError: .capture)
        #expect(quiet.output.isEmpty && quiet.error == Array("err\n".utf8))
    }

    /// A child that outlives its timeout is killed with its whole group (a build's workers
    /// too: the captured pipe only ends when every holder of it is gone); one that ends in time
    /// is not reported as timed out.
    @Test func aTimeoutKillsTheWholeGroup() throws {
        let slow = try ChildProcess.run("/bin/sh", arguments: ["-c", "sleep 30 & sleep 30; echo never"], timeout: 0.5)
        #expect(slow.timedOut)
        #expect(slow.status == SIGKILL)
        #expect(slow.output.isEmpty)
        let quick = try ChildProcess.run("/bin/sh", arguments: ["-c", "echo done"], timeout: 30)
        #expect(!quick.timedOut && quick.status == 0 && quick.output == Array("done\n".utf8))
    }

    @Test func tellsARunningChildFromAnEndedOne() throws {
        let child = try ChildProcess.launch("/bin/sh", arguments: ["-c", "sleep 10"])
        #expect(child.isRunning)
        child.send(SIGKILL)
        #expect(child.waitUntilExit() == SIGKILL)
        #expect(!child.isRunning)
    }
}

/// PEP 700 upload times against `--exclude-newer`: compared as instants, so a cutoff written
/// in another zone or an upload time with a fraction of a second is judged correctly.
@Suite struct UploadTimeTests {
    @Test func readsRFC3339UploadTimes() {
        #expect(ISO8601.uploadMilliseconds("2020-06-04T00:26:32.227525Z") == ISO8601.milliseconds("2020-06-04T00:26:32Z")! + 227)
        #expect(ISO8601.uploadMilliseconds("2020-06-04T00:26:32.5Z") == ISO8601.milliseconds("2020-06-04T00:26:32Z")! + 500)
        #expect(ISO8601.uploadMilliseconds("2026-11-01T09:02:40+02:00") == ISO8601.milliseconds("2026-11-01T07:02:40Z"))
        #expect(ISO8601.uploadMilliseconds("2026-11-01") == nil)
        #expect(ISO8601.uploadMilliseconds("2026-11-01T07:02:40.Z") == nil)
    }

    /// python-dateutil 4.0.0 was uploaded at 07:02:40Z: a cutoff of 08:00+02:00 (06:00Z) is before it.
    @Test func aCutoffInAnotherZoneIsAnInstant() {
        let uploaded = ISO8601.uploadMilliseconds("2026-11-01T07:02:40.123456Z")!
        #expect(uploaded >= ISO8601.milliseconds("2026-11-01T08:00:00+02:00")!)
        #expect(uploaded < ISO8601.milliseconds("2026-11-01T10:00:00+02:00")!)
    }
}
