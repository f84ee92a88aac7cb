#!/usr/bin/env bash
# How heavy the pages of a big site are: builds a generated knowledge base
# (gen-corpus N, default 10000) with the release binary, checks that the
# paginated lists lose nothing (scripts/check-lists.py), serves the output
# with `python3 -m http.server` on 127.0.0.1, and prints per kind of page
# the number of pages, the largest one's HTML bytes, its DOM elements and
# its load time in headless Chromium (benches/page_weight.rs), then the
# output's size and file count.
#
#   scripts/page-weight.sh              # 10000 postmortems
#   scripts/page-weight.sh 1000
#   GEN_CORPUS=/path/to/gen-corpus BENCH_DIR=/tmp/w scripts/page-weight.sh
#
# Needs: gen-corpus (default ../shared/tools/gen-corpus), python3, Chromium.
# Free disk: about 1 GB at 10000 (the knowledge base and the site; the site
# is deleted at the end, the knowledge base kept for the next run).
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-10000}
GEN_CORPUS=${GEN_CORPUS:-../shared/tools/gen-corpus}
WORK=${BENCH_DIR:-${TMPDIR:-/tmp}/pmsite-weight}
kb="$WORK/corpus-$N"
out="$WORK/site-$N"

if [ ! -x "$GEN_CORPUS" ]; then
  echo "gen-corpus not found at $GEN_CORPUS (set GEN_CORPUS)" >&2
  exit 2
fi
cargo build --release --quiet
mkdir -p "$WORK"
if [ ! -f "$kb/book.toml" ]; then
  rm -rf "$kb"
  "$GEN_CORPUS" "$N" "$kb" >/dev/null
fi
rm -rf "$out"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  rm -rf "$out"
}
trap cleanup EXIT

target/release/pmsite build --root "$kb" --out "$out" --now 2024-01-01 -q
python3 scripts/check-lists.py "$out"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$out" >/dev/null 2>&1 &
server=$!
for _ in $(seq 100); do
  if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/')" 2>/dev/null; then
    break
  fi
  sleep 0.1
done
echo "gen-corpus $N, pmsite $(git describe --always --dirty), search index included"
PMSITE_BENCH_SITE="$out" PMSITE_BENCH_URL="http://127.0.0.1:$port/" \
  cargo bench --quiet --bench page_weight
