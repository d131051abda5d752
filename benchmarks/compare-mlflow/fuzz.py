#!/usr/bin/env python3
"""Mutation fuzzing of `mlenv validate`: no crash, no hang, whatever the body.

    python3 benchmarks/compare-mlflow/fuzz.py --mlenv PATH/TO/mlenv [--seconds 600] [--seed 1]

Needs the corpus of run.py (benchmarks/out/compare-mlflow/cases.jsonl and its models). Each round
takes a batch of corpus bodies, mutates each (byte flips and insertions, truncation, a section
repeated, values swapped for null / deep nesting / huge numbers / zone-aware dates / ragged rows,
keys renamed), writes them to a directory and runs one `mlenv validate MODEL --payload DIR
--format json` per model. A crash is an exit by signal or a status other than 0, 1 and 2; a hang
is a batch that takes over --timeout seconds. Every failing body is kept under
benchmarks/out/compare-mlflow/fuzz-failures/ with the command that failed. Exit 1 when any.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(ROOT, "benchmarks", "out", "compare-mlflow")

TOKENS = [b"null", b"[]", b"{}", b"[[", b"]]", b"1e400", b"-0", b"NaN", b"Infinity", b'"2024-01-02T03:04:05Z"',
          b'"2024-01-02T03:04:05+02:00"', b'"\\u0000"', b'"\\ud800"', b"9" * 40, b'"data"', b'"columns"', b"[" * 200,
          b'{"a": [1, 2], "b": [3]}', b"true", b'"aGVsbG8="']


def mutate(body, rng):
    b = bytearray(body)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(7)
        if not b:
            b += rng.choice(TOKENS)
            continue
        i = rng.randrange(len(b))
        if op == 0:
            b[i] = rng.randrange(256)
        elif op == 1:
            b[i:i] = rng.choice(TOKENS)
        elif op == 2:
            del b[i:]
        elif op == 3:
            j = min(len(b), i + rng.randint(1, 64))
            b[i:i] = b[i:j] * rng.randint(1, 8)
        elif op == 4:
            j = min(len(b), i + rng.randint(1, 16))
            b[i:j] = rng.choice(TOKENS)
        elif op == 5:
            b = bytearray(b.replace(b'"data"', rng.choice([b'"dat"', b'"data"', b'"index"']), 1))
        else:
            b = bytearray(b.replace(b"[", b"[" * rng.randint(2, 50), 1))
    return bytes(b)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mlenv", required=True)
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--timeout", type=float, default=60)
    args = ap.parse_args()
    corpus_file = os.path.join(OUT, "cases.jsonl")
    if not os.path.exists(corpus_file):
        sys.exit(f"{corpus_file} is missing: run benchmarks/compare-mlflow/run.py first")
    by_model = {}
    with open(corpus_file) as f:
        for line in f:
            case = json.loads(line)
            if case.get("content_type", "application/json") != "application/json":
                continue
            by_model.setdefault(case["model"], []).append(case["body"].encode("utf-8", "surrogatepass"))
    models = sorted(by_model)
    rng = random.Random(args.seed)
    work = os.path.join(OUT, "fuzz-work")
    failures_dir = os.path.join(OUT, "fuzz-failures")
    shutil.rmtree(failures_dir, ignore_errors=True)
    start = time.time()
    rounds = bodies = failures = 0
    while time.time() - start < args.seconds:
        model = rng.choice(models)
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
        for i in range(args.batch):
            with open(os.path.join(work, f"{i:04d}.json"), "wb") as f:
                f.write(mutate(rng.choice(by_model[model]), rng))
        cmd = [args.mlenv, "validate", model, "--payload", work, "--format", "json"]
        began = time.time()
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=args.timeout)
            status, hung = proc.returncode, False
        except subprocess.TimeoutExpired:
            status, hung = None, True
        rounds += 1
        bodies += args.batch
        if hung or status is None or status < 0 or status not in (0, 1, 2):
            failures += 1
            kept = os.path.join(failures_dir, f"round-{rounds}")
            shutil.copytree(work, kept)
            with open(os.path.join(kept, "COMMAND"), "w") as f:
                f.write(" ".join(cmd) + f"\n# {'hang' if hung else f'status {status}'} after {time.time() - began:.1f} s\n")
            print(f"round {rounds}: {'hang' if hung else f'status {status}'}; kept in {kept}", file=sys.stderr, flush=True)
    shutil.rmtree(work, ignore_errors=True)
    print(f"{bodies} mutated bodies in {rounds} rounds over {len(models)} models, {time.time() - start:.0f} s: "
          f"{failures} failing round(s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
