#!/usr/bin/env python3
"""Conda channel scale benchmark: `mlenv resolve` against conda channels up to conda-forge's real size,
against py-rattler, with the growth exponent of time and memory in the channel's size.

Rerun (one command, from anywhere in the checkout):

    python3 benchmarks/conda-scale/run.py                     # points 1,5,10,40; --runs 3
    python3 benchmarks/conda-scale/run.py --points 1,5        # the small points only (seconds)
    python3 benchmarks/conda-scale/run.py --channel-dir 40=/big/disk/ch40   # a channel made before

Needs the release binary (.build/release/mlenv, or --mlenv PATH; this script never builds it),
python3 with venv, and ../shared (--shared DIR): ../shared/channels/conda-forge (the real snapshot,
26,577 records), ../shared/bench/full-size-conda-channel.py and ../shared/bench/rattler-solve.py.
On first use it creates benchmarks/channels/.venv (shared with benchmarks/channels/run.py) and
installs py-rattler there with pip (your pip configuration decides where from). Writes
benchmarks/out/conda-scale/results.json and prints a Markdown table.

Points (--points, comma-separated factors): 1 = ../shared/channels/conda-forge itself; F > 1 = a
channel made by `full-size-conda-channel.py OUT --linux F --noarch ceil(F/2)` (5x = 5/3, 10x = 10/5,
40x = 40/20: about conda-forge's real size, 862,160 records, 417 MiB of JSON). Every real record is
kept and repeated as extra builds, so the answer must not change with the point. Generated channels
go to WORK/channels/Fx/conda-forge (WORK = --work, default benchmarks/out/conda-scale) and are reused
when a previous run made them with the same factors; --channel-dir F=DIR uses DIR instead. Records
= linux-64 + noarch records (.tar.bz2 and .conda entries), counted in the repodata files.

The model: WORK/condamodel, a conda-only MLflow model (python_function, env conda: conda.yaml,
python_version 3.11.9; conda.yaml: channels [conda-forge], python=3.11, numpy, pandas,
scikit-learn, scipy, pyarrow, pip).

What is measured, each a fresh process, its wall time (from spawn to exit) and peak RSS (ru_maxrss
from os.wait4, taken by a small python3 launcher so that the floor is ~8 MB, not this script's own

# The embedded snapshot unless a flag says otherwise: mlenv's own default is the live indexes.
os.environ.setdefault("MLENV_SOURCES", "embedded")
peak: see LAUNCHER; no /usr/bin/time needed):
  mlenv cold   `mlenv resolve MODEL --deployment none --channel CHANNEL --cache-dir DIR --format json`
               with DIR new and empty (parses repodata.json, writes its parsed-channel cache, solves);
               --cold-runs runs (default 1), each with its own empty DIR, best reported.
  mlenv warm   the same command with the first cold run's DIR again (reads its cache, solves);
               best of --runs (default 3).
  rattler      py-rattler 0.28 (.venv): rattler-solve.py CHANNEL 'python=3.11' numpy pandas
               scikit-learn scipy pyarrow pip (SparseRepoData of linux-64 + noarch, then
               solve_with_sparse_repodata for Linux x86_64, glibc 2.35); rattler keeps no cache,
               best of --runs. Its own open/solve times (stderr) are kept in results.json.
  mlenv cold zst   (with --zst) the cold command against a copy of the point's channel holding only
               `repodata.json.zst` (`zstd -q -T0`, made once per point under WORK/zst): mlenv
               decompresses it a block at a time to a scratch file and parses that as it parses the
               plain file; the answer must be the same.
  Warm mlenv and rattler runs alternate. The repodata files are read once before a point's runs, so
  every run finds them in the page cache ("cold" is mlenv's cache, not the disk).
  Peak RSS in the table is the largest over a case's runs. A run that exceeds --timeout (default
  600 s) is killed and reported as a timeout; later runs of that case at that point are skipped.
  py-rattler 0.28 sometimes aborts in interpreter shutdown (SIGABRT, "PyGILState_Release: thread
  state ... must be current") after printing its complete answer; such a run counts when its
  stdout holds as many packages as its stderr summary says, and results.json marks it.

Answers: the set of (name, version) from mlenv's JSON `packages` and from rattler's `name version`
lines. Reported: whether every mlenv run at every point gave the same set (it must; the script exits
1 when not, after writing results), and how that set differs from rattler's (reported, not failed).

Growth: b in time = a * records^b by least squares on log-log over the points that finished, for
mlenv cold, mlenv warm and rattler, and the same for peak RSS (RSS includes a fixed base: the binary
or the interpreter, so its exponent understates how the part that grows grows).

Machine notes: written for Debian 12, 2 vCPU, 24 GiB, shared with builds; the load average before
and after is recorded. The 40x point needs several GiB of memory for some tools and, for slow
ones, minutes per run: --points 1,5 is the quick check.
"""

