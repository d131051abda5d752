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

public struct ValidationOptions: Hashable, Sendable {
    /// Force a protocol instead of detecting it from the top-level keys.
    public var forcedProtocol: RequestProtocol?
    /// `application/json` (default) or `text/csv`.
    public var contentType: String
    /// Report warnings as errors.
    public var strict: Bool
    /// How many findings of one kind per column to list before summarising the rest.
    public var maxFindingsPerColumn: Int

    public init(forcedProtocol: RequestProtocol? = nil, contentType: String = "application/json", strict: Bool = false, maxFindingsPerColumn: Int = 3) {
        self.forcedProtocol = forcedProtocol
        self.contentType = contentType
        self.strict = strict
        self.maxFindingsPerColumn = maxFindingsPerColumn
    }
}
