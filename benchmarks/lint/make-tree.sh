#!/usr/bin/env bash
# Makes a tree of N model directories (default 1000) by copying the shared models round-robin:
#   benchmarks/lint/make-tree.sh [N] [OUT]     (OUT default: /tmp/mlenv-lint-tree; not committed)
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-1000}
out=${2:-/tmp/mlenv-lint-tree}
source=../shared/models
models=()
for dir in "$source"/*/; do [ -f "$dir/MLmodel" ] && models+=("${dir%/}"); done
[ ${#models[@]} -gt 0 ] || { echo "no models in $source" >&2; exit 2; }
rm -rf "$out"
made=0
batch=0
while [ "$made" -lt "$count" ]; do
  for model in "${models[@]}"; do
    [ "$made" -lt "$count" ] || break
    target=$(printf '%s/batch-%03d/%s' "$out" "$batch" "$(basename "$model")")
    mkdir -p "$(dirname "$target")"
    cp -R "$model" "$target"
    made=$((made + 1))
  done
  batch=$((batch + 1))
done
echo "$made models under $out"
