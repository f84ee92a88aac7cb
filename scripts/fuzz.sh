#!/usr/bin/env bash
# Fuzzes pmsite's build and check in-process (fuzz/fuzz_targets/site.rs):
# one knowledge base per input, no panic, no stack overflow, no hang, every
# error at a place, `check` failing wherever `build` does.
#
#   scripts/fuzz.sh [SECONDS] [extra libFuzzer options]    (default: 3600)
#
# Needs a nightly toolchain (rustup toolchain install nightly) and
# cargo-fuzz (cargo install cargo-fuzz). The corpus grows in
# fuzz/corpus/site/ (kept between runs); inputs that crash, hang or run out
# of memory land in fuzz/artifacts/site/. Replay one with
#   cargo +nightly fuzz run site fuzz/artifacts/site/crash-<hash>
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-3600}
shift || true
mkdir -p fuzz/corpus/site
cp -n fuzz/seeds/* fuzz/corpus/site/ 2>/dev/null || true
# No sanitizer: pmsite is safe Rust, and without one it runs several times
# more inputs; panics, stack overflows and hangs are caught all the same.
exec cargo +nightly fuzz run --sanitizer none site fuzz/corpus/site -- \
  -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 -max_len=200000 \
  -print_final_stats=1 "$@"
