#!/usr/bin/env python3
"""The pip side at real size: mlenv and `uv pip compile` on a PyPI mirror with every release
(no series thinning), warm, on the same index.

    python3 benchmarks/pip-scale/run.py --make-mirror [--mirror DIR]     # once: ~10 min, ~520 MB
    python3 benchmarks/pip-scale/run.py [--mirror DIR] [--baseline OLD_MLENV] [--runs 3]

The mirror (`--mirror`, default $TMPDIR/mlenv-bench/pip-scale-mirror) is made by `mlenv mirror`
from the upstream index pip is configured with (`--index-url`, PIP_INDEX_URL or pip's default,
asked of pip at run time) with no thinning: the roots in benchmarks/pip-scale/roots.txt (the
serving set, scikit-learn, numpy, pandas, torch, tensorflow), every shared model
(../shared/models) and benchmarks/pip-scale/models, Pythons 3.7-3.12, files uploaded before
--exclude-newer (2026-11-01). Measured 2026-12-05: 590 projects, 42,638 files, 518 MB (every
release of boto3, botocore, mlflow ... and of their closure).

Each model's pip side (its virtualenv environment: python_env.yaml, else conda.yaml's `pip:`
list; the model's Python minor at its newest patch; deployment `none`, manylinux glibc 2.36
x86_64; wheels only for both tools: mlenv `--no-build`, uv `--only-binary :all:`), resolved
warm (one unmeasured run first, then the best of --runs), each run a fresh process:
  mlenv dir     `mlenv resolve MODEL --index MIRROR/pypi` (the mirror read from disk)
  mlenv http    `mlenv resolve MODEL --index-url URL` (its own cache, kept)
  uv http       `uv pip compile IN --index-url URL` (its own cache, kept)
  baseline dir  (with --baseline BIN) `BIN resolve MODEL --index MIRROR/pypi`: an older mlenv
  baseline http (with --baseline BIN) the same over loopback, with its own cache
Each mlenv run has a cache of its own binary (--cache-dir), kept between runs. Wall time is the
best of --runs; CPU time (user + system of the process, from wait4) the median.
URL is the mirror's pypi/ served by scripts/serve-index.py on 127.0.0.1 with max-age 3600, so a
warm run of either tool reads its cache without revalidating. Verdicts and versions of mlenv
(dir) and uv are compared; the baseline's packages are compared with mlenv's.

Writes benchmarks/pip-scale/RESULTS.md (hand-written notes below the marker are kept).
"""
import argparse
import glob
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
from live_run import checkout, live_index_url, machine, rfc3339, scratch, tool_version, write_report  # noqa: E402

_spec = importlib.util.spec_from_file_location("compare_uv", os.path.join(ROOT, "benchmarks", "compare-uv", "run.py"))
compare_uv = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(compare_uv)

PYTHONS = "3.7,3.8,3.9,3.10,3.11,3.12"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--mirror", default=scratch("pip-scale-mirror"), help="the unthinned mirror's root (holds pypi/)")
    p.add_argument("--make-mirror", action="store_true", help="make (or resume) the mirror first")
    p.add_argument("--index-url", help="--make-mirror: the upstream index (default: PIP_INDEX_URL, else pip's default)")
    p.add_argument("--exclude-newer", default="2026-11-01")
    p.add_argument("--mlenv", default=os.path.join(ROOT, ".build/release/mlenv"))
    p.add_argument("--baseline", help="an older mlenv binary to compare with (mirror read from disk)")
    p.add_argument("--uv", default=os.path.join(ROOT, ".venv-tools/bin/uv"))
    p.add_argument("--runs", type=int, default=3, help="measured warm runs per tool and model (best is reported)")
    p.add_argument("--timeout", type=float, default=600)
    p.add_argument("--only", help="only the models whose directory name contains this text")
    p.add_argument("--output", default=os.path.join(HERE, "RESULTS.md"))
    return p.parse_args()


def models(args):
    found = sorted(glob.glob(os.path.join(ROOT, "..", "shared", "models", "*", "MLmodel")))
    found += sorted(glob.glob(os.path.join(HERE, "models", "*", "MLmodel")))
    dirs = [os.path.dirname(m) for m in found]
    return [d for d in dirs if not args.only or args.only in os.path.basename(d)]


