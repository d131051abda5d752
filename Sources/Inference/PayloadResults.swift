// What `mlenv validate` prints for a model's payloads (or its input examples): each report under
// its payload's name, as text or JSON. The command only chooses the format and writes.

import JSON
import ModelFiles

public struct PayloadResults: Sendable {
    public struct Entry: Sendable {
        public let name: String
        public let report: PayloadReport
        public init(name: String, report: PayloadReport) {
            self.name = name
            self.report = report
        }
    }

    public var entries: [Entry]

    public init(_ entries: [Entry] = []) { self.entries = entries }

    public var isEmpty: Bool { entries.isEmpty }

    /// Whether every payload is one the server accepts.
    public var allValid: Bool { entries.allSatisfy(\.report.isValid) }

    /// `{"payload": NAME, ...the report}` for each; one object alone when `single` (payloads
    /// were named and there is one), else an array.
    public func json(single: Bool) -> JSONValue {
        let objects: [JSONValue] = entries.map { entry in
            var object = JSONObject()
            object.append("payload", .string(entry.name))
            if case .object(let report) = entry.report.json { object.entries.append(contentsOf: report.entries) }
            return .object(object)
        }
        return objects.count == 1 && single ? objects[0] : .array(objects)
    }

    /// `NAME: valid (protocol, format)` and an indented line per error, warning and note.
    public var text: String {
        var text = ""
        for entry in entries {
            let report = entry.report
            let where_ = [report.requestProtocol?.rawValue, report.format?.rawValue].compactMap { $0 }.joined(
                separator: ", ")
            text += "\(entry.name): \(report.isValid ? "valid" : "INVALID")\(where_.isEmpty ? "" : " (\(where_))")\n"
            for finding in report.errors { text += "  error: \(Self.located(finding))\n" }
            for finding in report.warnings { text += "  warning: \(Self.located(finding))\n" }
            for finding in report.notes { text += "  note: \(Self.located(finding))\n" }
        }
        return text
    }

    private static func located(_ finding: PayloadFinding) -> String {
        "\(finding.path.isEmpty ? "" : finding.path + ": ")\(finding.message)"
    }

    /// What to say when a model has no input example to check.
    public static func noExampleNote(hasInputExample: Bool) -> String {
        hasInputExample
            ? "the model's input example is not a JSON request mlenv can check"
            : "the model has no saved input example; pass --payload FILE to check a request"
    }
}

extension PayloadResults {
    /// The model's saved input example (and serving_input_example.json) checked against its own
    /// signature, as `mlflow models serve` would read them.
    public static func checkingInputExamples(_ files: SignatureFiles, strict: Bool, numpy: NumpyLine) -> PayloadResults
    {
        let options = ValidationOptions(forcedProtocol: .mlflow, strict: strict, numpy: numpy)
        return PayloadResults(
            InputExampleValidator.validate(files, options: options).map { Entry(name: $0.file, report: $0.report) })
    }

    /// Each payload of `paths` (already expanded, `PayloadFile.expand`) checked against the
    /// model's signature, read in order; the first that cannot be read stops the check.
    public static func checkingPayloads(
        _ paths: [String], files: SignatureFiles, forcedProtocol: RequestProtocol?, contentType: String?,
        strict: Bool, numpy: NumpyLine, standardInput: () -> [UInt8]
    ) throws(PayloadFile.ReadError) -> PayloadResults {
        let validator = PayloadValidator(signature: files.mlmodel.signature)
        var results = PayloadResults()
        for path in paths {
            let bytes = try PayloadFile.read(path, standardInput: standardInput)
            let options = ValidationOptions(
                forcedProtocol: forcedProtocol, contentType: PayloadFile.contentType(of: path, explicit: contentType),
                strict: strict, numpy: numpy)
            results.entries.append(Entry(name: path, report: validator.validate(bytes, options: options)))
        }
        return results
    }
}
