"""MLflow's input-example tests as differential data: saved examples against their own signature.

    .venv-mlflow/bin/python benchmarks/compare-mlflow/ported_input_examples.py --mlenv PATH/TO/mlenv [--show]

Source: tests/models/test_model_input_examples.py of mlflow/mlflow (the version stored at commit
001cc178a1442b488da41853c497adc5285a284d; the verdicts are MLflow 3.17.2's, the pinned oracle).
Every example those tests save (a DataFrame of every type, frames without column names or with NaN,
dicts of ndarrays, each column as an ndarray, dicts of scalars, iris rows as dict / unnamed frame /
named frame, scalar strings, the logged-model examples) is saved the way MLflow saves it when a
model is logged (`_save_example`: `input_example.json` plus `serving_input_example.json`, the
`saved_input_example_info` in MLmodel) into a model directory whose signature is the one MLflow
infers from the example (or the one the test asserts). Then:

- MLflow: `serving_input_example.json` goes through the scoring server's parser and enforcement
  (oracle.verdict, a whole request); `input_example.json` is read back with MLflow's own
  `_read_example` and enforced with `_enforce_schema`, as MLflow does when it checks an example;
- mlenv: `mlenv validate MODEL` with no payload checks both files of the model.

An example must validate against its own signature; the table shows where MLflow itself does not.
Exit 0 when mlenv agrees with MLflow on every file.
"""

import argparse
import json
import math
import os
import sys
import tempfile

import numpy as np
import pandas as pd
from scipy.sparse import csc_matrix, csr_matrix
from sklearn import datasets

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from oracle import compare, summarize  # noqa: E402
from mlflow.models import Model, ModelSignature, infer_signature  # noqa: E402
from mlflow.models.utils import _enforce_schema, _read_example, _save_example  # noqa: E402
from mlflow.types import DataType  # noqa: E402
from mlflow.types.schema import ColSpec, Schema, TensorSpec  # noqa: E402

SOURCE = "mlflow/mlflow tests/models/test_model_input_examples.py @ 001cc178a1442b488da41853c497adc5285a284d"

SKIPPED = {
    "test_input_examples (a list of two 2-D arrays)": "MLflow refuses to save it (TensorsNotSupportedException): no example file",
    "test_infer_signature_from_example_can_be_disabled": "signature=False: no signature to check against",
    "test_infer_signature_raises_if_predict_on_input_example_fails": "the model's predict failing at logging",
}


def all_types(extension=True):
    df = pd.DataFrame({
        "boolean": [True, False, True],
        "integer": np.array([1, 2, 3], np.int32),
        "long": np.array([1, 2, 3], np.int64),
        "float": np.array([math.pi, 2 * math.pi, 3 * math.pi], np.float32),
        "double": [math.pi, 2 * math.pi, 3 * math.pi],
        "binary": [bytes([1, 2, 3]), bytes([4, 5, 6]), bytes([7, 8, 9])],
        "string": ["a", "b", "c"],
        "boolean_ext": [True, False, True],
        "integer_ext": [1, 2, 3],
        "string_ext": ["a", "b", "c"],
        "array": np.array(["a", "b", "c"]),
    })
    df["boolean_ext"] = df["boolean_ext"].astype("boolean")
    df["integer_ext"] = df["integer_ext"].astype("Int64")
    df["string_ext"] = df["string_ext"].astype("string")
    return df if extension else df.drop(columns=["boolean_ext", "integer_ext", "string_ext"])


def ndarrays():
    return {"1D": np.arange(0, 12, 0.5), "2D": np.arange(0, 12, 0.5).reshape(3, 8),
            "3D": np.arange(0, 12, 0.5).reshape(2, 3, 4), "4D": np.arange(0, 12, 0.5).reshape(3, 2, 2, 2)}


def ndarrays_with_nans():
    return {"1D": np.array([0.5, np.nan, 2.0]), "2D": np.array([[0.1, 0.2], [np.nan, 0.5]]),
            "3D": np.array([[[0.1, np.nan], [0.3, 0.4]], [[np.nan, 0.6], [0.7, np.nan]]])}


def with_nan():
    return pd.DataFrame({
        "boolean": [True, False, True], "integer": np.array([1, 2, 3], np.int32), "long": np.array([1, 2, 3], np.int64),
        "float": np.array([np.nan, 2 * math.pi, 3 * math.pi], np.float32), "double": [math.pi, np.nan, 3 * math.pi],
        "binary": [bytes([1, 2, 3]), bytes([4, 5, 6]), bytes([7, 8, 9])], "string": ["a", "b", "c"],
    })


