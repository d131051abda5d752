// Which library each built-in MLflow flavor loads with, and the MLmodel key where MLflow records
// the version it was saved with (each flavor's `save_model` calls
// `mlflow_model.add_flavor(FLAVOR_NAME, <key>=<lib>.__version__, ...)`).

struct FlavorLibrary: Sendable {
    let flavor: String
    /// The MLmodel flavor key holding the saved version, if the flavor records one.
    let versionKey: String?
    /// The PyPI project the flavor imports; `alternatives` also provide the module.
    let package: String
    let alternatives: [String]

    init(_ flavor: String, _ versionKey: String?, _ package: String, alternatives: [String] = []) {
        self.flavor = flavor
        self.versionKey = versionKey
        self.package = package
        self.alternatives = alternatives
    }

    static let all: [FlavorLibrary] = [
        FlavorLibrary("sklearn", "sklearn_version", "scikit-learn"),
        FlavorLibrary("xgboost", "xgb_version", "xgboost"),
        FlavorLibrary("lightgbm", "lgb_version", "lightgbm"),
        FlavorLibrary("catboost", "catboost_version", "catboost"),
        FlavorLibrary("pytorch", "pytorch_version", "torch"),
        FlavorLibrary("tensorflow", nil, "tensorflow", alternatives: ["tensorflow-cpu", "tensorflow-gpu"]),
        FlavorLibrary(
            "keras", "keras_version", "keras", alternatives: ["tensorflow", "tensorflow-cpu", "tensorflow-gpu"]),
        FlavorLibrary("onnx", "onnx_version", "onnx"),
        FlavorLibrary("spark", "pyspark_version", "pyspark"),
        FlavorLibrary("statsmodels", "statsmodels_version", "statsmodels"),
        FlavorLibrary("prophet", "prophet_version", "prophet"),
        FlavorLibrary("h2o", "h2o_version", "h2o"),
        FlavorLibrary("spacy", "spacy_version", "spacy"),
        FlavorLibrary("fastai", "fastai_version", "fastai"),
        FlavorLibrary("transformers", "transformers_version", "transformers"),
        FlavorLibrary("sentence_transformers", "sentence_transformers_version", "sentence-transformers"),
        FlavorLibrary("paddle", "paddle_version", "paddlepaddle"),
        FlavorLibrary("pmdarima", "pmdarima_version", "pmdarima"),
        FlavorLibrary("diviner", "diviner_version", "diviner"),
        FlavorLibrary("gluon", "mxnet_version", "mxnet")
    ]
}
