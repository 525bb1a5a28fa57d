#!/usr/bin/env python3
"""What decode does, in plain Python, for decode-bench.sh: read a .mcdump.gz with gzip, and per
item zlib-decompress (flag 8), pickle.loads and json.dumps a record to stdout. Not safe (pickle.loads
executes); a baseline for speed only.

  python-decode-equivalent.py DUMP > /dev/null
"""
import base64, gzip, json, pickle, sys, urllib.parse, zlib

out = sys.stdout
with gzip.open(sys.argv[1], "rb") as f:
    for line in f:
        if not line.startswith(b"ITEM "):
            continue
        p = line.split()
        key = urllib.parse.unquote_to_bytes(p[1].decode())
        flags, n = int(p[2]), int(p[3])
        value = f.read(n)
        f.read(1)
        data = zlib.decompress(value) if flags & 8 else value
        obj = pickle.loads(data) if flags & 1 else data
        rec = {"type": "item", "key": key.decode(), "size": n, "flags": flags, "cas": int(p[4]), "exp": int(p[5]), "la": int(p[6])}
        if hasattr(obj, "payload") and hasattr(obj, "metadata"):
            rec["dogpile"] = obj.metadata
            obj = obj.payload
        rec["value"] = obj
        out.write(json.dumps(rec, default=str) + "\n")