def examples():
    """(test, example, signature or None to infer it from the example)."""
    t = "test_input_examples"
    yield t + ": frame of every type", all_types(), None
    new = all_types(extension=False)
    yield t + ": dict of column arrays", {name: new[name].values for name in new.columns}, None
    for col in all_types().drop(columns=["binary"]):
        yield f"{t}: column '{col}' as an ndarray", all_types()[col].to_numpy(), None
    for name, array in ndarrays().items():
        yield f"{t}: {name} ndarray", array, None
    yield t + ": dict of scalars", {"a": 1, "b": "abc"}, None
    t = "test_pandas_orients_for_input_examples"
    yield t + ": frame without column names", pd.DataFrame({0: [1, 2, 3], 1: [4, 5, 6], 2: [7, 8, 9]}), None
    t = "test_sparse_matrix_input_examples"
    yield t + ": csc", csc_matrix(np.arange(0, 12, 0.5).reshape(3, 8)), None
    yield t + ": csr", csr_matrix(np.arange(0, 12, 0.5).reshape(3, 8)), None
    t = "test_input_examples_with_nan"
    yield t + ": frame", with_nan(), None
    for name, array in ndarrays_with_nans().items():
        yield f"{t}: {name} ndarray", array, None
    t = "test_infer_signature_with_input_example"
    yield t + ": tabular", pd.DataFrame({"feature": ["value"]}), ModelSignature(Schema([ColSpec(name="feature", type=DataType.string)]), Schema([ColSpec(type=DataType.long)]))
    yield t + ": tensor", np.array([[1]]), ModelSignature(Schema([TensorSpec(np.dtype("int64"), (-1, 1))]), Schema([TensorSpec(np.dtype("int64"), (-1,))]))
    iris = list(datasets.load_iris(as_frame=True).data.columns)
    t = "test_infer_signature_on_multi_column_input_examples"
    yield t + ": dict", dict(zip(iris, [5.1, 3.5, 1.4, 0.2])), None
    yield t + ": unnamed frame", pd.DataFrame([[5.1, 3.5, 1.4, 0.2]]), None
    yield t + ": named frame", pd.DataFrame(dict(zip(iris, [5.1, 3.5, 1.4, 0.2])), index=[0]), None
    t = "test_infer_signature_on_scalar_input_examples"
    for example, dtype in [("some string", DataType.string), (bytes([1, 2, 3]), DataType.binary)]:
        yield f"{t}: {example!r}", example, ModelSignature(Schema([ColSpec(name=0, type=dtype)]), Schema([ColSpec(name=0, type=dtype)]))


def save(directory, example, signature):
    """A model directory as MLflow writes it when a model is logged with this example."""
    os.makedirs(directory)
    model = Model()
    model.add_flavor("python_function", loader_module="mlflow.sklearn")
    _save_example(model, example, directory)
    model.signature = signature or infer_signature(example)
    model.save(os.path.join(directory, "MLmodel"))
    return Model.load(os.path.join(directory, "MLmodel"))


def read_back(model, directory):
    """MLflow's verdict on input_example.json: read with _read_example, enforced with _enforce_schema."""
    try:
        _enforce_schema(_read_example(model, directory), model.signature.inputs)
        return True, None
    except Exception as ex:  # noqa: BLE001 - any failure is the example refused
        return False, f"{type(ex).__name__}: {ex}"[:500]


def cases(work):
    for i, (name, example, signature) in enumerate(examples()):
        directory = os.path.join(work, f"model-{i}")
        try:
            model = save(directory, example, signature)
        except Exception as ex:  # noqa: BLE001 - MLflow could not save or infer: nothing to check
            print(f"not saved ({type(ex).__name__}: {str(ex)[:120]}): {name}", file=sys.stderr)
            continue
        info = model.saved_input_example_info
        with open(os.path.join(directory, info["artifact_path"])) as f:
            body = f.read()
        valid, error = read_back(model, directory)
        if info["type"] == "json_object":
            # MLflow reads a json_object example back as the object itself; its request is the
            # serving example ({"inputs": object}), which mlenv checks in its place.
            print(f"input_example.json of type json_object is checked through its serving twin: {name}", file=sys.stderr)
        else:
            yield {"name": f"{name}: {info['artifact_path']} ({info['type']})", "model": directory, "body": body,
                   "expected": True, "example": info["artifact_path"], "oracle": valid, "error": error}
        if info.get("serving_input_path"):
            with open(os.path.join(directory, info["serving_input_path"])) as f:
                body = f.read()
            yield {"name": f"{name}: {info['serving_input_path']}", "model": directory, "body": body,
                   "expected": True, "example": info["serving_input_path"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mlenv", required=True)
    ap.add_argument("--show", action="store_true", help="print MLflow's error for each refused case")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="mlenv-ported-examples-")
    rows = list(cases(work))
    agree_oracle, _, _ = summarize(SOURCE, compare(rows, args.mlenv, work), show=args.show,
                                   note=f"; skipped: {len(SKIPPED)} groups")
    sys.exit(0 if agree_oracle == len(rows) else 1)


if __name__ == "__main__":
    main()
