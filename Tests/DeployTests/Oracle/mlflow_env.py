"""What MLflow itself builds for a model directory, for EnvironmentChoiceTests.swift.

    .venv-mlflow/bin/python Tests/DeployTests/Oracle/mlflow_env.py MODEL_DIR...

Prints one JSON line per model: {"virtualenv": {"python": ..., "requirements": [...]}} from
mlflow.utils.virtualenv._get_python_env (the function `mlflow models serve` calls with the
default virtualenv env manager) with `-r` files expanded by MLflow's own requirements parser, or
{"virtualenv": {"error": ...}} when MLflow fails; and {"conda": {...}} the same way for the
conda file MLmodel names (what `--env-manager conda` and Azure ML build).
"""
import json
import sys
from pathlib import Path

import yaml
from mlflow.models.model import Model
from mlflow.utils.requirements_utils import _parse_requirements
from mlflow.utils.virtualenv import _get_conda_env_file, _get_python_env


def virtualenv(model):
    try:
        env = _get_python_env(model)
        requirements = [r.req_str for r in _parse_requirements(env.dependencies, is_constraint=False, base_dir=str(model))]
        return {"python": str(env.python), "requirements": requirements}
    except Exception as error:  # what a deployment would fail with
        return {"error": f"{type(error).__name__}: {error}"}


def conda(model):
    try:
        path = model / _get_conda_env_file(Model.load(str(model / "MLmodel")))
        with open(path) as f:
            document = yaml.safe_load(f)
        pip = next((d["pip"] for d in document.get("dependencies", []) if isinstance(d, dict) and "pip" in d), [])
        requirements = [r.req_str for r in _parse_requirements(pip, is_constraint=False, base_dir=str(model))]
        return {"requirements": requirements}
    except Exception as error:
        return {"error": f"{type(error).__name__}: {error}"}


for argument in sys.argv[1:]:
    model = Path(argument)
    print(json.dumps({"model": argument, "virtualenv": virtualenv(model), "conda": conda(model)}))
