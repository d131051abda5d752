// What replaced Foundation in Channels gives Foundation's answers: percent decoding, the
// words of file errors, and running child processes (`--exclude-newer`: TimestampTests).
// Foundation is the oracle here (test binaries may load it; mlenv does not).

import Basics
import Foundation
import Testing

@testable import Channels

@Suite struct PercentEncodingTests {
    @Test func decodesAsFoundationDid() {
        let atoms = [
            "a", "%", "%2", "%20", "%2f", "%2F", "%zz", "%00", "%C3", "%A9", "%C3%A9", "%e9", "%FF", "+", "é", "/",
            "%4", "%F0%9F%98%80", "%ED%A0%80", "%C0%AF", " ", "%EF%BB%BF"
        ]
        var texts = [""]
        for a in atoms { for b in atoms { for c in atoms { texts.append(a + b + c) } } }
        for text in texts {
            #expect(PercentEncoding.decoded(text) == text.removingPercentEncoding, "\(text.debugDescription)")
        }
    }
}

@Suite struct FileErrorTextTests {
    @Test func describesFileErrorsAsFoundationDid() {
        var errors: [any Error] = []
        do { try FileManager.default.createDirectory(atPath: "/proc/mlenv/x", withIntermediateDirectories: true) } catch
        { errors.append(error) }
        do { try Data([1]).write(to: URL(fileURLWithPath: "/proc/mlenv")) } catch { errors.append(error) }
        do { try FileManager.default.copyItem(atPath: "/nonexistent/mlenv", toPath: "/tmp/mlenv-never") } catch {
            errors.append(error)
        }
        do { _ = try FileManager.default.contentsOfDirectory(atPath: "/nonexistent/mlenv") } catch {
            errors.append(error)
        }
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
        let out = Pipe()
        let err = Pipe()
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
        let child = try ChildProcess.run(
            "/bin/sh", arguments: ["-c", Self.script, "zero", "one two", ""], environment: environment)
        let (status, output, error) = try Self.foundation(environment: environment)
        #expect(child.status == 3 && status == 3)
        // Everything but the descriptor line as Foundation's Process; that line exactly 0–2 (and
        // the descriptor `ls` reads /proc with). Foundation's own line is not compared: it left
        // the socket it watched the child with open in the child, and whatever another test's
        // thread opened while it spawned.
        func withoutDescriptors(_ text: String) -> [Substring] {
            text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().filter { $0.offset != 2 }.map(
                \.element)
        }
        let childOutput = String(decoding: child.output, as: UTF8.self)
        #expect(withoutDescriptors(childOutput) == withoutDescriptors(output))
        #expect(childOutput.contains("\n0 1 2 3 \nleader\n"))
        #expect(String(decoding: child.error, as: UTF8.self) == error)
    }

    /// A signal and an exit code with the same number are told apart (Foundation's
    /// `terminationStatus` folded both into one number).
    @Test func reportsTheSignalThatEndedAChild() throws {
        let child = try ChildProcess.run("/bin/sh", arguments: ["-c", "kill -KILL $$"])
        #expect(child.status == SIGKILL)
        #expect(child.termination == .signaled(SIGKILL))
        #expect(
            child.termination.description == "killed by signal 9" && child.termination.brief == "killed by signal 9")
        let exited = try ChildProcess.run("/bin/sh", arguments: ["-c", "exit 9"])
        #expect(exited.termination == .exited(9))
        #expect(exited.termination.description == "exit status 9" && exited.termination.brief == "exit 9")
    }

    /// Many synchronous runs at once from Swift's cooperative threads (each test here runs on
    /// one): nothing waits for a free pool thread (swift-subprocess's async run, bridged to a
    /// synchronous call, did: two such tests at once hung on this 2-core machine).
    @Test func runsFromManyTasksAtOnce() async throws {
        let outputs = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<12 {
                group.addTask {
                    let child = try ChildProcess.run("/bin/sh", arguments: ["-c", "sleep 0.2; echo \(index)"])
                    return String(decoding: child.output, as: UTF8.self)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(outputs) == Set((0..<12).map { "\($0)\n" }))
    }

    @Test func refusesWhatItCannotRunInFoundationsWords() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlenv-spawn-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (name, mode) in [("plain", 0o644), ("not-a-program", 0o755)] {
            #expect(
                FileManager.default.createFile(
                    atPath: directory + "/" + name, contents: Data("not a program\n".utf8),
                    attributes: [.posixPermissions: mode]))
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
        let log = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlenv-child-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).log"
        ).path
        defer { try? FileManager.default.removeItem(atPath: log) }
        #expect(FileManager.default.createFile(atPath: log, contents: nil))
        let child = try ChildProcess.launch(
            "/bin/sh", arguments: ["-c", "echo out; echo err >&2; echo more"],
            standardOutput: .file(log), standardError: .file(log))
        #expect(child.waitUntilExit() == 0)
        #expect(!child.isRunning)
        #expect(FileManager.default.contents(atPath: log) == Data("out\nerr\nmore\n".utf8))
        let quiet = try ChildProcess.run(
            "/bin/sh", arguments: ["-c", "echo out; echo err >&2"], standardOutput: .discard, standardError: .capture)
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
        #expect(child.termination == nil)
        child.send(SIGKILL)
        #expect(child.waitUntilExit() == SIGKILL)
        #expect(!child.isRunning)
        #expect(child.termination == .signaled(SIGKILL))
    }
}
