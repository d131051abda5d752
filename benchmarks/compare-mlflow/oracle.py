"""The reference verdict: real MLflow parsing and enforcing a payload, with no model loaded.

Reads JSON Lines cases on stdin ({"id", "model", "body", "protocol"?, "content_type"?}; `model` is a
model directory, `body` the payload text) and writes one line per case:
{"id", "valid", "protocol", "error"}. The parsing and enforcement are MLflow's own functions, called
through the bundled scoring core (Sources/Inference/Resources/score.py `validate_request`), which maps
an Azure ML `input_data` onto MLflow's parser and otherwise adds nothing.
"""

import json
import logging
import os
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "Sources", "Inference", "Resources"))

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
