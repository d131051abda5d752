// Running another program (python3, pip, azmlinfsrv) with posix_spawn, the way Foundation's
// Process did it:
// - the executable is a path (no PATH lookup: callers go through /usr/bin/env) to a regular file
//   this user may execute, and it is also argv[0];
// - the environment is the given one, or this process's own; the working directory and
//   standard input are inherited;
// - the child leads a process group of its own (a Ctrl-C in the terminal reaches mlenv only);
// - no descriptor of ours but the three standard ones stays open in the child.
// A child ends with an exit code or by a signal (`Termination`); `status` folds the two into one
// number for callers that only compare it with 0.
//
// Kept over swift-subprocess 1.0.2 (see BENCHMARKS.md, "Child processes"): its API is async
// only, and its run path awaits an unstructured Task on Swift's global pool; mlenv's callers are
// synchronous, and one that blocks a pool thread (every synchronous test; the async `package`
// command) hangs once the pool's threads all wait (two on this machine).

import Dispatch
import Glibc

public struct ProcessLaunchError: Error, Sendable, CustomStringConvertible {
    public let executable: String
    /// What Foundation's Process said in its error's `localizedDescription`.
    public let description: String
}

public final class ChildProcess {
    /// Where one of the child's output streams goes.
    public enum Output: Equatable, Sendable {
        /// This process's own stream.
        case inherit
        /// /dev/null.
        case discard
        /// A pipe this process reads: `run` returns what came through it.
        case capture
        /// An existing file, written from its start (/dev/null when it cannot be opened). Standard
        /// output and error naming the same file share one descriptor, as one FileHandle did.
        case file(String)
    }

