#!/usr/bin/env python3
"""Live-index resolve speed: mlenv vs `uv pip compile`, cold and warm, on the main fixture's pip side.

    python3 benchmarks/live-index/run.py [--mlenv .build/release/mlenv] [--uv .venv-tools/bin/uv]
                                         [--index-url URL] [--exclude-newer 2026-11-01]
                                         [--repeat 5] [--cold-repeat 3] [--work DIR]

Input: fixtures/models/sklearn-conda. mlenv resolves its virtualenv environment
(`--env-manager virtualenv --deployment none --python 3.11`, i.e. CPython 3.11.14 on Linux x86_64
glibc 2.36); uv compiles the same requirements.txt for the same target (`--python-version 3.11.14
--python-platform x86_64-manylinux_2_36 --only-binary :all:`). Both read the same live index:
`--index-url`, else PIP_INDEX_URL, else pip's default index (asked of pip at run time, so no host
name is written into this file or the results), and both ignore files uploaded at or after
`--exclude-newer` (a bare date is midnight UTC, mlenv's reading; uv is given that instant).

Runs, each a fresh process (tools interleaved so both see the same network):
  cold          empty cache (a fresh mlenv --cache-dir, a fresh UV_CACHE_DIR), --cold-repeat times
  warm          the cache of the last cold run kept, --repeat times, default flags: mlenv answers
                from cache what is still fresh (Cache-Control max-age) and revalidates the rest;
                uv revalidates index pages by default
  warm refresh  mlenv --refresh (every page revalidated: the fair comparison with uv's default) and
                uv --refresh (uv refetches everything), --repeat times each
Each row reports the median wall-clock time, peak RSS (/usr/bin/time when present, else
getrusage of the children) and the HTTP requests each tool made: mlenv's from MLENV_DEBUG_HTTP=1,
uv's from RUST_LOG=uv_client=debug (uv does not log its byte-range reads, so its count is pages and
HEAD/GET of wheels only). Both tools run with that logging on in every run; it costs a few
milliseconds. Every run's answer is checked: both must give the same packages at the same versions.

Prints a markdown report and writes it to benchmarks/live-index/RESULTS.md (anything below the
line `<!-- hand-written notes -->` in an existing RESULTS.md is kept). Caches live under --work
(default $TMPDIR/mlenv-bench/live-index) and are removed at the start.
"""
import argparse
import datetime
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from live_run import checkout, live_index_url, machine, rfc3339, scratch, tool_version, write_report  # noqa: E402
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(ROOT, "fixtures", "models", "sklearn-conda")
PYTHON_MINOR, PYTHON_FULL = "3.11", "3.11.14"  # mlenv reads 3.11 as the newest patch (PythonVersion.newestPatch)
TIME = "/usr/bin/time"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mlenv", default=os.path.join(ROOT, ".build/release/mlenv"))
    parser.add_argument("--uv", default=os.path.join(ROOT, ".venv-tools/bin/uv"))
    parser.add_argument("--index-url", help="the index (default: PIP_INDEX_URL, else pip's default index)")
    parser.add_argument("--exclude-newer", default="2026-11-01")
    parser.add_argument("--repeat", type=int, default=5, help="warm runs of each kind")
    parser.add_argument("--cold-repeat", type=int, default=3, help="cold runs (each with empty caches)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per run")
    parser.add_argument("--work", help="where the caches go (default $TMPDIR/mlenv-bench/live-index)")
    parser.add_argument("--output", default=os.path.join(HERE, "RESULTS.md"))
    return parser.parse_args()


