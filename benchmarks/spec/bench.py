#!/usr/bin/env python3
"""Benchmark: `mlenv spec --batch` against pypa/packaging on the same 100,000 requests.

Generates 50,000 version comparisons and 50,000 specifier matches (deterministic: --seed),
answers them with `mlenv spec --batch` (wall clock of the whole process: start, JSON in,
work, JSON out) and with packaging (the library calls alone, and end to end with JSON like
the batch), checks that every answer agrees, and prints the times and the ratios.

    python3 bench.py --mlenv .build-release/release/mlenv [--count 100000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time

import packaging
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

PRE = ["a1", "a2", "b1", "rc1", "rc2", ".dev0", ".post1"]


def release(rng: random.Random) -> str:
    major = rng.choice([0, 1, 1, 2, 2, 3, 4, 10, 22, 2024])
    parts = [major, rng.randint(0, 30)]
    if rng.random() < 0.6:
        parts.append(rng.randint(0, 20))
    return ".".join(map(str, parts))


def version(rng: random.Random) -> str:
    v = release(rng)
    if rng.random() < 0.15:
        v += rng.choice(PRE)
    if rng.random() < 0.03:
        v += "+local." + str(rng.randint(0, 9))
    if rng.random() < 0.01:
        v = "1!" + v
    return v


def specifier(rng: random.Random) -> str:
    shape = rng.random()
    a = release(rng)
    if shape < 0.3:
        return f">={a},<{int(a.split('.')[0]) + 1}"
    if shape < 0.45:
        return f"=={a.rsplit('.', 1)[0]}.*"
    if shape < 0.6:
        return f"~={a}"
    if shape < 0.7:
        return f"!={a},>={release(rng)}"
    if shape < 0.8:
        return f">={a}"
    if shape < 0.9:
        return f"=={a}"
    return f">{a},!={release(rng)},<{release(rng)}"


def requests(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    # A realistic working set: a resolver asks about the same few thousand versions and specs.
    versions = [version(rng) for _ in range(5000)]
    specs = [specifier(rng) for _ in range(2000)]
    out = []
    for i in range(count):
        if i % 2 == 0:
            out.append({"id": i, "op": "compare", "ecosystem": "pypi", "a": rng.choice(versions), "b": rng.choice(versions)})
        else:
            out.append({"id": i, "op": "match", "ecosystem": "pypi", "spec": rng.choice(specs),
                        "version": rng.choice(versions), "prereleases": rng.choice([None, None, True, False])})
    return out


def answer(req: dict, make_version, make_set) -> object:
    try:
        if req["op"] == "compare":
            a, b = make_version(req["a"]), make_version(req["b"])
            return (a > b) - (a < b)
        return make_set(req["spec"]).contains(req["version"], prereleases=req["prereleases"])
    except (InvalidVersion, InvalidSpecifier):
        return "error"


def packaging_library(reqs: list[dict], cached: bool) -> tuple[float, list]:
    make_version, make_set = Version, SpecifierSet
    if cached:
        make_version = functools.lru_cache(maxsize=None)(Version)
        make_set = functools.lru_cache(maxsize=None)(SpecifierSet)
    start = time.perf_counter()
    out = [answer(r, make_version, make_set) for r in reqs]
    return time.perf_counter() - start, out


def packaging_end_to_end(payload: str) -> float:
    """The batch protocol in Python: decode each line, answer, encode each line."""
    start = time.perf_counter()
    lines = []
    for line in payload.split("\n")[:-1]:
        req = json.loads(line)
        result = answer(req, Version, SpecifierSet)
        lines.append(json.dumps({"id": req["id"], "result": result}))
    "\n".join(lines)
    return time.perf_counter() - start


def mlenv_batch(binary: str, payload: bytes) -> tuple[float, list]:
    start = time.perf_counter()
    run = subprocess.run([binary, "spec", "--batch"], input=payload, capture_output=True, check=True)
    elapsed = time.perf_counter() - start
    results = []
    for line in run.stdout.decode().split("\n")[:-1]:
        a = json.loads(line)
        results.append(a["result"] if "result" in a else "error")
    return elapsed, results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mlenv", required=True)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    reqs = requests(args.count, args.seed)
    payload = "".join(json.dumps(r) + "\n" for r in reqs)
    data = payload.encode()

    mlenv_times, ours = [], None
    for _ in range(args.repeat):
        t, ours = mlenv_batch(args.mlenv, data)
        mlenv_times.append(t)
    lib_times, theirs = [], None
    for _ in range(args.repeat):
        t, theirs = packaging_library(reqs, cached=False)
        lib_times.append(t)
    cached_times = [packaging_library(reqs, cached=True)[0] for _ in range(args.repeat)]
    e2e_times = [packaging_end_to_end(payload) for _ in range(args.repeat)]

    disagreements = [r for r, a, b in zip(reqs, ours, theirs) if a != b]
    for r in disagreements[:10]:
        print("DISAGREE", r)

    m = statistics.median(mlenv_times)
    lib, cached, e2e = statistics.median(lib_times), statistics.median(cached_times), statistics.median(e2e_times)
    cpu = platform.processor() or platform.machine()
    print(f"requests: {len(reqs)} ({sum(r['op'] == 'compare' for r in reqs)} compare, "
          f"{sum(r['op'] == 'match' for r in reqs)} match), seed {args.seed}, median of {args.repeat} runs")
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, {cpu}; Python {platform.python_version()}, "
          f"packaging {packaging.__version__}")
    print(f"answers agree: {len(reqs) - len(disagreements)}/{len(reqs)}")
    print(f"mlenv spec --batch (whole process, JSON in/out):   {m * 1000:8.1f} ms")
    print(f"packaging, library calls only (no JSON):           {lib * 1000:8.1f} ms   ratio {lib / m:5.1f}x")
    print(f"packaging, library calls with lru_cache parsing:   {cached * 1000:8.1f} ms   ratio {cached / m:5.1f}x")
    print(f"packaging, same JSON Lines protocol in Python:     {e2e * 1000:8.1f} ms   ratio {e2e / m:5.1f}x")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
