#!/usr/bin/env python3
"""Validation run of a bundle's scoring core: score the model's input example and any given
payloads, and check each answer against the model's output signature.

    python validate.py --model MODEL_DIR [--server URL] [--payload FILE ...] [--content-type TYPE]

With --server, requests go to the running inference server (azmlinfsrv: URL/score); without,
score.py (next to this file) is loaded in-process. Prints one JSON report on stdout:
    {"ok": bool, "mode": "server"|"in-process", "payloads": [{"name", "status", "ok", "error",
     "predictions": <first rows>, "output_check": "..."}]}
Exit 0 when every payload scored with status 200 and matches the output signature, else 1.
Only the standard library and what the bundle installs are used.
"""
import argparse
import json
import os
import sys
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def read_mlmodel(model_dir):
    import yaml  # installed with mlflow
    with open(os.path.join(model_dir, "MLmodel"), encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


def example_payloads(model_dir, mlmodel, protocol):
    """The model's saved input example as request bodies: the serving example (MLflow
    protocol) and the input example wrapped as Azure's `input_data`."""
    info = mlmodel.get("saved_input_example_info") or {}
    payloads = []
    serving = info.get("serving_input_path")
    if serving and os.path.exists(os.path.join(model_dir, serving)) and protocol != "azureml":
        with open(os.path.join(model_dir, serving), "rb") as f:
            payloads.append(("serving_input_example (mlflow)", f.read(), "application/json"))
    example = info.get("artifact_path")
    if example and os.path.exists(os.path.join(model_dir, example)) and protocol != "mlflow":
        with open(os.path.join(model_dir, example), encoding="utf-8") as f:
            data = json.load(f)
        if info.get("type") == "dataframe" and isinstance(data, dict) and "columns" in data and "data" in data:
            data = {"columns": data["columns"], "index": data.get("index", list(range(len(data["data"])))), "data": data["data"]}
        elif isinstance(data, dict) and "inputs" in data:
            data = data["inputs"]
        payloads.append(("input_example (azureml)", json.dumps({"input_data": data}).encode(), "application/json"))
    return payloads


def rows_of(body):
    try:
        decoded = json.loads(body)
    except Exception:
        return None
    if isinstance(decoded, dict):
        if "input_data" in decoded:
            decoded = decoded["input_data"]
        for key in ("dataframe_split", "dataframe_records", "instances", "inputs"):
            if key in decoded:
                decoded = decoded[key]
                break
    if isinstance(decoded, dict) and "data" in decoded:
        return len(decoded["data"])
    if isinstance(decoded, list):
        return len(decoded)
    return None


def check_output(predictions, outputs, expected_rows):
    """A short verdict on whether the answer has the output signature's shape and types."""
    if isinstance(predictions, dict) and "predictions" in predictions:
        predictions = predictions["predictions"]
    if not outputs:
        return True, "no output signature: not checked"
    specs = json.loads(outputs) if isinstance(outputs, str) else outputs
    if not isinstance(predictions, list):
        return False, f"expected a list of predictions, got {type(predictions).__name__}"
    if expected_rows is not None and len(predictions) != expected_rows:
        return False, f"expected {expected_rows} predictions (one per input row), got {len(predictions)}"
    kinds = {"int8": int, "int16": int, "int32": int, "int64": int, "uint8": int, "float32": (int, float),
             "float64": (int, float), "bool": bool, "str": str, "object": object,
             "long": int, "integer": int, "double": (int, float), "float": (int, float), "string": str, "boolean": bool}
    if len(specs) == 1 and specs[0].get("type") == "tensor":
        want = kinds.get(specs[0]["tensor-spec"]["dtype"], object)
        flat = [p for p in predictions if not isinstance(p, list)]
        bad = [p for p in flat if not isinstance(p, want) or (want is int and isinstance(p, bool))]
        if bad:
            return False, f"tensor of {specs[0]['tensor-spec']['dtype']} expected, got {bad[0]!r}"
        return True, f"{len(predictions)} x {specs[0]['tensor-spec']['dtype']}"
    if len(specs) == 1 and "name" not in specs[0]:
        want = kinds.get(specs[0].get("type"), object)
        bad = [p for p in predictions if not isinstance(p, want)]
        if bad:
            return False, f"{specs[0].get('type')} values expected, got {bad[0]!r}"
        return True, f"{len(predictions)} x {specs[0].get('type')}"
    names = [s.get("name") for s in specs if s.get("name")]
    for row in predictions:
        if not isinstance(row, dict) or any(n not in row for n in names):
            return False, f"records with columns {names} expected, got {row!r}"
    return True, f"{len(predictions)} records with columns {names}"


def post(url, body, content_type):
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def main():
    parser = argparse.ArgumentParser(description="Validation run of a bundle's scoring core.")
    parser.add_argument("--model", required=True)
    parser.add_argument("--server")
    parser.add_argument("--payload", action="append", default=[])
    parser.add_argument("--content-type", default=None)
    parser.add_argument("--protocol", default=os.environ.get("MLENV_PROTOCOL"))
    args = parser.parse_args()

    mlmodel = read_mlmodel(args.model)
    outputs = (mlmodel.get("signature") or {}).get("outputs")
    payloads = example_payloads(args.model, mlmodel, args.protocol)
    for path in args.payload:
        with open(path, "rb") as f:
            body = f.read()
        content_type = args.content_type or ("text/csv" if path.endswith(".csv") else "application/json")
        payloads.append((os.path.basename(path), body, content_type))

    if args.server:
        mode = "server"
        def call(body, content_type):
            status, raw = post(args.server.rstrip("/") + "/score", body, content_type)
            try:
                return status, json.loads(raw)
            except Exception:
                return status, raw.decode("utf-8", "replace")
    else:
        mode = "in-process"
        sys.path.insert(0, HERE)
        os.environ.setdefault("MLFLOW_MODEL_FOLDER", os.path.abspath(args.model))
        import score
        score.init(os.path.abspath(args.model))
        call = score.score

    results = []
    for name, body, content_type in payloads:
        status, answer = call(body, content_type)
        entry = {"name": name, "status": status}
        if status == 200:
            ok, verdict = check_output(answer, outputs, rows_of(body))
            entry.update(ok=ok, output_check=verdict)
            preview = answer.get("predictions", answer) if isinstance(answer, dict) else answer
            entry["predictions"] = preview[:5] if isinstance(preview, list) else preview
        else:
            entry.update(ok=False, error=answer)
        results.append(entry)
    report = {"ok": bool(results) and all(r["ok"] for r in results), "mode": mode, "payloads": results}
    json.dump(report, sys.stdout, default=str)
    sys.stdout.write("\n")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
