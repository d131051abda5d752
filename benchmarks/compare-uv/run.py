#!/usr/bin/env python3
"""Differential check: the pip side of every shared model, resolved by mlenv and by
`uv pip compile`, against the same index.

    python3 benchmarks/compare-uv/run.py [--mlenv .build/release/mlenv] [--uv .venv-tools/bin/uv]
    python3 benchmarks/compare-uv/run.py --live [--exclude-newer 2026-11-01] [--index-url URL]
                                         [--mlenv-cache DIR] [--uv-cache DIR] [--timeout 300]

Snapshot mode (the default): both read the embedded PyPI snapshot, mlenv from disk
(`--sources embedded`), uv through `python3 -m http.server` on 127.0.0.1. Prints a markdown report.

Live mode (`--live`): both read a live PyPI-compatible index over HTTP(S): `--index-url`, else
PIP_INDEX_URL, else pip's default index (asked of pip at run time, so no host name is written
into this file or the report). Files uploaded at or after `--exclude-newer` are ignored by both:
mlenv gets the date as given, uv the same instant as an RFC 3339 timestamp (a bare date
YYYY-MM-DD is midnight UTC, which is how mlenv reads it). mlenv uses its own cache directory
(--mlenv-cache, default $TMPDIR/mlenv-bench/live-cache), uv its own (--uv-cache, default
$UV_CACHE_DIR, else $TMPDIR/mlenv-bench/uv-cache); both are kept between runs. Each resolve gets
--timeout seconds. The report (verdicts, share of packages at the same version, every
difference) is printed and written to benchmarks/compare-uv/RESULTS-live.md; anything below the
line `<!-- hand-written notes -->` in an existing RESULTS-live.md is kept.

For each model: the pip requirements of its virtualenv environment (python_env.yaml, else the
conda.yaml `pip:` list) with the model's Python minor at its newest patch, deployment `none`
(nothing added), on manylinux glibc 2.36 x86_64 (the python:X.Y-slim image), wheels only.
Reports whether both agree on satisfiable/unsatisfiable and, when both resolve, on every version.
"""
import argparse
import datetime
import glob
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from live_run import checkout, live_index_url, machine, rfc3339, scratch, tool_version, write_report  # noqa: E402
HERE = os.path.dirname(os.path.abspath(__file__))
# Same table as Sources/Requests/Target.swift (PythonVersion.newestPatch).
NEWEST_PATCH = {"3.6": 15, "3.7": 17, "3.8": 20, "3.9": 25, "3.10": 19, "3.11": 14, "3.12": 12, "3.13": 9, "3.14": 0}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mlenv", default=os.path.join(ROOT, ".build/release/mlenv"))
    parser.add_argument("--uv", default=os.path.join(ROOT, ".venv-tools/bin/uv"))
    parser.add_argument("--models", default=os.path.join(ROOT, "..", "shared", "models"))
    parser.add_argument("--live", action="store_true", help="resolve against a live index instead of the embedded snapshot")
    parser.add_argument("--index-url", help="live mode: the index (default: PIP_INDEX_URL, else pip's default index)")
    parser.add_argument("--exclude-newer", default="2026-11-01", help="live mode: ignore files uploaded at or after this date")
    parser.add_argument("--mlenv-cache", help="live mode: mlenv's --cache-dir (kept between runs)")
    parser.add_argument("--uv-cache", help="live mode: uv's cache directory (kept between runs)")
    parser.add_argument("--timeout", type=float, default=300, help="live mode: seconds per resolve")
    parser.add_argument("--only", help="only the models whose directory name contains this text")
    parser.add_argument("--output", default=os.path.join(HERE, "RESULTS-live.md"), help="live mode: where the report goes")
    return parser.parse_args()


# ---------------------------------------------------------------------------------------------
# Shared by both modes

def model_dirs(args):
    dirs = sorted(d for d in glob.glob(os.path.join(args.models, "*")) if os.path.isdir(d))
    return [d for d in dirs if not args.only or args.only in os.path.basename(d)]