def caching_headers(index, project):
    """The index's caching headers on one project page (names and values; no host)."""
    request = urllib.request.Request(index.rstrip("/") + f"/{project}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            headers = {k.lower(): v for k, v in response.headers.items()}
    except OSError as error:
        return f"(could not ask: {error.__class__.__name__})"
    shown = [f"`{name}: {headers[name]}`" for name in ("cache-control", "etag", "last-modified", "age") if name in headers]
    return ", ".join(shown) if shown else "none of Cache-Control, ETag, Last-Modified"


class Run:
    """One measured process: wall seconds, peak RSS in MiB, request counts, its answer."""

    def __init__(self, seconds, rss_mb, requests, packages, failure=None):
        self.seconds, self.rss_mb, self.requests, self.packages, self.failure = seconds, rss_mb, requests, packages, failure


def measure(cmd, env, timeout):
    """Runs cmd; (CompletedProcess or None on timeout, wall seconds, peak RSS MiB or None)."""
    rss_file = None
    if os.access(TIME, os.X_OK):
        fd, rss_file = tempfile.mkstemp(prefix="live-index-rss-")
        os.close(fd)
        cmd = [TIME, "-f", "%M", "-o", rss_file] + cmd
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        result = None
    seconds = time.perf_counter() - started
    rss = None
    if rss_file:
        with open(rss_file) as f:
            numbers = [line.strip() for line in f if line.strip().isdigit()]
        os.unlink(rss_file)
        rss = int(numbers[-1]) / 1024 if numbers else None
    else:
        # RUSAGE_CHILDREN keeps the largest child so far: right only when this one is the largest.
        after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        rss = after / 1024 if after > before else None
    return result, seconds, rss


def mlenv_run(args, index, cache, refresh):
    cmd = [args.mlenv, "resolve", FIXTURE, "--deployment", "none", "--env-manager", "virtualenv", "--index-url", index,
           "--exclude-newer", args.exclude_newer, "--python", PYTHON_MINOR, "--cache-dir", cache, "--format", "json"]
    if refresh:
        cmd.append("--refresh")
    result, seconds, rss = measure(cmd, dict(os.environ, MLENV_DEBUG_HTTP="1"), args.timeout)
    if result is None:
        return Run(seconds, rss, {}, None, "timeout")
    lines = [l for l in result.stderr.splitlines() if l.startswith("http: GET")]
    requests = {
        "pages": sum(1 for l in lines if "[bytes=" not in l),
        "ranges": sum(1 for l in lines if "[bytes=" in l),
        "304": sum(1 for l in lines if "-> 304 " in l),
        "MB": sum(int(m[1]) for l in lines for m in [re.search(r"-> \d+ (\d+) B", l)] if m) / 1e6,
    }
    answer = json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}
    if result.returncode != 0 or answer.get("status") != "ok":
        why = [l for l in result.stderr.splitlines() if not l.startswith("http: ")]
        return Run(seconds, rss, requests, None, f"exit {result.returncode}: {(why or ['?'])[0][:200]}")
    return Run(seconds, rss, requests, {p["name"]: p["version"] for p in answer["packages"]})


def uv_run(args, index, cache, refresh):
    cmd = [args.uv, "pip", "compile", os.path.join(FIXTURE, "requirements.txt"), "--index-url", index,
           "--exclude-newer", rfc3339(args.exclude_newer), "--python-version", PYTHON_FULL, "--python", sys.executable,
           "--python-platform", "x86_64-manylinux_2_36", "--only-binary", ":all:", "--no-header", "--no-annotate",
           "--quiet", "--no-config"]
    if refresh:
        cmd.append("--refresh")
    env = dict(os.environ, UV_CACHE_DIR=cache, UV_PYTHON_DOWNLOADS="never", RUST_LOG="uv_client=debug")
    for name in ("UV_INDEX_URL", "UV_EXCLUDE_NEWER", "UV_OFFLINE"):
        env.pop(name, None)
    result, seconds, rss = measure(cmd, env, args.timeout)
    if result is None:
        return Run(seconds, rss, {}, None, "timeout")
    log = result.stderr
    requests = {
        "GET": log.count("Sending fresh GET request"),
        "HEAD": log.count("Sending fresh HEAD request"),
        "revalidations": log.count("Sending revalidation request"),
        "not modified": log.count("Found not-modified response"),
        "fresh from cache": log.count("Found fresh response"),
    }
    if result.returncode != 0:
        return Run(seconds, rss, requests, None, f"exit {result.returncode}: {' '.join(log.split())[-200:]}")
    pins = {}
    for line in result.stdout.splitlines():
        if "==" in line and not line.lstrip().startswith("#"):
            name, version = line.strip().split("==", 1)
            pins[name.split("[")[0].strip().lower().replace("_", "-").replace(".", "-")] = version.split(";")[0].strip()
    return Run(seconds, rss, requests, pins)


