// A rule: an id (`MLE030`), a name that is an instruction (`PinRequirementsExactly`), a default
// severity, and a check that looks at one model and reports findings (swift-format's `Rule`).
// Each rule lives in its own file under Rules/, with its messages at the bottom of that file;
// the known-breaker rules are data (Deploy's Breakers/breakers.yaml) checked by one engine.

import ModelFiles
import Solver

public enum RuleCategory: String, Hashable, Sendable, CaseIterable {
    case environmentFiles = "environment files"
    case python = "python"
    case mlflow = "mlflow"
    case reproducibility = "reproducibility"
    case resolution = "resolution"
    case breakers = "known deployment breakers"
    case serving = "serving"
}

public struct RuleDescription: Hashable, Sendable {
    public let id: String
    public let name: String
    public let severity: Severity
    public let category: RuleCategory
    /// One line: what the rule catches (SARIF `shortDescription`, `mlenv lint --list-rules`).
    public let summary: String

    public init(id: String, name: String, severity: Severity, category: RuleCategory, summary: String) {
        self.id = id
        self.name = name
        self.severity = severity
        self.category = category
        self.summary = summary
    }
}

public protocol LintRule: Sendable {
    var rule: RuleDescription { get }
    func check(_ subject: LintSubject, into sink: inout FindingSink)
}

/// A rule about the model's environment (MLmodel and the environment files): it has nothing to
/// say about a model that did not load (ProvideAReadableMLmodel reports that).
protocol EnvironmentLintRule: LintRule {
    func check(_ environment: DeclaredEnvironment, of subject: LintSubject, into sink: inout FindingSink)
}

extension EnvironmentLintRule {
    func check(_ subject: LintSubject, into sink: inout FindingSink) {
        guard let environment = subject.environment else { return }
        check(environment, of: subject, into: &sink)
    }
}

/// A rule whose findings are the model loader's diagnostics for its id (LoaderDiagnostics).
protocol LoaderDiagnosticsRule: LintRule {}

extension LoaderDiagnosticsRule {
    func check(_ subject: LintSubject, into sink: inout FindingSink) {
        LoaderDiagnostics.report(subject, rule: rule.id, into: &sink)
    }
}

/// Where a rule's findings go: fills in the rule, the default severity and the model.
public struct FindingSink: Sendable {
    public let rule: RuleDescription
    public let model: String
    public private(set) var findings: [Finding] = []

    public init(rule: RuleDescription, model: String) {
        self.rule = rule
        self.model = model
    }

    /// `location` is model-relative (nil: the model directory itself); `severity` overrides the
    /// rule's default for this one finding (a "could not check" note is info, not an error);
    /// `explanation` is the solver's explanation the notes tell, as data.
    public mutating func report(
        _ message: String, at location: SourceLocation?, severity: Severity? = nil, notes: [FindingNote] = [],
        explanation: ExplanationData? = nil
    ) {
        let where_ = location.map { FindingLocation(model: model, $0) } ?? FindingLocation(model: model, file: nil)
        findings.append(
            Finding(
                ruleID: rule.id, ruleName: rule.name, severity: severity ?? rule.severity,
                message: message, location: where_, notes: notes, explanation: explanation))
    }

    public func note(_ message: String, at location: SourceLocation? = nil) -> FindingNote {
        FindingNote(message, at: location.map { FindingLocation(model: model, $0) })
    }
}
