// Findings as SARIF 2.1.0 (OASIS), the format code-scanning dashboards read: one run, the
// tool's full rule table, one result per finding; a shard's run says which it is
// (`automationDetails.id`, LintShard.automationID). Notes with a location become
// relatedLocations; the others are appended to the message. A solver explanation is also in
// the result's property bag as data (`causes`, `hint_details`, as lint's JSON has them). Artifact
// URIs are the paths lint was given, percent-encoded as relative URI references.

import JSON
import Solver

public enum SARIFFormatter {
    public static let schemaURI = "https://json.schemastore.org/sarif-2.1.0.json"

    public static func format(_ report: LintReport, toolVersion: String) -> JSONValue {
        var driver = JSONObject()
        driver.append("name", "mlenv")
        driver.append("version", .string(toolVersion))
        driver.append("semanticVersion", .string(toolVersion))
        driver.append("rules", .array(report.rules.map(rule)))
        var tool = JSONObject()
        tool.append("driver", .object(driver))

        var ruleIndex: [String: Int] = [:]
        for (i, r) in report.rules.enumerated() { ruleIndex[r.id] = i }

        var run = JSONObject()
        run.append("tool", .object(tool))
        if let shard = report.shard {
            // Each shard's run has a category of its own, so code scanning keeps the shards'
            // alerts apart instead of the last upload closing the others'.
            var details = JSONObject()
            details.append("id", .string(shard.automationID))
            details.append(
                "description",
                .object(JSONObject(["text": .string("mlenv lint, shard \(shard.index) of \(shard.count)")])))
            run.append("automationDetails", .object(details))
        }
        run.append("columnKind", "unicodeCodePoints")
        run.append("results", .array(report.findings.map { result($0, index: ruleIndex[$0.ruleID]) }))

        var root = JSONObject()
        root.append("$schema", .string(schemaURI))
        root.append("version", "2.1.0")
        root.append("runs", .array([.object(run)]))
        return .object(root)
    }

    static func level(_ severity: Severity) -> String {
        switch severity {
        case .error: return "error"
        case .warning: return "warning"
        case .info: return "note"
        }
    }

    private static func rule(_ rule: RuleDescription) -> JSONValue {
        var object = JSONObject()
        object.append("id", .string(rule.id))
        object.append("name", .string(rule.name))
        object.append("shortDescription", .object(JSONObject(["text": .string(rule.summary)])))
        object.append(
            "help",
            .object(
                JSONObject([
                    "text": .string(
                        "\(rule.id) \(rule.name): \(rule.summary). See docs/lint-rules.md#\(rule.id.lowercased()).")
                ])))
        object.append("defaultConfiguration", .object(JSONObject(["level": .string(level(rule.severity))])))
        object.append("properties", .object(JSONObject(["category": .string(rule.category.rawValue)])))
        return .object(object)
    }

    private static func result(_ finding: Finding, index: Int?) -> JSONValue {
        var object = JSONObject()
        object.append("ruleId", .string(finding.ruleID))
        if let index { object.append("ruleIndex", .int(index)) }
        object.append("level", .string(level(finding.severity)))
        var text = finding.message
        for note in finding.notes where note.location == nil { text += "\n- " + note.message }
        object.append("message", .object(JSONObject(["text": .string(text)])))
        object.append("locations", .array([location(finding.location, message: nil, id: nil)]))
        let related = finding.notes.filter { $0.location != nil }
        if !related.isEmpty {
            object.append(
                "relatedLocations",
                .array(related.enumerated().map { i, note in location(note.location!, message: note.message, id: i) }))
        }
        if let explanation = finding.explanation {
            var properties = JSONObject()
            explanation.append(to: &properties)
            object.append("properties", .object(properties))
        }
        return .object(object)
    }

    private static func location(_ location: FindingLocation, message: String?, id: Int?) -> JSONValue {
        var artifact = JSONObject()
        artifact.append("uri", .string(uri(location.path)))
        var physical = JSONObject()
        physical.append("artifactLocation", .object(artifact))
        if let line = location.line, line >= 1 {
            var region = JSONObject()
            region.append("startLine", .int(line))
            if let column = location.column, column >= 1 { region.append("startColumn", .int(column)) }
            physical.append("region", .object(region))
        }
        var object = JSONObject()
        if let id { object.append("id", .int(id)) }
        object.append("physicalLocation", .object(physical))
        if let message { object.append("message", .object(JSONObject(["text": .string(message)]))) }
        return .object(object)
    }

    /// A relative URI reference for a path (`a b/c.yaml` → `a%20b/c.yaml`): every UTF-8 byte but
    /// the ASCII letters, digits and `-._~!$&'()*+,=@/` percent-encoded (Foundation's
    /// `urlPathAllowed` without `;` and `:`).
    static func uri(_ path: String) -> String {
        var out = ""
        for byte in path.utf8 {
            if byte < 0x80, isLetterOrDigit(byte) || "-._~!$&'()*+,=@/".utf8.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }

    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}
