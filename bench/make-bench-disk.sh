#!/usr/bin/env bash
# Builds the benchmark disk once (cached under bench/.cache, gitignored):
#   bench/.cache/bench.raw   4 GiB MBR disk, one NTFS partition at sector 2048,
#                            ~150 000 files in a Windows-like tree (compressible
#                            and random content, ~4% deleted)
#   bench/.cache/bench.E01…  the same disk acquired with
#                            ewfacquire -c deflate:fast -S 1.5GiB -b 64 -f encase6
#                            (multi-segment), with MD5 + SHA1 stored.
# Needs root (ntfs-3g FUSE mount), mkntfs, ntfs-3g, sfdisk, ewfacquire, python3.
# Re-run with FORCE=1 to rebuild.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="$here/.cache"
mkdir -p "$cache"
raw="$cache/bench.raw"
disk_bytes=$((4 * 1024 * 1024 * 1024))
part_start=2048                       # sectors
part_bytes=$((disk_bytes - part_start * 512))

if [[ -n "${FORCE:-}" ]]; then rm -f "$raw" "$cache"/bench.E?? "$cache"/part.img; fi

if [[ ! -s "$raw" ]]; then
  echo "make-bench-disk: building NTFS volume ($((part_bytes >> 20)) MiB)" >&2
  part="$cache/part.img"
  rm -f "$part"
  truncate -s "$part_bytes" "$part"
  mkntfs -F -Q -q -L BENCH -p "$part_start" -H 255 -S 63 "$part" >/dev/null
  mnt="$(mktemp -d)"
  ntfs-3g -o rw,big_writes "$part" "$mnt"
  trap 'umount "$mnt" 2>/dev/null || true; rmdir "$mnt" 2>/dev/null || true' EXIT
  python3 "$here/populate_ntfs.py" "$mnt" --files "${BENCH_FILES:-150000}"
  umount "$mnt"
  rmdir "$mnt"
  trap - EXIT
  echo "make-bench-disk: assembling MBR disk" >&2
  tmp="$raw.tmp"
  rm -f "$tmp"
  truncate -s "$disk_bytes" "$tmp"
  printf 'label: dos\nlabel-id: 0x52494654\nstart=%d, type=7, bootable\n' "$part_start" | sfdisk -q "$tmp"
  dd if="$part" of="$tmp" bs=4M seek="$((part_start * 512))" oflag=seek_bytes conv=notrunc,sparse status=none
  rm -f "$part"
  mv "$tmp" "$raw"
fi

if [[ ! -s "$cache/bench.E01" ]]; then
  echo "make-bench-disk: acquiring E01 (deflate:fast, 1.5 GiB segments)" >&2
  rm -f "$cache"/bench.E??
  ewfacquire -u -q -t "$cache/bench" -c deflate:fast -S 1.5GiB -b 64 -f encase6 -d sha1 \
    -C BENCH-001 -D "rift benchmark disk" -E EV-BENCH -e "rift bench" -N "make-bench-disk.sh" \
    "$raw" >/dev/null
fi
ls -la "$raw" "$cache"/bench.E??
