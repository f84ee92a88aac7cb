#!/usr/bin/env bash
# How often the times to detection and to recovery that imported
# postmortems state in their own words ("Time to detection: 8 minutes", a
# Stats list) agree with the ones pmsite derives from the imported
# timelines. Imports CORPUS into a new knowledge base under /tmp, builds
# it, and compares, for each stated value, the derived value of
# /postmortems.json (time to detect; time to mitigate or to resolve, as the
# `metric-mismatch` lint does) within the stated value's tolerance (a
# minute, or half the unit written when that is coarser: "7 hours" agrees
# within half an hour). A stated value with no derived value counts as a
# disagreement. `pmsite check --format json`'s `metric-mismatch` findings
# are counted too, as a cross-check.
#
#   scripts/import-agreement.sh                        # target/release/pmsite, dfds
#   scripts/import-agreement.sh /tmp/pmsite-import-base ../shared/corpora/dfds
#   VERBOSE=1 scripts/import-agreement.sh              # lists the disagreements
#
# Needs: python3.
set -euo pipefail
cd "$(dirname "$0")/.."

PMSITE=$(realpath "${1:-target/release/pmsite}")
CORPUS=$(realpath "${2:-../shared/corpora/dfds}")
KB=$(mktemp -d "${TMPDIR:-/tmp}/pmsite-agreement.XXXXXX")
trap 'rm -rf "$KB"' EXIT

printf '[site]\ntitle = "Agreement"\n' >"$KB/book.toml"
mkdir -p "$KB/content"
# An import that skips a file with an error still writes the others.
"$PMSITE" --root "$KB" -q import "$CORPUS" >/dev/null 2>"$KB/import.log" || true
"$PMSITE" --root "$KB" check --format json --now 2026-01-01 >"$KB/check.json" 2>/dev/null || true
"$PMSITE" --root "$KB" -q build --now 2026-01-01 >/dev/null 2>"$KB/build.log"

python3 - "$KB" <<'PY'
import json, os, re, sys

kb = sys.argv[1]
export = json.load(open(os.path.join(kb, "public/postmortems.json")))
by_id = {p["id"]: p for p in export["postmortems"]}
check = json.load(open(os.path.join(kb, "check.json")))
lint = sum(1 for f in check if f.get("code") == "metric-mismatch")

LABEL = re.compile(
    r"(?i)(?:^|[^a-z0-9])(?:m?tt(?P<abbr>[dr])|time[\s-]+to[\s-]+"
    r"(?P<what>detect(?:ion)?|discover(?:y)?|notice|recover(?:y)?|restor(?:e|ation)"
    r"|resol(?:ve|ution)|mitigat(?:e|ion)|repair|fix))(?:[*_]{1,2})?"
    r"(?:\s*(?:[:=\u2013\u2014-]|\bwas\b|\bof\b|\bis\b)\s*|\s+)(?:[*_]{1,2})?"
    r"(?:(?:~|about|approx\.?|approximately|around|roughly|ca\.?)\s*)?(?P<rest>\d.*)$"
)
PART = re.compile(
    r"(?i)^\s*(?:and\s+|,\s*)?(?P<n>\d+(?:\.\d+)?)\s*"
    r"(?P<u>days?|d|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)\b"
)
UNIT = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def duration(text):
    total, finest, used = 0.0, None, False
    while True:
        m = PART.match(text)
        if not m:
            break
        u = m["u"].lower()
        secs = UNIT["d" if u.startswith("d") else "h" if u.startswith("h") else
                    "m" if u.startswith("m") else "s"]
        step = secs // 10 if "." in m["n"] else secs
        finest = step if finest is None else min(finest, step)
        total += float(m["n"]) * secs
        text, used = text[m.end():], True
    if not used:
        return None
    return round(total), max(finest // 2, 60)


def since(p, key):
    s, t = p.get("started"), p.get(key)
    if not s or not t:
        return None
    from datetime import datetime
    f = lambda x: datetime.fromisoformat(x.replace("Z", "+00:00"))
    return int((f(t) - f(s)).total_seconds())


stated = agree = 0
rows = []
for root, _, files in os.walk(os.path.join(kb, "content/postmortems")):
    for name in sorted(files):
        if not name.endswith(".md"):
            continue
        pid = name[:-3]
        text = open(os.path.join(root, name), encoding="utf-8").read()
        # The body only: the front matter's events are the timeline.
        if text.startswith("---\n"):
            end = text.find("\n---\n", 4)
            text = text[end + 5:] if end >= 0 else text
        fence = False
        for line in text.split("\n"):
            if line.lstrip().startswith(("```", "~~~")):
                fence = not fence
            if fence:
                continue
            m = LABEL.search(line)
            if not m:
                continue
            d = duration(m["rest"])
            if d is None:
                continue
            what = (m["what"] or m["abbr"] or "").lower()
            detect = what.startswith(("detect", "discover", "notice", "d"))
            p = by_id.get(pid)
            if p is None:
                continue
            if detect:
                derived = [p.get("time_to_detect_s")]
            else:
                derived = [since(p, "mitigated"), p.get("time_to_resolve_s")]
            derived = [x for x in derived if x is not None]
            stated += 1
            ok = any(abs(x - d[0]) <= d[1] for x in derived)
            agree += ok
            if not ok:
                rows.append((pid, "detect" if detect else "recover", d[0] // 60, [x // 60 for x in derived]))

pct = 100.0 * agree / stated if stated else 0.0
print(f"stated values: {stated}; agree: {agree} ({pct:.1f}%); disagree: {stated - agree}; "
      f"metric-mismatch findings: {lint}; imported: {len(by_id)}")
if os.environ.get("VERBOSE"):
    for pid, kind, s, d in rows:
        print(f"  {pid}: time to {kind} stated {s} min, derived {d if d else 'none'} min")
PY
