#!/usr/bin/env bash
# Builds the JSON fuzzer: the harness plus every JSON source, compiled as one module with
# libFuzzer and AddressSanitizer (`swift build -sanitize=fuzzer` cannot link an executable, see
# DESIGN.md).
#
#   fuzz/json/build.sh           # → fuzz/json/.build/json-fuzzer (-Onone keeps bounds checks)
#   OPT=-O fuzz/json/build.sh    # faster, fewer checks
set -euo pipefail
cd "$(dirname "$0")/../.."
out=fuzz/json/.build
mkdir -p "$out"
swiftc ${OPT:--Onone} -g -parse-as-library -sanitize=fuzzer,address \
    -swift-version 6 -module-name JSONFuzz \
    fuzz/json/JSONFuzzer.swift Sources/JSON/*.swift \
    -o "$out/json-fuzzer"
echo "built $out/json-fuzzer"
