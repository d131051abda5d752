#!/usr/bin/env bash
# Builds the YAML fuzzer: the harness plus the YAML, ModelFiles, JSON and Specs sources compiled
# as one module with libFuzzer and AddressSanitizer, against the system libyaml through the
# CYAML module map (`-I Sources/CYAML`, `-lyaml`). Imports between those modules are dropped in
# a copy of the sources, since they become one module. `swift build -sanitize=fuzzer` cannot
# link an executable (SwiftPM renames `main`), so this calls swiftc directly (DESIGN.md).
#
#   fuzz/yaml/build.sh           # → fuzz/yaml/.build/yaml-fuzzer (-Onone keeps bounds checks)
#   OPT=-O fuzz/yaml/build.sh    # faster, fewer checks
set -euo pipefail
cd "$(dirname "$0")/../.."
out=fuzz/yaml/.build
rm -rf "$out/src" && mkdir -p "$out/src"
for f in Sources/YAML/*.swift Sources/ModelFiles/*.swift Sources/JSON/*.swift Sources/Specs/*.swift Sources/Specs/*/*.swift; do
    [ -f "$f" ] || continue
    name="$(echo "$f" | tr '/' '_')"
    sed -e '/^import JSON$/d' -e '/^import Specs$/d' -e '/^import YAML$/d' -e '/^@_exported import /d' "$f" > "$out/src/$name"
done
swiftc ${OPT:--Onone} -g -parse-as-library -sanitize=fuzzer,address \
    -swift-version 6 -module-name YAMLFuzz -I Sources/CYAML -lyaml \
    fuzz/yaml/YAMLFuzzer.swift "$out"/src/*.swift \
    -o "$out/yaml-fuzzer"
echo "built $out/yaml-fuzzer"
