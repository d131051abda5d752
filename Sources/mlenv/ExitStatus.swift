// Exit codes, decided here only (DESIGN.md "Conventions"): 0 ok; 1 a verdict (findings,
// unsatisfiable, invalid payload, no match); 2 bad usage or input mlenv cannot use. Errors say
// their kind (`KindedFailure`, in Specs); commands never pick a number.

import Specs

enum ExitStatus {
    static let success: Int32 = 0

    static func code(for kind: FailureKind) -> Int32 {
        switch kind {
        case .verdict: return 1
        case .badInput: return 2
        }
    }

    /// The code for an error that is not swift-argument-parser's own: its kind's, else bad input
    /// (an error nobody classified is an input mlenv could not use).
    static func code(for error: Error) -> Int32 {
        code(for: (error as? KindedFailure)?.failureKind ?? .badInput)
    }
}

/// A failure the command has already told the user about (on standard error, or in the report it
/// printed): only its kind is left to turn into the exit code.
struct ReportedFailure: KindedFailure {
    let failureKind: FailureKind
    static let badInput = ReportedFailure(failureKind: .badInput)
    static let verdict = ReportedFailure(failureKind: .verdict)
}

/// A bad-input error raised by a command, printed as `error: MESSAGE`.
struct CommandError: KindedFailure, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
    var failureKind: FailureKind { .badInput }
}