def fresh_dir(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def median(runs):
    return statistics.median(r.seconds for r in runs)


def median_rss(runs):
    values = [r.rss_mb for r in runs if r.rss_mb is not None]
    return f"{statistics.median(values):.0f}" if values else "-"


def requests_text(runs):
    """The median run's counts (they hardly vary between runs of one kind)."""
    counts = sorted(runs, key=lambda r: r.seconds)[len(runs) // 2].requests
    return ", ".join(f"{v:.1f} {k}" if isinstance(v, float) else f"{v} {k}" for k, v in counts.items() if v)


def spread(runs):
    return " ".join(f"{r.seconds:.2f}" for r in runs)


def main():
    args = parse_args()
    index = live_index_url(args.index_url, "live-index")
    work = args.work or scratch("live-index")
    fresh_dir(work)
    first_project = open(os.path.join(FIXTURE, "requirements.txt")).read().split("==")[0].strip()
    headers = caching_headers(index, first_project)
    date = datetime.date.today().isoformat()

    def log(text):
        print(f"live-index: {text}", file=sys.stderr, flush=True)

    results = {"mlenv cold": [], "uv cold": [], "mlenv warm": [], "uv warm": [], "mlenv warm --refresh": [], "uv warm --refresh": []}
    mlenv_cache = uv_cache = None
    for i in range(args.cold_repeat):
        mlenv_cache = fresh_dir(os.path.join(work, f"mlenv-{i}"))
        uv_cache = fresh_dir(os.path.join(work, f"uv-{i}"))
        results["mlenv cold"].append(mlenv_run(args, index, mlenv_cache, refresh=False))
        results["uv cold"].append(uv_run(args, index, uv_cache, refresh=False))
        log(f"cold {i + 1}: mlenv {results['mlenv cold'][-1].seconds:.2f} s, uv {results['uv cold'][-1].seconds:.2f} s")
    for kind, refresh in (("warm", False), ("warm --refresh", True)):
        for i in range(args.repeat):
            results[f"mlenv {kind}"].append(mlenv_run(args, index, mlenv_cache, refresh))
            results[f"uv {kind}"].append(uv_run(args, index, uv_cache, refresh))
            log(f"{kind} {i + 1}: mlenv {results[f'mlenv {kind}'][-1].seconds:.2f} s, uv {results[f'uv {kind}'][-1].seconds:.2f} s")

    failures = [(k, r.failure) for k, runs in results.items() for r in runs if r.failure]
    answers = {json.dumps(r.packages, sort_keys=True) for runs in results.values() for r in runs if r.packages is not None}
    reference = next((r.packages for r in results["mlenv cold"] if r.packages), None)
    agree = len(answers) == 1 and not failures

    rows = [
        ("cold (empty caches)", "mlenv cold", "uv cold"),
        ("warm, default flags", "mlenv warm", "uv warm"),
        ("warm, every page revalidated: mlenv --refresh vs uv default", "mlenv warm --refresh", "uv warm"),
        ("warm, both --refresh", "mlenv warm --refresh", "uv warm --refresh"),
    ]
    ratios = {label: median(results[m]) / median(results[u]) for label, m, u in rows}
    cmd = "python3 benchmarks/live-index/run.py" \
        + ("" if args.mlenv == os.path.join(ROOT, ".build/release/mlenv") else f" --mlenv {args.mlenv}") \
        + ("" if args.repeat == 5 else f" --repeat {args.repeat}") \
        + ("" if args.cold_repeat == 3 else f" --cold-repeat {args.cold_repeat}") \
        + ("" if args.exclude_newer == "2026-11-01" else f" --exclude-newer {args.exclude_newer}")
    lines = [
        "# Live index: mlenv vs `uv pip compile`, cold and warm",
        "",
        "```sh",
        cmd,
        "```",
        "",
        f"Run {date} on {machine()}; mlenv {tool_version([args.mlenv, '--version'])} ({checkout()}), "
        f"{tool_version([args.uv, '--version'])}. Input: the pip side of `fixtures/models/sklearn-conda` "
        f"(requirements.txt, {len(reference or {})} packages resolved), CPython {PYTHON_FULL}, manylinux glibc 2.36 x86_64, "
        f"wheels only, files uploaded before {args.exclude_newer}. Index: the live index pip is configured with "
        f"(chosen at run time, not named here); its project pages carry {headers}.",
        "",
        f"Cold: median of {args.cold_repeat} runs, each with empty caches. Warm: median of {args.repeat} runs "
        "with the last cold run's caches kept. Time: wall clock of one process, start-up included. "
        "RSS: peak resident set, MiB (median). Requests: one run's HTTP requests (mlenv: MLENV_DEBUG_HTTP; "
        "uv: its client log, which leaves out byte-range reads).",
        "",
        f"Answers: {'every run of both tools gave the same ' + str(len(reference)) + ' packages at the same versions' if agree else 'DIFFERENT or failed runs: ' + '; '.join(f'{k}: {f}' for k, f in failures) + f' ({len(answers)} distinct answers)'}.",
        "",
        "| run | mlenv s | uv s | mlenv / uv | mlenv RSS | uv RSS | mlenv requests | uv requests |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, m, u in rows:
        lines.append(f"| {label} | {median(results[m]):.2f} | {median(results[u]):.2f} | {ratios[label]:.2f} | "
                     f"{median_rss(results[m])} | {median_rss(results[u])} | {requests_text(results[m])} | {requests_text(results[u])} |")
    cold_ok = ratios[rows[0][0]] <= 1.5
    warm_ok = ratios[rows[1][0]] < 1.0
    fair_ok = ratios[rows[2][0]] < 1.0
    lines += [
        "",
        f"Targets: warm faster than uv — default flags {'met' if warm_ok else 'NOT met'} ({ratios[rows[1][0]]:.2f}x), "
        f"every page revalidated {'met' if fair_ok else 'NOT met'} ({ratios[rows[2][0]]:.2f}x); "
        f"cold within 1.5x of uv — {'met' if cold_ok else 'NOT met'} ({ratios[rows[0][0]]:.2f}x).",
        "",
        "Every run, seconds:",
        "",
    ]
    lines += [f"- {kind}: {spread(runs)}" for kind, runs in results.items()]
    report = "\n".join(lines) + "\n"

    write_report(args.output, report)
    print(report)
    log(f"written to {os.path.relpath(args.output, ROOT)}")


if __name__ == "__main__":
    main()
