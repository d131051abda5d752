#!/usr/bin/env bash
# Runs one fuzz target of a harness directory for a number of seconds (one worker, nice 10).
# The json/, yaml/, cache/ and bundle/ harnesses call it through their run.sh (a symbolic link
# here), so the harness is the directory the link sits in:
#
#   fuzz/json/run.sh SECONDS [TARGET] [extra libFuzzer flags...]
#
# Corpus: corpus/TARGET (seeded from seeds/ on the first run); crashes go to crashes/TARGET/,
# the libFuzzer output to logs/TARGET.log. TARGET defaults to "all".
set -euo pipefail
cd "$(dirname "$0")"   # the harness directory: $0 is its run.sh link
name=$(basename "$PWD")
seconds=${1:?seconds}
target=${2:-all}
shift $(( $# >= 2 ? 2 : 1 ))
[ -x ".build/$name-fuzzer" ] || ./build.sh
mkdir -p "corpus/$target" "crashes/$target" logs
if [ -z "$(ls -A "corpus/$target")" ]; then cp seeds/* "corpus/$target/"; fi
upper=$(echo "$name" | tr a-z A-Z)
env "${upper}_FUZZ_TARGET=$target" ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no nice -n 10 \
    "./.build/$name-fuzzer" "corpus/$target" \
    -max_total_time="$seconds" -max_len="${MAX_LEN:-8192}" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="crashes/$target/" -print_final_stats=1 "$@" 2>&1 | tee "logs/$target.log" | tail -25
