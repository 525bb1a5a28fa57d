#!/usr/bin/env python3
"""Writes a Keystone-shaped .mcdump.gz (docs/dump-format.md, format 1) for decode-bench.sh.

  make-keystone-dump.py OUT.mcdump.gz VALUE_MB

Values are what a Kilo-era Keystone keeps in memcached through dogpile + python-memcached:
`usertokens-<uid>` lists of (token_id, expiry) tuples (a few long ones, ~580 KB), `token-<id>`
bodies with a service catalog (a few KB, with datetimes), and a revocation list — each a
`CachedValue` pickled with protocol 0, some zlib-compressed (flag 9) as with min_compress_len.
Keys are sha1-mangled as dogpile does. Deterministic for a given VALUE_MB.
"""
import datetime, gzip, hashlib, json, pickle, random, sys, time, urllib.parse, zlib
from dogpile.cache.api import CachedValue

out_path, target_mb = sys.argv[1], float(sys.argv[2])
rng = random.Random(42)
target = int(target_mb * 1e6)
now = 1795711400


def hexid(n=32):
    return "%0*x" % (n, rng.getrandbits(4 * n))


def catalog():
    return [{"type": t, "name": t + "-svc", "endpoints": [
        {"region": "RegionOne", "interface": i, "url": "https://%s.example.net:%d/v2/%s" % (t, 8000 + k, hexid(8)), "id": hexid()}
        for k, i in enumerate(("public", "internal", "admin"))]} for t in ("compute", "image", "network", "volume", "identity", "object-store")]


def token_body():
    uid = hexid()
    exp = datetime.datetime(2026, 11, 26, 12, 0, 0) + datetime.timedelta(seconds=rng.randrange(3600))
    return {"key": hexid(), "id": hexid(), "expires": exp, "user": {"id": uid, "name": "user-" + uid[:6], "domain": {"id": "default", "name": "Default"}},
            "tenant": {"id": hexid(), "name": "project-x"}, "metadata": {"roles": [hexid(), hexid()]},
            "token_data": {"token": {"methods": ["password"], "expires_at": exp.isoformat() + "Z", "issued_at": "2026-11-26T11:00:00.000000Z",
                                     "audit_ids": [hexid(22)], "catalog": catalog(), "roles": [{"id": hexid(), "name": "member"}]}},
            "trust_id": None, "token_version": "v3.0"}


def token_list(n):
    return [(hexid(), "2026-11-26T%02d:%02d:%02d.%06dZ" % (rng.randrange(24), rng.randrange(60), rng.randrange(60), rng.randrange(10**6))) for _ in range(n)]


def wrap(v):
    return pickle.dumps(CachedValue(v, {"ct": now + rng.random() * 1000, "v": 1}), protocol=0)


class Writer:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.buf = bytearray()

    def add(self, b):
        self.buf += b
        if len(self.buf) >= 4 << 20:
            self.flush()

    def flush(self):
        if self.buf:
            self.f.write(gzip.compress(bytes(self.buf), compresslevel=1, mtime=0))
            self.buf = bytearray()

    def close(self):
        self.flush()
        self.f.close()


w = Writer(out_path)
header = {"format": 1, "host": "10.0.0.2", "port": 11211, "collector": "bench", "method": "metadump", "keys_only": False,
          "server_version": "1.6.18", "server_time": now, "server_uptime": 86400, "started_local": float(now)}
w.add(b"MCDUMP 1 " + json.dumps(header, separators=(",", ":")).encode() + b"\n")
w.add(b'STATS general start {"time":"%d","bytes_written":"1000","bytes_read":"500","cmd_get":"10"}\n' % now)
total, count, cas = 0, 0, 0
while total < target:
    r = rng.random()
    if r < 0.004:
        value, key = wrap(token_list(rng.randrange(5000, 7000))), "usertokens-" + hexid()
    elif r < 0.30:
        value, key = wrap(token_list(rng.randrange(1, 60))), "usertokens-" + hexid()
    elif r < 0.301:
        value, key = wrap([{"id": hexid(), "expires": "2026-11-26T12:00:00Z", "audit_id": hexid(22)} for _ in range(200)]), "revocation-list"
    else:
        value, key = wrap(token_body()), "token-" + hexid()
    flags = 1
    if count % 3 == 0 and len(value) > 1000:
        z = zlib.compress(value)
        if len(z) < len(value):
            value, flags = z, 9
    mkey = hashlib.sha1(key.encode()).hexdigest().encode()
    cas += 1
    w.add(b"ITEM %s %d %d %d %d %d %d 0 %d 1\n" % (mkey, flags, len(value), cas, now + 3600, now - rng.randrange(3600), 5, len(value) + 90))
    w.add(value + b"\n")
    total += len(value)
    count += 1
w.add(b'STATS general end {"time":"%d","bytes_written":"900000","bytes_read":"4000","cmd_get":"5000"}\n' % (now + 60))
trailer = {"finished_local": float(now + 60), "server_time": now + 60, "listed": count, "captured": count, "missed": 0, "value_bytes": total, "complete": True}
w.add(b"END " + json.dumps(trailer, separators=(",", ":")).encode() + b"\n")
w.close()
print("%d items, %.1f MB of values" % (count, total / 1e6), file=sys.stderr)
