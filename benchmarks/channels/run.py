#!/usr/bin/env python3
"""Channel load benchmark: `mlenv channels` against py-rattler, cold and warm.

Rerun (one command, from anywhere in the checkout):

    python3 benchmarks/channels/run.py            # --runs 5 by default

Needs the release binary (.build/release/mlenv; this script never builds it) and python3 with
venv. On first use it creates benchmarks/channels/.venv and installs py-rattler there with pip
(your pip configuration decides where from). Writes benchmarks/out/channels/results.json and
prints a Markdown table.

What is measured, one process at a time, best of --runs fresh processes:
  mlenv    `mlenv channels --format json --cache-dir DIR`: loads every conda record of the target's
           subdirs (linux-64, noarch) and every PyPI project page; the time is the one mlenv
           reports (in-process, excludes process start-up); `wall` is the whole process.
           cold     = fresh, empty DIR (no parsed-channel cache; the run writes it) and, when
                      allowed, the page cache dropped (sync; echo 3 > /proc/sys/vm/drop_caches)
           warm     = the next run with the same DIR (files in page cache)
           no-cache = `--no-cache` with files in page cache (parse only, writes nothing)
  rattler  rattler_load.py in .venv: SparseRepoData(...).load_all_records() for linux-64 and
           noarch (every record parsed into a RepoDataRecord; .conda preferred over .tar.bz2 as
           mlenv does); time excludes interpreter start-up and `import rattler`.
           cold = page cache dropped; warm = second run (rattler keeps no parsed cache).
Channel sets: the default channels (embedded channels/conda-forge + channels/pypi); the embedded
conda channel alone (mlenv given an empty --index); ../shared/channels/conda-forge alone, when
that directory exists.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The embedded snapshot unless a flag says otherwise: mlenv's own default is the live indexes.
os.environ.setdefault("MLENV_SOURCES", "embedded")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
MLENV = ROOT / ".build" / "release" / "mlenv"
EMBEDDED_CONDA = ROOT / "channels" / "conda-forge"
SHARED_CONDA = ROOT.parent / "shared" / "channels" / "conda-forge"
VENV = HERE / ".venv"
VENV_PYTHON = VENV / "bin" / "python"
RATTLER_LOADER = HERE / "rattler_load.py"
RATTLER_REQUIREMENT = "py-rattler==0.28.0"
OUT = ROOT / "benchmarks" / "out" / "channels"


def ensure_venv():
    if VENV_PYTHON.exists():
        probe = subprocess.run([str(VENV_PYTHON), "-c", "import rattler"], capture_output=True)
        if probe.returncode == 0:
            return
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(VENV_PYTHON), "-m", "pip", "install", "-q", RATTLER_REQUIREMENT], check=True)


def drop_page_cache():
    """True when the page cache was dropped."""
    os.sync()
    try:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return True
    except OSError:
        return False


def timed(cmd):
    """Runs cmd under /usr/bin/time -v; returns (parsed JSON stdout, wall seconds, peak RSS MB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        start = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-v", "-o", tf.name, *cmd], capture_output=True, text=True, cwd=ROOT)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr}")
        rss_kb = 0
        for line in tf.read().splitlines():
            if "Maximum resident set size" in line:
                rss_kb = int(line.split(":")[1])
    return json.loads(proc.stdout), wall, rss_kb / 1024


def mlenv(cache_dir, conda_dir=None, empty_index=None, no_cache=False):
    cmd = [str(MLENV), "channels", "--format", "json"]
    if conda_dir:
        cmd += ["--channel", str(conda_dir)]
    if empty_index:
        cmd += ["--index", str(empty_index)]
    cmd += ["--no-cache"] if no_cache else ["--cache-dir", str(cache_dir)]
    out, wall, rss = timed(cmd)
    records = out["conda"]["records"] + out["pypi"]["files"]
    return {"seconds": float(out["seconds"]), "wall": wall, "rss_mb": rss, "records": records,
            "conda_records": out["conda"]["records"], "conda_seconds": float(out["conda"]["seconds"]),
            "pypi_projects": out["pypi"]["projects"], "pypi_files": out["pypi"]["files"],
            "pypi_seconds": float(out["pypi"]["seconds"])}


