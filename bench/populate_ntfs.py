#!/usr/bin/env python3
"""Fill a mounted NTFS volume with a deterministic Windows-like tree.

Used by make-bench-disk.sh. Deterministic (seeded): the same disk comes out
every run, so bench numbers compare across machines. About FILES files in a
Windows-shaped hierarchy (Windows\\System32, WinSxS, Program Files, Users\\*
with AppData, Documents, Downloads, browser caches), a mix of compressible
content (text, logs, XML, PE-like binaries with zero padding) and random
content (media, archives, "encrypted" files), and ~4% of files deleted
afterwards so MFT entries are left unallocated.

usage: populate_ntfs.py MOUNTPOINT [--files N] [--bytes TOTAL]
"""
import os
import random
import sys

WORDS = ("system error service windows update driver registry kernel user "
         "session network policy security event process thread module file "
         "volume device manager config install package version runtime "
         "microsoft office chrome edge defender firewall audit logon task").split()
EXT_COMPRESSIBLE = [".txt", ".log", ".xml", ".ini", ".inf", ".manifest", ".json", ".html", ".js", ".css", ".dll", ".exe", ".sys", ".mui", ".etl", ".cat"]
EXT_RANDOM = [".jpg", ".png", ".mp4", ".zip", ".cab", ".msi", ".7z", ".pdf", ".docx", ".locked"]


def make_pool(rng, size=8 << 20):
    """Several MiB of log-like text; files take random slices of it (fast)."""
    out = []
    n = 0
    while n < size:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 14)))
        line = f"{rng.randint(2019, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} {line}\r\n"
        out.append(line)
        n += len(line)
    return "".join(out).encode()


POOL = b""


def text_content(rng, size):
    parts = []
    n = 0
    while n < size:
        take = min(size - n, rng.randint(4096, 1 << 20))
        start = rng.randrange(0, len(POOL) - take) if take < len(POOL) else 0
        parts.append(POOL[start:start + take])
        n += take
    return b"".join(parts)[:size]


def pe_like(rng, size):
    # Header, code-ish bytes, and long zero/pattern runs like real binaries.
    parts = [b"MZ\x90\x00" + bytes(60)]
    n = 64
    while n < size:
        kind = rng.random()
        k = rng.randint(256, 65536)
        if kind < 0.35:
            parts.append(bytes(k))
        elif kind < 0.6:
            parts.append(rng.randbytes(k))
        else:
            parts.append(text_content(rng, k))
        n += k
    return b"".join(parts)[:size]


def pick_size(rng, big):
    r = rng.random()
    if big:
        return rng.randint(1 << 20, 24 << 20)
    if r < 0.45:
        return rng.randint(0, 2048)
    if r < 0.8:
        return rng.randint(2048, 32768)
    if r < 0.97:
        return rng.randint(32768, 262144)
    return rng.randint(262144, 1 << 20)


def dirs(rng):
    users = ["Administrator", "jdoe", "asmith", "svc_backup"]
    d = []
    d += [f"Windows/System32/{s}" for s in ["", "drivers", "config", "wbem", "en-US", "DriverStore/FileRepository", "Tasks", "winevt/Logs", "catroot2"]]
    d += [f"Windows/WinSxS/amd64_microsoft-windows-{rng.choice(WORDS)}-{i:05d}_31bf3856ad364e35_10.0.19041.{rng.randint(1, 4000)}_none_{rng.getrandbits(48):012x}" for i in range(1800)]
    d += [f"Windows/{s}" for s in ["SysWOW64", "Fonts", "INF", "Logs/CBS", "Prefetch", "Temp", "servicing/Packages", "assembly/GAC_MSIL"]]
    d += [f"Program Files/{v}/{s}" for v in ["Microsoft Office/root/Office16", "Google/Chrome/Application", "7-Zip", "Mozilla Firefox", "Windows Defender", "Common Files/microsoft shared"] for s in ["", "locales", "resources", "bin"]]
    d += [f"Program Files (x86)/{v}" for v in ["Microsoft/Edge/Application", "Adobe/Acrobat Reader DC/Reader", "Steam", "Notepad++/plugins"]]
    d += ["ProgramData/Microsoft/Windows/Start Menu/Programs", "ProgramData/Microsoft/Windows Defender/Scans/History", "ProgramData/Package Cache"]
    for u in users:
        base = f"Users/{u}"
        d += [f"{base}/{s}" for s in ["Desktop", "Documents", "Documents/Projects", "Downloads", "Pictures", "Videos", "Music",
                                       "AppData/Local/Temp", "AppData/Local/Microsoft/Windows/INetCache/IE",
                                       "AppData/Local/Google/Chrome/User Data/Default/Cache/Cache_Data",
                                       "AppData/Roaming/Microsoft/Windows/Recent", "AppData/Roaming/Microsoft/Office",
                                       "AppData/LocalLow/Temp", "OneDrive/Documents"]]
    return d


def main():
    args = sys.argv[1:]
    root = args[0]
    files = 150_000
    total = 2_600 << 20
    if "--files" in args:
        files = int(args[args.index("--files") + 1])
    if "--bytes" in args:
        total = int(args[args.index("--bytes") + 1])
    rng = random.Random(20240101)
    global POOL
    POOL = make_pool(rng)
    dl = dirs(rng)
    for d in dl:
        os.makedirs(os.path.join(root, d), exist_ok=True)
    # A few large files carry most of the bytes; the rest are small.
    big_count = 90
    written = 0
    paths = []
    for i in range(files):
        big = i < big_count
        d = rng.choice(dl)
        rand_kind = rng.random() < (0.6 if big else 0.25)
        ext = rng.choice(EXT_RANDOM if rand_kind else EXT_COMPRESSIBLE)
        name = f"{rng.choice(WORDS)}{rng.choice(['', '_', '-'])}{rng.choice(WORDS)}{i:06d}{ext}"
        size = pick_size(rng, big)
        if written + size > total:
            size = rng.randint(0, 4096)
        if rand_kind:
            data = rng.randbytes(size)
        elif ext in (".dll", ".exe", ".sys", ".mui", ".cat", ".etl"):
            data = pe_like(rng, size)
        else:
            data = text_content(rng, size)
        p = os.path.join(root, d, name)
        with open(p, "wb") as f:
            f.write(data)
        written += len(data)
        paths.append(p)
        if i % 10000 == 0:
            print(f"populate: {i} files, {written >> 20} MiB", file=sys.stderr, flush=True)
    # Delete ~4% (leaves unallocated MFT entries and clusters).
    for p in rng.sample(paths, len(paths) // 25):
        os.remove(p)
    print(f"populate: done, {files} files written ({written >> 20} MiB), {len(paths) // 25} deleted", file=sys.stderr)


if __name__ == "__main__":
    main()
