"""mlenv scoring core: the Azure ML scoring-script contract (init() / run()) over an MLflow model.

What it does, in the order a request meets it:
  1. The body is parsed by one of two request protocols, detected from the top-level keys or
     forced with MLENV_PROTOCOL=azureml|mlflow:
       azureml  {"input_data": ..., "params": {...}}   (Azure ML online endpoints)
       mlflow   {"dataframe_split"|"dataframe_records"|"instances"|"inputs": ..., "params": {...}}
                or a text/csv body                      (`mlflow models serve` /invocations)
     An Azure `input_data` is mapped onto MLflow's own parser the way Azure's MLflow scoring
     script decides by shape: a list is a tensor (`inputs`), an object with all of `columns`,
     `index` and `data` is a split DataFrame (`dataframe_split`), any other object holds named
     tensors (`inputs`). From there both protocols go through MLflow's own code
     (mlflow.pyfunc.scoring_server and mlflow.utils.proto_json_utils), so the casts are MLflow's.
  2. The model signature is enforced by MLflow (`_enforce_schema`, `_enforce_params_schema`)
     inside `model.predict`.
  3. A bad payload is answered with status 400 and a JSON body
     {"error": {"code": ..., "message": ..., "protocol": ...}}: never a traceback, never
     Azure's generic 500. Errors raised by the model itself are 500 with the exception's message.

The same rules are implemented in Swift by mlenv's Inference module (`mlenv validate`); the two are
compared payload by payload in benchmarks/compare-mlflow.

Model location (as the Azure MLflow images set it): $AZUREML_MODEL_DIR/$MLFLOW_MODEL_FOLDER, else
$MLFLOW_MODEL_FOLDER, else $AZUREML_MODEL_DIR if it holds an MLmodel, else its only subdirectory that
holds one.

Run under azmlinfsrv (azureml-inference-server-http): `azmlinfsrv --entry_script score.py`;
`run` then receives the raw request (`@rawhttp`) and returns an AMLResponse with the status.
Run in-process: `init()` then `run(body)` with bytes, str or dict; it returns the predictions, or
{"error": {...}, "status": 400}. `score(body, content_type)` returns (status, json_body) for both.
"""

import json
import logging
import os

_logger = logging.getLogger("mlenv.score")

_model = None
_metadata = None

AZUREML = "azureml"
MLFLOW = "mlflow"
MLFLOW_KEYS = ("dataframe_split", "dataframe_records", "instances", "inputs")
LLM_KEYS = ("messages", "prompt", "input")
AZURE_KEYS = ("input_data", "params")

try:  # Only present under azmlinfsrv.
    from azureml_inference_server_http.api.aml_request import rawhttp as _rawhttp
    from azureml_inference_server_http.api.aml_response import AMLResponse as _AMLResponse
except Exception:  # noqa: BLE001 - any import problem means "not under azmlinfsrv"
    _rawhttp = None
    _AMLResponse = None


class PayloadError(Exception):
    """A request the model cannot be given. `status` is the HTTP status to answer with."""

    def __init__(self, message, status=400, code="BAD_REQUEST"):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code

    def to_json(self, protocol=None):
        body = {"code": self.code, "message": self.message}
        if protocol:
            body["protocol"] = protocol
        return {"error": body}


# ---------------------------------------------------------------------------------------------
# Model location and loading


def model_path():
    base = os.environ.get("AZUREML_MODEL_DIR")
    folder = os.environ.get("MLFLOW_MODEL_FOLDER")
    candidates = []
    if base and folder:
        candidates.append(os.path.join(base, folder))
    if folder:
        candidates.append(folder)
    if base:
        candidates.append(base)
    for path in candidates:
        if os.path.isfile(os.path.join(path, "MLmodel")):
            return path
    if base and os.path.isdir(base):
        found = [
            os.path.join(base, entry)
            for entry in sorted(os.listdir(base))
            if os.path.isfile(os.path.join(base, entry, "MLmodel"))
        ]
        if len(found) == 1:
            return found[0]
    raise RuntimeError(
        "no MLflow model found: set AZUREML_MODEL_DIR and/or MLFLOW_MODEL_FOLDER to the directory "
        f"holding MLmodel (looked in {candidates or ['<unset>']})"
    )


