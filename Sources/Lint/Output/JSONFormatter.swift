// Findings as one JSON document: the models checked, a summary, and every finding with its
// rule, severity, message, location and notes (paths as lint was given them); a finding that
// tells a solver explanation also has it as data (`causes`, `hint_details`, as `resolve`'s).

import JSON
import Solver

public enum JSONFormatter {
    public static func format(_ report: LintReport, toolVersion: String) -> JSONValue {
        var root = JSONObject()
        root.append("tool", "mlenv")
        root.append("version", .string(toolVersion))
        root.append("deployment", .string(report.deployment))
        if let shard = report.shard {
            var part = JSONObject()
            part.append("index", .int(shard.index))
            part.append("count", .int(shard.count))
            part.append("id", .string(shard.automationID))
            root.append("shard", .object(part))
        }
        var summary = JSONObject()
        summary.append("models", .int(report.models.count))
        summary.append("errors", .int(report.count(.error)))
        summary.append("warnings", .int(report.count(.warning)))
        summary.append("infos", .int(report.count(.info)))
        summary.append("solves", .int(report.solves))
        root.append("summary", .object(summary))
        root.append("models", .array(report.models.map { .string($0) }))
        root.append("findings", .array(report.findings.map(finding)))
        return .object(root)
    }

    static func finding(_ finding: Finding) -> JSONValue {
        var object = JSONObject()
        object.append("rule", .string(finding.ruleID))
        object.append("name", .string(finding.ruleName))
        object.append("severity", .string(finding.severity.rawValue))
        object.append("message", .string(finding.message))
        object.append("model", .string(finding.location.model))
        location(finding.location, into: &object)
        object.append(
            "notes",
            .array(
                finding.notes.map { note in
                    var n = JSONObject()
                    n.append("message", .string(note.message))
                    if let location = note.location { self.location(location, into: &n) }
                    return .object(n)
                }))
        finding.explanation?.append(to: &object)
        return .object(object)
    }

    private static func location(_ location: FindingLocation, into object: inout JSONObject) {
        object.append("path", .string(location.path))
        object.append("file", location.file.map { .string($0) } ?? .null)
        object.append("line", location.line.map { .int($0) } ?? .null)
        object.append("column", location.column.map { .int($0) } ?? .null)
    }
}