def model_inputs(mlenv, model):
    """(python X.Y.Z, named requirement lines) of the model's pip side, or None if unreadable."""
    inspect = json.loads(subprocess.run([mlenv, "inspect", model, "--format", "json"], capture_output=True, text=True).stdout or "{}")
    if not inspect:
        return None
    venv = inspect.get("virtualenv") or {}
    conda = inspect.get("conda") or {}
    requirements = [r for r in (venv.get("dependencies") or conda.get("pip") or []) if not r["constraint"]]
    minor = ".".join((inspect["python"]["target"] or "3.11").split(".")[:2])
    # The python:X.Y image ships the newest patch; both resolvers get the same full version.
    python = minor + "." + str(NEWEST_PATCH.get(minor, 0))
    return python, [r["text"] for r in requirements if r["form"] == "named"]


def uv_command(uv, infile, index, python):
    return [uv, "pip", "compile", infile, "--index-url", index, "--python-version", python, "--python", sys.executable,
            "--python-platform", "x86_64-manylinux_2_36", "--no-header", "--no-annotate", "--quiet", "--only-binary", ":all:"]


def uv_packages(stdout):
    """{normalized name: version} from `uv pip compile` output."""
    pins = {}
    for line in stdout.splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "==" in line:
            n, v = line.split("==", 1)
            pins[n.split("[")[0].strip().lower().replace("_", "-").replace(".", "-")] = v.split(";")[0].strip()
    return pins


def write_requirements(lines):
    with tempfile.NamedTemporaryFile("w", suffix=".in", delete=False) as f:
        f.write("\n".join(lines) + "\n")
        return f.name


def markdown_row(cells):
    return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"


# ---------------------------------------------------------------------------------------------
# Snapshot mode (the default)

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_snapshot(args):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory",
                               os.path.join(ROOT, "channels", "pypi")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    index = f"http://127.0.0.1:{port}/simple/"
    os.environ["UV_PYTHON_DOWNLOADS"] = "never"  # uv would otherwise try to fetch the target interpreter
    uv_cache = tempfile.mkdtemp(prefix="mlenv-uv-cache-")
    rows = []
    try:
        for model in model_dirs(args):
            name = os.path.basename(model)
            inputs = model_inputs(args.mlenv, model)
            if inputs is None:
                rows.append((name, "-", "unreadable", "unreadable", "agree", ""))
                continue
            python, requirements = inputs
            # `--sources embedded`: mlenv's default sources are live indexes now; this mode compares the snapshot.
            mine = json.loads(subprocess.run([args.mlenv, "resolve", model, "--deployment", "none", "--env-manager", "virtualenv",
                                              "--sources", "embedded", "--python", python, "--format", "json"],
                                             capture_output=True, text=True).stdout or "{}")
            ours = {p["name"]: p["version"] for p in mine.get("packages", [])} if mine.get("status") == "ok" else None
            infile = write_requirements(requirements)
            uv = subprocess.run(uv_command(args.uv, infile, index, python) + ["--cache-dir", uv_cache], capture_output=True, text=True)
            os.unlink(infile)
            theirs = uv_packages(uv.stdout) if uv.returncode == 0 else None
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
        print(markdown_row(row))
    agree = sum(1 for r in rows if r[4] == "agree")
    print(f"\n{agree} of {len(rows)} models agree.")


# ---------------------------------------------------------------------------------------------
# Live mode

def make_redactor(index):
    """Report text must not name a registry host: URLs and the index's host become placeholders."""
    host = re.sub(r"^[a-z+]+://([^/@]*@)?", "", index).split("/")[0].split(":")[0]

    def redact(text):
        text = re.sub(r"https?://[^\s'\"<>)]+", lambda m: "…/" + m[0].rstrip("/").rsplit("/", 1)[-1], text)  # the file name stays
        text = text.replace(os.path.join(ROOT, "..", "shared", "models") + "/", "").replace(os.path.dirname(ROOT) + "/", "")
        return text.replace(host, "<index host>") if host else text
    return redact


def timed(cmd, timeout, env=None):
    """(CompletedProcess or None on timeout, seconds)."""
    started = time.perf_counter()
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        result = None
    return result, time.perf_counter() - started


def first_line(text):
    lines = [l.strip() for l in (text or "").splitlines() if l.strip()]
    return lines[0] if lines else "?"


def summary(text, count=3):
    """The first few lines of an explanation that say something (not "Problem 1:")."""
    lines = [l.strip().lstrip("- ") for l in (text or "").splitlines() if l.strip() and not re.fullmatch(r"Problem \d+:", l.strip())]
    return " / ".join(lines[:count]) if lines else "?"


