"""MLflow's own scoring-server tests as differential data.

    .venv-mlflow/bin/python benchmarks/compare-mlflow/ported_scoring_server.py --mlenv PATH/TO/mlenv

Source: tests/pyfunc/test_scoring_server.py of mlflow/mlflow (the version stored at commit
02531f8d12b83e392fb1a3b95f7a91ac694a08be). Each request those tests send to the scoring server is
rebuilt here the way the test builds it (the iris data, pandas `to_dict`, MLflow's NumpyEncoder),
for a model with the signature the test saves (none, the all-types schema, or the inferred
tensor signature with a datetime param), with the outcome the test asserts (200, or 400 / 415).
Tests data is data: no test code is copied; what a test checks that is not a request verdict
(predictions, dtypes after parsing, gunicorn command lines) is left out.

Every case goes through the oracle (real MLflow parsing + enforcement) and through
`mlenv validate` (oracle.compare, the loop every port shares); the report says how many agree
with the test's expectation and with each other.
Exit 0 when all three agree on every case.
"""

import argparse
import json
import math
import os
import sys
import tempfile

import numpy as np
import pandas as pd
from sklearn import datasets

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from generate import write_mlmodel  # noqa: E402
from oracle import compare, summarize  # noqa: E402
from mlflow.models import ModelSignature, infer_signature  # noqa: E402
from mlflow.types import ColSpec, DataType, ParamSchema, ParamSpec, Schema  # noqa: E402
from mlflow.utils.proto_json_utils import NumpyEncoder  # noqa: E402

SOURCE = "mlflow/mlflow tests/pyfunc/test_scoring_server.py @ 02531f8d12b83e392fb1a3b95f7a91ac694a08be"
JSON = "application/json"


def all_types_frame():
    pdf = pd.DataFrame({
        "boolean": [True, False, True],
        "integer": np.array([1, 2, 3], np.int32),
        "long": np.array([1, 2, 3], np.int64),
        "float": np.array([math.pi, 2 * math.pi, 3 * math.pi], np.float32),
        "double": [math.pi, 2 * math.pi, 3 * math.pi],
        "binary": [bytearray([1, 2, 3]), bytearray([4, 5, 6]), bytearray([7, 8, 9])],
        "datetime": [np.datetime64("2021-01-01 00:00:00"), np.datetime64("2021-02-02 00:00:00"), np.datetime64("2021-03-03 12:00:00")],
    })
    pdf["string"] = pd.Series(["a", "b", "c"], dtype=DataType.string.to_pandas())
    return pdf


