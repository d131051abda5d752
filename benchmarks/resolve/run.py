#!/usr/bin/env python3
"""Resolve speed: mlenv vs `uv pip compile` vs `pip install --dry-run`, same inputs, same index.

    python3 benchmarks/resolve/run.py [--mlenv .build/release/mlenv] [--repeat 3]

For each shared model (../shared/models) and fixture model: the pip requirements of its
virtualenv environment (as benchmarks/compare-uv does), the model's Python minor at its newest
patch, Linux x86_64 glibc 2.36 (this machine's; pip is given no --platform, since an explicit
manylinux_2_36 platform makes it drop the older manylinux tags), binary wheels only, deployment
`none`. All three read the embedded PyPI snapshot (channels/pypi): mlenv from disk (its design:
a local mirror directory), uv and pip through `python3 -m http.server` on 127.0.0.1 (the snapshot
holds PEP 658 metadata, not wheels, and uv reads metadata from a file:// index only out of the
wheels themselves). Caches are warm (one unmeasured run first; uv revalidates its cached pages
against the loopback server, as it would against any mirror); each time is the best of --repeat
runs of a fresh process, so it includes start-up and index loading. uv gets
UV_PYTHON_DOWNLOADS=never and `--python` this interpreter (without them it spends 0.3–0.7 s
looking for, or trying to download, an interpreter of the target version).
Models that neither uv nor mlenv can resolve are still timed (an unsatisfiable answer is an
answer). pip is timed once per model, after one warm-up run (it is slow).
Prints a markdown table and the totals, and the time of one `mlenv resolve` process given every
model at once (channels loaded once).
"""
import argparse
import glob
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

# The embedded snapshot unless a flag says otherwise: mlenv's own default is the live indexes.
os.environ.setdefault("MLENV_SOURCES", "embedded")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
parser = argparse.ArgumentParser()
parser.add_argument("--mlenv", default=os.path.join(ROOT, ".build/release/mlenv"))
parser.add_argument("--uv", default=os.path.join(ROOT, ".venv-tools/bin/uv"))
parser.add_argument("--pip", default=os.path.join(ROOT, ".venv-tools/bin/pip"))
parser.add_argument("--models", default=os.path.join(ROOT, "..", "shared", "models"))
parser.add_argument("--repeat", type=int, default=3)
parser.add_argument("--no-pip", action="store_true")
parser.add_argument("--only", help="only the models whose directory name contains this text")
args = parser.parse_args()

with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory",
                           os.path.join(ROOT, "channels", "pypi")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(1.0)
index = f"http://127.0.0.1:{port}/simple/"
os.environ["UV_PYTHON_DOWNLOADS"] = "never"
os.environ["PIP_CONFIG_FILE"] = os.devnull
work = tempfile.mkdtemp(prefix="mlenv-bench-resolve-")
uv_cache = os.path.join(work, "uv-cache")
pip_cache = os.path.join(work, "pip-cache")
mlenv_cache = os.path.join(work, "mlenv-cache")
NEWEST_PATCH = {"3.6": 15, "3.7": 17, "3.8": 20, "3.9": 25, "3.10": 19, "3.11": 14, "3.12": 12, "3.13": 9, "3.14": 0}


def timed(cmd):
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True)
    return time.perf_counter() - start, result


def best_once(cmd):
    timed(cmd)  # warm pip's HTTP cache
    return timed(cmd)


def best(cmd):
    timed(cmd)  # warm caches
    runs = [timed(cmd) for _ in range(args.repeat)]
    return min(t for t, _ in runs), runs[-1][1]


def best_pair(a, b):
    """Both commands warmed, then timed in alternation (a, b, a, b, ...), so that a change in
    the machine's speed during the run weighs on both alike. Best time and median of each."""
    timed(a)
    timed(b)
    ta, tb = [], []
    for _ in range(args.repeat):
        t, ra = timed(a)
        ta.append(t)
        t, rb = timed(b)
        tb.append(t)
    return (min(ta), statistics.median(ta), ra), (min(tb), statistics.median(tb), rb)


models = sorted(d for d in glob.glob(os.path.join(args.models, "*")) if os.path.isfile(os.path.join(d, "MLmodel")))
models += sorted(d for d in glob.glob(os.path.join(ROOT, "fixtures", "models", "*")) if os.path.isfile(os.path.join(d, "MLmodel")))
if args.only:
    models = [m for m in models if args.only in os.path.basename(m)]