def live_one(args, model, index, mlenv_cache, uv_env):
    name = os.path.basename(model)
    inputs = model_inputs(args.mlenv, model)
    if inputs is None:
        return dict(name=name, python="-", mlenv="unreadable", uv="unreadable", ours=None, theirs=None, detail="")
    python, requirements = inputs
    env = dict(os.environ, MLENV_DEBUG_HTTP="1")
    mine, mlenv_seconds = timed([args.mlenv, "resolve", model, "--deployment", "none", "--env-manager", "virtualenv",
                                 "--index-url", index, "--exclude-newer", args.exclude_newer, "--python", python,
                                 "--cache-dir", mlenv_cache, "--format", "json"], args.timeout, env)
    ours, mlenv_state, mlenv_why, requests = None, "timeout", f"no answer in {args.timeout:.0f} s", None
    if mine is not None:
        requests = sum(1 for l in mine.stderr.splitlines() if l.startswith("http: GET"))
        answer = json.loads(mine.stdout) if mine.stdout.strip().startswith("{") else {}
        if mine.returncode == 0 and answer.get("status") == "ok":
            ours, mlenv_state, mlenv_why = {p["name"]: p["version"] for p in answer["packages"]}, "ok", ""
        elif mine.returncode == 1 and answer.get("status") == "unsatisfiable":
            mlenv_state, mlenv_why = "unsat", summary((answer.get("explanation") or {}).get("text"))
        else:
            # Exit 1 without an explanation is a failure (a fetch or a wheel mlenv could not read), not an answer.
            mlenv_state = f"error {mine.returncode}"
            mlenv_why = first_line("\n".join(l for l in mine.stderr.splitlines() if not l.startswith("http: ")))
    infile = write_requirements(requirements)
    theirs_run, uv_seconds = timed(uv_command(args.uv, infile, index, python) + ["--exclude-newer", rfc3339(args.exclude_newer), "--no-config"],
                                   args.timeout, uv_env)
    os.unlink(infile)
    theirs, uv_state, uv_why = None, "timeout", f"no answer in {args.timeout:.0f} s"
    if theirs_run is not None:
        if theirs_run.returncode == 0:
            theirs, uv_state, uv_why = uv_packages(theirs_run.stdout), "ok", ""
        else:
            # uv says "No solution found" for an unsatisfiable set; anything else is an error.
            unsat = "No solution found" in theirs_run.stderr
            uv_state = "unsat" if unsat else f"error {theirs_run.returncode}"
            uv_why = " ".join(theirs_run.stderr.split())[:400]
    return dict(name=name, python=python, mlenv=mlenv_state, uv=uv_state, ours=ours, theirs=theirs, mlenv_why=mlenv_why,
                uv_why=uv_why, mlenv_seconds=mlenv_seconds, uv_seconds=uv_seconds, requests=requests)