    /// How a child ended.
    public enum Termination: Equatable, Sendable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)

        /// The exit code, or the signal number (as Foundation's `terminationStatus` had it).
        public var status: Int32 {
            switch self {
            case .exited(let code), .signaled(let code): return code
            }
        }

        /// "exit status 3", "killed by signal 9".
        public var description: String {
            switch self {
            case .exited(let code): return "exit status \(code)"
            case .signaled(let number): return "killed by signal \(number)"
            }
        }

        /// "exit 3", "killed by signal 9" (after a tool's name: "pip exit 3").
        public var brief: String {
            switch self {
            case .exited(let code): return "exit \(code)"
            case .signaled(let number): return "killed by signal \(number)"
            }
        }

        /// From a wait status: WEXITSTATUS, or WTERMSIG for a child a signal ended.
        init(waitStatus status: Int32) {
            self = status & 0x7F == 0 ? .exited((status >> 8) & 0xFF) : .signaled(status & 0x7F)
        }
    }

    /// A finished child: how it ended and what it wrote to captured streams.
    public struct Completion: Sendable {
        public let termination: Termination
        public let output: [UInt8]
        public let error: [UInt8]
        /// The child's process group was killed after `timeout` seconds.
        public var timedOut = false

        /// The exit code, or the signal number when a signal ended the child.
        public var status: Int32 { termination.status }
    }

    public let processIdentifier: pid_t
    private var capturedOutput: Int32
    private var capturedError: Int32
    /// How the child ended; nil while it runs (or before `isRunning` or `waitUntilExit` saw it end).
    public private(set) var termination: Termination?

    private init(processIdentifier: pid_t, capturedOutput: Int32, capturedError: Int32) {
        self.processIdentifier = processIdentifier
        self.capturedOutput = capturedOutput
        self.capturedError = capturedError
    }

    deinit {
        if capturedOutput >= 0 { close(capturedOutput) }
        if capturedError >= 0 { close(capturedError) }
    }

    /// Runs `executable` to its end, reading the captured streams while it runs. With a
    /// `timeout` (seconds), the child's whole process group is killed when it runs longer (a
    /// build that hangs, or builds its build requirements from source for an hour).
    public static func run(
        _ executable: String, arguments: [String], environment: [String: String]? = nil,
        standardOutput: Output = .capture, standardError: Output = .capture,
        timeout: Double? = nil
    ) throws(ProcessLaunchError) -> Completion {
        let child = try launch(
            executable, arguments: arguments, environment: environment,
            standardOutput: standardOutput, standardError: standardError)
        let watchdog = timeout.map { seconds in
            let state = Watchdog()
            let group = child.processIdentifier
            // A watchdog that fires after the child ended finds the claim taken and does nothing.
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
                guard state.claim() else { return }
                kill(-group, SIGKILL)
            }
            return state
        }
        let (output, error) = child.readCapturedStreams()
        child.waitUntilExit()
        // Once the child is reaped its process group id may be reused: the watchdog stands down.
        let timedOut = watchdog.map { !$0.claim() } ?? false
        var completion = Completion(termination: child.termination ?? .exited(-1), output: output, error: error)
        completion.timedOut = timedOut
        return completion
    }

    /// Who acts first: the watchdog (kills) or the waiter (the child ended).
    private final class Watchdog: Sendable {
        private let claimed = Locked(false)
        /// True for the first caller only.
        func claim() -> Bool {
            claimed.withLock { done in
                defer { done = true }
                return !done
            }
        }
    }

    /// Starts `executable` and returns at once.
    public static func launch(
        _ executable: String, arguments: [String], environment: [String: String]? = nil,
        standardOutput: Output = .inherit, standardError: Output = .inherit
    ) throws(ProcessLaunchError) -> ChildProcess {
        var info = stat()
        guard stat(executable, &info) == 0 else {
            throw launchError(executable, FileErrorText.describe(readingErrno: errno))
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw launchError(executable, FileErrorText.describe(cocoaCode: 4))
        }
        guard access(executable, X_OK) == 0 else {
            throw launchError(executable, FileErrorText.describe(readingErrno: errno))
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var childEnds: [Int32] = []  // descriptors the child uses; closed here once it runs
        defer { for fd in childEnds { close(fd) } }
        var readEnds: [Int32: Int32] = [:]  // target (1 or 2) → our end of its pipe
        var opened: [String: Int32] = [:]
        func descriptor(for output: Output, target: Int32) -> Int32? {
            switch output {
            case .inherit:
                return nil
            case .discard:
                return opened["/dev/null"] ?? open("/dev/null", O_RDWR | O_CLOEXEC)
            case .capture:
                var ends: [Int32] = [0, 0]
                guard pipe(&ends) == 0 else { return open("/dev/null", O_RDWR | O_CLOEXEC) }
                _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
                readEnds[target] = ends[0]
                return ends[1]
            case .file(let path):
                if let shared = opened[path] { return shared }
                let fd = open(path, O_WRONLY | O_CLOEXEC)
                return fd >= 0 ? fd : open("/dev/null", O_RDWR | O_CLOEXEC)
            }
        }
        for (output, target) in [(standardOutput, STDOUT_FILENO), (standardError, STDERR_FILENO)] {
            guard let fd = descriptor(for: output, target: target), fd >= 0 else { continue }
            if case .file(let path) = output { opened[path] = fd }
            if case .discard = output { opened["/dev/null"] = fd }
            if !childEnds.contains(fd) { childEnds.append(fd) }
            posix_spawn_file_actions_adddup2(&actions, fd, target)
        }
        // Only 0–2 reach the child. closefrom in the child is atomic: a descriptor another thread
        // opens between a listing here and the spawn would otherwise leak into the child.
        if Self.addCloseFrom?(&actions, STDERR_FILENO + 1) != 0 {
            for fd in openDescriptors() where fd > STDERR_FILENO {
                posix_spawn_file_actions_addclose(&actions, fd)
            }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        // The child starts with no signal blocked and every signal at its default action,
        // whatever this process inherited (a test runner may block SIGCHLD): a server such as
        // gunicorn that waits for SIGCHLD to reap a failed worker would otherwise hang forever.
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var all = sigset_t()
        sigfillset(&all)
        sigdelset(&all, SIGKILL)
        sigdelset(&all, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        let envp: [UnsafeMutablePointer<CChar>?]? = environment.map {
            $0.map { strdup("\($0.key)=\($0.value)") } + [nil]
        }
        defer { for p in envp ?? [] { free(p) } }
        var pid = pid_t()
        let status =
            envp.map { posix_spawn(&pid, executable, &actions, &attributes, argv, $0) }
            ?? posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard status == 0 else {
            for fd in readEnds.values { close(fd) }
            throw launchError(executable, FileErrorText.describe(readingErrno: status))
        }
        return ChildProcess(
            processIdentifier: pid, capturedOutput: readEnds[STDOUT_FILENO] ?? -1,
            capturedError: readEnds[STDERR_FILENO] ?? -1)
    }

    /// Everything the child writes to its captured streams, until it closes them.
    public func readCapturedStreams() -> (output: [UInt8], error: [UInt8]) {
        var output: [UInt8] = []
        var error: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while capturedOutput >= 0 || capturedError >= 0 {
            var polled = [capturedOutput, capturedError].filter { $0 >= 0 }.map {
                pollfd(fd: $0, events: Int16(POLLIN), revents: 0)
            }
            let ready = poll(&polled, nfds_t(polled.count), -1)
            if ready < 0 && errno == EINTR { continue }
            for entry in polled where ready < 0 || entry.revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n > 0 {
                    if entry.fd == capturedOutput { output += buffer[0..<n] } else { error += buffer[0..<n] }
                    continue
                }
                close(entry.fd)
                if entry.fd == capturedOutput { capturedOutput = -1 } else { capturedError = -1 }
            }
        }
        return (output, error)
    }

    /// Whether the child has not ended yet (an ended child is reaped here).
    public var isRunning: Bool {
        guard termination == nil else { return false }
        var status: Int32 = 0
        let result = waitpid(processIdentifier, &status, WNOHANG)
        if result == 0 { return true }
        termination = result == processIdentifier ? Termination(waitStatus: status) : .exited(-1)
        return false
    }

    public func send(_ signal: Int32) {
        if termination == nil { kill(processIdentifier, signal) }
    }

    /// Sends `signal` to the child's whole process group (it leads its own): a server that
    /// forks workers or re-executes itself leaves nothing running behind.
    public func sendToGroup(_ signal: Int32) {
        kill(-processIdentifier, signal)
    }

    /// Waits for the child to end; its exit code, or the signal that ended it.
    @discardableResult
    public func waitUntilExit() -> Int32 {
        if let termination { return termination.status }
        var status: Int32 = 0
        var result: pid_t
        repeat { result = waitpid(processIdentifier, &status, 0) } while result == -1 && errno == EINTR
        let decoded = result == processIdentifier ? Termination(waitStatus: status) : .exited(-1)
        termination = decoded
        return decoded.status
    }

    private static func launchError(_ executable: String, _ description: String) -> ProcessLaunchError {
        ProcessLaunchError(executable: executable, description: description)
    }

    /// glibc 2.34's `posix_spawn_file_actions_addclosefrom_np`, which Swift's Glibc module does
    /// not declare; nil on an older C library (then the descriptors are listed and closed).
    private static let addCloseFrom:
        (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
            else { return nil }
            return unsafeBitCast(
                symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
        }()

    /// This process's open descriptors (from /proc/self/fd).
    private static func openDescriptors() -> [Int32] {
        guard let directory = opendir("/proc/self/fd") else { return Array(3..<Int32(getdtablesize())) }
        defer { closedir(directory) }
        var result: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let fd = Int32(name) { result.append(fd) }
        }
        return result
    }
}
