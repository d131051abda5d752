// Terminal output helpers shared by the commands.

import ArgumentParser
import Basics
import Glibc

enum StandardError {
    static func write(_ text: String) {
        StandardStreams.writeError(text)
    }

    static var isTerminal: Bool { isatty(STDERR_FILENO) != 0 }
}

enum StandardOutput {
    /// One write for the whole text: large reports stay fast and are never interleaved.
    static func write(_ text: String) {
        StandardStreams.writeOutput(text)
    }

    static var isTerminal: Bool { isatty(STDOUT_FILENO) != 0 }
}

/// `value` with `digits` digits after the point, as C's printf `%.Nf` writes it.
func fixedPoint(_ value: Double, digits: Int) -> String {
    var buffer = [CChar](repeating: 0, count: 64)
    let count = withVaList([value]) { vsnprintf(&buffer, buffer.count, "%.\(digits)f", $0) }
    guard count >= 0, count < buffer.count else { return String(value) }
    return String(decoding: buffer.prefix(Int(count)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Objects kept alive until the process exits, so that their (large) graphs are not freed one
/// object at a time just before the exit hands all of the memory back at once: freeing the
/// channels and candidates of a resolve took a few milliseconds of a 40 ms command.
/// Each kept object is retained once more and never released (no list to hold them: no global
/// state).
enum KeptUntilExit {
    private final class Box {
        let object: Any
        init(_ object: Any) { self.object = object }
    }

    static func keep(_ object: Any) { _ = Unmanaged.passRetained(Box(object)) }
}

/// `--format text|json`, shared by every command that reports.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text
    case json
}

extension CommandConfiguration {
    /// A subcommand's configuration, naming `mlenv` as its super command: MLEnv.main parses a
    /// subcommand on its own when it can, and the name keeps such a parse a subcommand's.
    func underMLEnv() -> CommandConfiguration {
        var configuration = self
        configuration._superCommandName = "mlenv"
        return configuration
    }
}