import argparse
import hashlib
import json
import math
import mmap
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
MLENV = ROOT / ".build" / "release" / "mlenv"
SHARED = ROOT.parent / "shared"
WORK = ROOT / "benchmarks" / "out" / "conda-scale"
OUT = ROOT / "benchmarks" / "out" / "conda-scale"
SPECS = ["python=3.11", "numpy", "pandas", "scikit-learn", "scipy", "pyarrow", "pip"]
SUBDIRS = ("linux-64", "noarch")
SIDECAR = "bench-channel.json"

MLMODEL = """\
flavors:
  python_function:
    env:
      conda: conda.yaml
    loader_module: mlflow.sklearn
    python_version: 3.11.9
mlflow_version: 2.17.2
"""
CONDA_YAML = """\
channels:
- conda-forge
dependencies:
- python=3.11
- numpy
- pandas
- scikit-learn
- scipy
- pyarrow
- pip
name: bench
"""


def _channels_benchmark():
    """benchmarks/channels/run.py, whose venv (py-rattler 0.28) this benchmark shares."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("channels_benchmark", HERE.parent / "channels" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_CHANNELS = _channels_benchmark()
VENV_PYTHON = _CHANNELS.VENV_PYTHON
RATTLER_REQUIREMENT = _CHANNELS.RATTLER_REQUIREMENT
ensure_venv = _CHANNELS.ensure_venv


def package_version(python, name):
    proc = subprocess.run([str(python), "-c", f"import importlib.metadata as m; print(m.version({name!r}))"],
                          capture_output=True, text=True)
    return proc.stdout.strip() or None


def factors(point):
    """(linux copies, noarch copies) of a point; 1 is the real channel."""
    return point, max(1, math.ceil(point / 2))


def count_records(repodata):
    """Records in a repodata.json: every `"build":` key (one per .tar.bz2 or .conda entry; checked
    against json.load on the real snapshot). A scan, so 40x (331 MiB) needs no JSON parse."""
    with open(repodata, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        return sum(1 for _ in re.finditer(rb'"build"\s*:', m))


def read_through(channel):
    """Reads the repodata files once so that every timed run finds them in the page cache."""
    for subdir in SUBDIRS:
        with open(channel / subdir / "repodata.json", "rb") as f:
            while f.read(1 << 24):
                pass


def channel_info(channel):
    info = {"path": str(channel), "records": {}, "bytes": {}}
    for subdir in SUBDIRS:
        path = channel / subdir / "repodata.json"
        if not path.exists():
            sys.exit(f"{path} is missing")
        info["records"][subdir] = count_records(path)
        info["bytes"][subdir] = path.stat().st_size
    info["total_records"] = sum(info["records"].values())
    return info


def make_channel(shared, work, point):
    """The channel of a generated point, made with the shared generator unless already there."""
    linux, noarch = factors(point)
    base = work / "channels" / f"{point}x"
    channel = base / "conda-forge"
    sidecar = base / SIDECAR
    if sidecar.exists() and all((channel / s / "repodata.json").exists() for s in SUBDIRS):
        made = json.loads(sidecar.read_text())
        if made.get("linux") == linux and made.get("noarch") == noarch:
            print(f"{point}x: reusing {channel}", file=sys.stderr, flush=True)
            return channel, made
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    generator = shared / "bench" / "full-size-conda-channel.py"
    print(f"{point}x: generating {channel} (--linux {linux} --noarch {noarch})", file=sys.stderr, flush=True)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, str(generator), str(channel), "--source", str(shared / "channels" / "conda-forge"),
                           "--linux", str(linux), "--noarch", str(noarch)], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"generator failed ({proc.returncode}):\n{proc.stderr}")
    printed = {}
    for line in proc.stdout.splitlines():  # "linux-64: 82655 records, 41 MiB"
        m = re.match(r"(\S+): (\d+) records", line)
        if m:
            printed[m.group(1)] = int(m.group(2))
    made = {"linux": linux, "noarch": noarch, "generator": str(generator), "generator_output": proc.stdout.strip(),
            "generator_records": printed, "generator_seconds": time.perf_counter() - start}
    sidecar.write_text(json.dumps(made, indent=2) + "\n")  # written last: marks the channel complete
    return channel, made


def make_zst_channel(channel, work, point):
    """A copy of a channel holding only `repodata.json.zst` per subdir, made once per point."""
    base = work / "zst" / f"{point}x" / "conda-forge"
    for subdir in SUBDIRS:
        source = channel / subdir / "repodata.json"
        target = base / subdir / "repodata.json.zst"
        stamp = target.with_suffix(".zst.source")
        key = f"{source.stat().st_size} {source.stat().st_mtime_ns}"
        if target.exists() and stamp.exists() and stamp.read_text() == key:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        print(f"{point}x: compressing {source} -> {target}", file=sys.stderr, flush=True)
        subprocess.run(["zstd", "-q", "-f", "-T0", str(source), "-o", str(target)], check=True)
        stamp.write_text(key)
    return base


def write_model(work):
    model = work / "condamodel"
    model.mkdir(parents=True, exist_ok=True)
    (model / "MLmodel").write_text(MLMODEL)
    (model / "conda.yaml").write_text(CONDA_YAML)
    return model


# Spawns the measured command and reports its rusage. A child's ru_maxrss starts at the memory
# high-water mark of the process it was spawned from (Linux keeps the old mm's peak across exec, and
# subprocess spawns with vfork, which lends the parent's whole mm): spawned straight from this script
# every child would report at least this script's peak (345 MB after a 40x record count, for
# example). This launcher is a fresh `python3 -I -S`, about 8 MB, so that is the floor; `rss_floor_mb`
# in results.json is /bin/true measured the same way.
LAUNCHER = r"""
import os, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.posix_spawnp(cmd[0], cmd, os.environ)
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(out, "w") as f:
    f.write(f"{wall} {ru.ru_maxrss} {ru.ru_utime} {ru.ru_stime} {os.waitstatus_to_exitcode(status)}")
