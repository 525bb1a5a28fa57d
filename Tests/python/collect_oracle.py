"""Reads the exact stored bytes of the given keys, for CollectTests: `gets` for text keys,
`mg <base64> b v f c` for binary ones. Run it only AFTER the non-disturbance check (gets bumps).

Usage: collect_oracle.py PORT < JSON list of hex keys → JSON {hex key: {flags, cas, value}} (value hex)
"""
import base64
import json
import socket
import sys

s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
f = s.makefile("rb")
out = {}
for hexkey in json.load(sys.stdin):
    key = bytes.fromhex(hexkey)
    if all(0x20 < b != 0x7F for b in key):
        s.sendall(b"gets " + key + b"\r\n")
        head = f.readline()
        if head == b"END\r\n":
            continue
        _, k, flags, n, cas = head.split()
        value = f.read(int(n) + 2)[:-2]
        assert f.readline() == b"END\r\n"
    else:
        s.sendall(b"mg " + base64.b64encode(key) + b" b v f c\r\n")
        head = f.readline()
        if head.startswith(b"EN"):
            continue
        parts = head.split()
        n = parts[1]
        flags = [p[1:] for p in parts if p.startswith(b"f")][0]
        cas = [p[1:] for p in parts if p.startswith(b"c")][0]
        value = f.read(int(n) + 2)[:-2]
    out[hexkey] = {"flags": int(flags), "cas": int(cas), "value": value.hex()}
print(json.dumps(out))
