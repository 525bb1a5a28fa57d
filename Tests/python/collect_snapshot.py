"""Raw `lru_crawler metadump all` over a socket, for CollectTests (independent of the Swift parser).

Usage: collect_snapshot.py PORT  → JSON {hex key: {exp, la, cas, fetch, cls, size}}
"""
import json
import socket
import sys
from urllib.parse import unquote_to_bytes

s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"lru_crawler metadump all\r\n")
data = b""
while not data.endswith(b"END\r\n"):
    chunk = s.recv(1 << 20)
    if not chunk:
        sys.exit("connection closed before END")
    data += chunk
out = {}
for line in data[:-5].split(b"\n"):
    if not line:
        continue
    fields = dict(f.split(b"=", 1) for f in line.split(b" "))
    key = unquote_to_bytes(fields[b"key"])
    out[key.hex()] = {"exp": int(fields[b"exp"]), "la": int(fields[b"la"]), "cas": int(fields[b"cas"]),
                      "fetch": fields[b"fetch"].decode(), "cls": int(fields[b"cls"]), "size": int(fields[b"size"])}
print(json.dumps(out))
