// What `mlenv validate` says about one payload: a verdict and findings, each pointing at a JSON
// path in the request (swift-format's `Finding`: a plain value, printed elsewhere).

import JSON

public struct PayloadFinding: Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Hashable, Sendable {
        /// MLflow (or the Azure ML scoring path) refuses the request.
        case error
        /// MLflow accepts the request but changes or drops something silently.
        case warning
        /// Information: nothing is wrong.
        case note
    }

    public let severity: Severity
    /// Where in the request: `dataframe_split.data[3][1]`, `input_data.columns`, `params.top_k`;
    /// empty for the request as a whole.
    public let path: String
    public let message: String

    public init(_ severity: Severity, path: String, _ message: String) {
        self.severity = severity
        self.path = path
        self.message = message
    }

    public var description: String {
        path.isEmpty ? "\(severity.rawValue): \(message)" : "\(severity.rawValue): \(path): \(message)"
    }
}

public struct PayloadReport: Hashable, Sendable {
    /// The protocol the body was read with (nil when the body is not a request at all).
    public var requestProtocol: RequestProtocol?
    /// The MLflow request format the body maps to (`dataframe_split`, `inputs`, `csv`, ...).
    public var format: RequestFormat?
    public var findings: [PayloadFinding]
    /// Whether `--strict` turned warnings into errors.
    public var strict: Bool

    public init(
        requestProtocol: RequestProtocol? = nil, format: RequestFormat? = nil, findings: [PayloadFinding] = [],
        strict: Bool = false
    ) {
        self.requestProtocol = requestProtocol
        self.format = format
        self.findings = findings
        self.strict = strict
    }

    public var errors: [PayloadFinding] {
        findings.filter { $0.severity == .error || (strict && $0.severity == .warning) }
    }
    public var warnings: [PayloadFinding] { strict ? [] : findings.filter { $0.severity == .warning } }
    public var notes: [PayloadFinding] { findings.filter { $0.severity == .note } }
    /// What the server would do: accept (true) or refuse (false). With `strict`, warnings refuse too.
    public var isValid: Bool { errors.isEmpty }
    /// MLflow's own verdict, whatever `strict` says.
    public var acceptedByMLflow: Bool { !findings.contains { $0.severity == .error } }

    /// `{"valid", "protocol", "format", "errors": [{"path", "message"}], "warnings": [...], "notes": [...]}`.
    public var json: JSONValue {
        func list(_ findings: [PayloadFinding]) -> JSONValue {
            .array(findings.map { .object(JSONObject(["path": .string($0.path), "message": .string($0.message)])) })
        }
        var object = JSONObject()
        object.append("valid", .bool(isValid))
        object.append("protocol", requestProtocol.map { .string($0.rawValue) } ?? .null)
        object.append("format", format.map { .string($0.rawValue) } ?? .null)
        object.append("errors", list(errors))
        object.append("warnings", list(warnings))
        object.append("notes", list(notes))
        return .object(object)
    }
}
