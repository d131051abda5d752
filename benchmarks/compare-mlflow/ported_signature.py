"""MLflow's model-signature tests as differential data.

    .venv-mlflow/bin/python benchmarks/compare-mlflow/ported_signature.py --mlenv PATH/TO/mlenv [--show]

Source: tests/models/test_signature.py of mlflow/mlflow (the version stored at commit
001cc178a1442b488da41853c497adc5285a284d; the verdicts are MLflow 3.17.2's, the pinned oracle).
That file builds signatures (ColSpec, TensorSpec, named and unnamed, with and without outputs and
params), round-trips them through `to_dict` / `from_dict`, infers them from data and sets them on
models. Each signature the test builds is written as an MLmodel (its `to_dict` form, which is what
mlenv reads), and judged with requests:

- where the test infers the signature from data, the request MLflow writes for that data as a
  serving example (`convert_input_example_to_serving_input`), which must be accepted;
- where the test gives only the signature, the request MLflow writes for a one-row example built to
  the signature (zeros of the tensor's shape, one value per column), which must be accepted, and one
  neighbour (a dimension off by one, a column missing, a value of another type), whose verdict the
  test does not state: MLflow's is the reference.

What is not a request (equality of signatures, errors building one, set_signature on run URIs,
Spark) is in SKIPPED. Exit 0 when mlenv agrees with the oracle on every case.
"""

import argparse
import dataclasses
import json
import os
import sys
import tempfile

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from oracle import compare, model_for, summarize  # noqa: E402
from mlflow.models import ModelSignature, convert_input_example_to_serving_input, infer_signature, rag_signatures  # noqa: E402
from mlflow.types import DataType  # noqa: E402
from mlflow.types.schema import Array, ColSpec, ParamSchema, ParamSpec, Schema, TensorSpec  # noqa: E402

SOURCE = "mlflow/mlflow tests/models/test_signature.py @ 001cc178a1442b488da41853c497adc5285a284d"

SKIPPED = {
    "equality assertions (signature1 != signature3, ...)": "comparing signature objects, no request; every signature built is ported",
    "test_signature_with_errors": "errors while building a ModelSignature",
    "test_cannot_set_signature_on_models_scheme_uris, test_set_signature_*": "model registry / run URIs; the signature they set (infer_signature(np.array([1]))) is ported",
    "test_signature_inference_infers_datime_types_as_expected (Spark)": "Spark frames; the pandas part is ported",
}

B64 = "AQID"  # base64 of bytes([1, 2, 3])


def from_data():
    """(test, data, signature inferred or asserted by the test)."""
    yield "test_signature_inference_infers_input_and_output_as_expected", np.array([1]), infer_signature(np.array([1]), np.array([1]))
    yield "test_infer_signature_on_nested_array: strings", [{"queries": [["a", "b", "c"], ["d", "e"], []]}], ModelSignature(
        Schema([ColSpec(Array(Array(DataType.string)), name="queries")]), Schema([ColSpec(Array(Array(DataType.string)), name="answers")]))
    # numpy arrays inside a list are no input example for MLflow: the same strings as JSON lists
    data = [{"inputs": [[["a", "b"], ["c", "d"]], [["e", "f"], ["g", "h"]]]}]
    yield "test_infer_signature_on_nested_array: string arrays", data, ModelSignature(
        Schema([ColSpec(Array(Array(Array(DataType.string))), name="inputs")]), Schema([ColSpec(Array(DataType.integer), name="outputs")]))
    yield "test_infer_signature_on_list_of_dictionaries", [{"query": "test query"}], ModelSignature(
        Schema([ColSpec(DataType.string, name="query")]),
        Schema([ColSpec(DataType.string, name="output"), ColSpec(Array(DataType.string), name="candidate_ids"), ColSpec(Array(DataType.string), name="candidate_sources")]))
    series = pd.Series(pd.to_datetime([np.datetime64("2021-01-01")]))
    yield "test_signature_inference_infers_datime_types_as_expected: series", series.to_frame(), ModelSignature(Schema([ColSpec(DataType.datetime)]))
    yield "test_signature_inference_infers_datime_types_as_expected: frame", series.to_frame("datetime_col"), ModelSignature(Schema([ColSpec(DataType.datetime, name="datetime_col")]))
    yield "test_signature_for_rag", [dataclasses.asdict(rag_signatures.ChatCompletionRequest())], ModelSignature(
        rag_signatures.ChatCompletionRequest(), rag_signatures.ChatCompletionResponse())


