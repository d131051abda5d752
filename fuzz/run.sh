#!/usr/bin/env bash
# Runs one Specs fuzz target for a number of seconds.
#
#   fuzz/run.sh TARGET SECONDS [extra libFuzzer flags...]
#
# TARGET: pep440-version | specifier-set | requirement | marker | conda-version |
#         conda-version-spec | matchspec
# The corpus lives in fuzz/corpus/TARGET (seeded from fuzz/seeds/TARGET.txt, one input per
# line); crashes are written to fuzz/crashes/TARGET/. The libFuzzer summary goes to
# fuzz/logs/TARGET.log. One worker: the build machine has two cores to share.
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?target}
seconds=${2:?seconds}
shift 2
[ -x .build/specs-fuzzer ] || ./build.sh
mkdir -p "corpus/$target" "crashes/$target" logs
if [ -f "seeds/$target.txt" ] && [ -z "$(ls -A "corpus/$target")" ]; then
    i=0
    while IFS= read -r line; do
        printf '%s' "$line" > "corpus/$target/seed-$i"
        i=$((i + 1))
    done < "seeds/$target.txt"
fi
SPECS_FUZZ_TARGET="$target" ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no \
    ./.build/specs-fuzzer "corpus/$target" \
    -max_total_time="$seconds" -max_len=512 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="crashes/$target/" -print_final_stats=1 "$@" 2>&1 | tee "logs/$target.log" | tail -25