def make_mirror(args):
    cmd = [args.mlenv, "mirror", "-r", os.path.join(HERE, "roots.txt"), "--python", PYTHONS,
           "--exclude-newer", args.exclude_newer, "--index-url", live_index_url(args.index_url, "pip-scale"), "-o", args.mirror]
    for model in models(argparse.Namespace(only=None)):
        cmd += ["--model", model]
    print("making the mirror (every release; about 10 minutes the first time)", file=sys.stderr, flush=True)
    subprocess.run(cmd, check=True)


CPU = {}  # command's tool and mode -> median CPU seconds (user + system) of its measured runs


def timed(cmd, timeout, env=None):
    """(process, wall seconds, CPU seconds of the child: user + system, from wait4)."""
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return None, timeout, timeout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return proc, time.perf_counter() - start, cpu


def best_of(cmd, runs, timeout, env=None, cpu_key=None):
    """One unmeasured warm-up run, then the best of `runs`; returns (last process, seconds).
    The median CPU time of the measured runs goes to CPU[cpu_key]."""
    proc, _, _ = timed(cmd, timeout, env)
    best = None
    cpus = []
    for _ in range(runs):
        proc, seconds, cpu = timed(cmd, timeout, env)
        best = seconds if best is None else min(best, seconds)
        cpus.append(cpu)
    if cpu_key is not None:
        CPU[cpu_key] = statistics.median(cpus)
    return proc, best


def mlenv_packages(proc):
    """(verdict, {name: version}) from `mlenv resolve --format json`."""
    if proc is None:
        return "timeout", {}
    try:
        doc = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return "error", {}
    if doc.get("status") == "ok":
        return "ok", {p["name"]: p["version"] for p in doc["packages"]}
    return doc.get("status", "error"), {}


