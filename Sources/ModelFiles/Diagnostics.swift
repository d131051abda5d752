// Where things come from and what went wrong, in one place (SwiftPM keeps each module's
// message wording in one Diagnostics file). Every message names the file, and the line and
// column where the input has them, and says what to do.

import YAML

/// A place in a model's files: the path relative to the model directory, 1-based line/column.
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let file: String
    public let line: Int?
    public let column: Int?

    public init(file: String, line: Int? = nil, column: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
    }

    public init(file: String, mark: Mark) {
        self.init(file: file, line: mark.line, column: mark.column)
    }

    public var description: String {
        var text = file
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        return text
    }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.file, a.line ?? 0, a.column ?? 0) < (b.file, b.line ?? 0, b.column ?? 0)
    }
}

/// Something a loader noticed. Errors make the model unusable as declared (inspect exits 2);
/// warnings and notes are oddities that still load.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Hashable, Sendable, Comparable {
        case error, warning, note
        private var rank: Int { self == .error ? 0 : self == .warning ? 1 : 2 }
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    /// A stable identifier for tools and tests (`missing-env-file`, `invalid-requirement`, ...).
    public let code: String
    public let severity: Severity
    public let message: String
    public let location: SourceLocation?
    /// The environment whose files the problem is in (conda.yaml and what its `pip:` list
    /// includes, or python_env.yaml and its requirement files); nil for the model as a whole.
    /// A deployment that builds the other environment never reads those files, so for it such
    /// a problem is only a warning (Deploy's EnvironmentChoice.diagnostics(of:)).
    public let scope: EnvironmentKind?

    public init(
        _ severity: Severity, _ code: String, _ message: String, at location: SourceLocation?,
        scope: EnvironmentKind? = nil
    ) {
        self.severity = severity
        self.code = code
        self.message = message
        self.location = location
        self.scope = scope
    }

    /// The same diagnostic, in `scope`'s files (an already scoped one keeps its scope).
    public func scoped(_ scope: EnvironmentKind) -> Diagnostic {
        Diagnostic(severity, code, message, at: location, scope: self.scope ?? scope)
    }

    /// The same diagnostic at another severity and with a note appended to its message.
    public func demoted(to severity: Severity, because reason: String) -> Diagnostic {
        Diagnostic(severity, code, message + " (" + reason + ")", at: location, scope: scope)
    }

    public var description: String {
        (location.map { "\($0): " } ?? "") + "\(severity.rawValue): \(message)"
    }
}

/// A failure that leaves nothing to inspect: the model directory or its MLmodel cannot be read.
public struct ModelFilesError: Error, Hashable, Sendable, CustomStringConvertible {
    public let code: String
    public let message: String
    public let location: SourceLocation?

    public init(_ code: String, _ message: String, at location: SourceLocation? = nil) {
        self.code = code
        self.message = message
        self.location = location
    }

    public init(_ diagnostic: Diagnostic) {
        self.init(diagnostic.code, diagnostic.message, at: diagnostic.location)
    }

    public var description: String { (location.map { "\($0): " } ?? "") + message }
}

// MARK: - Messages

enum Message {
    static func notADirectory(_ path: String) -> String {
        "'\(path)' is not a directory; pass the MLflow model directory (the folder that holds MLmodel)"
    }
    static func missingModelDirectory(_ path: String) -> String {
        "no such directory '\(path)'"
    }
    static let missingMLmodel =
        "no MLmodel file in this directory; an MLflow model directory has an MLmodel file at its root (is this the run's artifact folder instead of the model folder?)"
    static func invalidYAML(_ error: YAMLError) -> String {
        var text = "invalid YAML: \(error.message)"
        if let context = error.context {
            text += " (\(context)"
            if let mark = error.contextMark { text += " at \(mark)" }
            text += ")"
        }
        return text
    }
    static func notUTF8(_ detail: String) -> String {
        "the file is not valid UTF-8 (\(detail)); re-save it as UTF-8"
    }
    static func expected(_ what: String, found node: YAMLNode) -> String {
        let kind = node.kindName
        return "expected \(what), found \("aeiou".contains(kind.first ?? "x") ? "an" : "a") \(kind)"
    }
    static func missingEnvFile(_ path: String, key: String) -> String {
        "MLmodel names '\(path)' as its \(key) environment, but the file does not exist in the model directory"
    }
    static func missingInclude(_ path: String) -> String {
        "the requirements file '\(path)' does not exist in the model directory"
    }
    static func escapes(_ path: String) -> String {
        "'\(path)' points outside the model directory; a model must be self-contained, so mlenv does not read it"
    }
    static func symlinkEscapes(_ path: String, target: String) -> String {
        "'\(path)' is a symbolic link to '\(target)', outside the model directory; copy the file into the model instead"
    }
    static func includeCycle(_ chain: [String]) -> String {
        "requirements files include each other in a loop: \(chain.joined(separator: " -> "))"
    }
    static func invalidSignature(_ part: String, _ detail: String) -> String {
        "the signature's \(part) is not valid: \(detail)"
    }
}
