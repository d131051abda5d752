// `mlenv validate MODEL` without a payload: the model's own saved examples, checked against its
// own signature. MLflow reads `input_example.json` per `saved_input_example_info.type`
// (mlflow/models/utils.py `_read_example`): a `dataframe` example is a split (or, in old models,
// records) DataFrame, an `ndarray` example is `inputs` data (or a whole tf-serving request), and
// `serving_input_example.json` is a complete MLflow request. A sparse-matrix example is read as
// scipy reads it and checked as the dense tensor it is (SparseExample).

import JSON
import ModelFiles

public struct ExampleCheck: Sendable {
    /// The example file, relative to the model directory.
    public let file: String
    public let report: PayloadReport
}

public enum InputExampleValidator {
    public static func validate(_ files: SignatureFiles, options: ValidationOptions = ValidationOptions())
        -> [ExampleCheck]
    {
        let validator = PayloadValidator(signature: files.mlmodel.signature)
        var checks: [ExampleCheck] = []
        var mlflowOptions = options
        mlflowOptions.forcedProtocol = .mlflow
        mlflowOptions.contentType = "application/json"
        if let example = files.inputExample, let value = example.value {
            let info = files.mlmodel.inputExample
            var body: JSONValue?
            switch info?.type {
            case "dataframe":
                let key = info?.pandasOrient == "records" ? "dataframe_records" : "dataframe_split"
                body = .object(JSONObject([JSONObject.Entry(key: key, value: value)]))
            case "sparse_matrix_csc", "sparse_matrix_csr":
                switch SparseExample.read(value, compressedColumns: info?.type == "sparse_matrix_csc") {
                case .dense(let dense):
                    body = .object(JSONObject([JSONObject.Entry(key: "inputs", value: dense)]))
                case .refused(let message):
                    let finding = PayloadFinding(
                        .error, path: "", "MLflow cannot read this sparse matrix example: \(message)")
                    checks.append(
                        ExampleCheck(
                            file: example.path,
                            report: PayloadReport(requestProtocol: .mlflow, findings: [finding], strict: options.strict)
                        ))
                }
            case "ndarray":
                if case .object(let o) = value, o["inputs"] != nil || o["instances"] != nil {
                    body = value
                } else {
                    body = .object(JSONObject([JSONObject.Entry(key: "inputs", value: value)]))
                }
            default:
                body = nil
            }
            if let body {
                checks.append(
                    ExampleCheck(
                        file: example.path,
                        report: validator.validate(Array(body.serialized().utf8), options: mlflowOptions)))
            }
        }
        if let serving = files.servingInputExample, let value = serving.value {
            checks.append(
                ExampleCheck(
                    file: serving.path,
                    report: validator.validate(Array(value.serialized().utf8), options: mlflowOptions)))
        }
        return checks
    }
}
