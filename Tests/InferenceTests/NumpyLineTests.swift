// Verdicts that depend on the numpy the model's server runs with (ValidationOptions.numpy,
// `mlenv validate --numpy 1|2`). `inputs` / `instances` values are cast with `np.array(value, dtype)`:
// numpy 2 refuses a Python integer outside a narrow integer dtype ("Python integer 300 out of bounds
// for uint8", NEP 50), numpy 1 wraps it around (a DeprecationWarning). Beyond int64 both refuse, and
// DataFrame bodies go through pandas' astype, which wraps on both. Every row's two verdicts were
// confirmed with benchmarks/compare-mlflow/oracle.py under mlflow-skinny 3.17.2 with numpy 1.26.4 /
// pandas 2.2.3 (`scripts/python-env --numpy1`) and with numpy 2.3.5 / pandas 2.3.3 (the default).

import JSON
import ModelFiles
import Testing

@testable import Inference

/// One body and MLflow's verdict on each numpy line.
struct NumpySides: Sendable {
    let body: String
    let numpy1: Bool
    let numpy2: Bool
    let line: Int

    init(_ body: String, numpy1: Bool, numpy2: Bool, line: Int = #line) {
        self.body = body
        self.numpy1 = numpy1
        self.numpy2 = numpy2
        self.line = line
    }

    /// Both sides as test rows; numpy 2's refusal names the bound, numpy 1's acceptance warns.
    func rows(wraps: Bool = true) -> [PayloadRow] {
        let location = (fileID: #fileID, filePath: #filePath)
        return [
            PayloadRow(
                body, accepted: numpy1, warns: numpy1 && !numpy2 && wraps ? "numpy 1" : nil, numpy: .one,
                fileID: location.fileID, filePath: location.filePath, line: line),
            PayloadRow(
                body, accepted: numpy2, mentions: numpy1 && !numpy2 ? "out of bounds" : nil, numpy: .two,
                fileID: location.fileID, filePath: location.filePath, line: line)
        ]
    }
}

@Suite struct NumpyLineTests {
    static let columns = Signatures.columns(#"[{"type": "integer", "name": "i"}, {"type": "long", "name": "l"}]"#)
    static let uint8 = Signatures.columns(#"[{"type": "tensor", "tensor-spec": {"dtype": "uint8", "shape": [-1, 2]}}]"#)
    static let int32 = Signatures.columns(#"[{"type": "tensor", "tensor-spec": {"dtype": "int32", "shape": [-1]}}]"#)
    static let named = Signatures.columns(
        """
        [{"type": "tensor", "tensor-spec": {"dtype": "int8", "shape": [-1]}, "name": "x"},
         {"type": "tensor", "tensor-spec": {"dtype": "int16", "shape": [-1]}, "name": "y"}]
        """)

    /// An integer column (int32) fed through numpy: `inputs`, `instances`, Azure objects.
    static let columnSides: [NumpySides] = [
        NumpySides(#"{"inputs": {"i": [1, 3000000000], "l": [1, 2]}}"#, numpy1: true, numpy2: false),
        NumpySides(#"{"inputs": {"i": 3000000000, "l": 2}}"#, numpy1: true, numpy2: false),
        NumpySides(#"{"instances": [{"i": 1, "l": 1}, {"i": -3000000000, "l": 2}]}"#, numpy1: true, numpy2: false),
        NumpySides(#"{"inputs": {"i": [9223372036854775807], "l": [1]}}"#, numpy1: true, numpy2: false),
        NumpySides(#"{"inputs": {"i": [10000000000.0], "l": [1]}}"#, numpy1: true, numpy2: false),
        NumpySides(#"{"inputs": {"i": ["3000000000"], "l": [1]}}"#, numpy1: true, numpy2: false),
        NumpySides(#"{"input_data": {"i": [3000000000], "l": [1]}}"#, numpy1: true, numpy2: false),
        // the same on both lines: beyond int64, in range, and DataFrame bodies (pandas wraps on both)
        NumpySides(#"{"inputs": {"i": [9223372036854775808], "l": [1]}}"#, numpy1: false, numpy2: false),
        NumpySides(#"{"inputs": {"i": [2147483647], "l": [1]}}"#, numpy1: true, numpy2: true),
        NumpySides(
            #"{"dataframe_split": {"columns": ["i", "l"], "data": [[3000000000, 1]]}}"#, numpy1: true, numpy2: true),
        NumpySides(#"{"dataframe_records": [{"i": 3000000000, "l": 1}]}"#, numpy1: true, numpy2: true)
    ]
    /// Tensors of a narrow integer dtype.
    static let uint8Sides: [NumpySides] = [
        NumpySides(#"{"inputs": [[-1, 2], [3, 4]]}"#, numpy1: true, numpy2: false),
        NumpySides(#"{"inputs": [[300, 2], [3, 4]]}"#, numpy1: true, numpy2: false),
        NumpySides(#"{"instances": [[256, 0], [3, 4]]}"#, numpy1: true, numpy2: false),
        NumpySides(#"{"input_data": [[-1, 2], [3, 4]]}"#, numpy1: true, numpy2: false),
        NumpySides(#"{"inputs": [[-1.0, 2], [3, 4]]}"#, numpy1: true, numpy2: false),
        NumpySides(#"{"inputs": [["300", 2], [3, 4]]}"#, numpy1: true, numpy2: false),
        NumpySides(#"{"instances": [[255, 0], [3, 4]]}"#, numpy1: true, numpy2: true),
        NumpySides(#"{"inputs": [[18446744073709551615, 2], [3, 4]]}"#, numpy1: false, numpy2: false)
    ]
    static let int32Sides: [NumpySides] = [
        NumpySides(#"{"inputs": [1, 3000000000]}"#, numpy1: true, numpy2: false),
        NumpySides(#"{"inputs": [1, 1e10]}"#, numpy1: true, numpy2: false),
        NumpySides(#"{"inputs": [1, 1e19]}"#, numpy1: false, numpy2: false)
    ]
    static let namedSides: [NumpySides] = [
        NumpySides(#"{"inputs": {"x": [128], "y": [1]}}"#, numpy1: true, numpy2: false),
        NumpySides(#"{"inputs": {"x": [1], "y": [40000]}}"#, numpy1: true, numpy2: false),
        NumpySides(#"{"instances": [{"x": -129, "y": 1}]}"#, numpy1: true, numpy2: false)
    ]

    @Test(arguments: columnSides.flatMap { $0.rows() }) func integerColumns(_ row: PayloadRow) {
        check(row, against: Self.columns)
    }
    @Test(arguments: uint8Sides.flatMap { $0.rows() }) func uint8Tensors(_ row: PayloadRow) {
        check(row, against: Self.uint8)
    }
    @Test(arguments: int32Sides.flatMap { $0.rows() }) func int32Tensors(_ row: PayloadRow) {
        check(row, against: Self.int32)
    }
    @Test(arguments: namedSides.flatMap { $0.rows() }) func namedNarrowTensors(_ row: PayloadRow) {
        check(row, against: Self.named)
    }

    /// Without a choice, mlenv follows numpy 2 (the verdicts before the option existed).
    @Test func defaultIsNumpyTwo() {
        #expect(ValidationOptions().numpy == .two)
        let report = PayloadValidator(signature: Self.uint8).validate(Array(#"{"inputs": [[300, 2], [3, 4]]}"#.utf8))
        #expect(!report.acceptedByMLflow)
    }
}
