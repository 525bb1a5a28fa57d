"""Fills two memcached servers with a Keystone-Kilo-shaped token store for Benchmarks/pipeline-bench.sh, fast.

usage: pipeline_bench_fill.py PORT1 PORT2 ITEMS USERS_JSON
Keys are python-memcached >= 1.60 placed (cmemcache_hash % 2) sha1 hex of `token-<id>` and
`usertokens-<user id>`; values are protocol-0 pickles of dogpile CachedValues, as python-memcached
(flags 1) stores them: token bodies (v3 shape, 1-8 catalog entries, ~0.5-2 KB) naming their user, and
one token list per user of (token id, isotime) tuples. Three service users (ceilometer, nova, neutron)
hold most tokens and their lists (~6000 entries, ~500 KB) all land on the second host, as in the incident.
Templates are pickled once and ids substituted (same length), so the fill is a pipelined `set … noreply`
stream. Writes the user list as `openstack user list --long -f json` prints it. Prints "items value_bytes".
"""
import binascii
import datetime
import hashlib
import json
import pickle
import random
import socket
import sys
import time

from dogpile.cache.api import CachedValue

port1, port2, items, users_path = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rng = random.Random(11)
TOKEN = "a" * 32
USER = "b" * 32
# Tokens expire an hour after the fill (same length as any isotime), so the lists count as live.
EXPIRES = datetime.datetime.fromtimestamp(time.time() + 3600, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def home(key):
    return ((binascii.crc32(key) & 0xffffffff) >> 16 & 0x7fff) % 2


def uid_on(index):
    while True:
        u = "%032x" % rng.getrandbits(128)
        if home(hashlib.sha1(b"usertokens-" + u.encode()).hexdigest().encode()) == index:
            return u


def token_template(endpoints):
    body = {"id": TOKEN, "expires": EXPIRES, "key": TOKEN, "user": {"id": USER, "name": "svc"},
            "token_data": {"token": {"methods": ["password"], "expires_at": EXPIRES, "catalog": [
                {"type": "svc%d" % n, "endpoints": [{"url": "http://10.0.%d.%d:5000/v3" % (n, m), "interface": "public"}
                                                    for m in range(3)]} for n in range(endpoints)]}},
            "token_version": "v3.0"}
    return pickle.dumps(CachedValue(body, {"ct": 1795700000.5, "v": 2}), protocol=0).split(TOKEN.encode())


token_parts = [token_template(e) for e in range(1, 9)]
heavy = [("eef939600bc111e69aeb57d4fa849231", "ceilometer", 0.45), (uid_on(1), "nova", 0.3), (uid_on(1), "neutron", 0.25)]
assert home(hashlib.sha1(b"usertokens-eef939600bc111e69aeb57d4fa849231").hexdigest().encode()) == 1
n_users = max(20, items // 500)
users = [(u, n) for u, n, _ in heavy] + [("%032x" % rng.getrandbits(128), "user%05d" % i) for i in range(n_users - 3)]
n_tokens = items - len(users)
heavy_tokens = min(6000 * 3, n_tokens // 4)
tokens_of = {u: [] for u, _ in users}

socks = [socket.create_connection(("127.0.0.1", p)) for p in (port1, port2)]
batches = [[], []]
sizes = [0, 0]
total = 0


def put(key, value):
    global total
    h = home(key)
    batches[h].append(b"set %s 1 0 %d noreply\r\n%s\r\n" % (key, len(value), value))
    sizes[h] += len(value)
    total += len(value)
    if sizes[h] > 4 << 20:
        socks[h].sendall(b"".join(batches[h]))
        batches[h], sizes[h] = [], 0


for i in range(n_tokens):
    if i < heavy_tokens:
        r = rng.random()
        owner = heavy[0][0] if r < heavy[0][2] else heavy[1][0] if r < heavy[0][2] + heavy[1][2] else heavy[2][0]
    else:
        owner = users[3 + rng.randrange(len(users) - 3)][0]
    tid = "%032x" % rng.getrandbits(128)
    tokens_of[owner].append(tid)
    parts = token_parts[rng.randrange(len(token_parts))]
    value = tid.encode().join(parts).replace(USER.encode(), owner.encode())
    put(hashlib.sha1(b"token-" + tid.encode()).hexdigest().encode(), value)
for u, _ in users:
    entries = [(t, EXPIRES) for t in tokens_of[u]]
    value = pickle.dumps(CachedValue(entries, {"ct": 1795700000.5, "v": 2}), protocol=0)
    put(hashlib.sha1(b"usertokens-" + u.encode()).hexdigest().encode(), value)
for h in (0, 1):
    socks[h].sendall(b"".join(batches[h]) + b"mn\r\n")
    f = socks[h].makefile("rb")
    while f.readline() != b"MN\r\n":
        pass
with open(users_path, "w") as f:
    json.dump([{"ID": u, "Name": n, "Project": "service", "Domain": "default", "Description": None,
                "Email": n + "@example.org", "Enabled": True} for u, n in users], f)
print(n_tokens + len(users), total)