"""


def run(cmd, timeout):
    """Runs cmd as a fresh process (through LAUNCHER, which times it and takes its rusage from
    os.wait4); returns wall seconds, peak RSS, exit status, stdout and stderr. A timer kills the
    process group after `timeout` seconds."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".rusage") as usage_file:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-I", "-S", "-c", LAUNCHER, usage_file.name, *cmd], stdout=out,
                                stderr=err, stdin=subprocess.DEVNULL, cwd=ROOT, start_new_session=True)
        timed_out = threading.Event()

        def kill():
            timed_out.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            proc.wait()
        finally:
            timer.cancel()
        outer_wall = time.perf_counter() - start
        fields = usage_file.read().split()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if len(fields) != 5:  # killed, or the launcher failed
        return {"wall": outer_wall, "rss_mb": 0.0, "user": 0.0, "sys": 0.0, "exit": proc.returncode,
                "timeout": timed_out.is_set(), "stdout": stdout, "stderr": stderr}
    wall, rss_kb, user, system, code = float(fields[0]), int(fields[1]), float(fields[2]), float(fields[3]), int(fields[4])
    return {"wall": wall, "rss_mb": rss_kb / 1024, "user": user, "sys": system, "exit": code,
            "timeout": timed_out.is_set(), "stdout": stdout, "stderr": stderr}


def tail(text, lines=8):
    return "\n".join(text.strip().splitlines()[-lines:])


