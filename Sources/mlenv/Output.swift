// Terminal output helpers shared by the commands.

import ArgumentParser
import Foundation

enum StandardError {
    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static var isTerminal: Bool { isatty(STDERR_FILENO) != 0 }
}

enum StandardOutput {
    /// One write for the whole text: large reports stay fast and are never interleaved.
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static var isTerminal: Bool { isatty(STDOUT_FILENO) != 0 }
}

/// Objects kept alive until the process exits, so that their (large) graphs are not freed one
/// object at a time just before the exit hands all of the memory back at once: freeing the
/// channels and candidates of a resolve took a few milliseconds of a 40 ms command.
enum KeptUntilExit {
    nonisolated(unsafe) private static var objects: [Any] = []
    static func keep(_ object: Any) { objects.append(object) }
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
