#!/usr/bin/env bash
# Times `rift prefetch` against libscca's `sccainfo` and `rift lnk` against
# liblnk's `lnkinfo` on the same inputs, in one run; prints ratios and peak
# RSS.
#
# Inputs (built in a temp folder, fixtures never touched):
#   prefetch: every prefetch fixture (XP … Windows 11, 10 MAM-compressed)
#             copied COPIES times (default 40) into one folder;
#   lnk:      example.lnk plus the 7 LNK streams of the automatic jump list
#             (cut out with olecfexport) and the 9 links of the custom one,
#             copied COPIES times.
# The peers read one file per process, so they run in a shell loop; rift
# reads the whole folder in one process and writes the full CSV.
#
# Measured here (2 cores, COPIES=40): prefetch 2520 files rift 0.57 s vs
# sccainfo loop 6.46 s (11x; mostly the peer's per-process start-up);
# lnk 680 files rift 0.04 s vs lnkinfo loop 1.59 s (38x); peak RSS rift
# 8.3 MB (prefetch, whole folder) / 6.9 MB (lnk), sccainfo 4.3 MB, lnkinfo
# 2.8 MB per file.
#
# Usage: bench/shell.sh   (needs hyperfine, /usr/bin/time, sccainfo, lnkinfo,
#                          olecfexport)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FIX="${RIFT_FIXTURES:-$ROOT/../shared/fixtures}"
COPIES="${COPIES:-40}"
WORK="$(mktemp -d /tmp/rift-bench-shell.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
cargo build --release -p rift-cli --manifest-path "$ROOT/Cargo.toml" >&2
RIFT="$CARGO_TARGET_DIR/release/rift"

# Prefetch corpus.
mkdir -p "$WORK/pf"
n=0
for c in $(seq 1 "$COPIES"); do
  for f in "$FIX"/prefetch/*/*.pf; do
    n=$((n + 1))
    cp "$f" "$WORK/pf/$n-$(basename "$f")"
  done
done

# LNK corpus.
mkdir -p "$WORK/lnk" "$WORK/x"
olecfexport -t "$WORK/x/auto" "$FIX/misc/1b4dd67f29cb1962.automaticDestinations-ms" >/dev/null
python3 - "$FIX/misc/5afe4de1b92fc382.customDestinations-ms" "$WORK/x" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
pat = bytes([0x4C, 0, 0, 0, 1, 0x14, 2, 0])
starts = [i for i in range(len(data) - 8) if data[i:i + 8] == pat]
for k, s in enumerate(starts):
    end = starts[k + 1] - 16 if k + 1 < len(starts) else len(data) - 4
    open(f"{sys.argv[2]}/custom{k}.lnk", "wb").write(data[s:end])
PY
n=0
for c in $(seq 1 "$COPIES"); do
  for f in "$FIX/misc/example.lnk" "$WORK"/x/auto.export/[0-9a-f]/StreamData.bin "$WORK"/x/custom*.lnk; do
    n=$((n + 1))
    cp "$f" "$WORK/lnk/$n.lnk"
  done
done

pf_files=$(ls "$WORK/pf" | wc -l)
lnk_files=$(ls "$WORK/lnk" | wc -l)
echo "prefetch files: $pf_files   lnk files: $lnk_files" >&2

hyperfine --warmup 1 --runs 5 --export-json "$WORK/pf.json" \
  -n "rift prefetch" "$RIFT prefetch $WORK/pf --csv $WORK/out.csv 2>/dev/null" \
  -n "sccainfo loop" "for f in $WORK/pf/*.pf; do sccainfo \"\$f\" >/dev/null 2>&1 || true; done" >&2
hyperfine --warmup 1 --runs 5 --export-json "$WORK/lnk.json" \
  -n "rift lnk" "$RIFT lnk $WORK/lnk --csv $WORK/out-lnk.csv 2>/dev/null" \
  -n "lnkinfo loop" "for f in $WORK/lnk/*.lnk; do lnkinfo \"\$f\" >/dev/null 2>&1 || true; done" >&2

rss() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident/ {print $2}'; }
rift_pf_rss=$(rss "$RIFT" prefetch "$WORK/pf" --csv "$WORK/out.csv")
scca_rss=$(rss sccainfo "$FIX/prefetch/plaso/BYTECODEGENERATOR.EXE-C1E9BCE6.pf")
rift_lnk_rss=$(rss "$RIFT" lnk "$WORK/lnk" --csv "$WORK/out-lnk.csv")
lnkinfo_rss=$(rss lnkinfo "$FIX/misc/example.lnk")

python3 - "$WORK/pf.json" "$WORK/lnk.json" <<PY
import json, sys
for path, what in ((sys.argv[1], "prefetch ($pf_files files)"), (sys.argv[2], "lnk ($lnk_files files)")):
    r = json.load(open(path))["results"]
    a, b = r[0], r[1]
    print(f"{what}: {a['command']} {a['median']:.3f} s, {b['command']} {b['median']:.3f} s, "
          f"peer/rift = {b['median'] / a['median']:.1f}x")
print("peak RSS (KiB): rift prefetch (whole folder) $rift_pf_rss, sccainfo (largest file) $scca_rss, "
      "rift lnk (whole folder) $rift_lnk_rss, lnkinfo (one file) $lnkinfo_rss")
PY
