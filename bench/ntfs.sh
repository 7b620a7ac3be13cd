#!/usr/bin/env bash
# NTFS listing and $MFT parsing speed: rift vs The Sleuth Kit and mft_dump
# on the benchmark disk (bench/make-bench-disk.sh: 4 GiB, ~150 000 files),
# in one run. Prints wall times (median of N runs), ratios and peak RSS.
#
#   bench/ntfs.sh [RUNS]          (default 3)
#
#   1. rift ls -r            vs  fls -r -p -u   (allocated names)
#   2. rift ls -r --deleted  vs  fls -r -p      (plus deleted/orphans/slack)
#   3. rift mft --csv        vs  mft_dump -o csv  (on the extracted $MFT file)
#   4. rift mft --csv on the image (volume → $MFT → CSV, with full paths)
#
# Needs: cargo, sleuthkit (fls, icat), mft_dump (cargo install mft),
# /usr/bin/time. Not run in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
CACHE=bench/.cache
RAW=$CACHE/bench.raw
WORK=${BENCH_DIR:-target/bench-ntfs}
mkdir -p "$WORK"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}

[ -s "$RAW" ] || bash bench/make-bench-disk.sh
cargo build --release -q -p rift-cli --bin rift
RIFT="$CARGO_TARGET_DIR/release/rift"
SECTOR=2048
command -v mft_dump >/dev/null || { echo "mft_dump missing: cargo install mft" >&2; exit 1; }

# The volume's $MFT as a file (for mft_dump, which reads a standalone $MFT).
MFT="$WORK/bench.mft"
[ -s "$MFT" ] || icat -o "$SECTOR" "$RAW" 0 > "$MFT"
echo "bench disk: $(du -h --apparent-size "$RAW" | cut -f1), \$MFT $(du -h "$MFT" | cut -f1), $(fls -r -p -u -o $SECTOR "$RAW" | wc -l) allocated names"

# Warm the page cache once.
cat "$RAW" > /dev/null

# run NAME CMD... : median wall seconds over RUNS, peak RSS (KB) and
# CPU seconds (user+sys) of the median run. The machine is shared, so the
# CPU time is printed too (it is not inflated by other processes).
run() {
  local name=$1; shift
  local rows=()
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f '%e %M %U %S' -o "$WORK/time.txt" "$@" > "$WORK/out.txt" 2>/dev/null
    read -r t r u s < "$WORK/time.txt"
    rows+=("$t $r $(echo "$u + $s" | bc -l)")
  done
  local med
  med=$(printf '%s\n' "${rows[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
  read -r t r c <<< "$med"
  printf '%-34s %8.3f s wall  %7.3f s cpu  %7.1f MB  (%s lines)\n' "$name" "$t" "$c" "$(echo "$r/1024" | bc -l)" "$(wc -l < "$WORK/out.txt")" >&2
  echo "$t $r $c"
}

ratio() { echo "scale=2; $1 / $2" | bc -l; }

echo "== listing (page cache warm, $RUNS runs, median)" >&2
read -r fls_u fls_u_rss fls_u_cpu < <(run "fls -r -p -u" fls -r -p -u -o $SECTOR "$RAW")
read -r rift_u rift_u_rss rift_u_cpu < <(run "rift ls -r" "$RIFT" ls -r "$RAW")
read -r fls_a fls_a_rss fls_a_cpu < <(run "fls -r -p" fls -r -p -o $SECTOR "$RAW")
read -r rift_a rift_a_rss rift_a_cpu < <(run "rift ls -r --deleted" "$RIFT" ls -r --deleted "$RAW")

echo "== \$MFT → CSV" >&2
read -r md md_rss md_cpu < <(run "mft_dump -o csv (\$MFT file)" mft_dump -o csv "$MFT")
read -r rm rm_rss rm_cpu < <(run "rift mft --csv (\$MFT file)" "$RIFT" mft "$MFT" --csv -)
read -r ri ri_rss ri_cpu < <(run "rift mft --csv (image)" "$RIFT" mft "$RAW" --csv -)

echo
echo "ls -r           vs fls -r -p -u : $(ratio "$fls_u" "$rift_u")x faster wall, $(ratio "$fls_u_cpu" "$rift_u_cpu")x less CPU (goal >= 5x); RSS $((rift_u_rss/1024)) MB vs $((fls_u_rss/1024)) MB"
echo "ls -r --deleted vs fls -r -p    : $(ratio "$fls_a" "$rift_a")x faster wall, $(ratio "$fls_a_cpu" "$rift_a_cpu")x less CPU; RSS $((rift_a_rss/1024)) MB vs $((fls_a_rss/1024)) MB"
echo "mft --csv       vs mft_dump     : $(ratio "$md" "$rm")x faster wall, $(ratio "$md_cpu" "$rm_cpu")x less CPU (goal >= 2x); RSS $((rm_rss/1024)) MB vs $((md_rss/1024)) MB"
echo "mft --csv on the image (incl. volume open): ${ri} s, RSS $((ri_rss/1024)) MB"
