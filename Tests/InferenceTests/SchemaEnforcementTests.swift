// Signature enforcement on JSON requests.
//
// Ported from MLflow's own tests, tests/pyfunc/test_pyfunc_schema_enforcement.py (mlflow/mlflow at
// commit 9728542, MLflow 3.x): test_column_schema_enforcement, test_tensor_multi_named_schema_enforcement,
// test_schema_enforcement_for_list_inputs, test_enforce_params_schema_with_success,
// test_enforce_params_schema_errors. MLflow's cases feed pandas/numpy objects to `predict`; here each
// case is the JSON request that produces that object through MLflow's scoring-server parser, and the
// expected verdict was confirmed against MLflow 3.17.2 (benchmarks/compare-mlflow).

import Inference
import ModelFiles
import Testing

private let eightTypes = Signatures.columns(
    """
    [{"type": "integer", "name": "a"}, {"type": "long", "name": "b"}, {"type": "float", "name": "c"},
     {"type": "double", "name": "d"}, {"type": "boolean", "name": "e"}, {"type": "string", "name": "g"},
     {"type": "binary", "name": "f"}, {"type": "datetime", "name": "h"}]
    """)

@Suite struct ColumnSchemaEnforcementTests {
    static let rows: [PayloadRow] = [
        // test_column_schema_enforcement: the full row, in any column order, with an extra column.
        PayloadRow(
            #"{"dataframe_split": {"columns": ["b","d","a","c","e","g","f","h"], "data": [[2, 4.0, 1, 3.0, true, "x", "AQ==", "2021-01-01 00:00:00.1234567"]]}}"#,
            accepted: true),
        PayloadRow(
            #"{"dataframe_split": {"columns": ["b","d","a","c","e","g","f","h","x"], "data": [[2, 4.0, 1, 3.0, true, "x", "AQ==", "2021-01-01", 1]]}}"#,
            accepted: true, warns: "'x'"),
        // ... missing column raises "Model is missing inputs".
        PayloadRow(
            #"{"dataframe_split": {"columns": ["b","d","a","e","g","f","h"], "data": [[2, 4.0, 1, true, "x", "AQ==", "2021-01-01"]]}}"#,
            accepted: false, mentions: "'c'"),
        // 14. dictionaries of str -> list work, extraneous multi-dimensional lists are dropped.
        PayloadRow(
            #"{"inputs": {"a": [1,2,3], "b": [1,2,3], "c": [1.0,2,3], "d": [1.0,2,3], "e": [true,false,true], "g": ["a","b","c"], "f": ["AA==","AQ==","AQ=="], "h": ["2020-01-01","2020-02-02","2020-03-03"], "j": [[1,2,3],[4,5,6],[7,8,9]]}}"#,
            accepted: true, warns: "'j'"),
        // 15. dictionaries of str -> list[list] fail.
        PayloadRow(
            #"{"inputs": {"a": [[1,2,3]], "b": [[1,2,3]], "c": [[1.0,2,3]], "d": [[1.0,2,3]], "e": [[true,false,true]], "g": [["a","b","c"]], "f": [["AA==","AQ==","AQ=="]], "h": [["2020-01-01","2020-02-02","2020-03-03"]]}}"#,
            accepted: false, mentions: "Can not safely convert object"),
        // 16. conversion to a DataFrame fails for lists of different lengths.
        PayloadRow(
            #"{"inputs": {"a": [1], "b": [1, 2], "c": [1, 2, 3], "d": [1.0], "e": [true], "g": ["x"], "f": ["AA=="], "h": ["2020-01-01"]}}"#,
            accepted: false, mentions: "same length"),
        // 13. an array without column names: the names cannot match.
        PayloadRow(#"{"inputs": [[1, 2, 3, 4, 1, 0, 1, 1]]}"#, accepted: false, mentions: "Model is missing inputs")
    ]

    @Test(arguments: rows) func columns(_ row: PayloadRow) { check(row, against: eightTypes) }
}

private let promptAndStop = Signatures.columns(
    #"[{"type": "string", "name": "prompt", "required": true}, {"type": "array", "items": {"type": "string"}, "name": "stop", "required": true}]"#
)
private let longAndStringArrays = Signatures.columns(
    #"[{"type": "array", "items": {"type": "long"}, "name": "a", "required": true}, {"type": "array", "items": {"type": "string"}, "name": "b", "required": true}]"#
)

@Suite struct ListInputEnforcementTests {
    // test_schema_enforcement_for_list_inputs: Dict[str, scalar or List[str]] is one row.
    static let promptRows: [PayloadRow] = [
        PayloadRow(#"{"inputs": {"prompt": "this is the prompt", "stop": ["a", "b"]}}"#, accepted: true),
        PayloadRow(#"{"dataframe_records": [{"prompt": "p", "stop": ["a", "b"]}]}"#, accepted: true),
        PayloadRow(#"{"inputs": {"prompt": "p", "stop": "a"}}"#, accepted: false, mentions: "Expected data to be list"),
        PayloadRow(#"{"inputs": {"prompt": "p"}}"#, accepted: false, mentions: "'stop'"),
        PayloadRow(
            #"{"dataframe_split": {"columns": ["prompt", "stop"], "data": [["p", [["a"]]]]}}"#, accepted: false,
            mentions: "sequence")
    ]
    // ... Dict[str, List[Any]]: Array(long) takes ints; MLflow's strict check refuses int64 for Array(double).
    static let arrayRows: [PayloadRow] = [
        PayloadRow(#"{"inputs": {"a": [4, 5, 6], "b": ["a", "b", "c"]}}"#, accepted: true),
        PayloadRow(#"{"inputs": {"a": [4.5, 5], "b": ["a"]}}"#, accepted: false, mentions: "float64"),
        PayloadRow(#"{"inputs": {"a": [4, 5], "b": [1, 2]}}"#, accepted: false, mentions: "int64"),
        PayloadRow(#"{"inputs": {"a": [4, 5], "b": ["x", 2]}}"#, accepted: true),
        PayloadRow(#"{"instances": [{"a": [4, 5], "b": ["x"]}]}"#, accepted: false, mentions: "2-D")
    ]

    @Test(arguments: promptRows) func promptAndStopColumns(_ row: PayloadRow) { check(row, against: promptAndStop) }
    @Test(arguments: arrayRows) func arrayColumns(_ row: PayloadRow) { check(row, against: longAndStringArrays) }
}

private let multiNamedTensors = Signatures.columns(
    """
    [{"type": "tensor", "tensor-spec": {"dtype": "uint64", "shape": [-1, 5]}, "name": "a"},
     {"type": "tensor", "tensor-spec": {"dtype": "int16", "shape": [-1, 2]}, "name": "b"},
     {"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [2, -1, 2]}, "name": "c"}]
    """)

@Suite struct TensorSchemaEnforcementTests {
    // test_tensor_multi_named_schema_enforcement.
    static let rows: [PayloadRow] = [
        PayloadRow(
            #"{"inputs": {"a": [[0,0,0,0,0],[1,1,1,1,1]], "b": [[0,0],[1,1],[2,2]], "c": [[[0,0],[1,1]],[[2,2],[3,3]]]}}"#,
            accepted: true),
        // missing input raises
        PayloadRow(#"{"inputs": {"a": [[0,0,0,0,0]], "c": [[[0,0]],[[2,2]]]}}"#, accepted: false, mentions: "'b'"),
        // an extra input is dropped
        PayloadRow(
            #"{"inputs": {"a": [[0,0,0,0,0]], "b": [[0,0]], "c": [[[0,0]],[[2,2]]], "x": [1]}}"#, accepted: true,
            warns: "'x'"),
        // variable axes
        PayloadRow(
            #"{"inputs": {"a": [[0,0,0,0,0],[1,1,1,1,1],[2,2,2,2,2]], "b": [[0,0],[1,1]], "c": [[[0,0]],[[2,2]]]}}"#,
            accepted: true),
        // wrong shape: (1, 4) for (-1, 5)
        PayloadRow(
            #"{"inputs": {"a": [[0,0,0,0]], "b": [[0,0],[1,1]], "c": [[[0,0]]]}}"#, accepted: false, mentions: "(1, 4)"),
        // the fixed first dimension of c is 2
        PayloadRow(
            #"{"inputs": {"a": [[0,0,0,0,0]], "b": [[0,0]], "c": [[[0,0]]]}}"#, accepted: false, mentions: "tensor 'c'"),
        // a list instead of named tensors
        PayloadRow(#"{"inputs": [[0,0,0,0,0], [0,0], [[0,0]]]}"#, accepted: false, mentions: "Model is missing inputs"),
        // uint64 refuses negative numbers (numpy raises when casting a Python int)
        PayloadRow(
            #"{"inputs": {"a": [[-1,0,0,0,0]], "b": [[0,0]], "c": [[[0,0]],[[2,2]]]}}"#, accepted: false,
            mentions: "out of bounds"),
        // an empty list has shape (0,)
        PayloadRow(#"{"inputs": {"a": [], "b": [[0,0]], "c": [[[0,0]],[[2,2]]]}}"#, accepted: false, mentions: "(0,)")
    ]

    @Test(arguments: rows) func namedTensors(_ row: PayloadRow) { check(row, against: multiNamedTensors) }
}

private let basicParams = Signatures.columns(
    #"[{"type": "string", "name": "text"}]"#,
    params: """
        [{"name": "str_param", "type": "string", "default": "str_a", "shape": null},
         {"name": "int_param", "type": "integer", "default": 1, "shape": null},
         {"name": "bool_param", "type": "boolean", "default": true, "shape": null},
         {"name": "double_param", "type": "double", "default": 1.0, "shape": null},
         {"name": "float_param", "type": "float", "default": 0.1, "shape": null},
         {"name": "long_param", "type": "long", "default": 100, "shape": null},
         {"name": "datetime_param", "type": "datetime", "default": "2023-06-26T00:00:00", "shape": null},
         {"name": "str_list", "type": "string", "default": ["a", "b", "c"], "shape": [-1]},
         {"name": "double_array", "type": "double", "default": [1.0, 2.0], "shape": [-1]}]
        """)

@Suite struct ParamsEnforcementTests {
    static let base = #"{"dataframe_split": {"columns": ["text"], "data": [["hi"]]}, "params": "#
    // test_enforce_params_schema_with_success / test_enforce_params_schema_errors.
    static let rows: [PayloadRow] = [
        PayloadRow(
            base
                + #"{"str_param": "str_a", "int_param": 1, "bool_param": true, "double_param": 1.0, "float_param": 0.1, "long_param": 100, "datetime_param": "2023-06-26 00:00:00", "str_list": ["a", "b", "c"]}}"#,
            accepted: true),
        // 1./2. int -> long, float, double
        PayloadRow(base + #"{"double_param": 1, "float_param": 1, "long_param": 1}}"#, accepted: true),
        PayloadRow(base + #"{"double_array": [1, 2]}}"#, accepted: true),
        // 4. any -> datetime (parsed)
        PayloadRow(base + #"{"datetime_param": "2023-07-01 00:00:00"}}"#, accepted: true),
        // defaults fill in; unknown params are ignored with a warning
        PayloadRow(base + #"{"str_param": "x", "invalid_param": "value"}}"#, accepted: true, warns: "invalid_param"),
        // errors: float for datetime, string for float, float/string for long, number for string
        PayloadRow(base + #"{"datetime_param": 1.0}}"#, accepted: false, mentions: "datetime_param"),
        PayloadRow(base + #"{"float_param": "a"}}"#, accepted: false, mentions: "float_param"),
        PayloadRow(base + #"{"long_param": 1.0}}"#, accepted: false, mentions: "long_param"),
        PayloadRow(base + #"{"long_param": "1"}}"#, accepted: false, mentions: "long_param"),
        PayloadRow(base + #"{"str_param": 1}}"#, accepted: false, mentions: "str_param"),
        PayloadRow(base + #"{"bool_param": 1}}"#, accepted: false, mentions: "bool_param"),
        // list params: a 1-D list only
        PayloadRow(base + #"{"str_list": "a"}}"#, accepted: false, mentions: "1-D list"),
        PayloadRow(base + #"{"str_list": [["a"]]}}"#, accepted: false, mentions: "nested"),
        PayloadRow(base + #"{"str_list": []}}"#, accepted: true),
        // params must be an object; null is no params
        PayloadRow(base + #"5}"#, accepted: false, mentions: "must be an object"),
        PayloadRow(base + #"null}"#, accepted: true)
    ]

    @Test(arguments: rows) func params(_ row: PayloadRow) { check(row, against: basicParams) }

    @Test func paramsWithoutSchemaAreIgnoredWithAWarning() {
        check(
            PayloadRow(
                #"{"dataframe_split": {"columns": ["text"], "data": [["hi"]]}, "params": {"k": 1}}"#, accepted: true,
                warns: "no params schema"),
            against: Signatures.columns(#"[{"type": "string", "name": "text"}]"#))
    }
}

/// Families the generator did not produce before (issue 18), each verdict confirmed against
/// MLflow 3.17.2 with pandas 2.3.3 (benchmarks/compare-mlflow/oracle.py): zone-aware datetimes in
/// DataFrame bodies, `data: null`, rows all narrower than `columns`, and `instances` columns of
/// different lengths without a signature.
@Suite struct IssueEighteenFamilyTests {
    static let dt = Signatures.columns(#"[{"type": "long", "name": "n"}, {"type": "datetime", "name": "t"}]"#)
    static let datetimeRows: [PayloadRow] = [
        // pandas parses an all-zone-aware column to datetime64[ns, tz]; MLflow then refuses it.
        PayloadRow(
            #"{"dataframe_split": {"columns": ["n", "t"], "data": [[1, "2024-01-02T03:04:05Z"], [2, "2024-01-03T04:05:06Z"]]}}"#,
            accepted: false, mentions: "time zone"),
        PayloadRow(
            #"{"dataframe_records": [{"n": 1, "t": "2024-01-02T03:04:05+02:00"}]}"#, accepted: false,
            mentions: "time zone"),
        PayloadRow(
            #"{"dataframe_split": {"columns": ["n", "t"], "data": [[1, null], [2, "2024-01-03T03:04:05Z"]]}}"#,
            accepted: false, mentions: "time zone"),
        PayloadRow(
            #"{"dataframe_split": {"columns": ["n", "t"], "data": [[1, "2024-01-02 03:04:05 UTC"]]}}"#, accepted: false,
            mentions: "time zone"),
        PayloadRow(
            #"{"dataframe_split": {"columns": ["n", "t"], "data": [[1, "2024-01-02T03:04:05+0200"]]}}"#,
            accepted: false, mentions: "time zone"),
        // naive forms, and `inputs` (numpy parses each value; zones are accepted there)
        PayloadRow(
            #"{"dataframe_split": {"columns": ["n", "t"], "data": [[1, "2024-01-02T03:04:05"], [2, "2024-01-03T04:05:06"]]}}"#,
            accepted: true),
        PayloadRow(#"{"dataframe_split": {"columns": ["n", "t"], "data": [[1, "2024-01-02"]]}}"#, accepted: true),
        PayloadRow(
            #"{"inputs": {"n": [1, 2], "t": ["2024-01-02T03:04:05Z", "2024-01-03T04:05:06Z"]}}"#, accepted: true),
        PayloadRow(#"{"inputs": {"n": [1], "t": ["2024-01-02T03:04:05+02:00"]}}"#, accepted: true)
    ]
    static let shapeRows: [PayloadRow] = [
        // DataFrame(data=None, columns=...) is an empty frame: nothing to refuse.
        PayloadRow(#"{"dataframe_split": {"columns": ["n", "t"], "data": null}}"#, accepted: true),
        // every row narrower than "columns": pandas' "2 columns passed, passed data had 1 columns"
        PayloadRow(
            #"{"dataframe_split": {"columns": ["n", "t"], "data": [[1], [2]]}}"#, accepted: false,
            mentions: "2 columns passed, passed data had 1 columns"),
        // one row short, another full: the short one is padded (then its NaN is judged)
        PayloadRow(#"{"dataframe_split": {"columns": ["n", "t"], "data": [[1, "2024-01-02"], [2]]}}"#, accepted: true)
    ]
    static let noSignatureRows: [PayloadRow] = [
        PayloadRow(#"{"instances": {"a": [1, 2], "b": [3]}}"#, accepted: false, mentions: "not the same"),
        PayloadRow(#"{"instances": {"a": [1, 2], "b": [3, 4]}}"#, accepted: true),
        PayloadRow(
            #"{"dataframe_split": {"columns": ["a", "b"], "data": [[1], [2]]}}"#, accepted: false,
            mentions: "columns passed"),
        PayloadRow(#"{"dataframe_split": {"columns": ["a"], "data": null}}"#, accepted: true)
    ]

    @Test(arguments: datetimeRows) func zoneAwareDatetimes(_ row: PayloadRow) { check(row, against: Self.dt) }
    @Test(arguments: shapeRows) func splitShapes(_ row: PayloadRow) { check(row, against: Self.dt) }
    @Test(arguments: noSignatureRows) func withoutASignature(_ row: PayloadRow) { check(row, against: nil) }
}

/// benchmarks/compare-mlflow/ported_model_schema.py ports every serving-reachable case of
/// tests/pyfunc/test_pyfunc_schema_enforcement.py (mlflow/mlflow, commit 97285421c29e) as data:
/// 206 requests, mlenv = MLflow 3.17.2 on all 206. These rows are the requests where the scoring
/// server's verdict is not the one the test asserts in-process (the JSON parser casts by the
/// signature first, or builds a different object than the test's `predict` argument); each
/// verdict is MLflow 3.17.2's, confirmed with oracle.py.
@Suite struct ModelSchemaPortTests {
    static let eight = Signatures.columns(
        """
        [{"type": "integer", "name": "a"}, {"type": "long", "name": "b"}, {"type": "float", "name": "c"},
         {"type": "double", "name": "d"}, {"type": "boolean", "name": "e"}, {"type": "string", "name": "g"},
         {"type": "binary", "name": "f"}, {"type": "datetime", "name": "h"}]
        """)
    static let split = #"{"dataframe_split": {"columns": ["b","d","a","c","e","g","f","h"], "data": [["#
    static let castRows: [PayloadRow] = [
        // test_column_schema_enforcement, 10. "any float -> any int raises": a JSON 1.0 is cast to the column's int by the parser.
        PayloadRow(split + #"2, 4, 1.0, 3, true, "x", "AQ==", "2021-01-01 00:00:00.1234567"]]}}"#, accepted: true),
        PayloadRow(split + #"2.0, 4, 1, 3, true, "x", "AQ==", "2021-01-01 00:00:00.1234567"]]}}"#, accepted: true),
        // ... 5. "double -> float raises": 3.5 is cast to float32.
        PayloadRow(split + #"2, 4, 1, 3.5, true, "x", "AQ==", "2021-01-01 00:00:00.1234567"]]}}"#, accepted: true)
    ]
    // test_missing_value_hint_is_displayed_when_it_should: a float64 column of whole numbers is cast to integer.
    static let integerRows: [PayloadRow] = [
        PayloadRow(#"{"dataframe_split": {"columns": ["a"], "data": [[1.0], [2.0]]}}"#, accepted: true),
        PayloadRow(#"{"dataframe_split": {"columns": ["a"], "data": [[1.5], [null]]}}"#, accepted: false)
    ]
    // test_column_schema_enforcement_no_col_names: ints are cast to double; a dict is no input for unnamed columns.
    static let unnamedRows: [PayloadRow] = [
        PayloadRow(#"{"inputs": [[1, 2, 3]]}"#, accepted: true),
        PayloadRow(
            #"{"inputs": {"a": [1.0], "b": [2.0], "c": [3.0]}}"#, accepted: false, mentions: "un-named model signature")
    ]
    // test_schema_enforcement_for_list_inputs_back_compatibility_check: served, the lists become columns
    // of different lengths (one row with list cells in-process).
    static let stringRows: [PayloadRow] = [
        PayloadRow(#"{"inputs": {"a": ["Hi there!"], "b": ["Hello there", "Bye!"]}}"#, accepted: false)
    ]
    // ... a list of base64 strings in a binary column: the parser's base64 decode fails on the list.
    static let binaryRows: [PayloadRow] = [
        PayloadRow(
            #"{"dataframe_split": {"index": [0], "columns": ["audio"], "data": [[["SGkgSSBhbSBhIGJ5dGVzIHN0cmluZw=="]]]}}"#,
            accepted: false)
    ]
    // test_pyfunc_model_schema_enforcement_nested_array: Array(Array(integer)) inferred from int32; JSON ints are int64.
    static let nestedRows: [PayloadRow] = [
        PayloadRow(
            #"{"dataframe_split": {"index": [0], "columns": ["numpy_2d_array"], "data": [[[[1, 2], [3, 4]]]]}}"#,
            accepted: false, mentions: "int64")
    ]

    @Test(arguments: castRows) func castByTheParser(_ row: PayloadRow) { check(row, against: Self.eight) }
    @Test(arguments: integerRows) func integerColumn(_ row: PayloadRow) {
        check(row, against: Signatures.columns(#"[{"type": "integer", "name": "a"}]"#))
    }
    @Test(arguments: unnamedRows) func unnamedDoubles(_ row: PayloadRow) {
        check(row, against: Signatures.columns(#"[{"type": "double"}, {"type": "double"}, {"type": "double"}]"#))
    }
    @Test(arguments: stringRows) func listsAsColumns(_ row: PayloadRow) {
        check(row, against: Signatures.columns(#"[{"name": "a", "type": "string"}, {"name": "b", "type": "string"}]"#))
    }
    @Test(arguments: binaryRows) func listInBinaryColumn(_ row: PayloadRow) {
        check(row, against: Signatures.columns(#"[{"name": "audio", "type": "binary"}]"#))
    }
    @Test(arguments: nestedRows) func nestedInt32Arrays(_ row: PayloadRow) {
        check(
            row,
            against: Signatures.columns(
                #"[{"type": "array", "items": {"type": "array", "items": {"type": "integer"}}, "name": "numpy_2d_array", "required": true}]"#
            ))
    }
}
