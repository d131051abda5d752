#!/usr/bin/env bash
# Runs the spec benchmark: mlenv spec --batch against pypa/packaging (from PyPI, in a venv
# this script creates) on the same 100,000 comparisons and matches, plus the differential
# check on generated inputs.
#
#   benchmarks/spec/run.sh [path/to/mlenv]     (default: .build-release/release/mlenv;
#                                               build it with
#                                               swift build -c release --scratch-path .build-release)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
mlenv="${1:-$root/.build-release/release/mlenv}"
venv="${SPEC_BENCH_VENV:-$here/.venv}"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "packaging==26.4"
fi
"$venv/bin/python" "$here/bench.py" --mlenv "$mlenv" --count 100000 --repeat 5
"$venv/bin/python" "$here/differential.py" --mlenv "$mlenv" --count 50000 --seed 1
