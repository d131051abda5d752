// What MLflow accepts but changes silently, and `--strict`. The verdicts come from MLflow 3.17.2
// (pandas `astype` for DataFrame bodies, numpy `np.array(value, dtype)` for `instances`/`inputs`;
// mlflow/utils/proto_json_utils.py `cast_df_types_according_to_schema`, `convert_data_type`),
// checked in benchmarks/compare-mlflow; the warnings are mlenv's.

import Inference
import ModelFiles
import Testing

private let typed = Signatures.columns(
    """
    [{"type": "long", "name": "age"}, {"type": "integer", "name": "n"}, {"type": "boolean", "name": "flag"},
     {"type": "double", "name": "x"}, {"type": "string", "name": "s"}, {"type": "binary", "name": "blob"},
     {"type": "datetime", "name": "when"}]
    """)

private func split(_ cells: String) -> String {
    #"{"dataframe_split": {"columns": ["age", "n", "flag", "x", "s", "blob", "when"], "data": [[\#(cells)]]}}"#
}

private func inputs(_ cells: String) -> String {
    let values = cells.split(separator: "|").map(String.init)
    let names = ["age", "n", "flag", "x", "s", "blob", "when"]
    return "{\"inputs\": {" + zip(names, values).map { "\"\($0)\": [\($1)]" }.joined(separator: ", ") + "}}"
}

@Suite struct CastWarningTests {
    static let good = #"40, 3, true, 1.5, "a", "aGVsbG8=", "2024-01-02""#

    static let rows: [PayloadRow] = [
        PayloadRow(split(good), accepted: true),
        // a fraction in a long column: pandas truncates
        PayloadRow(
            split(#"40.7, 3, true, 1.5, "a", "aGVsbG8=", "2024-01-02""#), accepted: true, warns: "truncated to 40"),
        // a string in a boolean column: truthiness ("false" is true)
        PayloadRow(split(#"40, 3, "false", 1.5, "a", "aGVsbG8=", "2024-01-02""#), accepted: true, warns: "truthiness"),
        // an integer overflowing int32 wraps
        PayloadRow(split(#"40, 3000000000, true, 1.5, "a", "aGVsbG8=", "2024-01-02""#), accepted: true, warns: "int32"),
        // numeric strings are parsed
        PayloadRow(
            split(#""40", 3, true, "1.5", "a", "aGVsbG8=", "2024-01-02""#), accepted: true,
            warns: "parsed as the integer 40"),
        // a number in a string column stays a number
        PayloadRow(split(#"40, 3, true, 1.5, 7, "aGVsbG8=", "2024-01-02""#), accepted: true, warns: "not a string"),
        // binary with characters outside the base64 alphabet
        PayloadRow(
            split(#"40, 3, true, 1.5, "a", "aGVs-bG8=", "2024-01-02""#), accepted: true, warns: "base64 alphabet"),
        // refused: null in an integer column, a word in a number column, bad base64, a bad date
        PayloadRow(
            split(#"null, 3, true, 1.5, "a", "aGVsbG8=", "2024-01-02""#), accepted: false,
            mentions: "dataframe_split.data[0][0]"),
        PayloadRow(
            split(#"40, 3, true, "abc", "a", "aGVsbG8=", "2024-01-02""#), accepted: false, mentions: "column 'x'"),
        PayloadRow(
            split(#"40, 3, true, 1.5, "a", "aGVsbG8", "2024-01-02""#), accepted: false, mentions: "Incorrect padding"),
        PayloadRow(split(#"40, 3, true, 1.5, "a", "aGVsbG8=", "someday""#), accepted: false, mentions: "column 'when'"),
        // instances/inputs: numpy refuses what pandas wraps, and does not decode base64
        PayloadRow(
            inputs(#"40|3000000000|true|1.5|"a"|"aGVsbG8="|"2024-01-02""#), accepted: false,
            mentions: "out of bounds for int32"),
        PayloadRow(
            inputs(#"40|3|true|1.5|"a"|"aGVsbG8="|"2024-01-02""#), accepted: true, warns: "does not base64-decode"),
        PayloadRow(inputs(#"40|3|true|1.5|"a"|"aGVsbG8="|1.5"#), accepted: false, mentions: "NumPy datetime")
    ]

    @Test(arguments: rows) func casts(_ row: PayloadRow) { check(row, against: typed) }

    @Test func strictTurnsWarningsIntoErrors() {
        let body = Array(split(#"40.7, 3, true, 1.5, "a", "aGVsbG8=", "2024-01-02""#).utf8)
        let lenient = PayloadValidator(signature: typed).validate(body)
        let strict = PayloadValidator(signature: typed).validate(body, options: ValidationOptions(strict: true))
        #expect(lenient.isValid && lenient.warnings.count == 1)
        #expect(!strict.isValid && strict.acceptedByMLflow)
        #expect(strict.errors.first?.path == "dataframe_split.data[0][0]")
    }

    @Test func manyBadCellsAreSummarised() {
        let rows = Array(repeating: #"[40.5, 3, true, 1.5, "a", "aGVsbG8=", "2024-01-02"]"#, count: 1000).joined(
            separator: ",")
        let body =
            #"{"dataframe_split": {"columns": ["age", "n", "flag", "x", "s", "blob", "when"], "data": [\#(rows)]}}"#
        let report = PayloadValidator(signature: typed).validate(Array(body.utf8))
        #expect(report.warnings.count == 4)
        #expect(report.warnings.last?.message.contains("997 more") == true, "\(report.warnings)")
    }

    @Test func noSignatureAcceptsAnyValues() {
        let report = PayloadValidator(signature: nil).validate(
            Array(#"{"dataframe_split": {"columns": ["a"], "data": [["x"], [1]]}}"#.utf8))
        #expect(report.isValid)
        #expect(report.notes.contains { $0.message.contains("no input signature") })
    }
}
