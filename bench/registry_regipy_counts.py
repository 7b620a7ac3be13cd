#!/usr/bin/env python3
"""Second independent oracle for rift-hive's log replay (hivex is the first,
in the tests): regipy counts the keys and values of the hives *rift*
replayed, and, for information, of the hives regipy replays itself
(regipy.recovery.apply_transaction_logs). Output is committed as
crates/rift-hive/tests/data/regipy_counts.json and checked by the test
`replay::regipy_counts_agree`. Run by hand (needs a built rift and regipy in
a venv):

    python3 -m venv /work/venv-registry && /work/venv-registry/bin/pip install regipy
    cargo build --release -p rift-cli
    /work/venv-registry/bin/python bench/registry_regipy_counts.py target/release/rift \
        ../shared/fixtures/registry > crates/rift-hive/tests/data/regipy_counts.json
"""
import json
import logging
import os
import subprocess
import sys
import tempfile

from regipy.recovery import apply_transaction_logs
from regipy.registry import RegistryHive

HIVES = ["regipy_SYSTEM_B", "regipy_transactions_NTUSER.DAT", "regipy_UsrClass.dat"]


def count(path):
    hive = RegistryHive(path)
    keys = values = 0
    # recurse_subkeys yields the root key too.
    for sk in hive.recurse_subkeys(as_json=False):
        keys += 1
        values += len(sk.values or [])
    return keys, values


def main():
    logging.disable(logging.CRITICAL)
    rift, d = sys.argv[1], sys.argv[2]
    out = {}
    for name in HIVES:
        p = os.path.join(d, name)
        with tempfile.TemporaryDirectory() as t:
            ours = os.path.join(t, "rift")
            subprocess.run([rift, "reg", "replay", p, "-o", ours], check=True, capture_output=True)
            k, v = count(ours)
            dst = os.path.join(t, "regipy")
            restored, pages = apply_transaction_logs(p, p + ".LOG1", secondary_log_path=p + ".LOG2", restored_hive_path=dst)
            rk, rv = count(restored)
            out[name] = {
                "regipy_reading_rift_replay": {"keys": k, "values": v},
                "regipy_own_replay": {"keys": rk, "values": rv, "recovered_pages": pages},
            }
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
