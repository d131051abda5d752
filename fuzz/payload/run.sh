#!/usr/bin/env bash
# Runs the payload fuzzer for a number of seconds (one worker, low priority).
#
#   fuzz/payload/run.sh SECONDS [extra libFuzzer flags...]
#
# Corpus: fuzz/payload/corpus (seeded from fuzz/payload/seeds/*); crashes go to
# fuzz/payload/crashes/; the libFuzzer summary to fuzz/payload/logs/run.log.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:?seconds}
shift
[ -x .build/payload-fuzzer ] || ./build.sh
mkdir -p corpus crashes logs
if [ -z "$(ls -A corpus)" ]; then cp seeds/* corpus/; fi
ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no nice -n 10 \
    ./.build/payload-fuzzer corpus \
    -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix=crashes/ -print_final_stats=1 "$@" 2>&1 | tee logs/run.log | tail -25