def rattler(conda_dir, method="sparse"):
    out, wall, rss = timed([str(VENV_PYTHON), str(RATTLER_LOADER), str(conda_dir), method])
    return {"seconds": out["seconds"], "wall": wall, "rss_mb": rss, "records": out["records"],
            "conda_records": out["records"], "import_seconds": out["import_seconds"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per case (best is reported)")
    parser.add_argument("--no-drop-caches", action="store_true", help="do not drop the page cache for cold runs")
    args = parser.parse_args()
    if not MLENV.exists():
        sys.exit(f"{MLENV.relative_to(ROOT)} is missing: build it with `make release`")
    ensure_venv()

    sets = [("default channels (conda-forge + pypi)", None, False),
            ("embedded conda-forge only", EMBEDDED_CONDA, True)]
    if (SHARED_CONDA / "linux-64").exists():
        sets.append(("shared conda-forge only", SHARED_CONDA, True))

    dropped = None
    load_before = os.getloadavg()
    results = {}  # (set, tool, state) -> [run]

    def add(key, run):
        results.setdefault(key, []).append(run)

    with tempfile.TemporaryDirectory(prefix="mlenv-bench-") as scratch:
        empty_index = Path(scratch) / "empty-index"
        empty_index.mkdir()
        for i in range(args.runs):
            for name, conda_dir, conda_only in sets:
                idx = empty_index if conda_only else None
                cache = Path(scratch) / f"cache-{i}-{len(results)}"
                d = not args.no_drop_caches and drop_page_cache()
                dropped = d if dropped is None else dropped and d
                add((name, "mlenv", "cold"), mlenv(cache, conda_dir, idx))
                add((name, "mlenv", "warm"), mlenv(cache, conda_dir, idx))
                add((name, "mlenv", "no-cache"), mlenv(None, conda_dir, idx, no_cache=True))
                shutil.rmtree(cache, ignore_errors=True)
                if conda_only:
                    d = not args.no_drop_caches and drop_page_cache()
                    dropped = dropped and d
                    add((name, "rattler", "cold"), rattler(conda_dir))
                    add((name, "rattler", "warm"), rattler(conda_dir))
                    add((name, "rattler RepoData.from_path", "warm"), rattler(conda_dir, "repodata"))
            print(f"run {i + 1}/{args.runs} done", file=sys.stderr, flush=True)
    load_after = os.getloadavg()

    rows = []
    for (name, tool, state), runs in results.items():
        best = min(runs, key=lambda r: r["seconds"])
        rows.append({"set": name, "tool": tool, "state": state, "best_seconds": best["seconds"],
                     "median_seconds": statistics.median(r["seconds"] for r in runs),
                     "best_wall": min(r["wall"] for r in runs), "peak_rss_mb": max(r["rss_mb"] for r in runs),
                     "records": best["records"], "records_per_second": best["records"] / best["seconds"],
                     "best_run": best, "runs": runs})

    def row(name, tool, state):
        return next((r for r in rows if r["set"] == name and r["tool"] == tool and r["state"] == state), None)

    ratios = []
    for name, _, conda_only in sets:
        if not conda_only:
            continue
        for m_state, r_state in (("cold", "cold"), ("warm", "warm"), ("no-cache", "warm")):
            m, r = row(name, "mlenv", m_state), row(name, "rattler", r_state)
            ratios.append({"set": name, "mlenv": m_state, "rattler": r_state,
                           "mlenv_over_rattler": m["best_seconds"] / r["best_seconds"],
                           "mlenv_over_rattler_wall": m["best_wall"] / r["best_wall"]})

    default = sets[0][0]
    warm, cold = row(default, "mlenv", "warm"), row(default, "mlenv", "cold")
    targets = {"warm_under_100ms": warm["best_seconds"] < 0.1, "warm_wall_under_100ms": warm["best_wall"] < 0.1,
               "cold_under_2s": cold["best_seconds"] < 2.0, "cold_wall_under_2s": cold["best_wall"] < 2.0}
    machine = {"platform": platform.platform(), "cpus": os.cpu_count(),
               "load_average_before": load_before, "load_average_after": load_after,
               "page_cache_dropped_for_cold": bool(dropped)}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps({"runs": args.runs, "machine": machine, "rows": rows,
                                                  "ratios": ratios, "targets": targets}, indent=2) + "\n")

    print(f"runs per case: {args.runs}; page cache dropped for cold runs: {bool(dropped)}; "
          f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    print()
    print("| channels | tool | state | load (best) | load (median) | process wall (best) | peak RSS | records | records/s |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['set']} | {r['tool']} | {r['state']} | {r['best_seconds'] * 1000:.0f} ms | {r['median_seconds'] * 1000:.0f} ms "
              f"| {r['best_wall'] * 1000:.0f} ms | {r['peak_rss_mb']:.0f} MB | {r['records']:,} | {r['records_per_second']:,.0f} |")
    print()
    best_default = row(default, "mlenv", "cold")["best_run"]
    print(f"default channels, cold, split: conda {best_default['conda_seconds'] * 1000:.0f} ms "
          f"({best_default['conda_records']:,} records), pypi {best_default['pypi_seconds'] * 1000:.0f} ms "
          f"({best_default['pypi_projects']} projects, {best_default['pypi_files']:,} files)")
    best_warm = warm["best_run"]
    print(f"default channels, warm, split: conda {best_warm['conda_seconds'] * 1000:.0f} ms, pypi {best_warm['pypi_seconds'] * 1000:.0f} ms")
    print()
    print("| channel | mlenv | rattler | mlenv / rattler (load) | mlenv / rattler (process wall) |")
    print("|---|---|---|---:|---:|")
    for q in ratios:
        print(f"| {q['set']} | {q['mlenv']} | {q['rattler']} | {q['mlenv_over_rattler']:.2f} | {q['mlenv_over_rattler_wall']:.2f} |")
    print()
    for k, v in targets.items():
        print(f"{k}: {'met' if v else 'NOT met'}")


if __name__ == "__main__":
    main()
