"""score.py with real MLflow on the real scikit-learn fixture (fixtures/models/sklearn-iris).

    .venv-mlflow/bin/python Tests/InferenceTests/Python/test_score.py

Valid payloads in both protocols must give predictions; broken ones a 400-class status with a
clear message and no traceback. Prints "N passed, N failed"; exits 1 on a failure.
Run by ScoringCoreTests.swift when .venv-mlflow exists.
"""

import json
import logging
import os
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Sources", "Inference", "Resources"))
os.environ["AZUREML_MODEL_DIR"] = os.path.join(ROOT, "fixtures", "models")
os.environ["MLFLOW_MODEL_FOLDER"] = "sklearn-iris"
logging.disable(logging.CRITICAL)

import score  # noqa: E402

COLS = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]
ROWS = [[5.1, 3.5, 1.4, 0.2], [6.2, 2.9, 4.3, 1.3], [7.7, 3.0, 6.1, 2.3]]
EXPECTED = [0, 1, 2]

results = {"passed": 0, "failed": 0}


def check(name, condition, detail=""):
    if condition:
        results["passed"] += 1
    else:
        results["failed"] += 1
        print(f"FAIL {name}: {detail}")


def expect_predictions(name, body, content_type="application/json", wrapped=None):
    status, payload = score.score(body if isinstance(body, (str, bytes)) else json.dumps(body), content_type)
    preds = payload.get("predictions") if isinstance(payload, dict) else payload
    check(name, status == 200 and preds == EXPECTED[: len(preds or [])] and preds, f"status {status}, {payload}")
    if wrapped is not None:
        check(name + " (response shape)", isinstance(payload, dict) == wrapped, f"{payload}")


def expect_refused(name, body, content_type="application/json", status_range=(400, 499), contains=""):
    status, payload = score.score(body if isinstance(body, (str, bytes)) else json.dumps(body), content_type)
    message = json.dumps(payload)
    ok = status_range[0] <= status <= status_range[1] and "error" in payload and "Traceback" not in message
    check(name, ok and contains.lower() in message.lower(), f"status {status}, {message[:300]}")


def main():
    try:
        score.init()
    except Exception:
        traceback.print_exc()
        print("0 passed, 1 failed")
        return 1
    records = [dict(zip(COLS, r)) for r in ROWS]

    # Valid: Azure ML protocol → a bare list, MLflow protocol → {"predictions": [...]}.
    expect_predictions("azure split", {"input_data": {"columns": COLS, "index": [0, 1, 2], "data": ROWS}}, wrapped=False)
    expect_predictions("azure split reordered", {"input_data": {"columns": COLS[::-1], "index": [0, 1, 2], "data": [r[::-1] for r in ROWS]}})
    expect_predictions("azure split, lenient casts", {"input_data": {"columns": COLS, "index": [0], "data": [["5.1", 3.5, 1, 0.2]]}})
    expect_predictions("mlflow split", {"dataframe_split": {"columns": COLS, "data": ROWS}}, wrapped=True)
    expect_predictions("mlflow records", {"dataframe_records": records})
    expect_predictions("mlflow instances", {"instances": records})
    expect_predictions("mlflow inputs", {"inputs": {c: [r[i] for r in ROWS] for i, c in enumerate(COLS)}})
    expect_predictions("mlflow extra column dropped", {"dataframe_records": [dict(r, extra=1) for r in records]})
    expect_predictions("csv", ",".join(f'"{c}"' for c in COLS) + "\n" + "\n".join(",".join(map(str, r)) for r in ROWS) + "\n", "text/csv")
    expect_predictions("bytes body", json.dumps({"dataframe_split": {"columns": COLS, "data": ROWS}}).encode())
    expect_predictions("saved serving example", open(os.path.join(ROOT, "fixtures/models/sklearn-iris/serving_input_example.json")).read())

    # In-process Azure contract: run(body) → predictions or a structured error.
    out = score.run(json.dumps({"input_data": {"columns": COLS, "index": [0], "data": ROWS[:1]}}))
    check("run() valid", out == [0], f"{out}")
    out = score.run(json.dumps({"input_data": {"columns": COLS[:2], "index": [0], "data": [r[:2] for r in ROWS[:1]]}}))
    check("run() invalid", isinstance(out, dict) and out.get("status") == 400 and "missing" in out["error"]["message"].lower(), f"{out}")

    # A raw HTTP request object (as azmlinfsrv passes with @rawhttp).
    class Request:
        headers = {"Content-Type": "application/json"}

        def get_data(self):
            return json.dumps({"dataframe_split": {"columns": COLS, "data": ROWS}}).encode()

    out = score.run(Request())
    check("run(request)", (out.get("predictions") if isinstance(out, dict) else getattr(out, "status_code", None)) in (EXPECTED, 200), f"{out}")

    # Broken: 400-class with MLflow's reason.
    expect_refused("missing column", {"input_data": {"columns": COLS[:3], "index": [0], "data": [r[:3] for r in ROWS[:1]]}}, contains="missing inputs")
    expect_refused("non-numeric string", {"dataframe_split": {"columns": COLS, "data": [["abc", 3.5, 1.4, 0.2]]}}, contains="could not convert")
    expect_refused("malformed JSON", '{"dataframe_split": {"columns": ', contains="not valid JSON")
    expect_refused("not an object", "[1, 2, 3]", contains="JSON object")
    expect_refused("mixed protocols", {"input_data": [[1, 2, 3, 4]], "dataframe_split": {"columns": COLS, "data": ROWS}}, contains="mixes")
    expect_refused("null input_data", {"input_data": None}, contains="input_data")
    expect_refused("scalar input_data", {"input_data": 5}, contains="input_data")
    expect_refused("unknown keys", {"foo": 1}, contains="protocol")
    expect_refused("two mlflow formats", {"dataframe_split": {"columns": COLS, "data": ROWS}, "inputs": ROWS}, contains="exactly one")
    expect_refused("azure list for a column model", {"input_data": ROWS}, contains="missing inputs")
    expect_refused("records not a list", {"dataframe_records": records[0]}, contains="list of records")
    expect_refused("unsupported content type", "x", "text/plain", status_range=(415, 415))
    expect_refused("bad CSV value", ",".join(f'"{c}"' for c in COLS) + "\nabc,1,2,3\n", "text/csv")

    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