def mlenv_run(mlenv, model, channel, cache_dir, timeout):
    r = run([str(mlenv), "resolve", str(model), "--deployment", "none", "--channel", str(channel),
             "--cache-dir", str(cache_dir), "--format", "json"], timeout)
    row = {k: r[k] for k in ("wall", "rss_mb", "user", "sys", "exit", "timeout")}
    if r["timeout"]:
        row["error"] = f"timeout after {timeout} s"
        return row, None
    try:
        doc = json.loads(r["stdout"])
    except json.JSONDecodeError:
        doc = None
    if r["exit"] != 0 or not doc or doc.get("status") != "ok":
        row["error"] = f"exit {r['exit']}, status {doc.get('status') if doc else None}: {tail(r['stderr'] or r['stdout'])}"
        return row, None
    answer = sorted({(p["name"], p["version"]) for p in doc["packages"]})
    row["packages"] = len(answer)
    return row, answer


def rattler_run(script, channel, timeout):
    r = run([str(VENV_PYTHON), str(script), str(channel), *SPECS], timeout)
    row = {k: r[k] for k in ("wall", "rss_mb", "user", "sys", "exit", "timeout")}
    if r["timeout"]:
        row["error"] = f"timeout after {timeout} s"
        return row, None
    m = re.search(r"rattler: open ([\d.]+) s, solve ([\d.]+) s, (\d+) packages", r["stderr"])
    answer = sorted({tuple(line.split()[:2]) for line in r["stdout"].splitlines() if len(line.split()) >= 2})
    if m:
        row["open_seconds"], row["solve_seconds"] = float(m.group(1)), float(m.group(2))
    complete = m is not None and int(m.group(3)) == len(r["stdout"].splitlines())
    if r["exit"] == -signal.SIGABRT and complete:
        row["note"] = "SIGABRT in interpreter shutdown after its complete answer"
    elif r["exit"] != 0 or not complete:
        row["error"] = f"exit {r['exit']}: {tail(r['stderr'])}"
        return row, None
    row["packages"] = len(answer)
    return row, answer


def summary(runs):
    ok = [r for r in runs if "error" not in r]
    s = {"runs": len(runs), "ok": len(ok), "timeouts": sum(1 for r in runs if r["timeout"]),
         "errors": [r["error"] for r in runs if "error" in r]}
    if ok:
        s["best_wall"] = min(r["wall"] for r in ok)
        s["median_wall"] = sorted(r["wall"] for r in ok)[len(ok) // 2]
        s["peak_rss_mb"] = max(r["rss_mb"] for r in ok)
    return s


def fit(points):
    """b and a in y = a * x^b, least squares on log-log; None with fewer than 2 points."""
    pts = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y and y > 0]
    if len(pts) < 2 or len({p[0] for p in pts}) < 2:
        return None
    n = len(pts)
    mx = sum(p[0] for p in pts) / n
    my = sum(p[1] for p in pts) / n
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    sxy = sum((p[0] - mx) * (p[1] - my) for p in pts)
    b = sxy / sxx
    a = math.exp(my - b * mx)
    ss_tot = sum((p[1] - my) ** 2 for p in pts)
    ss_res = sum((p[1] - (math.log(a) + b * p[0])) ** 2 for p in pts)
    return {"b": b, "a": a, "points": n, "r2": 1 - ss_res / ss_tot if n > 2 and ss_tot > 0 else None}


