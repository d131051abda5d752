// What mlenv leaves behind when it is interrupted: nothing. A command that starts a server or
// fills a scratch directory registers them here; on SIGINT, SIGTERM or SIGHUP the registered
// process groups are killed and the registered directories removed, then mlenv exits with the
// shell's status for the signal (128 + n).
//
// The signal handler only writes the signal number to a pipe (async-signal-safe); a dedicated
// thread reads it and does the cleanup, which needs the file system and locks.

import FoundationEssentials
import Glibc

public enum Interruption {
    public struct Token: Hashable, Sendable {
        fileprivate let id: Int
    }

    private enum Resource {
        case processGroup(pid_t)
        case path(String)
    }

    /// The guarded resources, the last token's id, and whether the cleanup has started.
    private struct Guarded {
        var resources: [Int: Resource] = [:]
        var nextID = 0
        var interrupted = false
    }
    private static let guarded = Locked(Guarded())
    /// Written once before the handlers are installed; the signal handler only reads it.
    nonisolated(unsafe) private static var pipeWrite: Int32 = -1

    /// Kills `pid`'s process group if mlenv is interrupted before `release`.
    public static func guardProcessGroup(_ pid: pid_t) -> Token { register(.processGroup(pid)) }

    /// Removes `path` (a file, or a directory with everything in it) if mlenv is interrupted
    /// before `release`.
    public static func guardPath(_ path: String) -> Token { register(.path(path)) }

    /// Stops guarding. Once mlenv is interrupted this never returns: the process ends by the
    /// signal when the cleanup is done, and a thread that went on would race the cleanup (two
    /// recursive removals of one directory leave parts of it) or exit with its own status.
    public static func release(_ token: Token) {
        let stopping = guarded.withLock { state -> Bool in
            if state.interrupted { return true }
            _ = state.resources.removeValue(forKey: token.id)
            return false
        }
        if stopping { while true { pause() } }
    }

    private static func register(_ resource: Resource) -> Token {
        installOnce()
        return guarded.withLock { state in
            state.nextID += 1
            state.resources[state.nextID] = resource
            return Token(id: state.nextID)
        }
    }

    private static let installed: Bool = {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return false }
        pipeWrite = fds[1]
        let readEnd = fds[0]
        var thread = pthread_t()
        let started = pthread_create(
            &thread, nil,
            { argument in
                let fd = Int32(Int(bitPattern: argument))
                // This thread takes the signals even when mlenv was started with them blocked (a
                // parent such as a test runner may block them, and the mask is inherited).
                var watched = sigset_t()
                sigemptyset(&watched)
                for number in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&watched, number) }
                pthread_sigmask(SIG_UNBLOCK, &watched, nil)
                var signalNumber: UInt8 = 0
                while read(fd, &signalNumber, 1) < 0 && errno == EINTR {}
                Interruption.cleanUp()
                // End the way the signal would have ended mlenv (the shell sees 128 + n).
                let number = Int32(signalNumber)
                signal(number, SIG_DFL)
                var set = sigset_t()
                sigemptyset(&set)
                sigaddset(&set, number)
                pthread_sigmask(SIG_UNBLOCK, &set, nil)
                kill(getpid(), number)
                _exit(128 + number)
            }, UnsafeMutableRawPointer(bitPattern: Int(readEnd)))
        guard started == 0 else { return false }
        pthread_detach(thread)
        for number in [SIGINT, SIGTERM, SIGHUP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(Interruption.pipeWrite, &byte, 1)
            }
            sigemptyset(&action.sa_mask)
            sigaction(number, &action, nil)
        }
        return true
    }()

    private static func installOnce() { _ = installed }

    /// Kills every guarded process group and removes every guarded directory (run once, on the
    /// cleanup thread).
    static func cleanUp() {
        let all = guarded.withLock { state -> [Resource] in
            state.interrupted = true
            return state.resources.values.map { $0 }
        }
        for case .processGroup(let pid) in all {
            kill(-pid, SIGKILL)
        }
        // A child killed a moment ago may still be closing files in a directory: try again.
        for case .path(let path) in all {
            for _ in 0..<5 where FileManager.default.fileExists(atPath: path) {
                try? FileManager.default.removeItem(atPath: path)
                if FileManager.default.fileExists(atPath: path) { usleep(100_000) }
            }
        }
    }
}
