"""Writes Keystone-shaped data into a memcached the way Keystone (Kilo KVS) does, for CollectTests.

Usage: collect_fill.py PORT
Prints a JSON list of the hex keys it wrote.
- dogpile.cache regions over python-memcached, keys sha1-mangled (dogpile's sha1_mangle_key),
  values pickled CachedValues (protocol 0, python-memcached's default); one region compresses
  (min_compress_len, flags 9), one does not;
- usertokens-<uid> lists of (token_id, isotime) tuples, token-<id> dicts, revocation-list (no expiry);
- a ~580 KB token list and a ~1 MB value (chunked items in memcached);
- an unmangled _lockusertokens-<uid> integer (flags 2);
- raw keys with non-ASCII bytes and '%', and a binary key (space, control bytes) stored with `ms … b`.
"""
import base64
import json
import random
import socket
import sys

import memcache
from dogpile.cache import make_region
from dogpile.cache.util import sha1_mangle_key

port = int(sys.argv[1])
url = "127.0.0.1:%d" % port
rng = random.Random(42)
written = []


def region(**args):
    arguments = {"url": [url], "memcached_expire_time": 3600}
    arguments.update(args)
    return make_region(key_mangler=sha1_mangle_key).configure("dogpile.cache.memcached", arguments=arguments)


compressed = region(min_compress_len=1024)
plain = region()
forever = region(memcached_expire_time=0)


def hexid():
    return "%032x" % rng.getrandbits(128)


def isotime():
    return "2026-11-26T%02d:%02d:%02d.%06dZ" % (rng.randrange(24), rng.randrange(60), rng.randrange(60), rng.randrange(10**6))


def note(logical):
    written.append(sha1_mangle_key(logical).encode().hex())


users = [hexid() for _ in range(40)]
for i, uid in enumerate(users):
    tokens = [(hexid(), isotime()) for _ in range(1 + i * 3)]
    r = compressed if i % 2 else plain
    r.set("usertokens-%s" % uid, tokens)
    note("usertokens-%s" % uid)
    for tid, exp in tokens[:3]:
        body = {"id": tid, "expires": exp, "user": {"id": uid, "name": "user-%d" % i},
                "token_data": {"token": {"catalog": [{"endpoints": ["http://10.0.0.%d:5000/v3" % n]} for n in range(40)]}},
                "token_version": "v3.0"}
        compressed.set("token-%s" % tid, body)
        note("token-%s" % tid)

# ~580 KB uncompressed token list (about 7000 live tokens), and the revocation list without expiry.
plain.set("usertokens-big", [(hexid(), isotime()) for _ in range(7200)])
note("usertokens-big")
forever.set("revocation-list", [{"id": hexid(), "expires": isotime(), "audit_id": hexid()[:22]} for _ in range(30)])
note("revocation-list")

client = memcache.Client([url])
# ~1 MB incompressible value (python-memcached refuses more than 1 MiB).
big = bytes(rng.getrandbits(8) for _ in range(1_000_000))
if not client.set(sha1_mangle_key("big-blob").encode(), big, time=3600):
    sys.exit("the 1 MB item was not stored")
note("big-blob")
# The lock key is not mangled and holds an int (flags 2); Keystone's TTL is 6 s, 600 here so it lasts the test.
lock = ("_lockusertokens-%s" % users[0]).encode()
client.add(lock, 1, time=600)
written.append(lock.hex())

s = socket.create_connection(("127.0.0.1", port))
f = s.makefile("rb")


def raw(line, data):
    s.sendall(line + b"\r\n" + data + b"\r\n")
    return f.readline()


for key, value, flags in [("spécial-ключ".encode(), b"non-ascii key", 0), (b"tokens%2Fx", b"percent", 16), (b"a%b%%", b"x" * 3000, 0)]:
    answer = raw(b"set %s %d 3600 %d" % (key, flags, len(value)), value)
    if answer != b"STORED\r\n":
        sys.exit("raw set failed: %r" % answer)
    written.append(key.hex())
binary = b"sp ace\x01\xff\x00end"
answer = raw(b"ms %s %d b F5 T3600" % (base64.b64encode(binary), 5), b"b\r\nin")  # a CRLF inside the value
if not answer.startswith(b"HD"):
    sys.exit("ms failed: %r" % answer)
written.append(binary.hex())
print(json.dumps(written))
