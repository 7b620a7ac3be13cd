#!/usr/bin/env bash
# rift analyze vs plaso (psteal) on the same images, in one run.
#
#   bench/analyze.sh                 # scenario image + bench disk (if built)
#   PLASO=/path/to/venv bench/analyze.sh
#
# plaso is installed once into a venv (`pip install plaso`, ~5 min); the bench
# disk comes from bench/make-bench-disk.sh (4 GiB, ~150k files). Prints wall
# time, CPU time and peak RSS of each tool and the ratios. Not run in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
fx="${RIFT_FIXTURES:-../shared/fixtures}"
case "$fx" in /*) ;; *) fx="$root/$fx" ;; esac
venv="${PLASO:-/work/venv-plaso}"
work="${BENCH_WORK:-$root/bench/.cache/analyze}"
mkdir -p "$work"

if [ ! -x "$venv/bin/psteal" ]; then
  echo "installing plaso into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q plaso
fi
[ -n "${RIFT:-}" ] || cargo build --release -q -p rift-cli
rift="${RIFT:-$root/target/release/rift}"

measure() { # label, command...  -> prints "wall cpu rss"
  local label=$1; shift
  local log="$work/$label.time"
  /usr/bin/time -v "$@" > "$work/$label.out" 2> "$log" || { echo "$label failed; see $log" >&2; tail -5 "$log" >&2; }
  local wall cpu_u cpu_s rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  cpu_u=$(awk -F': ' '/User time/ {print $2}' "$log")
  cpu_s=$(awk -F': ' '/System time/ {print $2}' "$log")
  rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$log")
  echo "$wall $(echo "$cpu_u + $cpu_s" | bc) $rss"
}

run_pair() { # name image
  local name=$1 img=$2
  [ -f "$img" ] || { echo "skip $name: $img missing"; return; }
  rm -rf "$work/case-$name" "$work/plaso-$name.csv" "$work/plaso-$name.plaso"
  read -r rw rc rr < <(measure "rift-$name" "$rift" analyze "$img" --case "$work/case-$name" -q)
  read -r pw pc pr < <(measure "plaso-$name" env -C "$work" "$venv/bin/psteal" --source "$img" -w "$work/plaso-$name.csv" \
      --partitions all --volumes all --unattended -o l2tcsv)
  local rev pev
  rev=$(sqlite3 "$work/case-$name/case.sqlite" "select count(*) from timeline" 2>/dev/null || echo '?')
  pev=$(($(wc -l < "$work/plaso-$name.csv" 2>/dev/null || echo 1) - 1))
  printf '%-10s rift   %7.1f s wall %7.1f s cpu %7d KiB rss  %8s events\n' "$name" "$rw" "$rc" "$rr" "$rev"
  printf '%-10s plaso  %7.1f s wall %7.1f s cpu %7d KiB rss  %8s events\n' "$name" "$pw" "$pc" "$pr" "$pev"
  printf '%-10s ratio  %7.1fx wall %7.1fx cpu\n' "$name" "$(echo "$pw / $rw" | bc -l)" "$(echo "$pc / $rc" | bc -l)"
}

echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
run_pair scenario "$fx/scenario/public/disk.E01"
run_pair benchdisk "$root/bench/.cache/bench.E01"
