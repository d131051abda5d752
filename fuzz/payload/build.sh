#!/usr/bin/env bash
# Builds the payload fuzzer: the harness plus the JSON and Inference sources (and ModelFiles'
# Signature.swift, the only ModelFiles type the validator needs), compiled as one module with
# libFuzzer and AddressSanitizer. Module imports between them are dropped in a copy of the
# sources, since they become one module. `swift build -sanitize=fuzzer` cannot link an
# executable (SwiftPM renames `main`), so this calls swiftc directly (DESIGN.md).
#
#   fuzz/payload/build.sh           # → fuzz/payload/.build/payload-fuzzer (-Onone keeps bounds checks)
#   OPT=-O fuzz/payload/build.sh    # faster, fewer checks
set -euo pipefail
cd "$(dirname "$0")/../.."
out=fuzz/payload/.build
rm -rf "$out/src" && mkdir -p "$out/src"
sources=(Sources/JSON/*.swift Sources/ModelFiles/Signature.swift)
for f in Sources/Inference/*.swift; do
    case "$(basename "$f")" in
        ScoringCore.swift|InputExampleCheck.swift) ;;  # the Python scoring core / model loading: not payload parsing
        *) sources+=("$f") ;;
    esac
done
for f in "${sources[@]}"; do
    name="$(echo "$f" | tr '/' '_')"
    sed -e '/^import JSON$/d' -e '/^import ModelFiles$/d' -e '/^import YAML$/d' "$f" > "$out/src/$name"
done
swiftc ${OPT:--Onone} -g -parse-as-library -sanitize=fuzzer,address \
    -swift-version 6 -module-name PayloadFuzz \
    fuzz/payload/PayloadFuzzer.swift "$out"/src/*.swift \
    -o "$out/payload-fuzzer"
echo "built $out/payload-fuzzer"
