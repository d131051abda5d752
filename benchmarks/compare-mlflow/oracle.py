"""The reference verdict: real MLflow parsing and enforcing a payload, with no model loaded.

Reads JSON Lines cases on stdin ({"id", "model", "body", "protocol"?, "content_type"?}; `model` is a
model directory, `body` the payload text) and writes one line per case:
{"id", "valid", "protocol", "error"}.

`compare` and `summarize` are the loop the ported MLflow test files share (ported_*.py): each case
judged by this oracle (in process) and by `mlenv validate`, and the table of verdicts. The parsing and enforcement are MLflow's own functions, called
through the bundled scoring core (Sources/Inference/Resources/score.py `validate_request`), which maps
an Azure ML `input_data` onto MLflow's parser and otherwise adds nothing.
"""

import json
import logging
import os
import subprocess
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "Sources", "Inference", "Resources"))
sys.path.insert(0, HERE)

logging.disable(logging.CRITICAL)
warnings.filterwarnings("ignore")

import score  # noqa: E402
from mlflow.models import Model  # noqa: E402

_models = {}


def metadata(path):
    if path not in _models:
        _models[path] = Model.load(os.path.join(path, "MLmodel"))
    return _models[path]


def verdict(case):
    body = case["body"]
    if isinstance(body, str):
        body = body.encode("utf-8", "surrogatepass")
    try:
        _, _, protocol = score.validate_request(
            body, case.get("content_type") or "application/json", case.get("protocol"), metadata(case["model"])
        )
        return {"valid": True, "protocol": protocol, "error": None}
    except score.PayloadError as ex:
        return {"valid": False, "protocol": None, "error": ex.message[:500]}
    except Exception as ex:  # noqa: BLE001 - an unexpected failure is still a refused request
        return {"valid": False, "protocol": None, "error": f"{type(ex).__name__}: {ex}"[:500]}


JSON = "application/json"


def mlenv_verdict(mlenv, model, payload=None, content_type=JSON):
    """`mlenv validate`'s verdicts: {payload name: valid}. Without `payload`, the model's own saved
    examples (input_example.json, serving_input_example.json) are checked."""
    command = [mlenv, "validate", model, "--format", "json"]
    if payload is not None:
        command += ["--payload", payload, "--content-type", content_type]
    out = subprocess.run(command, capture_output=True, text=True).stdout
    try:
        reports = json.loads(out)
    except json.JSONDecodeError:
        return {}
    reports = reports if isinstance(reports, list) else [reports]
    return {os.path.basename(str(r.get("payload"))): r.get("valid") for r in reports if isinstance(r, dict)}


def model_for(signature, work, cache):
    """One model directory per distinct signature (None: no signature), written as mlenv reads it."""
    from generate import write_mlmodel

    key = "none" if signature is None else json.dumps(signature.to_dict(), sort_keys=True)
    if key not in cache:
        cache[key] = os.path.join(work, f"model-{len(cache)}")
        write_mlmodel(cache[key], signature)
    return cache[key]


def compare(rows, mlenv, work):
    """Judge every row with the oracle and with mlenv. A row is a dict: name, model (directory), body
    (text), expected (the test's verdict: True / False, or None when the test asserts none),
    content_type (default JSON), example (a file name: mlenv checks the model's own saved example of
    that name, `mlenv validate MODEL` without a payload, instead of reading `body` from a file).
    Adds `oracle`, `error` and `mlenv` to each row and returns the rows."""
    os.makedirs(work, exist_ok=True)
    examples = {}
    for i, row in enumerate(rows):
        content_type = row.get("content_type") or JSON
        if "oracle" not in row:  # a port may judge a case with another MLflow function first
            theirs = verdict({"model": row["model"], "body": row["body"], "content_type": content_type})
            row["oracle"], row["error"] = theirs["valid"], theirs["error"]
        if row.get("example"):
            if row["model"] not in examples:
                examples[row["model"]] = mlenv_verdict(mlenv, row["model"])
            row["mlenv"] = examples[row["model"]].get(row["example"])
        else:
            path = os.path.join(work, f"{i}.body")
            with open(path, "w", encoding="utf-8", errors="surrogatepass") as f:
                f.write(row["body"])
            row["mlenv"] = mlenv_verdict(mlenv, row["model"], path, content_type).get(os.path.basename(path))
    return rows


def summarize(source, rows, note="", show=False):
    """Print the table of verdicts; returns (mlenv = oracle count, test = oracle count, all three count)."""
    agree_oracle = sum(r["mlenv"] == r["oracle"] for r in rows)
    judged = [r for r in rows if r.get("expected") is not None]
    test_oracle = sum(r["oracle"] == r["expected"] for r in judged)
    agree_all = sum(r["oracle"] == r["expected"] == r["mlenv"] for r in judged)
    models = len({r["model"] for r in rows})
    print(f"Source: {source}")
    print(f"{len(rows)} cases over {models} models; mlenv = MLflow on {agree_oracle}; "
          f"MLflow = the test on {test_oracle} of {len(judged)} the test judges; all three agree on {agree_all}{note}")
    print("| case (source test) | model | the test expects | MLflow oracle accepts | mlenv accepts |")
    print("|---|---|---|---|---|")
    word = {True: "accepted", False: "refused", None: "-"}
    for r in rows:
        mark = "" if r["mlenv"] == r["oracle"] else "  <- mlenv differs from MLflow"
        if r.get("expected") is not None and r["oracle"] != r["expected"]:
            mark += "  <- MLflow's server differs from the test's in-process expectation"
        print(f"| {r['name']} | {os.path.basename(r['model'])} | {word[r.get('expected')]} | {r['oracle']} | {r['mlenv']} |{mark}")
        if show and (mark or not r["oracle"]):
            print(f"|   | {' '.join(r['body'].split())[:300]} | {r['error']} | | |")
    return agree_oracle, test_oracle, agree_all


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        case = json.loads(line)
        result = verdict(case)
        result["id"] = case.get("id")
        sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
