#!/usr/bin/env bash
# Builds the cache fuzzer. Channels imports C modules (CLibsolv, CSolvExt, CArchive, CCurl), so
# rather than copying sources this compiles the package's Channels target (and Basics, Requests,
# Specs, JSON and the C targets under it) with SwiftPM in its own build directory, instrumented
# for libFuzzer and AddressSanitizer, then links the harness against those object files. SwiftPM
# cannot link a fuzzer executable itself (it renames `main`), so the link is swiftc's (DESIGN.md).
# Debug builds are compiled for testing, so the harness reaches internal readers with @testable.
#
#   fuzz/cache/build.sh    # → fuzz/cache/.build/cache-fuzzer (objects in .build-fuzz/)
set -euo pipefail
cd "$(dirname "$0")/../.."
pkg=.build-fuzz
swift build --build-path "$pkg" --target Channels -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=address
debug="$pkg/debug"
out=fuzz/cache/.build
mkdir -p "$out"
objects=()
for target in Channels Basics Requests Specs JSON CArchive CCurl CSolvExt; do
    objects+=("$debug/$target.build"/*.o)
done
swiftc -Onone -g -parse-as-library -sanitize=fuzzer,address -swift-version 6 \
    -I "$debug/Modules" -I Sources/CLibsolv \
    -Xcc -fmodule-map-file="$debug/CArchive.build/module.modulemap" \
    -Xcc -fmodule-map-file="$debug/CCurl.build/module.modulemap" \
    -Xcc -fmodule-map-file="$debug/CSolvExt.build/module.modulemap" \
    -Xcc -I -Xcc Sources/CArchive/include -Xcc -I -Xcc Sources/CCurl/include -Xcc -I -Xcc Sources/CSolvExt/include \
    fuzz/cache/CacheFuzzer.swift "${objects[@]}" -lsolv -lsolvext -ldl \
    -o "$out/cache-fuzzer"
echo "built $out/cache-fuzzer"
