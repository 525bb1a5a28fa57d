"""Fills a memcached with Keystone-shaped items for Benchmarks/collect-bench.sh, fast.

Usage: collect_bench_fill.py PORT ITEMS VALUES_FILE
Values are real protocol-0 pickles of dogpile CachedValues (token dicts with a service catalog,
and usertokens lists of (token id, isotime) tuples), keys are sha1 hex like Keystone's mangled
keys; ~1 in 10 values is zlib-compressed (flags 9, python-memcached min_compress_len), the rest
flags 1. Templates are pickled once and each item gets fresh random ids (same length), so the
fill is a pipelined stream of `set … noreply`. Every value byte is also appended to VALUES_FILE
(the input of the gzip -1 floor). Prints "items bytes".
"""
import hashlib
import pickle
import random
import socket
import sys
import zlib

from dogpile.cache.api import CachedValue

port, items, values_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = random.Random(7)
PLACEHOLDER = "f" * 32


def token_template(endpoints):
    body = {"id": PLACEHOLDER, "expires": "2026-11-26T20:00:00.000000Z", "user": {"id": PLACEHOLDER, "name": "svc"},
            "token_data": {"token": {"methods": ["password"], "catalog": [
                {"type": "svc%d" % n, "endpoints": [{"url": "http://10.0.%d.%d:5000/v3" % (n, m), "interface": "public"}
                                                    for m in range(3)]} for n in range(endpoints)]}},
            "token_version": "v3.0"}
    return pickle.dumps(CachedValue(body, {"ct": 1795700000.5, "v": 2}), protocol=0)


def list_template(n):
    return pickle.dumps(CachedValue([(PLACEHOLDER, "2026-11-26T20:00:00.000000Z")] * n, {"ct": 1795700000.5, "v": 2}),
                        protocol=0)


tokens = [token_template(e) for e in range(1, 9)]  # ~0.5–2 KB
lists = [list_template(n) for n in (2, 10, 50, 200)]
huge = list_template(7000)  # ~580 KB, a busy service user's token list
sock = socket.create_connection(("127.0.0.1", port))
out = open(values_path, "wb")
total = 0
batch = []
batch_bytes = 0
for i in range(items):
    if i % 100_000 == 99_999:
        template = huge
    elif i % 50 == 0:
        template = lists[rng.randrange(len(lists))]
    else:
        template = tokens[rng.randrange(len(tokens))]
    # Fresh ids: every placeholder becomes a different random 32-hex id.
    parts = template.split(PLACEHOLDER.encode())
    value = parts[0] + b"".join(b"%032x" % rng.getrandbits(128) + p for p in parts[1:])
    flags = 1
    if i % 10 == 3:
        value = zlib.compress(value)
        flags = 9
    key = hashlib.sha1(b"token-%d" % i).hexdigest().encode()
    batch.append(b"set %s %d 3600 %d noreply\r\n%s\r\n" % (key, flags, len(value), value))
    batch_bytes += len(value)
    out.write(value)
    total += len(value)
    if batch_bytes > 4 << 20:
        sock.sendall(b"".join(batch))
        batch, batch_bytes = [], 0
sock.sendall(b"".join(batch) + b"mn\r\n")
f = sock.makefile("rb")
while f.readline() != b"MN\r\n":
    pass
print(items, total)