def init(path=None):
    """Loads the model once per worker (Azure contract)."""
    global _model, _metadata
    import mlflow.pyfunc

    path = path or model_path()
    _logger.info("mlenv score: loading MLflow model from %s", path)
    _model = mlflow.pyfunc.load_model(path)
    _metadata = _model.metadata


# ---------------------------------------------------------------------------------------------
# Request parsing (both protocols)


def _decode_body(body):
    """bytes/str/dict → the decoded JSON value; PayloadError when it is not JSON."""
    if isinstance(body, (dict, list)):
        return body
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as ex:
        raise PayloadError(f"the body is not valid JSON: {ex}") from None


def detect_protocol(decoded):
    """azureml when the body has `input_data`; mlflow when it has one of MLflow's keys."""
    if not isinstance(decoded, dict):
        return None
    if "input_data" in decoded:
        return AZUREML
    if any(k in decoded for k in MLFLOW_KEYS + LLM_KEYS):
        return MLFLOW
    return None


def _azure_to_mlflow(decoded):
    """Maps an Azure ML request onto the MLflow request MLflow's own parser reads."""
    extra = [k for k in decoded if k not in AZURE_KEYS]
    if extra:
        raise PayloadError(
            f"unexpected top-level key(s) {extra} in an Azure ML request: only 'input_data' and "
            "'params' are allowed (a body that mixes the Azure ML and MLflow protocols is a client bug)"
        )
    data = decoded.get("input_data")
    if data is None:
        raise PayloadError("'input_data' is missing or null: Azure ML requests put the model input in 'input_data'")
    if isinstance(data, list):
        mapped = {"inputs": data}
    elif isinstance(data, dict):
        if all(k in data for k in ("columns", "index", "data")):
            mapped = {"dataframe_split": data}
        else:
            mapped = {"inputs": data}
    else:
        raise PayloadError(
            f"'input_data' is a {type(data).__name__}: expected a split DataFrame "
            '{"columns": [...], "index": [...], "data": [[...]]}, a list (tensor) or an object of named tensors'
        )
    if "params" in decoded:
        mapped["params"] = decoded["params"]
    return mapped


def _mlflow_error(ex):
    from mlflow.exceptions import MlflowException

    if isinstance(ex, MlflowException):
        status = ex.get_http_status_code()
        return PayloadError(ex.message, status=status if 400 <= status < 500 else 400, code=str(ex.error_code))
    return PayloadError(f"{type(ex).__name__}: {ex}")


def parse_request(body, content_type="application/json", protocol=None, metadata=None):
    """Parses a request into (data, params, protocol) with MLflow's parsers; raises PayloadError.

    `metadata` is the model's mlflow.models.Model (its signature drives the casts)."""
    from mlflow.pyfunc import scoring_server

    metadata = metadata if metadata is not None else _metadata
    input_schema = metadata.get_input_schema() if metadata is not None else None
    mime = (content_type or "application/json").split(";")[0].strip().lower()

    if mime == "text/csv":
        if protocol == AZUREML:
            raise PayloadError("Azure ML requests are JSON; CSV bodies are for the MLflow protocol", status=415)
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        try:
            import io

            return scoring_server.parse_csv_input(io.StringIO(text), schema=input_schema), None, MLFLOW
        except Exception as ex:  # noqa: BLE001
            raise _mlflow_error(ex) from None
    if mime != "application/json":
        raise PayloadError(f"unsupported content type '{content_type}': send application/json (or text/csv)", status=415)

    decoded = _decode_body(body)
    if not isinstance(decoded, dict):
        raise PayloadError(f"the body must be a JSON object, found a {type(decoded).__name__}")
    detected = detect_protocol(decoded)
    protocol = protocol or detected
    if protocol is None:
        raise PayloadError(
            f"cannot tell the request protocol from the keys {list(decoded)}: Azure ML requests have "
            "'input_data'; MLflow requests have exactly one of 'dataframe_split', 'dataframe_records', "
            "'instances', 'inputs'"
        )
    if protocol == AZUREML:
        decoded = _azure_to_mlflow(decoded)
    elif "input_data" in decoded:
        raise PayloadError("'input_data' is an Azure ML key; MLflow requests use one of " + ", ".join(MLFLOW_KEYS))
    try:
        if metadata is not None:
            parsed = scoring_server._parse_json_data(decoded, metadata, input_schema)
            return parsed.data, parsed.params, protocol
        data, params = scoring_server._split_data_and_params(dict(decoded))
        return scoring_server.infer_and_parse_data(data, input_schema), params, protocol
    except PayloadError:
        raise
    except Exception as ex:  # noqa: BLE001 - every parser failure is the client's
        raise _mlflow_error(ex) from None


