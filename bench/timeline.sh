#!/usr/bin/env bash
# Case database throughput: rift-timeline batch inserts (usn + mft rows),
# timeline build and CSV/JSONL export, against the sqlite3 shell importing
# the same number of rows from CSV (`.import`, the usual way analysts load
# EZ-tools CSVs into SQLite). Run by hand: bench/timeline.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
OUT=${TMPDIR:-/tmp}/rift-bench-timeline
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p rift-timeline --example insert_bench
rm -rf "$OUT"; mkdir -p "$OUT"

echo "== rift-timeline ($N usn rows + $N mft rows)"
/usr/bin/time -v "$CARGO_TARGET_DIR/release/examples/insert_bench" "$OUT/rift" "$N" 2> "$OUT/rift.time" | tee "$OUT/rift.out"
grep -E "Elapsed|Maximum resident" "$OUT/rift.time"

echo "== sqlite3 .import of $N usn-like CSV rows (peer)"
python3 - "$N" > "$OUT/usn.csv" <<'PY'
import sys
n = int(sys.argv[1])
w = sys.stdout.write
w("usn,time,entry,seq,parent_entry,parent_seq,name,extension,full_path,reasons,reasons_text,attributes,version,offset\n")
for i in range(n):
    w(f"{i*96},2023-08-17T08:02:05.{i%10000000:07d}Z,{i%100000},1,5,5,file_{i}.docx,.docx,C:\\Users\\u\\Documents\\file_{i}.docx,2147483904,FileCreate|Close,32,2,{i*96}\n")
PY
start=$(date +%s.%N)
/usr/bin/time -v sqlite3 "$OUT/peer.sqlite" "PRAGMA journal_mode=WAL;" ".mode csv" ".import $OUT/usn.csv usn" 2> "$OUT/peer.time" > /dev/null
end=$(date +%s.%N)
grep -E "Elapsed|Maximum resident" "$OUT/peer.time"
peer=$(echo "$end - $start" | bc)
echo "peer: $N rows in ${peer}s = $(echo "$N / $peer" | bc) rows/s"
