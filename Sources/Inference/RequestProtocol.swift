// The two request protocols a deployed MLflow model answers, and the MLflow request formats
// they map onto.
//
// - Azure ML online endpoints: `{"input_data": ..., "params": {...}}`. Azure's MLflow scoring
//   script decides by shape: a list is a tensor, an object with all of `columns`, `index` and
//   `data` is a split DataFrame, any other object is named tensors
//   (Azure/azureml-assets mlflow_score_script.py `parse_model_input_from_input_data_traditional`).
// - `mlflow models serve` (`/invocations`): exactly one of `dataframe_split`,
//   `dataframe_records`, `instances`, `inputs`, plus optional `params`; or a CSV body
//   (mlflow/pyfunc/scoring_server/__init__.py).
//
// mlenv maps an Azure request onto the MLflow format with the same meaning (list → `inputs`,
// split object → `dataframe_split`, other object → `inputs`) and enforces both with MLflow's rules,
// as the bundled score.py does.

public enum RequestProtocol: String, Hashable, Sendable, CaseIterable {
    case azureml
    case mlflow
}

public enum RequestFormat: String, Hashable, Sendable {
    case dataframeSplit = "dataframe_split"
    case dataframeRecords = "dataframe_records"
    case instances
    case inputs
    case csv
    /// `messages` / `prompt` / `input` bodies that MLflow passes to the model unparsed.
    case llm = "unified_llm"
}

/// The numpy release line the model's server runs with: MLflow casts `inputs` / `instances` values
/// with `np.array(value, dtype)`, and numpy 2 refuses a Python integer outside a narrow integer
/// dtype ("Python integer 300 out of bounds for uint8") where numpy 1 wraps it around (with a
/// DeprecationWarning). Checked against mlflow-skinny 3.17.2 with numpy 2.3.5 / pandas 2.3.3 and with
/// numpy 1.26.4 / pandas 2.2.3 (benchmarks/compare-mlflow/RESULTS.md, "pandas/numpy versions").
public enum NumpyLine: Int, Hashable, Sendable, CaseIterable {
    case one = 1
    case two = 2
}

public struct ValidationOptions: Hashable, Sendable {
    /// Force a protocol instead of detecting it from the top-level keys.
    public var forcedProtocol: RequestProtocol?
    /// `application/json` (default) or `text/csv`.
    public var contentType: String
    /// Report warnings as errors.
    public var strict: Bool
    /// How many findings of one kind per column to list before summarising the rest.
    public var maxFindingsPerColumn: Int
    /// The numpy line whose casts are followed (default: numpy 2).
    public var numpy: NumpyLine

    public init(
        forcedProtocol: RequestProtocol? = nil, contentType: String = "application/json", strict: Bool = false,
        maxFindingsPerColumn: Int = 3,
        numpy: NumpyLine = .two
    ) {
        self.forcedProtocol = forcedProtocol
        self.contentType = contentType
        self.strict = strict
        self.maxFindingsPerColumn = maxFindingsPerColumn
        self.numpy = numpy
    }
}
