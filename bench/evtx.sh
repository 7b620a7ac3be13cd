#!/usr/bin/env bash
# Times `rift evtx` against evtx_dump (the evtx crate's CLI, Rust) and
# python-evtx over every EVTX fixture (evtx/ and ransomware/), in one run,
# and prints the ratios and peak RSS.
#
#   bench/evtx.sh                  # uses ../shared/fixtures, a venv at /work/venv-evtx
#   RIFT_FIXTURES=... PY_EVTX_VENV=... bench/evtx.sh
#
# Needs: hyperfine, /usr/bin/time, evtx_dump (cargo install evtx),
# python-evtx in a venv (python3 -m venv $PY_EVTX_VENV && $PY_EVTX_VENV/bin/pip install python-evtx).
# What each tool does: rift decodes every record, applies the 69 shipped
# maps and writes EvtxECmd CSV (and, second variant, JSON lines);
# evtx_dump writes JSON lines; python-evtx writes XML. evtx_dump and
# python-evtx take one file per process, so they run once per file (as an
# analyst would loop over a Logs folder); rift takes the folders.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
fix="${RIFT_FIXTURES:-$root/../shared/fixtures}"
fix="$(cd "$fix" && pwd)"
venv="${PY_EVTX_VENV:-/work/venv-evtx}"
target="${CARGO_TARGET_DIR:-$root/target}"

for t in hyperfine evtx_dump /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "missing $t" >&2; exit 1; }
done
[ -x "$venv/bin/evtx_dump.py" ] || { echo "python-evtx not found in $venv" >&2; exit 1; }
rust_dump="$(command -v evtx_dump)"

(cd "$root" && cargo build --release -q -p rift-cli)
rift="$target/release/rift"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
find "$fix/evtx" "$fix/ransomware" -name '*.evtx' -print0 | sort -z > "$tmp/list"
files=$(tr -cd '\0' < "$tmp/list" | wc -c)
bytes=$(xargs -0 cat < "$tmp/list" | wc -c)
echo "input: $files EVTX files, $((bytes / 1024 / 1024)) MiB ($fix)"

cat > "$tmp/rift_csv.sh" <<EOF
"$rift" evtx "$fix/evtx" --csv "$tmp/r1.csv" -q && "$rift" evtx "$fix/ransomware" --csv "$tmp/r2.csv" -q
EOF
cat > "$tmp/rift_json.sh" <<EOF
"$rift" evtx "$fix/evtx" --json "$tmp/r1.jsonl" -q && "$rift" evtx "$fix/ransomware" --json "$tmp/r2.jsonl" -q
EOF
cat > "$tmp/evtx_dump.sh" <<EOF
xargs -0 -n1 "$rust_dump" -o jsonl < "$tmp/list" > "$tmp/d.jsonl" 2>/dev/null || true
EOF
cat > "$tmp/python_evtx.sh" <<EOF
xargs -0 -n1 "$venv/bin/python" "$venv/bin/evtx_dump.py" < "$tmp/list" > "$tmp/p.xml" 2>/dev/null || true
EOF

hyperfine --style basic --warmup 1 --runs 5 --export-json "$tmp/fast.json" \
  -n "rift evtx --csv" "bash $tmp/rift_csv.sh" \
  -n "rift evtx --json" "bash $tmp/rift_json.sh" \
  -n "evtx_dump -o jsonl" "bash $tmp/evtx_dump.sh"
hyperfine --style basic --runs 1 --export-json "$tmp/slow.json" \
  -n "python-evtx evtx_dump.py" "bash $tmp/python_evtx.sh"

rss() { /usr/bin/time -v bash "$1" 2>&1 >/dev/null | awk -F': ' '/Maximum resident/ {print $2}'; }
echo
echo "records: rift CSV $(( $(wc -l < "$tmp/r1.csv") + $(wc -l < "$tmp/r2.csv") - 2 )) rows," \
     "evtx_dump $(wc -l < "$tmp/d.jsonl") lines, python-evtx $(grep -c '^<Event ' "$tmp/p.xml" || true) events"
echo "peak RSS (KiB; largest single process): rift csv $(rss "$tmp/rift_csv.sh"), rift json $(rss "$tmp/rift_json.sh")," \
     "evtx_dump $(rss "$tmp/evtx_dump.sh"), python-evtx $(rss "$tmp/python_evtx.sh")"

python3 - "$tmp/fast.json" "$tmp/slow.json" <<'EOF'
import json, sys
res = {}
for f in sys.argv[1:]:
    for r in json.load(open(f))["results"]:
        res[r["command"]] = r["median"]
base = res["rift evtx --csv"]
print()
print(f"{'tool':28} {'median s':>9} {'x rift csv':>11}")
for name, t in res.items():
    print(f"{name:28} {t:9.3f} {t / base:11.2f}")
EOF
