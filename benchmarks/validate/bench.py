"""Benchmark: `mlenv validate` against MLflow's own parsing + enforcement on the same payloads.

    .venv-mlflow/bin/python benchmarks/validate/bench.py --mlenv PATH/TO/release/mlenv [--count 10000] [--big-mb 200]

1. Writes a model with a 50-column signature (doubles, longs, integers, floats, strings, booleans)
   and `count` request bodies for it (dataframe_split, dataframe_records, inputs and Azure ML
   input_data; 1 to 20 rows each; about one in ten broken).
2. Times `mlenv validate MODEL --payload DIR --format json` over all of them (one process, wall
   clock, including its start and loading MLmodel), and MLflow's `scoring_server` parsing + `_validate_prediction_input`
   (through score.validate_request) over the same files in one Python process (imports excluded).
3. Checks that both give the same verdicts, prints the ratio of wall-clock times and of CPU
   times (user + system; the steadier figure on a shared machine).
4. Writes a `big-mb` MB dataframe_split body and measures mlenv's peak memory on it with
   /usr/bin/time -v.
Nothing here asserts a time; the numbers go to RESULTS.md.
"""

import argparse
import json
import logging
import os
import random
import re
import resource
import subprocess
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Sources", "Inference", "Resources"))

TYPES = ["double"] * 20 + ["long"] * 10 + ["integer"] * 5 + ["float"] * 5 + ["string"] * 6 + ["boolean"] * 4


def value(t, rng):
    if t in ("double", "float"):
        return round(rng.uniform(-100, 100), 3)
    if t in ("long", "integer"):
        return rng.randint(-1000, 1000)
    if t == "string":
        return rng.choice(["red", "green", "blue", "cyan"])
    return rng.random() < 0.5


def body(i, rng, names):
    nrows = rng.randint(1, 20)
    rows = [[value(t, rng) for t in TYPES] for _ in range(nrows)]
    broken = i % 10 == 9
    if broken:
        r, c = rng.randrange(nrows), rng.randrange(len(TYPES))
        rows[r][c] = "not-a-number" if TYPES[c] not in ("string", "boolean") else [1, 2]
        if TYPES[c] == "boolean":
            rows[r][c] = None  # booleans accept anything; drop a column instead
            return {"dataframe_split": {"columns": names[1:], "data": [row[1:] for row in rows]}}
    kind = i % 4
    if kind == 0:
        return {"dataframe_split": {"columns": names, "data": rows}}
    if kind == 1:
        return {"dataframe_records": [dict(zip(names, row)) for row in rows]}
    if kind == 2:
        return {"inputs": {n: [row[j] for row in rows] for j, n in enumerate(names)}}
    return {"input_data": {"columns": names, "index": list(range(nrows)), "data": rows}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mlenv", required=True)
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--big-mb", type=int, default=200)
    ap.add_argument("--out", default=os.path.join(ROOT, "benchmarks", "out", "validate"))
    args = ap.parse_args()

    rng = random.Random(7)
    names = [f"f{i:02d}_{t}" for i, t in enumerate(TYPES)]
    model = os.path.join(args.out, "model")
    os.makedirs(model, exist_ok=True)
    spec = json.dumps([{"type": t, "name": n, "required": True} for n, t in zip(names, TYPES)])
    with open(os.path.join(model, "MLmodel"), "w") as f:
        f.write("flavors:\n  python_function:\n    loader_module: mlflow.sklearn\nsignature:\n  inputs: " + json.dumps(spec) + "\n")
    payload_dir = os.path.join(args.out, "payloads")
    os.makedirs(payload_dir, exist_ok=True)
    paths = []
    total_bytes = 0
    for i in range(args.count):
        p = os.path.join(payload_dir, f"p{i:05d}.json")
        text = json.dumps(body(i, rng, names))
        total_bytes += len(text)
        with open(p, "w") as f:
            f.write(text)
        paths.append(p)
    print(f"{args.count} payloads, {total_bytes / 1e6:.1f} MB, 50 columns")

    # mlenv: one process over all payloads.
    t0 = time.perf_counter()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([args.mlenv, "validate", model, "--format", "json", "--payload", payload_dir], capture_output=True)
    t_mlenv = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_mlenv = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    assert proc.returncode in (0, 1), proc.stderr.decode()[-2000:]
    mlenv_verdicts = [r["valid"] for r in json.loads(proc.stdout)]

    # MLflow: same parsing + enforcement in one Python process.
    logging.disable(logging.CRITICAL)
    warnings.filterwarnings("ignore")
    t_import = time.perf_counter()
    import score
    from mlflow.models import Model

    meta = Model.load(os.path.join(model, "MLmodel"))
    t_import = time.perf_counter() - t_import
    t0 = time.perf_counter()
    c0 = time.process_time()
    mlflow_verdicts = []
    for p in paths:
        with open(p, "rb") as f:
            data = f.read()
        try:
            score.validate_request(data, "application/json", None, meta)
            mlflow_verdicts.append(True)
        except Exception:
            mlflow_verdicts.append(False)
    t_mlflow = time.perf_counter() - t0
    cpu_mlflow = time.process_time() - c0
    agree = sum(a == b for a, b in zip(mlenv_verdicts, mlflow_verdicts))
    print(f"verdicts agree: {agree}/{args.count} ({sum(mlflow_verdicts)} valid per MLflow)")
    print(f"mlenv validate: {t_mlenv:.2f} s ({args.count / t_mlenv:.0f} payloads/s, process start included)")
    print(f"MLflow parse+enforce: {t_mlflow:.2f} s ({args.count / t_mlflow:.0f} payloads/s; imports {t_import:.1f} s not counted)")
    print(f"ratio: {t_mlflow / t_mlenv:.1f}x")
    # CPU time (user + system) is what a loaded, shared machine distorts least.
    print(f"CPU time: mlenv {cpu_mlenv:.2f} s, MLflow {cpu_mlflow:.2f} s, ratio {cpu_mlflow / cpu_mlenv:.1f}x")

    # Peak memory on a big body.
    if args.big_mb:
        big = os.path.join(args.out, "big.json")
        row = json.dumps([value(t, rng) for t in TYPES])
        nrows = args.big_mb * 1_000_000 // (len(row) + 1)
        with open(big, "w") as f:
            f.write('{"dataframe_split": {"columns": ' + json.dumps(names) + ', "data": [')
            for i in range(nrows):
                if i:
                    f.write(",")
                f.write(row)
            f.write("]}}")
        size = os.path.getsize(big)
        t0 = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-v", args.mlenv, "validate", model, "--payload", big, "--format", "json"], capture_output=True)
        elapsed = time.perf_counter() - t0
        rss = int(re.search(rb"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
        print(f"big payload: {size / 1e6:.1f} MB, {nrows} rows; mlenv exit {proc.returncode}, {elapsed:.1f} s, peak RSS {rss / 1024:.0f} MB ({rss * 1024 / size:.2f}x the body)")


if __name__ == "__main__":
    main()
