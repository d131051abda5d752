// The request protocols: Azure ML online endpoints and `mlflow models serve`.
//
// MLflow rows are ported from tests/pyfunc/test_scoring_server.py (mlflow/mlflow at commit 04fb796,
// MLflow 3.x: test_scoring_server_responds_to_invalid_json_input_with_stacktrace_and_error_code,
// test_scoring_server_responds_to_malformed_json_input_with_error_code_and_message,
// test_scoring_server_responds_to_invalid_pandas_input_format_with_stacktrace_and_error_code,
// test_scoring_server_successfully_evaluates_correct_dataframes_with_pandas_records_orientation /
// _split_orientation, test_parse_json_input_split_oriented, test_parse_json_input_records_oriented,
// test_parse_tf_serving_dictionary, test_parse_with_schema) and mlflow/pyfunc/scoring_server in
// MLflow 3.17.2. Azure rows follow Azure/azureml-assets mlflow_score_script.py (see
// shared/research/anchors.md §2.2) as stated in issue 7.

import Inference
import ModelFiles
import Testing

private let iris = Signatures.columns(
    """
    [{"type": "double", "name": "sepal length (cm)"}, {"type": "double", "name": "sepal width (cm)"},
     {"type": "double", "name": "petal length (cm)"}, {"type": "double", "name": "petal width (cm)"}]
    """)
private let columns = #"["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]"#

