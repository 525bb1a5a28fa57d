"""Oracle for Attribution's digests and placement: for COUNT seeded random keys prints one JSON line
each with what Python's own libraries compute — hashlib.sha1, hmac-sha1, zlib.crc32, pymemcache's
murmur3_32 and RendezvousHash, python-memcached's cmemcache_hash and Client._get_server (weighted
servers, and with the home server marked dead) — plus the <=1.59 `or 1` variant of cmemcache_hash.

usage: python attribution_oracle.py COUNT
"""
import hashlib
import hmac
import json
import random
import sys
import zlib

import memcache
from pymemcache.client.murmur3 import murmur3_32
from pymemcache.client.rendezvous import RendezvousHash

count = int(sys.argv[1])
rng = random.Random(5)
servers = [('10.0.0.1:11211', 1), ('10.0.0.2:11211', 3), ('10.0.0.3:11212', 2)]
nodes = ['10.0.0.1:11211', '10.0.0.2:11211', '10.0.0.3:11212']
rendezvous = RendezvousHash(nodes=nodes)

client = memcache.Client(servers)
dead = set()
for s in client.servers:
    s.connect = (lambda srv: (lambda: 0 if srv.address[0] + ':' + str(srv.address[1]) in dead else 1))(s)


def index_of(server):
    return ['%s:%d' % s.address for s in client.servers].index('%s:%d' % server.address)


HMAC_KEY = b'attribution-test-key'
# A few user ids whose usertokens key has cmemcache_hash 0, where <=1.59 (`or 1`) and >=1.60 differ.
zero_uids = []
i = 0
while len(zero_uids) < 3:
    u = 'zero-%d' % i
    if memcache.cmemcache_hash(hashlib.sha1(('usertokens-' + u).encode()).hexdigest().encode()) == 0:
        zero_uids.append(u)
    i += 1
for n in range(count):
    length = rng.choice([0, 1, 3, 55, 56, 63, 64, 65, 119, 120]) if n < 40 else rng.randint(0, 200)
    raw = bytes(rng.randrange(256) for _ in range(length))
    uid = '%032x' % rng.getrandbits(128)
    if n < len(zero_uids):
        uid = zero_uids[n]
    key = hashlib.sha1(('usertokens-' + uid).encode()).hexdigest()
    crc = zlib.crc32(key.encode())
    new = memcache.cmemcache_hash(key.encode())
    old = new or 1
    dead.clear()
    home, _ = client._get_server(key.encode())
    old_home = ([i for i, (s, w) in enumerate(servers) for _ in range(w)])[old % 6]
    dead.add('%s:%d' % home.address)
    second, _ = client._get_server(key.encode())
    print(json.dumps({'raw': raw.hex(), 'sha1': hashlib.sha1(raw).hexdigest(),
                      'hmac': hmac.new(HMAC_KEY, raw, hashlib.sha1).hexdigest(), 'crc32': zlib.crc32(raw),
                      'murmur': murmur3_32(raw.decode('latin-1')),
                      'uid': uid, 'key': key, 'key_crc32': crc, 'hash_new': new, 'hash_old': old,
                      'home': index_of(home), 'home_old': old_home, 'failover': index_of(second) if second else None,
                      'rendezvous': nodes.index(rendezvous.get_node(key))}))