def enforce(data, params, metadata=None):
    """MLflow's own signature enforcement, as `model.predict` runs it; raises PayloadError."""
    from mlflow.pyfunc import _validate_prediction_input

    metadata = metadata if metadata is not None else _metadata
    input_schema = metadata.get_input_schema() if metadata is not None else None
    params_schema = metadata.get_params_schema() if metadata is not None else None
    try:
        return _validate_prediction_input(data, params, input_schema, params_schema)
    except Exception as ex:  # noqa: BLE001
        raise _mlflow_error(ex) from None


def validate_request(body, content_type="application/json", protocol=None, metadata=None):
    """Parse + enforce without a model: what `mlenv validate` checks in Swift."""
    data, params, protocol = parse_request(body, content_type, protocol, metadata)
    data, params = enforce(data, params, metadata)
    return data, params, protocol


# ---------------------------------------------------------------------------------------------
# Scoring


def score(body, content_type="application/json", protocol=None):
    """(status, JSON body) for one request. Never raises for a bad payload."""
    from mlflow.exceptions import MlflowException
    from mlflow.utils.proto_json_utils import _get_jsonable_obj

    protocol = protocol or os.environ.get("MLENV_PROTOCOL") or None
    if _model is None:
        return 503, {"error": {"code": "NOT_READY", "message": "the model is not loaded: init() has not run"}}
    try:
        data, params, protocol = parse_request(body, content_type, protocol, _metadata)
    except PayloadError as ex:
        return ex.status, ex.to_json(protocol)
    try:
        prediction = _model.predict(data, params=params)
    except MlflowException as ex:
        err = _mlflow_error(ex)
        return err.status, err.to_json(protocol)
    except Exception as ex:  # noqa: BLE001 - the model's own failure; logged with its traceback
        _logger.exception("mlenv score: the model raised while predicting")
        return 500, {"error": {"code": "MODEL_ERROR", "message": f"the model raised {type(ex).__name__}: {ex}"}}
    result = _get_jsonable_obj(prediction, pandas_orient="records")
    if protocol == MLFLOW:
        result = {"predictions": result}
    return 200, json.loads(json.dumps(result, default=_json_default))


def _json_default(value):
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def run(request):
    """Azure contract. Under azmlinfsrv `request` is the raw HTTP request; in-process it is the
    body (bytes, str or an already decoded dict)."""
    if hasattr(request, "get_data") and hasattr(request, "headers"):
        status, payload = score(request.get_data(), request.headers.get("Content-Type", "application/json"))
        if _AMLResponse is not None:
            return _AMLResponse(payload, status, json_str=True, run_function_failed=status >= 500)
        return payload
    status, payload = score(request)
    if status != 200:
        return {**payload, "status": status}
    return payload


if _rawhttp is not None:
    run = _rawhttp(run)
