// Only what payload validation needs: MLmodel (signature, input example info) and the example
// files it names. No environment files are read, so `mlenv validate` works on a model whose
// conda.yaml is broken or absent.

import JSON
import Specs
import YAML

public struct SignatureFiles: Hashable, Sendable {
    public let mlmodel: MLModel
    /// `saved_input_example_info.artifact_path` (e.g. input_example.json), parsed when it is JSON.
    public let inputExample: InputExampleFile?
    /// `saved_input_example_info.serving_input_path` (serving_input_example.json): a full MLflow request.
    public let servingInputExample: InputExampleFile?
    /// Problems with MLmodel's signature or the example files.
    public let diagnostics: [Diagnostic]
}

extension ModelLoader {
    /// Reads MLmodel and the input example files; throws only when there is no readable MLmodel.
    public static func loadSignatureFiles(path: String) throws(ModelFilesError) -> SignatureFiles {
        let directory = try ModelDirectory(path: path)
        var diagnostics: [Diagnostic] = []
        let root: YAMLNodeOrNil
        switch YAMLFile.load("MLmodel", in: directory, missingMessage: Message.missingMLmodel) {
        case .success(let node): root = YAMLNodeOrNil(node: node)
        case .failure(let error):
            if error.code == "missing-file" {
                throw ModelFilesError("missing-mlmodel", Message.missingMLmodel, at: SourceLocation(file: "MLmodel"))
            }
            throw error
        }
        let mlmodel = try MLModelParser.parse(root.node, file: "MLmodel", diagnostics: &diagnostics)
        let example = mlmodel.inputExample?.artifactPath.flatMap {
            readJSON($0.value, referencedAt: $0.location, in: directory, diagnostics: &diagnostics)
        }
        let serving = mlmodel.inputExample?.servingInputPath.flatMap {
            readJSON($0, referencedAt: SourceLocation(file: "MLmodel"), in: directory, diagnostics: &diagnostics)
        }
        return SignatureFiles(
            mlmodel: mlmodel, inputExample: example, servingInputExample: serving,
            diagnostics: diagnostics.filter {
                $0.code == "invalid-signature" || $0.code.containsLiteral("example") || $0.severity == .error
            })
    }

    private static func readJSON(
        _ relative: String, referencedAt: SourceLocation, in directory: ModelDirectory, diagnostics: inout [Diagnostic]
    ) -> InputExampleFile {
        switch directory.read(relative, referencedAt: referencedAt) {
        case .success(let bytes):
            guard relative.hasSuffix(".json") else { return InputExampleFile(path: relative, exists: true, value: nil) }
            do {
                // MLflow writes and reads its examples with Python's json, which takes NaN and
                // Infinity (a DataFrame example with a missing value holds NaN).
                let value = try bytes.withUnsafeBufferPointer { (buffer) throws(JSONError) -> JSONValue in
                    var scanner = JSONScanner(buffer, pythonLiterals: true)
                    let value = try scanner.readValue()
                    try scanner.expectEnd()
                    return value
                }
                return InputExampleFile(path: relative, exists: true, value: value)
            } catch {
                diagnostics.append(
                    Diagnostic(
                        .error, "invalid-input-example", "'\(relative)' is not valid JSON: \(error.message)",
                        at: SourceLocation(
                            file: ModelDirectory.normalize(relative), line: error.line, column: error.column)))
                return InputExampleFile(path: relative, exists: true, value: nil)
            }
        case .failure(let error):
            let missing = error.code == "missing-file"
            diagnostics.append(
                Diagnostic(
                    missing ? .warning : .error, missing ? "missing-input-example" : error.code,
                    missing
                        ? "saved_input_example_info names '\(relative)', which is not in the model directory"
                        : error.message,
                    at: referencedAt))
            return InputExampleFile(path: relative, exists: false, value: nil)
        }
    }
}

/// `YAMLFile.load` gives an optional node; kept in a box so the switch above reads plainly.
private struct YAMLNodeOrNil {
    let node: YAMLNode?
}