def cases(models):
    X = datasets.load_iris().data[:, :2]
    pdf = pd.DataFrame(X)
    nosig, alltypes, params = models["no-signature"], models["all-types"], models["tensor-with-datetime-param"]
    yield "malformed JSON", nosig, "this is,,,, not valid json", JSON, False
    for value in [1, "1", [1]]:
        yield f"not a dict: {json.dumps(value)}", nosig, json.dumps(value), JSON, False
    yield "no input field", nosig, json.dumps({"not": "a serialized dataframe"}), JSON, False
    yield "two input fields", nosig, json.dumps({"dataframe_records": [], "dataframe_split": {"data": []}}), JSON, False
    yield "split given records", nosig, json.dumps({"dataframe_split": pdf.to_dict(orient="records")}), JSON, False
    yield "records given split", nosig, json.dumps({"dataframe_records": pdf.to_dict(orient="split")}), JSON, False
    yield "split index shorter than data", nosig, json.dumps({"dataframe_split": {"index": [1, 2], "data": [[1], [2], [3]]}}), JSON, False
    yield "empty CSV", nosig, "", "text/csv", False
    records = json.dumps({"dataframe_records": pdf.to_dict(orient="records")})
    yield "records", nosig, records, JSON, True
    yield "records, charset", nosig, records, JSON + "; charset=UTF-8", True
    split = json.dumps({"dataframe_split": pdf.to_dict(orient="split")})
    yield "split", nosig, split, JSON, True
    yield "split, charset", nosig, split, JSON + "; charset=UTF-8", True
    yield "unsupported content type", nosig, pdf.to_json(orient="split"), "not_a_supported_content_type", False
    yield "unrecognized content type parameter", nosig, pdf.to_json(orient="split"), JSON + "; something=something", False
    yield "instances, lists", nosig, json.dumps({"instances": X.tolist()}), JSON, True
    yield "instances, named tensors", nosig, json.dumps({"instances": [{"a": a.tolist(), "b": b.tolist()} for a, b in zip(X[:, :2], X[:, -2:])]}), JSON, True
    yield "inputs, named tensors", nosig, json.dumps({"inputs": {"a": X[:, :2].tolist(), "b": X[:, -2:].tolist()}}), JSON, True
    yield "records keep strings", nosig, json.dumps({"dataframe_records": [
        {"zip": "95120", "cost": 10.45, "score": 8}, {"zip": "95128", "cost": 23.0, "score": 0}, {"zip": "95128", "cost": 12.1, "score": 10}]}), JSON, True
    yield "split keeps strings", nosig, json.dumps({"dataframe_split": {
        "columns": ["zip", "cost", "count"], "index": [0, 1, 2], "data": [["95120", 10.45, -8], ["95128", 23.0, -1], ["95128", 12.1, 1000]]}}), JSON, True
    yield "urls in strings", nosig, json.dumps({"dataframe_split": pd.DataFrame({
        "url": ["http://foo.com", "https://bar.com"], "bad_protocol": ["aaa://bbb", "address:/path"]}).to_dict(orient="split")}), JSON, True
    frame = all_types_frame()
    shuffled = frame[["string", "datetime", "boolean", "binary", "double", "long", "integer", "float"]]
    yield "all types, split", alltypes, json.dumps({"dataframe_split": shuffled.to_dict(orient="split")}, cls=NumpyEncoder), JSON, True
    yield "all types, records", alltypes, json.dumps({"dataframe_records": frame.to_dict(orient="records")}, cls=NumpyEncoder), JSON, True
    yield "all types, inputs", alltypes, json.dumps({"inputs": shuffled.to_dict(orient="list")}, cls=NumpyEncoder), JSON, True
    dataframe = {"dataframe_split": pdf.to_dict(orient="split")}
    yield "params: none given", params, json.dumps(dataframe), JSON + "; charset=UTF-8", True
    yield "params: invalid datetime", params, json.dumps(dict(dataframe, params={"param1": "invalid_value1"})), JSON + "; charset=UTF-8", False
    yield "params: unknown ignored", params, json.dumps(dict(dataframe, params={"invalid_param": "value"})), JSON + "; charset=UTF-8", True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mlenv", required=True)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="mlenv-ported-")
    X = datasets.load_iris().data[:, :2]
    signature = infer_signature(X)
    # The test writes the default as np.datetime64("20230701"); numpy 2 reads that as the year
    # 20230701, which MLflow 3.17.2 refuses when the signature is made: the same date, written out.
    signature.params = ParamSchema([ParamSpec("param1", DataType.datetime, np.datetime64("2023-07-01"))])
    signatures = {
        "no-signature": None,
        "all-types": ModelSignature(Schema([ColSpec(c, c) for c in all_types_frame().columns])),
        "tensor-with-datetime-param": signature,
    }
    models = {}
    for name, sig in signatures.items():
        models[name] = os.path.join(work, name)
        write_mlmodel(models[name], sig)
    rows = [{"name": name, "model": model, "body": body, "content_type": ct, "expected": expected}
            for name, model, body, ct, expected in cases(models)]
    _, _, agree_all = summarize(SOURCE, compare(rows, args.mlenv, work))
    sys.exit(0 if agree_all == len(rows) else 1)

if __name__ == "__main__":
    main()
