#!/usr/bin/env bash
# Builds the bundle manifest fuzzer: the harness plus copies of Emit's BundleInventory.swift,
# Basics' FieldCheck.swift and the JSON sources, compiled as one module with libFuzzer and
# AddressSanitizer (module imports between them dropped). The tar reader is fuzzed through the
# mlenv binary instead (fuzz_tar.py): TarArchive.extract needs libarchive through CArchive's
# dlopen shim and Basics' file helpers.
#
#   fuzz/bundle/build.sh           # → fuzz/bundle/.build/bundle-fuzzer (-Onone keeps bounds checks)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=fuzz/bundle/.build
rm -rf "$out/src" && mkdir -p "$out/src"
for f in Sources/Emit/Bundle/BundleInventory.swift Sources/Basics/FieldCheck.swift Sources/JSON/*.swift; do
    name="$(echo "$f" | tr '/' '_')"
    sed -e '/^import JSON$/d' -e '/^import Basics$/d' "$f" > "$out/src/$name"
done
swiftc ${OPT:--Onone} -g -parse-as-library -sanitize=fuzzer,address \
    -swift-version 6 -module-name BundleFuzz \
    fuzz/bundle/BundleFuzzer.swift "$out"/src/*.swift \
    -o "$out/bundle-fuzzer"
echo "built $out/bundle-fuzzer"
