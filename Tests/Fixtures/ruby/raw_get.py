# Tests/Fixtures/ruby/raw_get.py: reads items back from memcached with the text protocol's `get`
# over a plain socket — the exact bytes and flags the server holds, independent of any client.
# usage: python3 raw_get.py PORT KEY...   → one JSON line per key: {"key", "flags", "b64"}
import base64
import json
import socket
import sys

port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port))
f = s.makefile("rb")
for key in sys.argv[2:]:
    s.sendall(b"get " + key.encode() + b"\r\n")
    line = f.readline()
    if line == b"END\r\n":
        print(json.dumps({"key": key, "missing": True}))
        continue
    _, k, flags, n = line.split()[:4]
    data = f.read(int(n))
    f.read(2)
    assert f.readline() == b"END\r\n"
    print(json.dumps({"key": key, "flags": int(flags), "b64": base64.b64encode(data).decode()}))