@Suite struct MLflowProtocolTests {
    static let rows: [PayloadRow] = [
        PayloadRow(#"{"dataframe_split": {"columns": \#(columns), "data": [[5.1, 3.5, 1.4, 0.2]]}}"#, accepted: true),
        PayloadRow(
            #"{"dataframe_split": {"columns": \#(columns), "index": [7], "data": [[5.1, 3.5, 1.4, 0.2]]}}"#,
            accepted: true),
        PayloadRow(
            #"{"dataframe_records": [{"sepal length (cm)": 5.1, "sepal width (cm)": 3.5, "petal length (cm)": 1.4, "petal width (cm)": 0.2}]}"#,
            accepted: true),
        PayloadRow(
            #"{"instances": [{"sepal length (cm)": 5.1, "sepal width (cm)": 3.5, "petal length (cm)": 1.4, "petal width (cm)": 0.2}]}"#,
            accepted: true),
        PayloadRow(
            #"{"inputs": {"sepal length (cm)": [5.1], "sepal width (cm)": [3.5], "petal length (cm)": [1.4], "petal width (cm)": [0.2]}}"#,
            accepted: true),
        // invalid JSON / not a dictionary
        PayloadRow(
            #"{"dataframe_split": {"columns": ["a"], "data": [[1]]"#, accepted: false, mentions: "not valid JSON"),
        PayloadRow(#"[1, 2, 3]"#, accepted: false, mentions: "found a list"),
        PayloadRow(#""just a string""#, accepted: false, mentions: "JSON object"),
        PayloadRow("", accepted: false, mentions: "not valid JSON"),
        // exactly one input field
        PayloadRow(
            #"{"dataframe_split": {"columns": \#(columns), "data": [[5.1, 3.5, 1.4, 0.2]]}, "inputs": [[1]]}"#,
            accepted: false, mentions: "exactly one"),
        PayloadRow(
            #"{"columns": ["a"], "data": [[1]]}"#, accepted: false, mentions: "cannot tell the request protocol"),
        // split: a dict with "data" and only columns / index
        PayloadRow(#"{"dataframe_split": [[5.1, 3.5, 1.4, 0.2]]}"#, accepted: false, mentions: "must be an object"),
        PayloadRow(
            #"{"dataframe_split": {"columns": \#(columns), "data": [[5.1, 3.5, 1.4, 0.2]], "dtype": "x"}}"#,
            accepted: false, mentions: "\"dtype\""),
        PayloadRow(#"{"dataframe_split": {"columns": \#(columns)}}"#, accepted: false, mentions: "no \"data\""),
        PayloadRow(
            #"{"dataframe_split": {"columns": \#(columns), "data": [[5.1, 3.5, 1.4, 0.2, 9]]}}"#, accepted: false,
            mentions: "5 values"),
        PayloadRow(
            #"{"dataframe_split": {"columns": \#(columns), "index": [0, 1], "data": [[5.1, 3.5, 1.4, 0.2], [1, 2, 3, 4], [1, 2, 3, 4]]}}"#,
            accepted: false, mentions: "index"),
        // records: a list of records
        PayloadRow(#"{"dataframe_records": {"sepal length (cm)": 5.1}}"#, accepted: false, mentions: "dataframe_split"),
        // other top-level keys are ignored by the server (mlenv warns)
        PayloadRow(
            #"{"dataframe_split": {"columns": \#(columns), "data": [[5.1, 3.5, 1.4, 0.2]]}, "extra": 1}"#,
            accepted: true, warns: "'extra'"),
        // Python's json accepts NaN and Infinity; MLflow passes NaN on as a missing double
        PayloadRow(
            #"{"dataframe_split": {"columns": \#(columns), "data": [[NaN, 3.5, Infinity, -Infinity]]}}"#, accepted: true
        ),
        // a UTF-8 byte order mark is accepted by json.loads(bytes)
        PayloadRow(
            "\u{FEFF}"
                + #"{"inputs": {"sepal length (cm)": [5.1], "sepal width (cm)": [3.5], "petal length (cm)": [1.4], "petal width (cm)": [0.2]}}"#,
            accepted: true)
    ]

    @Test(arguments: rows) func mlflowRequests(_ row: PayloadRow) { check(row, against: iris) }

    static let csvRows: [PayloadRow] = [
        PayloadRow(
            "\"sepal length (cm)\",\"sepal width (cm)\",\"petal length (cm)\",\"petal width (cm)\"\n5.1,3.5,1.4,0.2\n",
            accepted: true, contentType: "text/csv"),
        PayloadRow(
            "\"sepal length (cm)\",\"sepal width (cm)\",\"petal length (cm)\",\"petal width (cm)\"\nabc,3.5,1.4,0.2\n",
            accepted: false, contentType: "text/csv", mentions: "could not convert"),
        PayloadRow(
            "\"sepal length (cm)\",\"sepal width (cm)\"\n5.1,3.5\n", accepted: false, contentType: "text/csv",
            mentions: "missing"),
        PayloadRow("x", accepted: false, contentType: "text/plain", mentions: "415"),
        PayloadRow(
            #"{"inputs": [1]}"#, accepted: false, contentType: "application/json; charset=latin-1", mentions: "UTF-8")
    ]

    @Test(arguments: csvRows) func csvAndContentTypes(_ row: PayloadRow) { check(row, against: iris) }
}

@Suite struct AzureProtocolTests {
    static let rows: [PayloadRow] = [
        // split DataFrame: needs columns, index and data
        PayloadRow(
            #"{"input_data": {"columns": \#(columns), "index": [0], "data": [[5.1, 3.5, 1.4, 0.2]]}}"#, accepted: true),
        // without index Azure reads named tensors: the columns are not found (and mlenv says why)
        PayloadRow(
            #"{"input_data": {"columns": \#(columns), "data": [[5.1, 3.5, 1.4, 0.2]]}}"#, accepted: false,
            mentions: "same length", warns: "no \"index\""),
        // a list is a tensor: no column names
        PayloadRow(#"{"input_data": [[5.1, 3.5, 1.4, 0.2]]}"#, accepted: false, mentions: "Model is missing inputs"),
        // input_data missing, null, scalar
        PayloadRow(#"{"params": {}}"#, accepted: false, forced: .azureml, mentions: "missing"),
        PayloadRow(#"{"input_data": null}"#, accepted: false, mentions: "null"),
        PayloadRow(#"{"input_data": 5}"#, accepted: false, mentions: "input_data"),
        PayloadRow(#"{"input_data": "text"}"#, accepted: false, mentions: "input_data"),
        // mixing the protocols is a client bug
        PayloadRow(
            #"{"input_data": {"columns": \#(columns), "index": [0], "data": [[5.1, 3.5, 1.4, 0.2]]}, "dataframe_split": {}}"#,
            accepted: false, mentions: "mixes"),
        // params are passed on; without a params schema they are ignored
        PayloadRow(
            #"{"input_data": {"columns": \#(columns), "index": [0], "data": [[5.1, 3.5, 1.4, 0.2]]}, "params": {"x": 1}}"#,
            accepted: true, warns: "no params schema"),
        // forcing the other protocol
        PayloadRow(
            #"{"dataframe_split": {"columns": \#(columns), "data": [[5.1, 3.5, 1.4, 0.2]]}}"#, accepted: false,
            forced: .azureml, mentions: "input_data"),
        PayloadRow(
            #"{"input_data": {"columns": \#(columns), "index": [0], "data": [[5.1, 3.5, 1.4, 0.2]]}}"#, accepted: false,
            forced: .mlflow, mentions: "exactly one"),
        PayloadRow("a,b\n1,2\n", accepted: false, forced: .azureml, contentType: "text/csv", mentions: "JSON")
    ]

    @Test(arguments: rows) func azureRequests(_ row: PayloadRow) { check(row, against: iris) }

    @Test func reportsProtocolAndFormat() {
        let report = PayloadValidator(signature: iris).validate(
            Array(#"{"input_data": {"columns": \#(columns), "index": [0], "data": [[5.1, 3.5, 1.4, 0.2]]}}"#.utf8))
        #expect(report.requestProtocol == .azureml)
        #expect(report.format == .dataframeSplit)
        #expect(report.isValid)
    }

    @Test func malformedJSONGivesThePosition() {
        let report = PayloadValidator(signature: iris).validate(
            Array("{\"input_data\": {\n  \"columns\": [1,}\n}".utf8))
        #expect(!report.isValid)
        #expect(report.errors.first?.message.contains("line 2, column 17") == true, "\(report.errors)")
    }
}
