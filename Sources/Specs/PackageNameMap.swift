// Which PyPI project a conda package is, so a pip requirement can be met by a conda package
// and the two are never both installed (they would overwrite each other's files).
// Records' `purls` win when present; else a table of the names that differ on conda-forge;
// else a conda package that depends on python is the PyPI project of the same normalised name
// (Solver's CondaPyPINames.swift, which reads records).

public enum PackageNameMap {
    /// conda-forge name → PyPI name, where they differ.
    public static let condaToPyPI: [String: String] = [
        "pytorch": "torch",
        "pytorch-cpu": "torch",
        "pytorch-gpu": "torch",
        "py-xgboost": "xgboost",
        "py-xgboost-cpu": "xgboost",
        "py-lightgbm": "lightgbm",
        "matplotlib-base": "matplotlib",
        "msgpack-python": "msgpack",
        "tensorflow-base": "tensorflow",
        "tensorflow-cpu": "tensorflow",
        "pyarrow-core": "pyarrow",
        "libprotobuf-python": "protobuf",
        "python-flatbuffers": "flatbuffers",
        "python-kubernetes": "kubernetes",
        "python-tzdata": "tzdata",
        "importlib_metadata": "importlib-metadata",
        "typing_extensions": "typing-extensions",
        "prometheus_client": "prometheus-client",
        "python-dateutil": "python-dateutil",
        "pyyaml": "pyyaml",
        "ruamel.yaml": "ruamel-yaml",
        "opencv": "opencv-python",
        "py-opencv": "opencv-python",
        "pillow": "pillow",
        "psycopg2": "psycopg2-binary"
    ]
}
