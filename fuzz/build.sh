#!/usr/bin/env bash
# Builds the Specs fuzzer: the harness plus every Specs source, compiled as one module with
# libFuzzer and AddressSanitizer. `swift build -sanitize=fuzzer` cannot link an executable
# (SwiftPM renames `main`), so this calls swiftc directly (see DESIGN.md "Reliability rules").
#
#   fuzz/build.sh            # → fuzz/.build/specs-fuzzer  (-Onone: keeps Swift's bounds checks
#                            #   on unsafe buffers, which -O removes)
#   OPT=-O fuzz/build.sh     # faster, fewer checks
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p fuzz/.build
mapfile -t sources < <(find Sources/Specs -name '*.swift' | sort)
swiftc ${OPT:--Onone} -g -parse-as-library -sanitize=fuzzer,address \
    -swift-version 6 -module-name SpecsFuzz \
    fuzz/SpecsFuzzer.swift "${sources[@]}" \
    -o fuzz/.build/specs-fuzzer
echo "built fuzz/.build/specs-fuzzer"
