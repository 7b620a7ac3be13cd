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
# maps and writes EvtxECmd CSV (second variant: JSON lines); evtx_dump
# writes JSON lines and takes one file per process, so it runs once per
# file (as an analyst loops over a Logs folder); python-evtx renders every
# record's XML in one process (its 0.8.1 evtx_dump script is not packaged
# right, `No module named scripts`, so its library is driven directly, the
# way that script does).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
fix="${RIFT_FIXTURES:-$root/../shared/fixtures}"
fix="$(cd "$fix" && pwd)"
venv="${PY_EVTX_VENV:-/work/venv-evtx}"
target="${CARGO_TARGET_DIR:-$root/target}"

for t in hyperfine evtx_dump /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "missing $t" >&2; exit 1; }
done
"$venv/bin/python" -c 'import Evtx.Evtx' 2>/dev/null || { echo "python-evtx not found in $venv" >&2; exit 1; }
rust_dump="$(command -v evtx_dump)"

(cd "$root" && cargo build --release -q -p rift-cli)
rift="$target/release/rift"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
find "$fix/evtx" "$fix/ransomware" -name '*.evtx' -print0 | sort -z > "$tmp/list"
files=$(tr -cd '\0' < "$tmp/list" | wc -c)
bytes=$(xargs -0 cat < "$tmp/list" | wc -c)
echo "input: $files EVTX files, $((bytes / 1024 / 1024)) MiB ($fix)"

printf '%s\n' "\"$rift\" evtx \"$fix/evtx\" --csv \"$tmp/r1.csv\" -q && \"$rift\" evtx \"$fix/ransomware\" --csv \"$tmp/r2.csv\" -q" > "$tmp/rift_csv.sh"
printf '%s\n' "\"$rift\" evtx \"$fix/evtx\" --json \"$tmp/r1.jsonl\" -q && \"$rift\" evtx \"$fix/ransomware\" --json \"$tmp/r2.jsonl\" -q" > "$tmp/rift_json.sh"
printf '%s\n' "xargs -0 -n1 \"$rust_dump\" -o jsonl < \"$tmp/list\" > \"$tmp/d.jsonl\" 2>/dev/null || true" > "$tmp/evtx_dump.sh"
cat > "$tmp/python_evtx.py" <<'PY'
import sys
import Evtx.Evtx as evtx
out = open(sys.argv[1], "w")
n = bad = 0
for path in open(sys.argv[2], "rb").read().split(b"\0"):
    if not path:
        continue
    try:
        with evtx.Evtx(path.decode()) as log:
            for rec in log.records():
                try:
                    out.write(rec.xml())
                    n += 1
                except Exception:
                    bad += 1
    except Exception:
        bad += 1
print(n, bad, file=sys.stderr)
PY
printf '%s\n' "\"$venv/bin/python\" \"$tmp/python_evtx.py\" \"$tmp/p.xml\" \"$tmp/list\" 2> \"$tmp/p.count\"" > "$tmp/python_evtx.sh"

hyperfine --style basic --warmup 1 --runs 5 --export-json "$tmp/fast.json" \
  -n "rift evtx --csv" "bash $tmp/rift_csv.sh" \
  -n "rift evtx --json" "bash $tmp/rift_json.sh" \
  -n "evtx_dump -o jsonl" "bash $tmp/evtx_dump.sh"
hyperfine --style basic --runs 1 --export-json "$tmp/slow.json" \
  -n "python-evtx (library)" "bash $tmp/python_evtx.sh"

# One bigger log alone: no per-process start-up in the way.
big="$fix/evtx/plaso_System.evtx"
hyperfine --style basic --warmup 2 --runs 10 --export-json "$tmp/big.json" \
  -n "rift evtx --csv (System.evtx)" "\"$rift\" evtx \"$big\" --csv $tmp/big.csv -q" \
  -n "evtx_dump -o jsonl (System.evtx)" "\"$rust_dump\" -o jsonl \"$big\" > $tmp/big.jsonl"

rss() { /usr/bin/time -v bash "$1" 2>&1 >/dev/null | awk -F': ' '/Maximum resident/ {print $2}'; }
echo
rows=$(python3 -c 'import csv,sys; print(sum(sum(1 for _ in csv.reader(open(f, encoding="utf-8-sig", newline=""))) - 1 for f in sys.argv[1:]))' "$tmp/r1.csv" "$tmp/r2.csv")
echo "records: rift CSV $rows rows, evtx_dump $(wc -l < "$tmp/d.jsonl") lines," \
     "python-evtx $(cut -d' ' -f1 < "$tmp/p.count") records ($(cut -d' ' -f2 < "$tmp/p.count") failures)"
echo "peak RSS (KiB; largest single process): rift csv $(rss "$tmp/rift_csv.sh"), rift json $(rss "$tmp/rift_json.sh")," \
     "evtx_dump $(rss "$tmp/evtx_dump.sh"), python-evtx $(rss "$tmp/python_evtx.sh")"

python3 - "$tmp/fast.json" "$tmp/slow.json" "$tmp/big.json" <<'PY'
import json, sys
def load(*fs):
    res = {}
    for f in fs:
        for r in json.load(open(f))["results"]:
            res[r["command"]] = (r["median"], r.get("user") or 0.0)
    return res
def table(title, res, base):
    print()
    print(f"{title:36} {'median s':>9} {'user s':>7} {'x rift':>7}")
    for name, (t, u) in res.items():
        print(f"{name:36} {t:9.3f} {u:7.3f} {t / res[base][0]:7.2f}")
table("all fixture logs", load(sys.argv[1], sys.argv[2]), "rift evtx --csv")
table("one log (System.evtx, 5009 records)", load(sys.argv[3]), "rift evtx --csv (System.evtx)")
PY
