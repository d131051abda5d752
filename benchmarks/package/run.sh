#!/usr/bin/env bash
# `mlenv package` with a warm artifact cache against a conda-pack-like physical limit.
#
#   benchmarks/package/run.sh                 # N=3 rounds; ~2 minutes once the cache is warm
#   N=5 WORK=/some/scratch benchmarks/package/run.sh
#   PERF=1 benchmarks/package/run.sh          # also `perf record` one warm run (where the time goes)
#
# Uses the existing release binary (.build/release/mlenv; it is not rebuilt) on the end-to-end
# fixture model (fixtures/models/sklearn-iris, --deployment azureml-online --env-manager virtualenv).
#   1. warms the artifact cache: one `mlenv package` with --cache-dir $WORK/cache (the first time
#      ever this downloads ~106 wheels through pip: a few minutes; later it only resolves);
#   2. N rounds, each timing under /usr/bin/time -v (wall, user+sys, peak RSS), in this order:
#      `mlenv package ... -o $WORK/out/iris.tar.gz --force`, the two baselines below,
#      `mlenv package ... -o $WORK/out/iris/ --force` (directory output), cp alone. Checks the N
#      tarballs (and the warm-up's, written under the same name) are byte-identical, and the N
#      directories hold the same files. The baselines work on the bundle's inputs: the model
#      directory and every wheel, taken from the cache by the sha256 in MANIFEST.json:
#        cp-tar-czf    cp into a staging dir, then tar czf         (GNU tar runs gzip, level 6)
#        cp-tar-gzip   cp into a staging dir, then tar cf - | gzip -n
#      (tar with --sort=name --mtime --owner=0 --group=0 --numeric-owner, as deterministic as
#      mlenv's bundle). Rounds interleave the variants so other jobs' load hits all of them alike;
#   3. the pieces alone: tar cf (no compression), tar cf | gzip -1, sha256sum of the inputs, and
#      `mlenv resolve` (the part of `package` before any file is touched);
#   4. prints a table (median of N, min-max) and the ratios; every /usr/bin/time report and a TSV
#      go to benchmarks/out/package/ (not committed).
# Writes nothing in the repository outside benchmarks/out/package/.
set -euo pipefail
# The embedded snapshot unless a flag says otherwise: mlenv's own default is the live indexes.
export MLENV_SOURCES="${MLENV_SOURCES:-embedded}"
cd "$(dirname "$0")/../.."
repo=$PWD
bin=$repo/.build/release/mlenv
[ -x "$bin" ] || { echo "run.sh: $bin is missing; build it first (make release)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "run.sh: needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 2; }
N=${N:-3}
work=${WORK:-${TMPDIR:-/tmp}/mlenv-bench-package}
[ -n "$work" ] && [ "$work" != / ] || { echo "run.sh: bad WORK" >&2; exit 2; }
cache=$work/cache
out=$repo/benchmarks/out/package
model=fixtures/models/sklearn-iris
args=(package "$model" --deployment azureml-online --env-manager virtualenv --cache-dir "$cache")
mkdir -p "$work" "$out"
rm -f "$out"/*.time "$out"/*.stdout "$out"/*.stderr "$out"/results.tsv
printf 'name\trun\twall_s\tmax_rss_kb\tuser_s\tsys_s\n' >"$out/results.tsv"

# measure NAME RUN COMMAND...: one timed run; its /usr/bin/time -v report goes to $out/NAME-RUN.time.
measure() {
  local name=$1 run=$2; shift 2
  local report="$out/$name-$run.time"
  /usr/bin/time -v -o "$report" "$@" >"$out/$name-$run.stdout" 2>"$out/$name-$run.stderr" || {
    echo "run.sh: $name run $run failed:" >&2; cat "$out/$name-$run.stderr" >&2; exit 1; }
  local wall rss user sys
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$report")
  rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$report")
  user=$(awk -F': ' '/User time/ { print $2 }' "$report")
  sys=$(awk -F': ' '/System time/ { print $2 }' "$report")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$run" "$wall" "$rss" "$user" "$sys" >>"$out/results.tsv"
  printf '   %-14s run %s: %6.2f s  peak RSS %6.1f MB  (user %s s, sys %s s)\n' "$name" "$run" "$wall" \
    "$(awk -v r="$rss" 'BEGIN { printf "%.1f", r / 1024 }')" "$user" "$sys"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out/load.txt"

# 1. Warm the cache (and write a first bundle under the same name as the timed ones).
echo "1. warming the artifact cache in $cache"
rm -rf "$work/warmup" && mkdir -p "$work/warmup"
measure warmup 1 "$bin" "${args[@]}" -o "$work/warmup/iris.tar.gz" --force
sed 's/^/   /' "$out/warmup-1.stderr"

# The baseline's inputs: the model directory and every wheel of the bundle, taken from the cache
# by the sha256 the warm-up bundle's MANIFEST.json gives each pkgs/ file.
tar -xzf "$work/warmup/iris.tar.gz" -C "$work/warmup" iris/MANIFEST.json
python3 - "$work/warmup/iris/MANIFEST.json" "$cache" "$repo/$model" >"$work/inputs.txt" <<'PY'
import json, os, sys
manifest, cache, model = sys.argv[1:]
files = json.load(open(manifest))["files"]
for path, sha in files.items():
    if path.startswith("pkgs/"):
        source = os.path.join(cache, "artifacts", "sha256", sha[:2], sha, os.path.basename(path))
        assert os.path.isfile(source), source
        print(source)
for name in sorted(os.listdir(model)):
    print(os.path.join(model, name))
PY
wheels=$(grep -c '\.whl$' "$work/inputs.txt" || true)
input_files=$(wc -l <"$work/inputs.txt")
input_bytes=$(xargs stat -c %s <"$work/inputs.txt" | awk '{ s += $1 } END { print s }')
echo "   baseline inputs: $input_files files ($wheels wheels + model files), $input_bytes bytes"
stage=$work/stage
cat >"$work/baseline.sh" <<BASELINE
#!/usr/bin/env bash
# \$1: czf | gzip | cp | tar | gzip1 | sha256
set -euo pipefail
tarflags=(--sort=name --mtime=@315532800 --owner=0 --group=0 --numeric-owner)
copy() {
  rm -rf "$stage" && mkdir -p "$stage/iris/model" "$stage/iris/pkgs/wheels"
  grep '\.whl\$' "$work/inputs.txt" | xargs cp -t "$stage/iris/pkgs/wheels"
  cp -r "$repo/$model/." "$stage/iris/model"
}
case \$1 in
  czf)    copy; tar "\${tarflags[@]}" -czf "$work/base.tar.gz" -C "$stage" iris ;;
  gzip)   copy; tar "\${tarflags[@]}" -cf - -C "$stage" iris | gzip -n >"$work/base-pipe.tar.gz" ;;
  cp)     copy ;;
  tar)    tar "\${tarflags[@]}" -cf "$work/base.tar" -C "$stage" iris ;;
  gzip1)  tar "\${tarflags[@]}" -cf - -C "$stage" iris | gzip -1 -n >"$work/base-1.tar.gz" ;;
  sha256) xargs sha256sum <"$work/inputs.txt" >/dev/null ;;
esac
BASELINE
chmod +x "$work/baseline.sh"

# 2. N interleaved rounds.
echo "2. N=$N rounds: mlenv package (tar.gz, then DIR/) with the warm cache, and the cp + tar baselines"
mkdir -p "$work/out"
shas=() dirsums=()
for i in $(seq "$N"); do
  measure mlenv-tar.gz "$i" "$bin" "${args[@]}" -o "$work/out/iris.tar.gz" --force
  shas+=("$(sha256sum "$work/out/iris.tar.gz" | cut -d' ' -f1)")
  measure cp-tar-czf "$i" "$work/baseline.sh" czf
  measure cp-tar-gzip "$i" "$work/baseline.sh" gzip
  measure mlenv-dir "$i" "$bin" "${args[@]}" -o "$work/out/iris/" --force
  dirsums+=("$(cd "$work/out/iris" && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1)")
  measure cp-only "$i" "$work/baseline.sh" cp
done
warm_sha=$(sha256sum "$work/warmup/iris.tar.gz" | cut -d' ' -f1)
identical=yes
for s in "${shas[@]}"; do [ "$s" = "$warm_sha" ] || identical=no; done
dir_identical=yes
for s in "${dirsums[@]}"; do [ "$s" = "${dirsums[0]}" ] || dir_identical=no; done
bundle_bytes=$(stat -c %s "$work/out/iris.tar.gz")
dir_files=$(find "$work/out/iris" -type f | wc -l)
dir_bytes=$(find "$work/out/iris" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
echo "   sha256 of the warm-up bundle and the $N warm ones: $warm_sha ${shas[*]} -> identical: $identical"
echo "   directory outputs identical (sha256 of every file): $dir_identical"

# 3. The pieces alone.
echo "3. the pieces alone, N=$N each"
for i in $(seq "$N"); do measure tar-only "$i" "$work/baseline.sh" tar; done
for i in $(seq "$N"); do measure tar-gzip-1 "$i" "$work/baseline.sh" gzip1; done
for i in $(seq "$N"); do measure sha256sum "$i" "$work/baseline.sh" sha256; done
for i in $(seq "$N"); do
  measure mlenv-resolve "$i" "$bin" resolve "$model" --deployment azureml-online --env-manager virtualenv --cache-dir "$cache"
done
tar_bytes=$(stat -c %s "$work/base.tar")
gz1_bytes=$(stat -c %s "$work/base-1.tar.gz")
base_bytes=$(stat -c %s "$work/base.tar.gz")
pipe_bytes=$(stat -c %s "$work/base-pipe.tar.gz")
base_same=$(cmp -s "$work/base.tar.gz" "$work/base-pipe.tar.gz" && echo yes || echo no)

if [ "${PERF:-0}" = 1 ] && command -v perf >/dev/null; then
  echo "   perf (499 Hz) of one warm tar.gz run: CPU seconds by shared object"
  perf record -q -F 499 -o "$work/perf.data" "$bin" "${args[@]}" -o "$work/out/iris.tar.gz" --force 2>/dev/null
  perf report -i "$work/perf.data" --no-children --sort dso --stdio -n -g none 2>/dev/null \
    | awk '/%/ && $2 > 20 { printf "     %-28s %5.2f s  %s\n", $3, $2 / 499, $1 }' | tee "$out/perf-dso.txt"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/load.txt"

# 4. Summary: median (min-max) per name.
echo
python3 - "$out/results.tsv" <<PY
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
by = {}
for r in rows: by.setdefault(r["name"], []).append(r)
med, cpu = {}, {}
print(f"{'run':<15}{'wall median (min-max)':>26}{'user+sys median':>17}{'peak RSS median':>18}")
for name, rs in by.items():
    w = [float(r["wall_s"]) for r in rs]; m = [int(r["max_rss_kb"]) / 1024 for r in rs]
    c = [float(r["user_s"]) + float(r["sys_s"]) for r in rs]
    med[name] = statistics.median(w); cpu[name] = statistics.median(c)
    print(f"{name:<15}{med[name]:>10.2f} s ({min(w):.2f}-{max(w):.2f})  {cpu[name]:>10.2f} s  {statistics.median(m):>10.1f} MB")
print()
for a, b in [("mlenv-tar.gz", "cp-tar-czf"), ("mlenv-tar.gz", "cp-tar-gzip"), ("mlenv-dir", "cp-only")]:
    print(f"ratio {a} / {b:<12}: wall {med[a] / med[b]:.2f}, CPU {cpu[a] / cpu[b]:.2f}")
print("inputs: $input_files files ($wheels wheels), $input_bytes bytes")
print("sizes: mlenv tar.gz $bundle_bytes, tar czf $base_bytes, tar|gzip -n $pipe_bytes, tar|gzip -1 $gz1_bytes, plain tar $tar_bytes bytes")
print("mlenv directory output: $dir_files files, $dir_bytes bytes; identical over $N runs: $dir_identical")
print("mlenv tar.gz byte-identical over $N warm runs + warm-up: $identical (sha256 ${shas[0]})")
print("baseline tar czf and tar|gzip -n outputs byte-identical: $base_same")
PY