def given():
    """(test, signature, good example or None, a neighbour request body, what differs in it)."""
    colspec = ModelSignature(Schema([ColSpec(DataType.boolean), ColSpec(DataType.binary)]),
                             Schema([ColSpec(name=None, type=DataType.double), ColSpec(name=None, type=DataType.double)]))
    good = pd.DataFrame([[True, bytes([1, 2, 3])]])
    yield "test_model_signature_with_colspec", colspec, good, {"dataframe_split": {"data": [[True]]}}, "one column of two"
    yield "test_model_signature_with_colspec: no outputs", ModelSignature(colspec.inputs), good, {"dataframe_split": {"data": [[True, 1.5]]}}, "a number for the binary column"
    float3 = TensorSpec(np.dtype("float"), (-1, 28, 28))
    image = np.zeros((1, 28, 28))
    yield "test_model_signature_with_tensorspec", ModelSignature(Schema([float3]), Schema([TensorSpec(np.dtype("float"), (-1, 10))])), image, {"inputs": np.zeros((1, 28, 27)).tolist()}, "28 x 27"
    yield "test_model_signature_with_tensorspec: int outputs", ModelSignature(Schema([float3]), Schema([TensorSpec(np.dtype("int"), (-1, 10))])), image, {"inputs": np.zeros((1, 27, 28)).tolist()}, "27 x 28"
    named = ModelSignature(Schema([TensorSpec(np.dtype("float"), (-1, 28, 28), name="image"), TensorSpec(np.dtype("int"), (-1, 10), name="metadata")]),
                           Schema([TensorSpec(np.dtype("float"), (-1, 10), name="outputs")]))
    yield "test_model_signature_with_tensorspec: named", named, {"image": np.zeros((2, 28, 28)), "metadata": np.zeros((2, 10), dtype=np.int64)}, \
        {"inputs": {"image": np.zeros((2, 28, 28)).tolist()}}, "metadata missing"
    yield "test_model_signature_with_tensorspec: named, metadata of floats", named, None, \
        {"inputs": {"image": np.zeros((1, 28, 28)).tolist(), "metadata": [[0.5] * 10]}}, "fractions for int64"
    yield "test_model_signature_with_tensorspec: no outputs", ModelSignature(Schema([float3])), image, {"inputs": [[1.0] * 28]}, "rank 2"
    yield "test_model_signature_with_colspec_and_tensorspec: double", ModelSignature(Schema([ColSpec(DataType.double)])), pd.DataFrame([[1.5]]), \
        {"dataframe_split": {"data": [["x"]]}}, "a word"
    yield "test_model_signature_with_colspec_and_tensorspec: tensor outputs", ModelSignature(Schema([ColSpec(DataType.double)]), Schema([float3])), \
        pd.DataFrame([[1.5]]), {"inputs": [[1.5, 2.5]]}, "two columns for one"
    yield "test_signature_construction: binary", ModelSignature(inputs=Schema([ColSpec(DataType.binary)])), pd.DataFrame([[bytes([1, 2, 3])]]), \
        {"dataframe_split": {"data": [["not base64!"]]}}, "not base64"
    yield "test_signature_construction: outputs only", ModelSignature(outputs=Schema([ColSpec(DataType.double)])), pd.DataFrame({"x": [1.0]}), \
        {"dataframe_split": {"columns": ["a", "b"], "data": [[1], [2, 3]]}}, "no input schema: any frame"
    params = ModelSignature(params=ParamSchema([ParamSpec("param1", DataType.string, "test")]))
    yield "test_signature_construction: params only", params, (pd.DataFrame({"x": [1.0]}), {"param1": "x"}), \
        {"dataframe_split": {"columns": ["x"], "data": [[1.0]]}, "params": {"param1": ["x"]}}, "a list for a scalar param"


def cases(work):
    models = {}
    for name, data, signature in from_data():
        yield {"name": name + " (round trip)", "model": model_for(signature, work, models), "body": convert_input_example_to_serving_input(data), "expected": True}
    for name, signature, good, bad, why in given():
        model = model_for(signature, work, models)
        if good is not None:
            yield {"name": name + ": an example built to it", "model": model, "body": convert_input_example_to_serving_input(good), "expected": True}
        if bad is not None:
            yield {"name": f"{name}: {why}", "model": model, "body": json.dumps(bad), "expected": None}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mlenv", required=True)
    ap.add_argument("--show", action="store_true", help="print MLflow's error for each refused case")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="mlenv-ported-signature-")
    rows = list(cases(work))
    agree_oracle, _, _ = summarize(SOURCE, compare(rows, args.mlenv, work), show=args.show,
                                   note=f"; skipped (not a request): {len(SKIPPED)} groups")
    sys.exit(0 if agree_oracle == len(rows) else 1)


if __name__ == "__main__":
    main()
