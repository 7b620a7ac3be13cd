#!/usr/bin/env bash
# $UsnJrnl:$J parsing speed: rift vs dissect.ntfs (peer) on the same
# synthetic ≥ 1 GiB journal, in one run. Prints MB/s, the ratio and peak RSS.
#
#   bench/usn.sh [SIZE_MIB]        (default 1024)
#
# Needs: cargo, python3 (a venv with dissect.ntfs is created under
# target/bench-usn/venv unless $PEER_PY points at a python that has it),
# /usr/bin/time. Not run in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB=${1:-1024}
WORK=${BENCH_DIR:-target/bench-usn}
mkdir -p "$WORK"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}

cargo build --release -q -p rift-cli --bin rift
cargo build --release -q -p rift-usn --example gen_journal
RIFT="$CARGO_TARGET_DIR/release/rift"
J="$WORK/J-${SIZE_MIB}MiB.bin"
if [ ! -f "$J" ]; then
  "$CARGO_TARGET_DIR/release/examples/gen_journal" "$J" "$SIZE_MIB"
fi
BYTES=$(stat -c %s "$J")

PY=${PEER_PY:-}
if [ -z "$PY" ]; then
  if [ ! -x "$WORK/venv/bin/python" ]; then
    python3 -m venv "$WORK/venv"
    "$WORK/venv/bin/pip" install -q dissect.ntfs
  fi
  PY=$WORK/venv/bin/python
fi
cat > "$WORK/peer.py" <<'PYEOF'
import sys
from dissect.ntfs.usnjrnl import UsnJrnl
n = 0
with open(sys.argv[1], "rb") as fh:
    for r in UsnJrnl(fh).records():
        # touch the fields a CSV row needs
        _ = (r.filename, r.FileReferenceNumber, r.ParentFileReferenceNumber, r.Usn, r.TimeStamp, r.Reason, r.FileAttributes)
        n += 1
print(n)
PYEOF

run() { # label, command...
  local label=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -v -o "$WORK/$label.time" "$@" > "$WORK/$label.out" 2> "$WORK/$label.err"
  t1=$(date +%s.%N)
  local secs rss cpu
  secs=$(echo "$t1 - $t0" | bc -l)
  rss=$(awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); print $2}' "$WORK/$label.time")
  cpu=$(awk -F: '/User time|System time/ {s += $2} END {print s}' "$WORK/$label.time")
  echo "$label $secs $rss $cpu"
}

cat "$J" > /dev/null # warm the page cache for both
R=$(run rift "$RIFT" usn "$J" --csv "$WORK/rift.csv")
P=$(run dissect "$PY" "$WORK/peer.py" "$J")
read -r _ RS RR RC <<<"$R"
read -r _ PS PR PC <<<"$P"
RN=$(($(wc -l < "$WORK/rift.csv") - 1))
PN=$(cat "$WORK/dissect.out")
MB=$(echo "$BYTES / 1000000" | bc -l)
printf 'input: %s (%d bytes)\n' "$J" "$BYTES"
printf 'rift usn --csv : %8.2f s wall %8.2f s cpu  %8.1f MB/s  %7d KB peak RSS  %d records (full MFTECmd CSV written)\n' "$RS" "$RC" "$(echo "$MB / $RS" | bc -l)" "$RR" "$RN"
printf 'dissect.ntfs   : %8.2f s wall %8.2f s cpu  %8.1f MB/s  %7d KB peak RSS  %d records (iterate only)\n' "$PS" "$PC" "$(echo "$MB / $PS" | bc -l)" "$PR" "$PN"
printf 'ratio (dissect / rift): wall %.1fx, cpu %.1fx\n' "$(echo "$PS / $RS" | bc -l)" "$(echo "$PC / $RC" | bc -l)"
