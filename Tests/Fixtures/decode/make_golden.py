#!/usr/bin/env python3
"""Writes the small, deterministic inputs of the golden decode tests (run by make_golden.sh).

Each value is made by the real Python library that would store it (pickle, zlib, dogpile's
CachedValue), and the .mcdump.gz files follow docs/dump-format.md (format 1, gzip members with
mtime 0 so the bytes and their sha256 never change).
"""
import datetime, decimal, gzip, json, pickle, uuid, zlib
from dogpile.cache.api import CachedValue

CT = 1795711461.7891417


def items():
    token = {"id": "u1", "name": "alice", "expires": datetime.datetime(2026, 11, 26, 12, 0, 0, 123456),
             "roles": {"admin", "member"}, "ratio": 0.5, "n": 2**70}
    return [
        (b"pm-dict", 1, pickle.dumps({"a": 1, "b": [1.5, "x", None, True]}, protocol=0)),
        (b"pm-zlib", 9, zlib.compress(pickle.dumps(["token-%03d" % i for i in range(80)], protocol=0))),
        (b"pm-int", 2, b"42"),
        (b"pm-long", 4, b"123456789012345678901234567890"),
        (b"pm-text", 16, "caf\u00e9 \u2603".encode()),
        (b"pm-bytes", 0, b"\xff\x00binary"),
        (b"key-\xff\xfe", 0, b"value of a non-UTF-8 key"),
        (b"dogpile-p0", 1, pickle.dumps(CachedValue(token, {"ct": CT, "v": 2}), protocol=0)),
        (b"dogpile-p5", 1, pickle.dumps(CachedValue([("t1", "2026-11-26T12:00:00.000000Z")], {"ct": CT, "v": 2}), protocol=5)),
        (b"dogpile-ser", 0, json.dumps({"ct": CT, "v": 2}).encode() + b"|" + pickle.dumps({"uuid": uuid.UUID(int=7), "d": decimal.Decimal("1.10")}, protocol=4)),
        (b"sniffed-pickle", 0, pickle.dumps((1, 2), protocol=2)),
        (b"broken-pickle", 1, b"(lp0\nI1\naI2\n"),
        (b"evil-pickle", 1, b"cos\nsystem\n(S'echo hi'\ntR."),
        (b"bad-zlib", 9, b"x\x9cnot really"),
        (b"odd-flags", 256, b"app-specific"),
    ]


def dump(path, complete=True):
    out = []
    hdr = {"format": 1, "host": "10.0.0.2", "port": 11211, "collector": "golden", "method": "metadump", "keys_only": False,
           "server_version": "1.6.18", "server_time": 1795711400, "server_uptime": 3600, "started_local": 1795711400.5}
    out.append(b"MCDUMP 1 " + json.dumps(hdr, separators=(",", ":")).encode() + b"\n")
    out.append(b'STATS general start {"time":"1795711400","version":"1.6.18","curr_items":"15","bytes_read":"1000","bytes_written":"5000","cmd_get":"10","evictions":"0"}\n')
    out.append(b'STATS settings start {"item_size_max":"1048576"}\n')
    members = [b"".join(out)]
    cur = []
    for i, (key, flags, value) in enumerate(items()):
        ukey = "".join(chr(b) if (b < 128 and chr(b).isalnum()) or chr(b) in "-._~" else "%%%02X" % b for b in key).encode()
        cur.append(b"ITEM %s %d %d %d %d %d %d %d %d 1\n" % (ukey, flags, len(value), 100 + i, -1 if i % 2 else 1795715000, 1795711000 + i, 1 + i % 3, i % 2, len(value) + 60))
        cur.append(value + b"\n")
        if i % 5 == 4:
            members.append(b"".join(cur))
            cur = []
    cur.append(b"MISS vanished%2Fkey evicted\n")
    cur.append(b'NOTE {"level":"warning","message":"a note from the collector"}\n')
    cur.append(b'STATS general end {"time":"1795711420","version":"1.6.18","curr_items":"15","bytes_read":"3000","bytes_written":"45000","cmd_get":"110","evictions":"2"}\n')
    n = len(items())
    if complete:
        cur.append(b'END {"finished_local":1795711420.5,"server_time":1795711420,"listed":%d,"captured":%d,"missed":1,"value_bytes":%d,"complete":true}\n' % (n + 1, n, sum(len(v) for _, _, v in items())))
        members.append(b"".join(cur))
    with open(path, "wb") as f:
        for m in members:
            f.write(gzip.compress(m, compresslevel=6, mtime=0))


dump("small.mcdump.gz")
dump("incomplete.mcdump.gz", complete=False)
with open("capture.nc", "wb") as f:
    f.write(b"VALUE plain 0 5 11\r\nhello\r\nVALUE pickled 1 %d 12\r\n" % len(pickle.dumps({"k": "v"}, protocol=0)))
    f.write(pickle.dumps({"k": "v"}, protocol=0) + b"\r\nVALUE counter 2 2 13\r\n17\r\nEND\r\n")
with open("metadump.txt", "wb") as f:
    f.write(b"key=usertokens-abc exp=-1 la=1795711337 cas=2 fetch=no cls=1 size=70\n"
            b"key=sp%C3%A9cial exp=1795714999 la=1795711338 cas=3 fetch=yes cls=2 size=130\nEND\r\n")
with open("cachedump.txt", "wb") as f:
    f.write(b"ITEM usertokens-abc [5 b; 0 s]\r\nITEM token-1 [1200 b; 1795714999 s]\r\nEND\r\nEND\r\n")
