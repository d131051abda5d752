#!/usr/bin/env python3
"""Independent oracle for ModelFilesTests: what a model directory's files state, read with
PyYAML (the library MLflow writes them with) and a plain line reader for requirement files.

Usage: declared.py MODEL_DIR  -> JSON on stdout:
  {"python": {"MLmodel": "3.10.6", "conda.yaml": "3.10.6", "python_env.yaml": "3.10.6"},
   "conda": [...conda dependency strings...], "conda_pip": [...], "virtualenv": [...]}
Requirement texts are the requirement part of each line (options and comments removed),
with `-r` includes followed, as pip reads them.
"""
import json
import os
import re
import sys

import yaml


def raw_scalar(path, keys):
    """The scalar text as written at keys (so `python: 3.10` stays "3.10")."""
    node = yaml.compose(open(path, encoding="utf-8"))
    for key in keys:
        if node is None or not isinstance(node, yaml.MappingNode):
            return None
        found = None
        for k, v in node.value:
            if k.value == key:
                found = v
        node = found
    if isinstance(node, yaml.ScalarNode) and node.value not in ("", "~", "null"):
        return node.value
    return None


def requirement_lines(path, root):
    out = []
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"\\\n", "", text)
    for line in text.splitlines():
        line = re.sub(r"(^|\s+)#.*$", "", line).strip()
        if not line:
            continue
        out.extend(expand(line, os.path.dirname(path), root))
    return out


def expand(line, base, root):
    tokens = line.split(" ")
    if tokens[0] in ("-r", "--requirement", "-c", "--constraint"):
        return requirement_lines(os.path.join(base, tokens[1]), root)
    if line.startswith("-"):
        return []
    args = []
    for t in tokens:
        if t.startswith("-"):
            break
        args.append(t)
    return [" ".join(args).strip()]


def main(model):
    mlmodel_path = os.path.join(model, "MLmodel")
    mlmodel = yaml.safe_load(open(mlmodel_path, encoding="utf-8")) or {}
    pyfunc = (mlmodel.get("flavors") or {}).get("python_function")
    result = {"python": {}, "conda": [], "conda_pip": [], "virtualenv": []}
    if pyfunc is not None:
        v = raw_scalar(mlmodel_path, ["flavors", "python_function", "python_version"])
        if v:
            result["python"]["MLmodel"] = v
    env = (pyfunc or {}).get("env")
    conda_file = venv_file = None
    if isinstance(env, dict):
        conda_file, venv_file = env.get("conda"), env.get("virtualenv")
    elif isinstance(env, str):
        conda_file = env
        if os.path.exists(os.path.join(model, "python_env.yaml")):
            venv_file = "python_env.yaml"
    else:
        if os.path.exists(os.path.join(model, "conda.yaml")):
            conda_file = "conda.yaml"
        if os.path.exists(os.path.join(model, "python_env.yaml")):
            venv_file = "python_env.yaml"
    if conda_file:
        conda = yaml.safe_load(open(os.path.join(model, conda_file), encoding="utf-8")) or {}
        for dep in conda.get("dependencies") or []:
            if isinstance(dep, str):
                result["conda"].append(dep)
                m = re.match(r"^python(?:\s+|==|=)?([0-9][^\s=]*)?", dep)
                if m and re.match(r"^python($|[\s=<>!])", dep):
                    result["python"]["conda.yaml"] = m.group(1) or ""
            elif isinstance(dep, dict) and "pip" in dep:
                for line in dep["pip"] or []:
                    result["conda_pip"].extend(expand(str(line).strip(), os.path.join(model, os.path.dirname(conda_file)), model))
    if venv_file:
        path = os.path.join(model, venv_file)
        v = raw_scalar(path, ["python"])
        if v:
            result["python"]["python_env.yaml"] = v
        venv = yaml.safe_load(open(path, encoding="utf-8")) or {}
        for line in venv.get("dependencies") or []:
            result["virtualenv"].extend(expand(str(line).strip(), os.path.dirname(path), model))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
