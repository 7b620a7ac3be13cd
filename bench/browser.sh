#!/usr/bin/env bash
# Times `rift browser` against Hindsight (pyhindsight from PyPI) on the same
# Chrome History databases, in one run, and prints ratios and peak RSS.
#
# Inputs (built in a temp folder, fixtures never touched):
#   1. every Chrome History fixture (schema 16 … 36), one profile folder each;
#   2. a large History: hindsight_profile60 grown with the sqlite3 shell to
#      200 000 URLs/visits and 5 000 downloads (2 URLs in each chain).
#
# Hindsight 2026.06 imports `ccl_chromium_reader`, which is not on PyPI; a
# stub module is put on PYTHONPATH (only its LevelDB/session parsers use it,
# and the benchmark folders hold nothing but History files).
#
# Usage: bench/browser.sh            (needs sqlite3, hyperfine, /usr/bin/time)
#        RIFT=/path/to/rift bench/browser.sh
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FIX="${RIFT_FIXTURES:-$ROOT/../shared/fixtures}"
VENV="${VENV:-/work/venv-browser}"
WORK="$(mktemp -d /tmp/rift-bench-browser.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

# RIFT=/path/to/rift skips the build (e.g. a binary built from a clean tree).
if [ -z "${RIFT:-}" ]; then
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
  cargo build --release -p rift-cli --manifest-path "$ROOT/Cargo.toml" >&2
  RIFT="$CARGO_TARGET_DIR/release/rift"
fi

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q pyhindsight >&2
mkdir -p "$WORK/stub/ccl_chromium_reader"
: > "$WORK/stub/ccl_chromium_reader/__init__.py"
HINDSIGHT=("env" "PYTHONPATH=$WORK/stub" "$VENV/bin/python" "$VENV/bin/hindsight.py")

# 1. Fixture profiles.
mkdir -p "$WORK/fixtures"
for f in "$FIX"/browser/hindsight_profile*/History "$FIX"/browser/plaso_chrome/History*; do
  d="$WORK/fixtures/$(basename "$(dirname "$f")")_$(basename "$f")/Default"
  mkdir -p "$d" && cp "$f" "$d/History"
done

# 2. A large History.
mkdir -p "$WORK/large/Default"
cp "$FIX/browser/hindsight_profile60/History" "$WORK/large/Default/History"
sqlite3 "$WORK/large/Default/History" > /dev/null <<'SQL'
PRAGMA journal_mode = DELETE;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
INSERT INTO urls (url, title, visit_count, typed_count, last_visit_time, hidden)
  SELECT 'https://example.com/page/' || i || '?q=' || (i * 7919 % 100003), 'Page ' || i, 1, i % 3,
         13146444412088355 + i * 1000000, 0 FROM n;
INSERT INTO visits (url, visit_time, from_visit, transition, segment_id, visit_duration)
  SELECT id, last_visit_time, id - 1, 805306368 + (id % 9), 0, id % 60000000 FROM urls WHERE id > 100;
WITH RECURSIVE n(i) AS (SELECT 10 UNION ALL SELECT i + 1 FROM n WHERE i < 5009)
INSERT INTO downloads (id, guid, current_path, target_path, start_time, received_bytes, total_bytes,
    state, danger_type, interrupt_reason, hash, end_time, opened, last_access_time, transient,
    referrer, site_url, tab_url, tab_referrer_url, http_method, by_ext_id, by_ext_name, etag,
    last_modified, mime_type, original_mime_type)
  SELECT i, 'GUID-' || i, 'C:\Users\u\Downloads\file' || i || '.bin', 'C:\Users\u\Downloads\file' || i || '.bin',
         13146444412088355 + i * 1000000, i * 100, i * 100, 1, 0, 0, x'', 13146444412088355 + i * 1000000 + 5000,
         0, 0, 0, 'https://example.com/ref/' || i, '', 'https://example.com/tab/' || i, '', 'GET', '', '', '', '',
         'application/octet-stream', 'application/octet-stream' FROM n;
INSERT INTO downloads_url_chains (id, chain_index, url)
  SELECT id, 0, 'http://example.com/dl/' || id FROM downloads WHERE id >= 10;
INSERT INTO downloads_url_chains (id, chain_index, url)
  SELECT id, 1, 'https://cdn.example.com/dl/' || id || '.bin' FROM downloads WHERE id >= 10;
SQL

peak_rss_mb() { # command... -> peak RSS in MB
  /usr/bin/time -v "$@" > /dev/null 2> "$WORK/time.txt" || true
  awk -F: '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$WORK/time.txt"
}

median_s() { # json file from hyperfine -> median seconds of command N
  python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results']; print(' '.join('%.3f' % x['median'] for x in r))" "$1"
}

printf '%-10s %10s %10s %8s %12s %12s\n' input rift_s hindsight_s ratio rift_rss_MB hs_rss_MB
for name in fixtures large; do
  in="$WORK/$name"
  rift_cmd="$RIFT browser $in --csv $WORK/$name.csv --json $WORK/$name.jsonl"
  hs_cmd="${HINDSIGHT[*]} -i $in -o $WORK/hs_$name -f jsonl -l $WORK/hs_$name.log --temp_dir $WORK/hs_tmp"
  hyperfine --warmup 1 --runs 5 --export-json "$WORK/$name.json" \
    --prepare "rm -f $WORK/hs_$name.jsonl" "$rift_cmd" "$hs_cmd" > /dev/null 2>&1
  read -r rs hs < <(median_s "$WORK/$name.json")
  rrss=$(peak_rss_mb $RIFT browser "$in" --csv "$WORK/$name.csv" --json "$WORK/$name.jsonl")
  rm -f "$WORK/hs_$name.jsonl"
  hrss=$(peak_rss_mb "${HINDSIGHT[@]}" -i "$in" -o "$WORK/hs_$name" -f jsonl -l "$WORK/hs_$name.log" --temp_dir "$WORK/hs_tmp")
  ratio=$(python3 -c "print('%.1fx' % ($hs / $rs))")
  printf '%-10s %10s %10s %8s %12s %12s\n' "$name" "$rs" "$hs" "$ratio" "$rrss" "$hrss"
  # What each produced (rows / events), for the record.
  echo "  rift rows: $(($(wc -l < "$WORK/$name.csv") - 1)) csv, $(wc -l < "$WORK/$name.jsonl") jsonl;" \
       "hindsight events: $(wc -l < "$WORK/hs_$name.jsonl" 2>/dev/null || echo 0)"
done
