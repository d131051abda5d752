// Progress of long work (mirror, package, lint of many models) on standard error, drawn for a
// person at a terminal and kept out of logs.
//
// - live: standard error is a terminal and `CI` is not set: one line redrawn in place (`\r`,
//   then erase to the end of the line), cut to the terminal's width so it never wraps, and
//   erased when the work ends or before any lasting message.
// - lines: not a terminal, or `CI` set: no `\r` and no redrawing; a milestone (a phase of the
//   work, such as a mirror's round) is one line, a step (`[3/40] ...`) is not written.
//
// `CI` counts as set unless empty, `0` or `false` (GitHub Actions, GitLab and most CI services
// set CI=true; a CI whose job has a pseudo-terminal still gets plain lines). TERM=dumb is not
// a terminal that can redraw.

import Basics
import FoundationEssentials
import Glibc

final class ProgressLine: Sendable {
    enum Mode: Equatable, Sendable {
        case live
        case lines
    }

    let mode: Mode
    private let line = Locked(Line())

    /// The live line, drawn and erased under the mutex.
    private struct Line {
        /// What the live line shows now ("" when erased).
        var shown = ""
        var lastDraw: UInt64 = 0

        mutating func draw(_ message: String) {
            let line = ProgressLine.fitted(message, width: ProgressLine.terminalWidth() - 1)
            StandardError.write("\r" + line + "\u{1B}[K")
            shown = line
        }

        mutating func erase(mode: Mode) {
            guard mode == .live, !shown.isEmpty else { return }
            StandardError.write("\r\u{1B}[K")
            shown = ""
        }
    }

    init(mode: Mode = ProgressLine.mode()) {
        self.mode = mode
    }

    /// The mode for this process: live only on a terminal that can redraw, outside CI.
    static func mode(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        isTerminal: Bool = StandardError.isTerminal
    ) -> Mode {
        guard isTerminal else { return .lines }
        if let ci = environment["CI"], !ci.isEmpty, ci != "0", ci.lowercased() != "false" { return .lines }
        if environment["TERM"] == "dumb" { return .lines }
        return .live
    }

    /// A step of the work (`[n/N] path`): shown on a terminal only. Redrawn at most every 50 ms
    /// unless it is the last of its phase, so thousands of steps cost little.
    func step(_ message: String, final: Bool = false) {
        guard mode == .live else { return }
        line.withLock { line in
            let now = Self.milliseconds()
            if !final && !line.shown.isEmpty && now &- line.lastDraw < 50 { return }
            line.lastDraw = now
            line.draw(message)
        }
    }

    /// `[done/total] message`, a step; the last one is always drawn.
    func step(_ done: Int, of total: Int, _ message: String) {
        step("[\(done)/\(total)] \(message)", final: done == total)
    }

    /// A phase of the work: the live line on a terminal, a line of its own otherwise.
    func milestone(_ message: String) {
        line.withLock { line in
            switch mode {
            case .live:
                line.lastDraw = Self.milliseconds()
                line.draw(message)
            case .lines:
                StandardError.write(message + "\n")
            }
        }
    }

    /// Lasting text (a warning, a summary): the live line is erased first and drawn again after.
    func write(_ text: String) {
        line.withLock { line in
            let again = line.shown
            line.erase(mode: mode)
            StandardError.write(text)
            if !again.isEmpty { line.draw(again) }
        }
    }

    /// The work is over: the live line is erased, so what follows starts on a clean line.
    func finish() {
        line.withLock { $0.erase(mode: mode) }
    }

    /// `message` on one line of at most `width` characters: newlines become spaces, and a long
    /// one loses its middle (the start has the count, the end the model's name).
    static func fitted(_ message: String, width: Int) -> String {
        let flat = String(message.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
        guard width > 2, flat.count > width else { return flat }
        let head = (width - 1) / 3
        return String(flat.prefix(head)) + "…" + String(flat.suffix(width - 1 - head))
    }

    static func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 {
            return columns
        }
        return 80
    }

    private static func milliseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1000 + UInt64(now.tv_nsec) / 1_000_000
    }
}
