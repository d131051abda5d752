// A report whose paths are shown under other names: a model fetched from an MLflow server into a
// temporary directory is reported as its URI. Renaming the plain values before a formatter runs
// lets each formatter escape the names as its format needs (a URI's `:` in a GitHub workflow
// command's `file=`, a `"` in a registered model's name inside JSON and SARIF); replacing text
// in formatted output could not.

extension LintReport {
    /// The same report with every model path, file path and message passed through `rename`.
    public func renamingPaths(_ rename: (String) -> String) -> LintReport {
        func location(_ l: FindingLocation) -> FindingLocation {
            FindingLocation(model: rename(l.model), file: l.file.map(rename), line: l.line, column: l.column)
        }
        let findings = findings.map { f in
            Finding(
                ruleID: f.ruleID, ruleName: f.ruleName, severity: f.severity, message: rename(f.message),
                location: location(f.location),
                notes: f.notes.map { FindingNote(rename($0.message), at: $0.location.map(location)) },
                explanation: f.explanation)
        }
        return LintReport(
            models: models.map(rename), findings: findings, rules: rules, deployment: deployment, solves: solves,
            shard: shard)
    }
}
