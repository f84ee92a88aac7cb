#!/usr/bin/env bash
# pmsite against Hugo on the same content: writes a generated knowledge
# base for each (gen-corpus N, default 10000; `--flavor hugo` for Hugo's),
# then builds both in turns, ROUNDS times (default 5; pmsite first in odd
# rounds, Hugo first in even ones), each into a new output folder, timed
# by GNU time. Prints every run, both medians and their ratio (pmsite /
# Hugo).
#
#   scripts/vs-hugo.sh              # 10000 postmortems, 5 rounds
#   ROUNDS=3 scripts/vs-hugo.sh 1000
#
# The outputs are deleted only at the end: ext4 is slow to create files
# right after many were deleted (it skips recently freed inodes), which
# would charge one build's cleanup to the next. Timings on a shared
# machine vary with what else runs: compare the medians of the same run.
# Needs: hugo (apt-get install -y hugo), GNU time, gen-corpus (default
# ../shared/tools/gen-corpus). Free disk: about 0.7 GB per round at 10000.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-10000}
ROUNDS=${ROUNDS:-5}
GEN_CORPUS=${GEN_CORPUS:-../shared/tools/gen-corpus}
WORK=${BENCH_DIR:-${TMPDIR:-/tmp}/pmsite-vs-hugo}

for tool in hugo /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 2; }
done
[ -x "$GEN_CORPUS" ] || { echo "gen-corpus not found at $GEN_CORPUS (set GEN_CORPUS)" >&2; exit 2; }

cargo build --release --quiet
BIN=$PWD/target/release/pmsite
mkdir -p "$WORK"
kb="$WORK/pmsite-$N"
hk="$WORK/hugo-$N"
[ -f "$kb/book.toml" ] || { rm -rf "$kb"; "$GEN_CORPUS" "$N" "$kb" >/dev/null; }
[ -f "$hk/hugo.toml" ] || { rm -rf "$hk"; "$GEN_CORPUS" "$N" "$hk" --flavor hugo >/dev/null; }
trap 'rm -rf "$WORK"/out-*' EXIT

echo "$(hugo version | cut -d' ' -f1-2); pmsite $(git describe --always --dirty); $N postmortems, $ROUNDS rounds"
pm=()
hu=()
rm -rf "$WORK"/out-*
run_pmsite() {
  sync
  { /usr/bin/time -f '%e' "$BIN" build --root "$kb" --out "$WORK/out-pmsite-$1" --now 2024-01-01 -q >/dev/null; } 2>&1 | tail -n 1
}
run_hugo() {
  sync
  { /usr/bin/time -f '%e' hugo --quiet --source "$hk" --destination "$WORK/out-hugo-$1" >/dev/null; } 2>&1 | tail -n 1
}
# Which goes first alternates: the first build after the old outputs were
# deleted (and each build's effect on the next) falls on both in turn.
for round in $(seq "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then
    t=$(run_pmsite "$round")
    h=$(run_hugo "$round")
  else
    h=$(run_hugo "$round")
    t=$(run_pmsite "$round")
  fi
  pm+=("$t")
  hu+=("$h")
  printf 'round %d: pmsite %6.2f s   hugo %6.2f s\n' "$round" "$t" "$h"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mp=$(median "${pm[@]}")
mh=$(median "${hu[@]}")
echo "median: pmsite $mp s, hugo $mh s, ratio $(awk -v a="$mp" -v b="$mh" 'BEGIN {printf "%.2f", a / b}')"
