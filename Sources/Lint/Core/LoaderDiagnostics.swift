// The ModelFiles loader's own diagnostics, routed to the rule that owns each kind, so every
// problem the loader notices becomes exactly one finding (the rest go to MLE006).

import ModelFiles

enum LoaderDiagnostics {
    /// Diagnostic code → rule id. Codes not listed belong to WriteValidEnvironmentFiles.
    static let owner: [String: String] = [
        "invalid-mlmodel": "MLE001",
        "missing-env-file": "MLE002", "missing-file": "MLE002", "no-environment": "MLE002",
        "not-a-file": "MLE002", "unreadable-file": "MLE002",
        "symlink-escapes-model": "MLE007", "path-escapes-model": "MLE007", "missing-model-data": "MLE007",
        // MLE010 compares every statement itself (and reports patch-level differences too).
        "python-version-mismatch": "MLE010",
        "remote-requirements-file": "MLE032",
        "invalid-signature": "MLE060",
        "missing-input-example": "MLE061", "invalid-input-example": "MLE061"
    ]

    static func diagnostics(of subject: LintSubject, for rule: String) -> [Diagnostic] {
        guard let environment = subject.environment else { return [] }
        return environment.diagnostics.filter { (owner[$0.code] ?? "MLE006") == rule }
    }

    static func severity(_ severity: Diagnostic.Severity) -> Severity {
        switch severity {
        case .error: return .error
        case .warning: return .warning
        case .note: return .info
        }
    }

    /// Reports each diagnostic as written by the loader, at its own severity.
    static func report(
        _ subject: LintSubject, rule: String, into sink: inout FindingSink,
        severity override: ((Diagnostic) -> Severity?)? = nil
    ) {
        for diagnostic in diagnostics(of: subject, for: rule) {
            sink.report(
                diagnostic.message, at: diagnostic.location ?? SourceLocation(file: "MLmodel"),
                severity: override?(diagnostic) ?? severity(diagnostic.severity))
        }
    }
}
