#!/usr/bin/env bash
# Lints the shared models and a tree of 1,000 copies with the release build, single process,
# and records wall time and peak memory (/usr/bin/time -v) in benchmarks/out/lint/.
#   benchmarks/lint/run.sh            (builds with: swift build -c release --static-swift-stdlib --scratch-path .build-lint-release)
set -euo pipefail
# The embedded snapshot unless a flag says otherwise: mlenv's own default is the live indexes.
export MLENV_SOURCES="${MLENV_SOURCES:-embedded}"
cd "$(dirname "$0")/../.."
scratch=${SCRATCH:-.build-lint-release}
swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product mlenv >/dev/null
bin="$scratch/release/mlenv"
out=benchmarks/out/lint
mkdir -p "$out"
tree=${TREE:-/tmp/mlenv-lint-tree}
benchmarks/lint/make-tree.sh 1000 "$tree" >/dev/null
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT

measure() {  # name, arguments...
  local name=$1; shift
  # exit 1 = findings, expected here
  /usr/bin/time -v "$bin" lint "$@" --format json --as-of 2026-11-25 --cache-dir "$cache" >"$out/$name.json" 2>"$out/$name.time" || [ $? -eq 1 ]
  local wall rss models
  wall=$(grep "Elapsed (wall clock)" "$out/$name.time" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$out/$name.time" | awk '{print $NF}')
  models=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); s=d['summary']; print(s['models'], 'models,', s['solves'], 'solves,', s['errors'], 'errors,', s['warnings'], 'warnings,', s['infos'], 'info')" "$out/$name.json")
  printf "%-28s wall %8s  peak RSS %7s MB  (%s)\n" "$name" "$wall" "$(awk -v r="$rss" 'BEGIN { printf "%.1f", r / 1024 }')" "$models"
}

measure shared-models-cold ../shared/models
measure shared-models-warm ../shared/models
measure tree-1000 "$tree"
measure tree-1000-jobs1 "$tree" --jobs 1
