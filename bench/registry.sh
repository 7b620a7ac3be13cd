#!/usr/bin/env bash
# Times a full key/value walk of large hives: `rift reg ls HIVE -r --json`
# (every key, every value decoded to JSON) against regipy (pip, in a venv)
# walking and decoding the same hives, in one run; prints the ratio and peak
# RSS. Also times `rift reg replay` on the dirty SYSTEM hive.
#
# Inputs: regipy_SYSTEM_B (12 MiB), regipy_SYSTEM_WIN_10_1709 (15 MiB,
# decompressed), regipy_UsrClass.dat, regipy_Amcache.hve — clean copies made
# by rift's replay so both tools read exactly the same bytes.
#
# Usage: bench/registry.sh   (needs python3, /usr/bin/time, xz)
#        RIFT=/path/to/rift bench/registry.sh
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FIX="${RIFT_FIXTURES:-$ROOT/../shared/fixtures}/registry"
VENV="${VENV:-/work/venv-registry}"
WORK="$(mktemp -d /tmp/rift-bench-registry.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

if [ -z "${RIFT:-}" ]; then
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
  cargo build --release -p rift-cli --manifest-path "$ROOT/Cargo.toml" >&2
  RIFT="$CARGO_TARGET_DIR/release/rift"
fi
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q regipy >&2

xz -dc "$FIX/regipy_SYSTEM_WIN_10_1709.xz" > "$WORK/SYSTEM_1709.dirty"
"$RIFT" reg replay "$WORK/SYSTEM_1709.dirty" -o "$WORK/SYSTEM_1709" >/dev/null 2>&1 || cp "$WORK/SYSTEM_1709.dirty" "$WORK/SYSTEM_1709"
for h in regipy_SYSTEM_B regipy_UsrClass.dat regipy_Amcache.hve; do
  cp "$FIX/$h" "$WORK/$h.dirty"
  for l in LOG1 LOG2; do [ -f "$FIX/$h.$l" ] && cp "$FIX/$h.$l" "$WORK/$h.dirty.$l"; done
  "$RIFT" reg replay "$WORK/$h.dirty" -o "$WORK/$h" >/dev/null 2>&1 || cp "$WORK/$h.dirty" "$WORK/$h"
done
HIVES=("$WORK/regipy_SYSTEM_B" "$WORK/SYSTEM_1709" "$WORK/regipy_UsrClass.dat" "$WORK/regipy_Amcache.hve")

measure() { # label, command...: prints "label seconds maxrss_kb"
  local label=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$WORK/rss" "$@" > /dev/null 2>>"$WORK/err" || { echo "$label FAILED"; cat "$WORK/err"; exit 1; }
  t1=$(date +%s.%N)
  echo "$label $(echo "$t1 - $t0" | bc) $(cat "$WORK/rss")"
}

echo "== full key/value walk of ${#HIVES[@]} hives ($(du -ch "${HIVES[@]}" | tail -1 | cut -f1))"
export RIFT; export HIVES_LIST="${HIVES[*]}"
read -r _ RT RM < <(measure rift bash -c 'for h in $HIVES_LIST; do "$RIFT" reg ls "$h" -r --json --full --no-logs; done')
read -r _ PT PM < <(measure regipy "$VENV/bin/python" "$ROOT/bench/registry_walk.py" "${HIVES[@]}")
printf "rift   %8.2f s  peak RSS %7d KiB\n" "$RT" "$RM"
printf "regipy %8.2f s  peak RSS %7d KiB\n" "$PT" "$PM"
echo "ratio (regipy / rift): $(echo "scale=1; $PT / $RT" | bc)x"
"$VENV/bin/python" "$ROOT/bench/registry_walk.py" "${HIVES[@]}"

echo "== replay of regipy_SYSTEM_B (.LOG1 + .LOG2)"
read -r _ ST SM < <(measure replay "$RIFT" reg replay "$WORK/regipy_SYSTEM_B.dirty" -o "$WORK/replayed")
printf "rift reg replay %6.3f s  peak RSS %7d KiB\n" "$ST" "$SM"
