#!/usr/bin/env python3
"""regipy side of bench/registry.sh: a full key/value walk (every key, every
value decoded) of each hive given, printing the counts."""
import logging
import sys

from regipy.registry import RegistryHive

logging.disable(logging.CRITICAL)
for p in sys.argv[1:]:
    h = RegistryHive(p)
    k = v = 0
    for sk in h.recurse_subkeys(as_json=False):
        k += 1
        for val in sk.values or []:
            _ = val.value
            v += 1
    print(p, k, v)
