// What a failure means to whoever ran mlenv, said by the error itself. The executable turns a
// kind into an exit code in one place (MLEnv.main: verdict 1, bad input 2), as
// swift-argument-parser's and swift-format's own tools do; a library never chooses a number.

/// The two ways a command can fail.
public enum FailureKind: Sendable, Equatable {
    /// The input cannot be used as given: unreadable or malformed files, a requirement mlenv does
    /// not take (a direct URL), sources that cannot be read, bad usage. No verdict was reached.
    case badInput
    /// The input was read and the answer is no: unsatisfiable, lint findings, an invalid
    /// payload, a version that does not match.
    case verdict
}

/// An error that says which kind of failure it is.
public protocol KindedFailure: Error {
    var failureKind: FailureKind { get }
}