rows = []
for model in models:
    inspect = json.loads(subprocess.run([args.mlenv, "inspect", model, "--format", "json"], capture_output=True, text=True).stdout or "{}")
    if not inspect:
        continue
    venv = inspect.get("virtualenv") or {}
    conda = inspect.get("conda") or {}
    requirements = [r["text"] for r in (venv.get("dependencies") or conda.get("pip") or [])
                    if not r["constraint"] and r["form"] == "named"]
    if not requirements:
        continue
    minor = ".".join((inspect["python"]["target"] or "3.11").split(".")[:2])
    python = minor + "." + str(NEWEST_PATCH.get(minor, 0))
    infile = os.path.join(work, os.path.basename(model) + ".in")
    with open(infile, "w") as f:
        f.write("\n".join(requirements) + "\n")
    (t_mlenv, m_mlenv, r_mlenv), (t_uv, m_uv, r_uv) = best_pair(
        [args.mlenv, "resolve", model, "--deployment", "none", "--env-manager", "virtualenv",
         "--python", python, "--cache-dir", mlenv_cache, "--format", "json"],
        [args.uv, "pip", "compile", infile, "--index-url", index, "--python-version", python, "--python", sys.executable,
         "--python-platform", "x86_64-manylinux_2_36", "--only-binary", ":all:", "--quiet",
         "--no-header", "--cache-dir", uv_cache])
    t_pip, r_pip = None, None
    if not args.no_pip:
        t_pip, r_pip = best_once([args.pip, "install", "--dry-run", "--quiet", "--ignore-installed", "--index-url", index,
                              "--only-binary", ":all:", "--python-version", python,
                              "--implementation", "cp", "--target", os.path.join(work, "pip-target"),
                              "--cache-dir", pip_cache, "--disable-pip-version-check", "--report", os.devnull, "-r", infile])
    status = json.loads(r_mlenv.stdout or "{}").get("status", "error")
    rows.append((os.path.basename(model), python, len(requirements), status, r_uv.returncode == 0,
                 None if r_pip is None else r_pip.returncode == 0, t_mlenv, t_uv, t_pip, m_mlenv, m_uv))

print(f"Index: channels/pypi (mlenv: directory; uv, pip: loopback HTTP), {len(rows)} models, best of {args.repeat} warm runs "
      f"(mlenv and uv in alternation; pip: one warm run).\n")
print("| model | python | reqs | mlenv | uv | pip | mlenv s | uv s | pip s | uv/mlenv |")
print("|---|---|---|---|---|---|---|---|---|---|")
for name, python, n, status, uv_ok, pip_ok, tm, tu, tp, _, _ in rows:
    pip_cell = "-" if pip_ok is None else ("ok" if pip_ok else "fail")
    print(f"| {name} | {python} | {n} | {status} | {'ok' if uv_ok else 'fail'} | {pip_cell} | {tm:.3f} | {tu:.3f} | "
          f"{'-' if tp is None else f'{tp:.2f}'} | {tu / tm:.2f} |")
total_m = sum(r[6] for r in rows)
total_u = sum(r[7] for r in rows)
ratios = sorted(r[7] / r[6] for r in rows)
print(f"\nTotal: mlenv {total_m:.2f} s, uv {total_u:.2f} s (uv/mlenv {total_u / total_m:.2f}); "
      f"median per-model uv/mlenv {ratios[len(ratios) // 2]:.2f}")
if not args.no_pip:
    total_p = sum(r[8] for r in rows)
    print(f"pip {total_p:.1f} s (pip/mlenv {total_p / total_m:.1f})")
all_models = [args.mlenv, "resolve", *[os.path.join(args.models, r[0]) if os.path.isdir(os.path.join(args.models, r[0]))
                                       else os.path.join(ROOT, "fixtures", "models", r[0]) for r in rows],
              "--deployment", "none", "--env-manager", "virtualenv", "--cache-dir", mlenv_cache, "--format", "json"]
t_all, _ = best(all_models)
if len(rows) == 1:
    name, *_, tm, tu, _, mm, mu = rows[0]
    print(f"{name}: mlenv best {tm * 1000:.1f} ms, median {mm * 1000:.1f} ms; uv best {tu * 1000:.1f} ms, median {mu * 1000:.1f} ms")
print(f"One mlenv process resolving all {len(rows)} models (model Pythons, channels loaded once): {t_all:.2f} s")
server.terminate()
shutil.rmtree(work, ignore_errors=True)
