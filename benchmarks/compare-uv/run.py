#!/usr/bin/env python3
"""Differential check: the pip side of every shared model, resolved by mlenv and by
`uv pip compile`, both against the embedded PyPI snapshot (served on 127.0.0.1 for uv).

    python3 benchmarks/compare-uv/run.py [--mlenv .build/release/mlenv] [--uv .venv-tools/bin/uv]

For each model: the pip requirements of its virtualenv environment (python_env.yaml, else the
conda.yaml `pip:` list) with the model's Python minor, deployment `none` (nothing added), on
manylinux glibc 2.36 x86_64 (the python:X.Y-slim image). Reports whether both agree on
satisfiable/unsatisfiable and, when both resolve, on every version. Prints a markdown report.
"""
import argparse
import glob
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
parser = argparse.ArgumentParser()
parser.add_argument("--mlenv", default=os.path.join(ROOT, ".build/release/mlenv"))
parser.add_argument("--uv", default=os.path.join(ROOT, ".venv-tools/bin/uv"))
parser.add_argument("--models", default=os.path.join(ROOT, "..", "shared", "models"))
args = parser.parse_args()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


port = free_port()
server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory",
                           os.path.join(ROOT, "channels", "pypi")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(1.0)
index = f"http://127.0.0.1:{port}/simple/"
os.environ["UV_PYTHON_DOWNLOADS"] = "never"  # uv would otherwise try to fetch the target interpreter
uv_cache = tempfile.mkdtemp(prefix="mlenv-uv-cache-")
# Same table as Sources/Channels/Target.swift (PythonVersion.newestPatch).
NEWEST_PATCH = {"3.6": 15, "3.7": 17, "3.8": 20, "3.9": 25, "3.10": 19, "3.11": 14, "3.12": 12, "3.13": 9, "3.14": 0}

rows = []
try:
    for model in sorted(d for d in glob.glob(os.path.join(args.models, "*")) if os.path.isdir(d)):
        name = os.path.basename(model)
        inspect = json.loads(subprocess.run([args.mlenv, "inspect", model, "--format", "json"], capture_output=True, text=True).stdout or "{}")
        if not inspect:
            rows.append((name, "-", "unreadable", "unreadable", "agree", ""))
            continue
        venv = inspect.get("virtualenv") or {}
        conda = inspect.get("conda") or {}
        requirements = [r for r in (venv.get("dependencies") or conda.get("pip") or []) if not r["constraint"]]
        minor = ".".join((inspect["python"]["target"] or "3.11").split(".")[:2])
        # The python:X.Y image ships the newest patch; both resolvers get the same full version.
        python = minor + "." + str(NEWEST_PATCH.get(minor, 0))
        mine = json.loads(subprocess.run([args.mlenv, "resolve", model, "--deployment", "none", "--env-manager", "virtualenv",
                                          "--python", python, "--format", "json"], capture_output=True, text=True).stdout or "{}")
        ours = {p["name"]: p["version"] for p in mine.get("packages", [])} if mine.get("status") == "ok" else None
        with tempfile.NamedTemporaryFile("w", suffix=".in", delete=False) as f:
            f.write("\n".join(r["text"] for r in requirements if r["form"] == "named") + "\n")
            infile = f.name
        uv = subprocess.run([args.uv, "pip", "compile", infile, "--index-url", index, "--python-version", python, "--python", sys.executable,
                             "--python-platform", "x86_64-manylinux_2_36", "--no-header", "--no-annotate", "--quiet",
                             "--cache-dir", uv_cache, "--only-binary", ":all:"], capture_output=True, text=True)
        os.unlink(infile)
        theirs = None
        if uv.returncode == 0:
            theirs = {}
            for line in uv.stdout.splitlines():
                line = line.strip()
                if line and not line.startswith("#") and "==" in line:
                    n, v = line.split("==", 1)
                    theirs[n.split("[")[0].strip().lower().replace("_", "-").replace(".", "-")] = v.strip()
        if ours is None and theirs is None:
            verdict, detail = "agree", "both unsatisfiable"
        elif ours is None or theirs is None:
            verdict = "DISAGREE"
            detail = ("mlenv: " + (mine.get("explanation") or {}).get("text", "?").splitlines()[0] if ours is None
                      else "uv: " + " ".join(uv.stderr.split())[:300])
        else:
            diffs = [f"{n}: mlenv {ours.get(n)} / uv {theirs.get(n)}" for n in sorted(set(ours) | set(theirs)) if ours.get(n) != theirs.get(n)]
            verdict = "agree" if not diffs else "DIFFERENT VERSIONS"
            detail = f"{len(ours)} packages, all the same versions" if not diffs else "; ".join(diffs[:6])
        rows.append((name, python, "ok" if ours is not None else "unsat", "ok" if theirs is not None else "unsat", verdict, detail))
finally:
    server.kill()

print("| model | python | mlenv | uv | verdict | detail |")
print("|---|---|---|---|---|---|")
for row in rows:
    print("| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |")
agree = sum(1 for r in rows if r[4] == "agree")
print(f"\n{agree} of {len(rows)} models agree.")
