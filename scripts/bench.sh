#!/usr/bin/env bash
# Builds knowledge bases of 1k, 10k and 50k generated postmortems and prints
# the wall time and peak memory of `pmsite build` for each (median of
# RUNS runs, each into a new output folder, as a CI build on a fresh clone).
#
# The outputs are deleted only at the end: ext4 is slow to create files
# right after deleting many (it skips recently freed inodes), which would
# charge one run's cleanup to the next. Free disk space: about 3 GB per run
# at 50k.
#
#   scripts/bench.sh                 # 1000 10000 50000
#   scripts/bench.sh 1000 10000      # chosen sizes
#   GEN_CORPUS=/path/to/gen-corpus RUNS=5 scripts/bench.sh
#
# Needs: gen-corpus (default ../shared/tools/gen-corpus), GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."

GEN_CORPUS=${GEN_CORPUS:-../shared/tools/gen-corpus}
RUNS=${RUNS:-3}
WORK=${BENCH_DIR:-${TMPDIR:-/tmp}/pmsite-bench}
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000 10000 50000)

if [ ! -x "$GEN_CORPUS" ]; then
  echo "gen-corpus not found at $GEN_CORPUS (set GEN_CORPUS)" >&2
  exit 2
fi
if [ ! -x /usr/bin/time ]; then
  echo "GNU time is needed: apt-get install -y time" >&2
  exit 2
fi

cargo build --release --quiet
BIN=$PWD/target/release/pmsite
mkdir -p "$WORK"
rm -rf "$WORK"/out-*
trap 'rm -rf "$WORK"/out-*' EXIT

printf '%-8s %10s %12s %12s %10s\n' "size" "wall (s)" "peak (MiB)" "output (MiB)" "files"
for n in "${SIZES[@]}"; do
  kb="$WORK/corpus-$n"
  if [ ! -f "$kb/book.toml" ]; then
    rm -rf "$kb"
    "$GEN_CORPUS" "$n" "$kb" >/dev/null
  fi
  walls=()
  peak=0
  for run in $(seq "$RUNS"); do
    out="$WORK/out-$n-$run"
    sync
    stats=$( { /usr/bin/time -f '%e %M' "$BIN" build --root "$kb" --out "$out" --now 2024-01-01 -q >/dev/null; } 2>&1 | tail -n 1)
    walls+=("${stats% *}")
    kb_peak=${stats#* }
    [ "$kb_peak" -gt "$peak" ] && peak=$kb_peak
  done
  median=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  size=$(du -sm "$out" | cut -f1)
  files=$(find "$out" -type f | wc -l)
  printf '%-8s %10s %12d %12s %10s\n' "$n" "$median" $((peak / 1024)) "$size" "$files"
done
