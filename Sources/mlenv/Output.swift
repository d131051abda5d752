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

/// `--format text|json`, shared by every command that reports.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text
    case json
}
