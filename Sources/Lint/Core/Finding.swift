// A finding is a plain value (swift-format's `Finding`): which rule, how bad, what is wrong,
// where, and notes that can each point somewhere else. Formatters print it; rules never do.

import ModelFiles
import Solver

public enum Severity: String, Hashable, Sendable, Comparable, CaseIterable {
    case error, warning, info

    private var rank: Int {
        switch self {
        case .error: return 0
        case .warning: return 1
        case .info: return 2
        }
    }
    /// `error < warning < info`: sorting puts the worst first.
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// Where a finding points: a model directory and, inside it, a file with an optional line and
/// column (1-based). `model` is the directory as the user named it (`../models/a`), so
/// `path` can be opened from where lint ran.
public struct FindingLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let model: String
    /// Relative to the model directory; nil when the finding is about the directory itself.
    public let file: String?
    public let line: Int?
    public let column: Int?

    public init(model: String, file: String?, line: Int? = nil, column: Int? = nil) {
        self.model = model
        self.file = file
        self.line = line
        self.column = column
    }

    public init(model: String, _ location: SourceLocation) {
        self.init(model: model, file: location.file, line: location.line, column: location.column)
    }

    /// The file's path as lint was told it: `model/file`, or the model directory.
    public var path: String {
        guard let file, !file.isEmpty else { return model }
        if file.hasPrefix("/") { return file }
        return model == "." ? file : (model.hasSuffix("/") ? model + file : model + "/" + file)
    }

    public var description: String {
        var text = path
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        return text
    }

    public static func < (a: FindingLocation, b: FindingLocation) -> Bool {
        (a.model, a.file ?? "", a.line ?? 0, a.column ?? 0) < (b.model, b.file ?? "", b.line ?? 0, b.column ?? 0)
    }
}

public struct FindingNote: Hashable, Sendable {
    public let message: String
    public let location: FindingLocation?

    public init(_ message: String, at location: FindingLocation? = nil) {
        self.message = message
        self.location = location
    }
}

public struct Finding: Hashable, Sendable {
    public let ruleID: String
    public let ruleName: String
    public var severity: Severity
    public let message: String
    public let location: FindingLocation
    public let notes: [FindingNote]
    /// The solver's explanation the notes tell, as data (the JSON and SARIF reports carry it):
    /// every step of the finding's problems and their hints, even where the notes stop short.
    public let explanation: ExplanationData?

    public init(
        ruleID: String, ruleName: String, severity: Severity, message: String, location: FindingLocation,
        notes: [FindingNote] = [], explanation: ExplanationData? = nil
    ) {
        self.ruleID = ruleID
        self.ruleName = ruleName
        self.severity = severity
        self.message = message
        self.location = location
        self.notes = notes
        self.explanation = explanation
    }

    /// Model, file, line, column, then rule: the order a reader walks the files in.
    static func sortedOrder(_ a: Finding, _ b: Finding) -> Bool {
        if a.location != b.location { return a.location < b.location }
        if a.ruleID != b.ruleID { return a.ruleID < b.ruleID }
        return a.message < b.message
    }
}