def main():
    args = parse_args()
    if args.make_mirror:
        make_mirror(args)
    index_dir = os.path.join(args.mirror, "pypi")
    if not os.path.isdir(os.path.join(index_dir, "simple")):
        sys.exit(f"{index_dir} is not a mirror: run with --make-mirror first")
    work = tempfile.mkdtemp(prefix="mlenv-pip-scale-")
    port_file = os.path.join(work, "port")
    server = subprocess.Popen([sys.executable, os.path.join(ROOT, "scripts", "serve-index.py"), "--directory", index_dir,
                               "--port-file", port_file, "--max-age", "3600"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        if os.path.exists(port_file) and open(port_file).read().strip():
            break
        time.sleep(0.1)
    url = f"http://127.0.0.1:{open(port_file).read().strip()}/simple/"
    env = dict(os.environ, UV_PYTHON_DOWNLOADS="never", MLENV_SOURCES="embedded")
    mlenv_cache, uv_cache = os.path.join(work, "mlenv-cache"), os.path.join(work, "uv-cache")
    # Each binary's own caches (the mirror read from disk too), so that neither reads the other's.
    mlenv_dir_cache, base_cache, base_dir_cache = (os.path.join(work, n) for n in ("mlenv-dir-cache", "base-cache", "base-dir-cache"))
    rows = []
    try:
        for model in models(args):
            name = os.path.basename(model)
            inputs = compare_uv.model_inputs(args.mlenv, model)
            if inputs is None:
                continue
            python, requirements = inputs
            infile = compare_uv.write_requirements(requirements)
            common = ["resolve", model, "--deployment", "none", "--env-manager", "virtualenv", "--python", python,
                      "--exclude-newer", args.exclude_newer, "--format", "json", "--no-build"]
            mine, mine_s = best_of([args.mlenv, *common, "--index", index_dir, "--cache-dir", mlenv_dir_cache],
                                   args.runs, args.timeout, env, (name, "mlenv dir"))
            _, http_s = best_of([args.mlenv, *common, "--index-url", url, "--cache-dir", mlenv_cache], args.runs, args.timeout,
                                env, (name, "mlenv http"))
            theirs, uv_s = best_of(compare_uv.uv_command(args.uv, infile, url, python)
                                   + ["--exclude-newer", rfc3339(args.exclude_newer), "--no-config", "--cache-dir", uv_cache],
                                   args.runs, args.timeout, env, (name, "uv http"))
            base = base_s = None
            if args.baseline:
                base, base_s = best_of([args.baseline, *common, "--index", index_dir, "--cache-dir", base_dir_cache],
                                       args.runs, args.timeout, env, (name, "baseline dir"))
                best_of([args.baseline, *common, "--index-url", url, "--cache-dir", base_cache], args.runs, args.timeout, env,
                        (name, "baseline http"))
            verdict, packages = mlenv_packages(mine)
            uv_verdict = "timeout" if theirs is None else ("ok" if theirs.returncode == 0 else "unsatisfiable")
            uv_pins = compare_uv.uv_packages(theirs.stdout) if theirs is not None and theirs.returncode == 0 else {}
            same = sum(1 for n, v in packages.items() if uv_pins.get(n) == v)
            differ = sorted(f"{n} {v} / uv {uv_pins[n]}" for n, v in packages.items() if n in uv_pins and uv_pins[n] != v)
            base_same = None
            if base is not None:
                base_same = mlenv_packages(base) == (verdict, packages)
            rows.append({"model": name, "python": python, "verdict": verdict, "uv_verdict": uv_verdict, "packages": len(packages),
                         "same_versions": same, "differences": differ, "mlenv_dir": mine_s, "mlenv_http": http_s, "uv_http": uv_s,
                         "baseline_dir": base_s, "baseline_same": base_same})
            print(f"{name}: mlenv {verdict} {mine_s:.2f} s (http {http_s:.2f} s), uv {uv_verdict} {uv_s:.2f} s"
                  + (f", baseline {base_s:.2f} s" if base_s is not None else ""), file=sys.stderr, flush=True)
            os.unlink(infile)
    finally:
        server.terminate()
        server.wait()
    report(args, rows)


def report(args, rows):
    def total(key):
        return sum(r[key] for r in rows if r[key] is not None)
    both = [r for r in rows if r["verdict"] == "ok" and r["uv_verdict"] == "ok"]
    lines = ["# pip side at real size: mlenv vs uv on an unthinned mirror", "",
             f"`python3 benchmarks/pip-scale/run.py{' --baseline OLD' if args.baseline else ''} --runs {args.runs}`; {machine()}; {checkout()};",
             f"mlenv: {tool_version([args.mlenv, '--version'])}; uv: {tool_version([args.uv, '--version'])}; "
             f"mirror: every release (`--make-mirror`), `--exclude-newer {args.exclude_newer}`; warm, best of {args.runs} after one unmeasured run.", "",
             "| model | Python | mlenv | uv | same versions | mlenv dir s | mlenv http s | uv http s | uv / mlenv dir |"
             + (" baseline dir s | baseline same |" if args.baseline else ""),
             "|---|---|---|---|---:|---:|---:|---:|---:|" + ("---:|---|" if args.baseline else "")]
    for r in rows:
        ratio = r["uv_http"] / r["mlenv_dir"] if r["mlenv_dir"] and r["uv_http"] else None
        line = (f"| {r['model']} | {r['python']} | {r['verdict']} | {r['uv_verdict']} | "
                + (f"{r['same_versions']}/{r['packages']}" if r["verdict"] == "ok" and r["uv_verdict"] == "ok" else "—")
                + f" | {r['mlenv_dir']:.3f} | {r['mlenv_http']:.3f} | {r['uv_http']:.3f} | "
                + (f"{ratio:.2f}" if ratio else "—") + " |")
        if args.baseline:
            line += f" {r['baseline_dir']:.3f} | {'yes' if r['baseline_same'] else 'NO'} |"
        lines.append(line)
    lines += ["", f"Totals over {len(rows)} models: mlenv dir {total('mlenv_dir'):.2f} s, mlenv http {total('mlenv_http'):.2f} s, "
              f"uv http {total('uv_http'):.2f} s" + (f", baseline dir {total('baseline_dir'):.2f} s" if args.baseline else "") + ".",
              f"Same verdict: {sum(1 for r in rows if r['verdict'] == r['uv_verdict'])}/{len(rows)}; where both resolve, "
              f"{sum(r['same_versions'] for r in both)}/{sum(r['packages'] for r in both)} packages at the same version.", ""]
    modes = ["mlenv dir", "mlenv http", "uv http"] + (["baseline dir", "baseline http"] if args.baseline else [])
    lines += ["CPU time (user + system, median of the measured runs, seconds):", "",
              "| model | " + " | ".join(modes) + " |", "|---|" + "---:|" * len(modes)]
    for r in rows:
        lines.append(f"| {r['model']} | " + " | ".join(f"{CPU.get((r['model'], m), 0):.3f}" for m in modes) + " |")
    lines.append("| **total** | " + " | ".join(f"**{sum(CPU.get((r['model'], m), 0) for r in rows):.2f}**" for m in modes) + " |")
    lines.append("")
    for r in rows:
        if r["differences"]:
            lines.append(f"- {r['model']}: " + ", ".join(r["differences"]))
    text = "\n".join(lines) + "\n"
    print(text)
    write_report(args.output, text)


if __name__ == "__main__":
    main()