def run_live(args):
    index = live_index_url(args.index_url, "compare-uv")
    redact = make_redactor(index)
    mlenv_cache = args.mlenv_cache or scratch("live-cache")
    uv_cache = args.uv_cache or os.environ.get("UV_CACHE_DIR") or scratch("uv-cache")
    uv_env = dict(os.environ, UV_CACHE_DIR=uv_cache, UV_PYTHON_DOWNLOADS="never")
    uv_env.pop("UV_INDEX_URL", None)
    uv_env.pop("UV_EXCLUDE_NEWER", None)
    started = time.time()
    results = []
    for model in model_dirs(args):
        r = live_one(args, model, index, mlenv_cache, uv_env)
        results.append(r)
        print(f"compare-uv: {r['name']}: mlenv {r['mlenv']} ({r.get('mlenv_seconds', 0):.1f} s), "
              f"uv {r['uv']} ({r.get('uv_seconds', 0):.1f} s)", file=sys.stderr)
    elapsed = time.time() - started

    rows, differences, verdict_same = [], [], 0
    same_versions = union_names = both_ok = 0
    for r in results:
        ours, theirs = r["ours"], r["theirs"]
        if r["mlenv"] == r["uv"] and r["mlenv"] in ("ok", "unsat", "unreadable"):
            verdict_same += 1
        if ours is not None and theirs is not None:
            both_ok += 1
            names = sorted(set(ours) | set(theirs))
            diffs = [n for n in names if ours.get(n) != theirs.get(n)]
            same_versions += len(names) - len(diffs)
            union_names += len(names)
            for n in diffs:
                differences.append((r["name"], n, ours.get(n, "—"), theirs.get(n, "—")))
            verdict = "agree" if not diffs else "DIFFERENT VERSIONS"
            detail = (f"{len(ours)} packages, all the same versions" if not diffs else
                      f"{len(names) - len(diffs)} of {len(names)} the same; " +
                      "; ".join(f"{n}: mlenv {ours.get(n, '—')} / uv {theirs.get(n, '—')}" for n in diffs))
        elif r["mlenv"] == r["uv"]:
            verdict = "agree"
            detail = "both unsatisfiable" if r["mlenv"] == "unsat" else f"both {r['mlenv']}"
        else:
            failed = [s for s in (r["mlenv"], r["uv"]) if s.startswith(("error", "timeout"))]
            verdict = "TIMEOUT" if any(s == "timeout" for s in failed) else "ERROR" if failed else "DISAGREE"
            detail = "; ".join(x for x in (f"mlenv: {r['mlenv_why']}" if r["mlenv"] != "ok" else "",
                                           f"uv: {r['uv_why']}" if r["uv"] != "ok" else "") if x)
        seconds = lambda key: f"{r[key]:.1f}" if key in r else "-"
        rows.append((r["name"], r["python"], r["mlenv"], r["uv"], seconds("mlenv_seconds"), seconds("uv_seconds"),
                     r.get("requests") if r.get("requests") is not None else "-", verdict, redact(detail)))

    share = 100.0 * same_versions / union_names if union_names else 0.0
    lines = [
        "# mlenv vs `uv pip compile` on a live index: the pip side of every shared model",
        "",
        "```sh",
        "python3 benchmarks/compare-uv/run.py --live"
        + ("" if args.mlenv == os.path.join(ROOT, ".build/release/mlenv") else f" --mlenv {args.mlenv}")
        + f" --exclude-newer {args.exclude_newer}"
        + ("" if args.timeout == 300 else f" --timeout {args.timeout:g}"),
        "```",
        "",
        f"Run {datetime.date.today().isoformat()} on {machine()}; mlenv {tool_version([args.mlenv, '--version'])} "
        f"({checkout()}), {tool_version([args.uv, '--version'])}. "
        f"{len(results)} models, {elapsed / 60:.1f} min in all.",
        "",
        "Index: the live index pip is configured with (given at run time, never written here), read by both "
        f"tools over HTTPS. Files uploaded at or after {args.exclude_newer} are ignored "
        f"(mlenv `--exclude-newer {args.exclude_newer}`, uv `--exclude-newer {rfc3339(args.exclude_newer)}`). "
        "Each model: the pip requirements of its virtualenv environment, its Python minor at the newest patch, "
        "manylinux glibc 2.36 x86_64, wheels only, deployment `none`. mlenv and uv each keep their own cache "
        "over the whole run (so later models find shared pages cached); the times are wall-clock seconds of one "
        f"process each, with a limit of {args.timeout:g} s. `mlenv requests`: HTTP requests mlenv made for the model "
        "(MLENV_DEBUG_HTTP=1).",
        "",
        f"**Same verdict on {verdict_same} of {len(results)} models.** Among the {both_ok} models both resolve, "
        f"**{same_versions} of {union_names} packages ({share:.1f}%) are at the same version** (target ≥ 95%).",
        "",
        "| model | python | mlenv | uv | mlenv s | uv s | mlenv requests | verdict | detail |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [markdown_row(row) for row in rows]
    lines += ["", "## Every difference", ""]
    if differences:
        lines += ["| model | package | mlenv | uv |", "|---|---|---|---|"]
        lines += [markdown_row(d) for d in differences]
    else:
        lines.append("None among the models both resolve.")
    disagreements = [r for r in results if r["mlenv"] != r["uv"]]
    if disagreements:
        lines += ["", "Verdicts that differ:", ""]
        for r in disagreements:
            lines.append(f"- `{r['name']}`: mlenv {r['mlenv']}"
                         + (f" ({redact(r['mlenv_why'])})" if r["mlenv"] != "ok" else "")
                         + f"; uv {r['uv']}" + (f" ({redact(r['uv_why'])})" if r["uv"] != "ok" else ""))
    report = "\n".join(lines) + "\n"

    write_report(args.output, report)
    print(report)
    print(f"compare-uv: written to {os.path.relpath(args.output, ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    arguments = parse_args()
    if arguments.live:
        run_live(arguments)
    else:
        run_snapshot(arguments)
