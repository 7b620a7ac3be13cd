#!/usr/bin/env bash
# Times `rift verify` against libewf's `ewfverify` on the bench E01 (built once
# by make-bench-disk.sh), plus coreutils `md5sum` of the raw disk as the
# single-stream floor. Prints median wall time, ratios and peak RSS
# (/usr/bin/time -v). Page cache is warmed first so the numbers measure CPU
# work, not the disk. REPS=N (default 3) runs of each, interleaved.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
cache="$here/.cache"
reps="${REPS:-3}"

"$here/make-bench-disk.sh" >/dev/null
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
cargo build --release -q -p rift-cli --manifest-path "$root/Cargo.toml"
rift="$CARGO_TARGET_DIR/release/rift"

e01="$cache/bench.E01"
raw="$cache/bench.raw"
cat "$cache"/bench.E?? "$raw" >/dev/null   # warm the page cache

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# run NAME CMD... : appends "seconds rss_kib" to $tmp/NAME
run() {
  local name="$1"; shift
  /usr/bin/time -v "$@" >"$tmp/$name.out" 2>"$tmp/$name.time" || {
    echo "bench: $name failed:" >&2; tail -5 "$tmp/$name.time" >&2; exit 2; }
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; wall = s }
    /Maximum resident set size/ { rss = $2 }
    END { print wall, rss }' "$tmp/$name.time" >>"$tmp/$name"
}

for i in $(seq "$reps"); do
  run ewfverify ewfverify -q "$e01"
  run rift "$rift" verify -q "$e01"
  run md5sum md5sum "$raw"
done

median() { sort -n "$tmp/$1" | awk '{ w[NR] = $1; r = ($2 > r ? $2 : r) } END { print w[int((NR + 1) / 2)], r }'; }
read -r t_ewfverify rss_ewfverify < <(median ewfverify)
read -r t_rift rss_rift < <(median rift)
read -r t_md5sum rss_md5sum < <(median md5sum)

# Same answer from both tools.
md5_rift="$(awk '/^MD5/ { print $2 }' "$tmp/rift.out")"
md5_raw="$(awk '{ print $1 }' "$tmp/md5sum.out")"
[[ "$md5_rift" == "$md5_raw" ]] || { echo "bench: MD5 differs: rift $md5_rift, md5sum $md5_raw" >&2; exit 2; }

media=$(stat -c %s "$raw")
e01_bytes=$(cat "$cache"/bench.E?? | wc -c)
echo "input: $(( media >> 20 )) MiB media, E01 $(( e01_bytes >> 20 )) MiB in $(ls "$cache"/bench.E?? | wc -l) segments; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg); median of $reps"
printf '%-10s %8s %10s %12s\n' tool seconds MB/s peak_RSS_MiB
for t in ewfverify rift md5sum; do
  v="t_$t"; r="rss_$t"
  printf '%-10s %8.2f %10.0f %12.1f\n' "$t" "${!v}" "$(echo "$media / ${!v} / 1000000" | bc -l)" "$(echo "${!r} / 1024" | bc -l)"
done
echo "rift vs ewfverify: $(echo "$t_ewfverify / $t_rift" | bc -l | xargs printf '%.2f')x faster (goal >= 2x)"
echo "rift / md5sum(raw): $(echo "$t_rift / $t_md5sum" | bc -l | xargs printf '%.2f') (goal <= 1.25)"
echo "rift peak RSS: $(( rss_rift / 1024 )) MiB (goal <= 256 MiB)"
