// benchmarks/compare-mlflow/ported_schema_types.py, ported_signature.py and
// ported_input_examples.py port tests/types/test_schema.py, tests/models/test_signature.py and
// tests/models/test_model_input_examples.py (mlflow/mlflow, the versions stored at commit 001cc178a144)
// as data: 276 cases, mlenv = MLflow 3.17.2 on all 276 after the rules below were fixed. These rows
// are the cases that found a rule mlenv had wrong, and the round trips MLflow's own server refuses
// although the test infers the signature from that very data; every verdict is MLflow 3.17.2's
// (pandas 2.3.3, numpy 2.3.5), confirmed with oracle.py.

import Foundation
import Inference
import ModelFiles
import Testing

/// A datetime inside an Array, an Object or a Map never passes MLflow's enforcement: pandas makes
/// the dates int64 nanoseconds (Array) or Timestamps (Object, Map), which the checks refuse.
@Suite struct NestedDatetimeTests {
    static let array = Signatures.columns(
        #"[{"type": "array", "items": {"type": "datetime"}, "name": "d", "required": true}]"#)
    static let object = Signatures.columns(
        #"[{"type": "object", "properties": {"p": {"type": "datetime", "required": false}, "q": {"type": "long", "required": true}}, "name": "o", "required": true}]"#
    )
    static let map = Signatures.columns(
        #"[{"type": "map", "values": {"type": "datetime"}, "name": "m", "required": true}]"#)
    static let arrayRows: [PayloadRow] = [
        // test_schema_inference_on_dictionaries / _on_lists (datetime): the test's own serving example
        PayloadRow(
            #"{"inputs": {"d": ["2023-10-13T00:00:00", "2023-10-14T00:00:00"]}}"#, accepted: false,
            mentions: "datetime64[ns]"),
        PayloadRow(
            #"{"inputs": [{"d": ["2023-10-13T00:00:00", "2023-10-14T00:00:00"]}]}"#, accepted: false,
            mentions: "datetime64[ns]"),
        PayloadRow(
            #"{"dataframe_split": {"columns": ["d"], "data": [[["2023-10-13T00:00:00"]]]}}"#, accepted: false,
            mentions: "datetime64[ns]"),
        PayloadRow(#"{"dataframe_records": [{"d": ["2023-10-13T00:00:00"]}]}"#, accepted: false),
        PayloadRow(
            #"{"dataframe_split": {"columns": ["d"], "data": [[[]], [["2023-10-13T00:00:00"]]]}}"#, accepted: false),
        // nothing to convert: empty arrays and nulls pass
        PayloadRow(#"{"dataframe_split": {"columns": ["d"], "data": [[[]]]}}"#, accepted: true),
        PayloadRow(#"{"dataframe_split": {"columns": ["d"], "data": [[[null]]]}}"#, accepted: true),
        PayloadRow(#"{"inputs": {"d": []}}"#, accepted: true)
    ]
    static let objectRows: [PayloadRow] = [
        PayloadRow(
            #"{"inputs": [{"o": {"p": "2023-10-13T00:00:00", "q": 1}}]}"#, accepted: false, mentions: "Object or a Map"),
        PayloadRow(
            #"{"dataframe_split": {"columns": ["o"], "data": [[{"p": "2023-10-13T00:00:00", "q": 1}]]}}"#,
            accepted: false),
        PayloadRow(#"{"inputs": [{"o": {"q": 1}}]}"#, accepted: true),
        PayloadRow(#"{"inputs": [{"o": {"p": null, "q": 1}}]}"#, accepted: true)
    ]
    static let mapRows: [PayloadRow] = [
        PayloadRow(#"{"inputs": [{"m": {"k": "2023-10-13T00:00:00"}}]}"#, accepted: false),
        PayloadRow(
            #"{"dataframe_split": {"columns": ["m"], "data": [[{"k": "2023-10-13T00:00:00"}]]}}"#, accepted: false),
        PayloadRow(#"{"inputs": [{"m": {}}]}"#, accepted: true)
    ]

    @Test(arguments: arrayRows) func arrayOfDatetimes(_ row: PayloadRow) { check(row, against: Self.array) }
    @Test(arguments: objectRows) func datetimeProperty(_ row: PayloadRow) { check(row, against: Self.object) }
    @Test(arguments: mapRows) func mapOfDatetimes(_ row: PayloadRow) { check(row, against: Self.map) }
}

/// `inputs` as a list of objects: pandas fills NaN where an object lacks a column, and MLflow's
/// Array / Object / Map checks refuse a float; a null in an Array column is a 0-d numpy array.
@Suite struct RowsOfNestedColumnsTests {
    // test_schema_inference_on_dictionary_of_strings: [{"a": 1}, {"a": 1, "b": ["a", "b"]}] infers b as optional.
    static let optionalArray = Signatures.columns(
        #"[{"type": "long", "name": "a", "required": true}, {"type": "array", "items": {"type": "string"}, "name": "b", "required": false}]"#
    )
    static let optionalObject = Signatures.columns(
        #"[{"type": "long", "name": "a", "required": true}, {"type": "object", "properties": {"p": {"type": "string", "required": true}}, "name": "b", "required": false}]"#
    )
    static let optionalMap = Signatures.columns(
        #"[{"type": "long", "name": "a", "required": true}, {"type": "map", "values": {"type": "string"}, "name": "b", "required": false}]"#
    )
    static let arrayRows: [PayloadRow] = [
        PayloadRow(
            #"{"inputs": [{"a": 1}, {"a": 1, "b": ["a", "b"]}]}"#, accepted: false,
            mentions: "missing from 1 of the 2 objects"),
        PayloadRow(#"{"inputs": [{"a": 1, "b": ["a"]}, {"a": 1}]}"#, accepted: false),
        PayloadRow(
            #"{"inputs": [{"a": 1, "b": null}, {"a": 1, "b": ["a"]}]}"#, accepted: false,
            mentions: "len() of unsized object"),
        PayloadRow(#"{"inputs": [{"a": 1, "b": null}]}"#, accepted: false),
        // the column in no object, or [] for "nothing": accepted; other protocols unchanged
        PayloadRow(#"{"inputs": [{"a": 1}, {"a": 2}]}"#, accepted: true),
        PayloadRow(#"{"inputs": [{"a": 1, "b": []}, {"a": 1, "b": ["a"]}]}"#, accepted: true),
        PayloadRow(#"{"dataframe_records": [{"a": 1, "b": null}, {"a": 1, "b": ["a"]}]}"#, accepted: true),
        PayloadRow(#"{"dataframe_split": {"columns": ["a", "b"], "data": [[1, null], [1, ["a"]]]}}"#, accepted: true),
        PayloadRow(#"{"dataframe_records": [{"a": 1}, {"a": 1, "b": ["a"]}]}"#, accepted: false)
    ]
    static let objectRows: [PayloadRow] = [
        PayloadRow(#"{"inputs": [{"a": 1}, {"a": 1, "b": {"p": "x"}}]}"#, accepted: false, mentions: "missing from 1"),
        PayloadRow(#"{"inputs": [{"a": 1, "b": null}, {"a": 1, "b": {"p": "x"}}]}"#, accepted: true)
    ]
    static let mapRows: [PayloadRow] = [
        PayloadRow(#"{"inputs": [{"a": 1}, {"a": 1, "b": {"p": "x"}}]}"#, accepted: false, mentions: "missing from 1"),
        PayloadRow(#"{"inputs": [{"a": 1, "b": null}, {"a": 1, "b": {"p": "x"}}]}"#, accepted: true)
    ]

    @Test(arguments: arrayRows) func optionalArrayColumn(_ row: PayloadRow) { check(row, against: Self.optionalArray) }
    @Test(arguments: objectRows) func optionalObjectColumn(_ row: PayloadRow) {
        check(row, against: Self.optionalObject)
    }
    @Test(arguments: mapRows) func optionalMapColumn(_ row: PayloadRow) { check(row, against: Self.optionalMap) }
}

/// Round trips of test_schema.py that MLflow's scoring server refuses although the test infers the
/// signature from the same data (JSON integers are int64, so integer / float Arrays never match;
/// `[]` has no column for the inferred string; dataclass `int` fields are integer).
@Suite struct SchemaRoundTripTests {
    static let rows: [(signature: String, row: PayloadRow)] = [
        (
            #"[{"type": "array", "items": {"type": "integer"}, "name": "data", "required": true}]"#,
            PayloadRow(#"{"inputs": {"data": [1, 2]}}"#, accepted: false)
        ),
        (
            #"[{"type": "array", "items": {"type": "float"}, "name": "data", "required": true}]"#,
            PayloadRow(#"{"inputs": [{"data": [0.1, 0.2]}]}"#, accepted: false)
        ),
        (
            #"[{"type": "array", "items": {"type": "long"}, "name": "data", "required": true}]"#,
            PayloadRow(#"{"inputs": [{"data": [100, 200]}]}"#, accepted: true)
        ),
        (#"[{"type": "string", "required": true}]"#, PayloadRow(#"{"inputs": []}"#, accepted: false)),
        (#"[{"type": "string", "required": true}]"#, PayloadRow(#"{"inputs": [null, "a"]}"#, accepted: true)),
        (
            #"[{"type": "string", "name": "foo", "required": true}, {"type": "array", "items": {"type": "object", "properties": {"bar": {"type": "integer", "required": true}}}, "name": "process_configs", "required": true}]"#,
            PayloadRow(#"{"inputs": [{"foo": "1", "process_configs": [{"bar": 2}]}]}"#, accepted: false)
        )
    ]

    @Test(arguments: 0..<rows.count) func roundTrip(_ i: Int) {
        check(Self.rows[i].row, against: Signatures.columns(Self.rows[i].signature))
    }
}

/// Saved examples read as MLflow reads them: Python's json takes NaN, and a sparse matrix is
/// scipy's arrays, checked as the dense tensor they describe.
@Suite struct SavedExampleTests {
    private func model(_ mlmodel: String, example: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-example-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try mlmodel.write(toFile: dir + "/MLmodel", atomically: true, encoding: .utf8)
        try example.write(toFile: dir + "/input_example.json", atomically: true, encoding: .utf8)
        return dir
    }

    private func verdicts(_ mlmodel: String, example: String) throws -> [Bool] {
        let dir = try model(mlmodel, example: example)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        return InputExampleValidator.validate(try ModelLoader.loadSignatureFiles(path: dir)).map(\.report.isValid)
    }

    static func sparse(_ type: String, shape: String = "[-1, 8]") -> String {
        """
        saved_input_example_info: {artifact_path: input_example.json, type: \(type)}
        signature:
          inputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": \(shape)}}]'
        """
    }

    // test_sparse_matrix_input_examples: csc_matrix / csr_matrix of np.arange(0, 12, 0.5).reshape(3, 8)
    @Test func sparseExamplesPassTheirSignature() throws {
        let csr =
            #"{"data": [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 6.5, 7.0, 7.5, 8.0, 8.5, 9.0, 9.5, 10.0, 10.5, 11.0, 11.5], "indices": [1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7], "indptr": [0, 7, 15, 23], "shape": [3, 8]}"#
        let csc =
            #"{"data": [4.0, 8.0, 0.5, 4.5, 8.5, 1.0, 5.0, 9.0, 1.5, 5.5, 9.5, 2.0, 6.0, 10.0, 2.5, 6.5, 10.5, 3.0, 7.0, 11.0, 3.5, 7.5, 11.5], "indices": [1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2], "indptr": [0, 2, 5, 8, 11, 14, 17, 20, 23], "shape": [3, 8]}"#
        #expect(try verdicts(Self.sparse("sparse_matrix_csr"), example: csr) == [true])
        #expect(try verdicts(Self.sparse("sparse_matrix_csc"), example: csc) == [true])
        // the same matrix against 7 columns, and a matrix whose indices overrun its shape
        #expect(try verdicts(Self.sparse("sparse_matrix_csr", shape: "[-1, 7]"), example: csr) == [false])
        #expect(
            try verdicts(
                Self.sparse("sparse_matrix_csr"),
                example: #"{"data": [1.0], "indices": [9], "indptr": [0, 1, 1, 1], "shape": [3, 8]}"#) == [false])
        #expect(
            try verdicts(
                Self.sparse("sparse_matrix_csr"),
                example: #"{"data": [1.0], "indices": [0], "indptr": [0, 1], "shape": [100000000, 100000000]}"#) == [
                    false
                ])
    }

    // test_input_examples_with_nan: MLflow writes NaN into the example (json.dumps) and reads it back.
    @Test func nanInAnExampleIsPythonJSON() throws {
        let mlmodel = """
            saved_input_example_info: {artifact_path: input_example.json, type: dataframe, pandas_orient: split}
            signature:
              inputs: '[{"type": "float", "name": "float", "required": false}, {"type": "double", "name": "double", "required": false}]'
            """
        #expect(
            try verdicts(mlmodel, example: #"{"columns": ["float", "double"], "data": [[NaN, 3.14], [6.28, NaN]]}"#)
                == [true])
    }
}