def diff(a, b):
    """Differences between two (name, version) sets, by name."""
    da, db = dict(a), dict(b)
    return {"only_first": sorted(f"{n} {da[n]}" for n in da.keys() - db.keys()),
            "only_second": sorted(f"{n} {db[n]}" for n in db.keys() - da.keys()),
            "versions": sorted(f"{n}: {da[n]} vs {db[n]}" for n in da.keys() & db.keys() if da[n] != db[n])}


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", default="1,5,10,40", help="channel size factors, comma-separated (1 = the real snapshot)")
    parser.add_argument("--runs", type=int, default=3, help="warm mlenv and rattler runs per point (best is reported)")
    parser.add_argument("--cold-runs", type=int, default=1, help="cold mlenv runs per point, each with an empty cache")
    parser.add_argument("--timeout", type=float, default=600, help="seconds before a run is killed and reported as a timeout")
    parser.add_argument("--mlenv", type=Path, default=MLENV, help="the mlenv binary (default .build/release/mlenv)")
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared directory (default ../shared)")
    parser.add_argument("--work", type=Path, default=WORK, help="where generated channels and the model go")
    parser.add_argument("--channel-dir", action="append", default=[], metavar="POINT=DIR",
                        help="use DIR (with linux-64/ and noarch/) for POINT instead of generating it (repeatable)")
    parser.add_argument("--no-rattler", action="store_true", help="do not run py-rattler")
    parser.add_argument("--zst", action="store_true", help="also run mlenv cold on a repodata.json.zst copy of each point")
    args = parser.parse_args()

    points = sorted({int(p) for p in args.points.split(",") if p.strip()})
    if not points or points[0] < 1:
        sys.exit("--points takes positive integers")
    given = {}
    for item in args.channel_dir:
        point, _, path = item.partition("=")
        if not path:
            sys.exit(f"--channel-dir {item}: expected POINT=DIR")
        given[int(point)] = Path(path).resolve()
    mlenv = args.mlenv.resolve()
    if not mlenv.exists():
        sys.exit(f"{mlenv} is missing: build it with `make release` (this script does not build)")
    shared = args.shared.resolve()
    real = shared / "channels" / "conda-forge"
    rattler_script = shared / "bench" / "rattler-solve.py"
    for needed in (real / "linux-64" / "repodata.json", shared / "bench" / "full-size-conda-channel.py", rattler_script):
        if not needed.exists():
            sys.exit(f"{needed} is missing (--shared DIR)")
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    if not args.no_rattler:
        ensure_venv()

    model = write_model(work)
    real_info = channel_info(real)
    channels = {}
    for point in points:
        linux, noarch = factors(point)
        if point in given:
            channel, made = given[point], {"linux": linux, "noarch": noarch, "given": True}
        elif point == 1:
            channel, made = real, {"linux": 1, "noarch": 1, "real": True}
        else:
            channel, made = make_channel(shared, work, point)
        info = channel_info(channel) if channel != real else dict(real_info)
        info["point"] = f"{point}x"
        info["factors"] = made
        expected = real_info["records"]["linux-64"] * linux + real_info["records"]["noarch"] * noarch
        info["expected_records"] = expected
        if info["total_records"] != expected:
            print(f"warning: {point}x has {info['total_records']:,} records, {expected:,} expected from "
                  f"--linux {linux} --noarch {noarch}", file=sys.stderr)
        channels[point] = (channel, info)

    machine = {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version(),
               "load_average_before": os.getloadavg(), "rss_floor_mb": run(["/bin/true"], 60)["rss_mb"]}
    version = subprocess.run([str(mlenv), "--version"], capture_output=True, text=True).stdout.strip().splitlines()
    tools = {"mlenv": str(mlenv), "mlenv_sha256": sha256(mlenv), "mlenv_version": version[0] if version else None,
             "py_rattler": None if args.no_rattler else package_version(VENV_PYTHON, "py-rattler")}

    results = []
    with tempfile.TemporaryDirectory(prefix="mlenv-conda-scale-") as scratch:
        for point in points:
            channel, info = channels[point]
            read_through(channel)
            cases = {"mlenv cold": [], "mlenv cold zst": [], "mlenv warm": [], "rattler": []}
            answers = {"mlenv": [], "rattler": []}

            def cold_runs(case, source, tag, keep_first):
                """--cold-runs cold resolves against `source`, each with a new cache; returns the
                first cache kept (for the warm runs) when `keep_first`."""
                kept = None
                for i in range(args.cold_runs):
                    cache = Path(scratch) / f"cache-{tag}{point}x-{i}"
                    row, answer = mlenv_run(mlenv, model, source, cache, args.timeout)
                    cases[case].append(row)
                    print(f"{point}x {case}: {row['wall']:.2f} s, {row['rss_mb']:.0f} MB {row.get('error', '')}",
                          file=sys.stderr, flush=True)
                    if keep_first and kept is None and answer is not None:
                        kept = cache
                    else:
                        shutil.rmtree(cache, ignore_errors=True)
                    if answer is None:
                        break
                    answers["mlenv"].append(answer)
                return kept

            warm_cache = cold_runs("mlenv cold", channel, "", keep_first=True)
            if args.zst:
                zst_channel = make_zst_channel(channel, work, point)
                for subdir in SUBDIRS:
                    (zst_channel / subdir / "repodata.json.zst").read_bytes()  # into the page cache
                cold_runs("mlenv cold zst", zst_channel, "zst-", keep_first=False)
            stop = {"mlenv warm": warm_cache is None, "rattler": args.no_rattler}
            for i in range(args.runs):
                for case in ("mlenv warm", "rattler"):
                    if stop[case]:
                        continue
                    if case == "mlenv warm":
                        row, answer = mlenv_run(mlenv, model, channel, warm_cache, args.timeout)
                    else:
                        row, answer = rattler_run(rattler_script, channel, args.timeout)
                    cases[case].append(row)
                    print(f"{point}x {case} {i + 1}/{args.runs}: {row['wall']:.2f} s, {row['rss_mb']:.0f} MB "
                          f"{row.get('error', row.get('note', ''))}", file=sys.stderr, flush=True)
                    if answer is None:
                        stop[case] = True
                    else:
                        answers["mlenv" if case == "mlenv warm" else "rattler"].append(answer)
            if warm_cache is not None:
                shutil.rmtree(warm_cache, ignore_errors=True)
            results.append({"point": point, "channel": info, "cases": {k: {"summary": summary(v), "runs": v} for k, v in cases.items()},
                            "answers": answers})

    machine["load_average_after"] = os.getloadavg()

    # Answers: every mlenv run at every point the same set; compared with rattler's.
    mlenv_sets = [(r["point"], a) for r in results for a in r["answers"]["mlenv"]]
    rattler_sets = [(r["point"], a) for r in results for a in r["answers"]["rattler"]]
    reference = mlenv_sets[0][1] if mlenv_sets else None
    mlenv_same = bool(mlenv_sets) and all(a == reference for _, a in mlenv_sets)
    mlenv_differs = sorted({p for p, a in mlenv_sets if a != reference})
    rattler_reference = rattler_sets[0][1] if rattler_sets else None
    rattler_same = bool(rattler_sets) and all(a == rattler_reference for _, a in rattler_sets)
    per_point = []
    for r in results:
        m, q = r["answers"]["mlenv"], r["answers"]["rattler"]
        entry = {"point": f"{r['point']}x", "mlenv_packages": len(m[0]) if m else None,
                 "rattler_packages": len(q[0]) if q else None}
        if m and q:
            entry["equal"] = m[0] == q[0]
            entry["diff_mlenv_vs_rattler"] = diff(m[0], q[0])
        per_point.append(entry)
    agreement = {"mlenv_identical_across_points": mlenv_same, "mlenv_points_differing_from_first": mlenv_differs,
                 "rattler_identical_across_points": rattler_same, "per_point": per_point,
                 "mlenv_answer": [f"{n} {v}" for n, v in reference] if reference else None,
                 "rattler_answer": [f"{n} {v}" for n, v in rattler_reference] if rattler_reference else None}

    # Growth exponents over the points that finished.
    growth = {}
    for case in ("mlenv cold", "mlenv cold zst", "mlenv warm", "rattler"):
        time_pts, rss_pts = [], []
        for r in results:
            s = r["cases"][case]["summary"]
            if "best_wall" in s:
                time_pts.append((r["channel"]["total_records"], s["best_wall"]))
                rss_pts.append((r["channel"]["total_records"], s["peak_rss_mb"]))
        growth[case] = {"time": fit(time_pts), "rss": fit(rss_pts)}

    for r in results:  # the answers are in `agreement`; keep the per-run rows small
        r["answers"] = {k: len(v) for k, v in r["answers"].items()}
        for case in r["cases"].values():
            for row in case["runs"]:
                row.pop("stdout", None)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps({
        "points": [f"{p}x" for p in points], "runs": args.runs, "cold_runs": args.cold_runs, "timeout": args.timeout,
        "specs": SPECS, "model": str(model), "machine": machine, "tools": tools, "results": results,
        "growth": growth, "agreement": agreement}, indent=2) + "\n")

    def cell(s, key, fmt):
        if "best_wall" in s:
            return fmt.format(s[key])
        if s["timeouts"]:
            return "timeout"
        return "failed" if s["runs"] else "—"

    print(f"mlenv {tools['mlenv_version']} ({mlenv}); py-rattler {tools['py_rattler']}; warm and rattler: best of "
          f"{args.runs}, cold: best of {args.cold_runs}; peak RSS: largest of the runs; load average before "
          f"{machine['load_average_before'][0]:.2f}, after {machine['load_average_after'][0]:.2f}; "
          f"RSS floor (/bin/true measured the same way) {machine['rss_floor_mb']:.0f} MB; — = not run (--no-rattler, or no cold run finished)")
    print()
    zst_header, zst_rule = (" mlenv cold .zst s | mlenv cold .zst RSS MB |", "---:|---:|") if args.zst else ("", "")
    print(f"| point | records | mlenv cold s | mlenv cold RSS MB |{zst_header} mlenv warm s | mlenv warm RSS MB | rattler s | rattler RSS MB | rattler/mlenv warm |")
    print(f"|---|---:|---:|---:|{zst_rule}---:|---:|---:|---:|---:|")
    for r in results:
        c, z, w, q = (r["cases"][k]["summary"] for k in ("mlenv cold", "mlenv cold zst", "mlenv warm", "rattler"))
        ratio = f"{q['best_wall'] / w['best_wall']:.2f}" if "best_wall" in q and "best_wall" in w else "—"
        zst_cells = f" {cell(z, 'best_wall', '{:.2f}')} | {cell(z, 'peak_rss_mb', '{:.0f}')} |" if args.zst else ""
        print(f"| {r['point']}x | {r['channel']['total_records']:,} | {cell(c, 'best_wall', '{:.2f}')} | {cell(c, 'peak_rss_mb', '{:.0f}')} |{zst_cells}"
              f" {cell(w, 'best_wall', '{:.3f}')} | {cell(w, 'peak_rss_mb', '{:.0f}')} | {cell(q, 'best_wall', '{:.3f}')} "
              f"| {cell(q, 'peak_rss_mb', '{:.0f}')} | {ratio} |")
    print()
    print("growth, b in y = a * records^b (least squares on log-log):")
    for case, g in growth.items():
        parts = []
        for what in ("time", "rss"):
            f = g[what]
            parts.append(f"{what} b = {f['b']:.2f} ({f['points']} points"
                         + (f", R² {f['r2']:.3f})" if f["r2"] is not None else ")") if f else f"{what}: fewer than 2 points")
        print(f"  {case}: " + "; ".join(parts))
    print()
    print(f"mlenv answer identical across points: {'yes' if mlenv_same else 'NO'} "
          f"({len(reference) if reference else 0} packages, {len(mlenv_sets)} runs"
          + (f"; differing: {', '.join(f'{p}x' for p in mlenv_differs)}" if mlenv_differs else "") + ")")
    if not args.no_rattler:
        print(f"rattler answer identical across points: {'yes' if rattler_same else 'NO'} ({len(rattler_sets)} runs)")
        aborted = sum(1 for r in results for row in r["cases"]["rattler"]["runs"] if "note" in row)
        if aborted:
            print(f"rattler runs that aborted in interpreter shutdown after a complete answer: {aborted}")
    for e in per_point:
        if "equal" not in e:
            continue
        if e["equal"]:
            print(f"{e['point']}: mlenv = rattler ({e['mlenv_packages']} packages, same names and versions)")
        else:
            d = e["diff_mlenv_vs_rattler"]
            print(f"{e['point']}: mlenv ≠ rattler ({e['mlenv_packages']} vs {e['rattler_packages']} packages): "
                  f"versions {d['versions'] or 'same'}; only mlenv {d['only_first'] or 'none'}; "
                  f"only rattler {d['only_second'] or 'none'}")
    print(f"\nresults: {OUT / 'results.json'}")
    if mlenv_sets and not mlenv_same:
        sys.exit(1)


if __name__ == "__main__":
    main()
