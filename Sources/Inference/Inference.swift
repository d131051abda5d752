// Inference: request payloads checked against an MLflow model signature in Swift, with MLflow's
// own rules (MLflow 3.17.2, pandas 2.3, numpy 2.3), and the Python scoring core shipped in bundles.
//
// Entry points: `PayloadValidator` (one body → `PayloadReport`), `InputExampleValidator` (the
// model's saved examples), `ScoringCore` (Resources/score.py).
//
// Files, in the order a request meets them:
//   PayloadValidator.swift    content type, JSON syntax, protocol and request format
//   DataFrameBody.swift       dataframe_split / dataframe_records / Azure split (streamed)
//   ColumnInputsBody.swift    instances / inputs for column signatures
//   TensorBody.swift          instances / inputs for tensor signatures
//   CSVBody.swift             text/csv
//   ParamsCheck.swift         params
//   ValueCasts.swift          pandas astype / numpy casts of one value
//   StrictTypes.swift         MLflow's strict dtype check and Array / Object / Map
//   PythonValues.swift        Python's int(), float(), base64, date parsing
//   Findings.swift, Report.swift, RequestProtocol.swift
