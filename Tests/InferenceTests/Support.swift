// Table-test support: each row keeps the line it is written on, so a failure points at the row
// (swift-system's FilePathSyntaxTest style).

import Inference
import JSON
import ModelFiles
import Testing

/// One payload and the verdict MLflow gives it.
struct PayloadRow: Sendable, CustomTestStringConvertible {
    let body: String
    let accepted: Bool
    let forced: RequestProtocol?
    let contentType: String
    /// Text that must appear in one finding's path or message (error when refused, warning when given as `warns`).
    let mentions: String?
    let warns: String?
    /// The numpy line the verdict is for (ValidationOptions.numpy).
    let numpy: NumpyLine
    let location: Testing.SourceLocation

    init(
        _ body: String, accepted: Bool, forced: RequestProtocol? = nil, contentType: String = "application/json",
        mentions: String? = nil, warns: String? = nil, numpy: NumpyLine = .two,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) {
        self.body = body
        self.accepted = accepted
        self.forced = forced
        self.contentType = contentType
        self.mentions = mentions
        self.warns = warns
        self.numpy = numpy
        self.location = Testing.SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)
    }

    var testDescription: String { "line \(location.line)\(numpy == .two ? "" : " (numpy 1)"): \(body.prefix(80))" }
}

enum Signatures {
    static func columns(_ json: String, params: String? = nil) -> Signature {
        // The test tables hold valid signatures; a bad one is a bug in the test itself.
        let inputs = try? SignatureParser.schema(fromJSON: json)
        let parsed = try? params.map { try SignatureParser.params(fromJSON: $0) }
        precondition(inputs != nil, "bad test signature \(json)")
        return Signature(inputs: inputs, outputs: nil, params: parsed ?? nil)
    }
}

func check(_ row: PayloadRow, against signature: Signature?) {
    let options = ValidationOptions(forcedProtocol: row.forced, contentType: row.contentType, numpy: row.numpy)
    let report = PayloadValidator(signature: signature).validate(Array(row.body.utf8), options: options)
    #expect(
        report.acceptedByMLflow == row.accepted,
        "expected \(row.accepted ? "accepted" : "refused"), got \(report.findings.map(\.description))",
        sourceLocation: row.location)
    if let mentions = row.mentions {
        let pool = row.accepted ? report.findings : report.findings.filter { $0.severity == .error }
        #expect(
            pool.contains { $0.message.contains(mentions) || $0.path.contains(mentions) },
            "no finding mentions '\(mentions)': \(report.findings.map(\.description))", sourceLocation: row.location)
    }
    if let warns = row.warns {
        #expect(
            report.findings.contains {
                $0.severity == .warning && ($0.message.contains(warns) || $0.path.contains(warns))
            },
            "no warning mentions '\(warns)': \(report.findings.map(\.description))", sourceLocation: row.location)
    }
}
