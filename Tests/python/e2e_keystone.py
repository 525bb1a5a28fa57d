"""End-to-end oracle for ReportTests/EndToEndTests: fills two real memcached servers the way Keystone's
token persistence did (dogpile.cache region, sha1 key mangler, python-memcached, pickled CachedValues,
per-user token lists read and rewritten at every issue), then, independently of every Swift stage,
reads both servers back and computes the figures the report must show.

  e2e_keystone.py fill PORT1 PORT2 OUTDIR     writes OUTDIR/users.json (openstack user list --long -f json)
  e2e_keystone.py fill-many OUTDIR PORT...    the same on any number of servers (the fleet test)
  e2e_keystone.py expect PORT1 PORT2 USERS    prints one JSON object: hosts, users, list_host
  e2e_keystone.py fill-split OUTDIR PORT...   owners named only on another host (attribute's facts of other
                                              streams): writes OUTDIR/users.json without the ghosts, and
                                              OUTDIR/split.json (who is where, for the tests)

Reading back uses raw sockets: `lru_crawler metadump all` for the keys, `mg <key> v f s` for the
bytes (no LRU bump). Values are decoded with Python's own pickle and zlib, owners found by sha1 joins:
usertokens-<id> keys, token-<id> keys of the ids inside each list, and the user inside token bodies.
"""
import binascii
import datetime
import hashlib
import json
import pickle
import random
import socket
import sys
import urllib.parse
import zlib

from dogpile.cache import make_region
from dogpile.cache.util import sha1_mangle_key

TTL = 3600


def servers(*ports):
    return ['127.0.0.1:%s' % p for p in ports]


def home(key, count):
    """python-memcached >= 1.60: cmemcache_hash(key) % len(buckets)."""
    return (((binascii.crc32(key.encode()) & 0xffffffff) >> 16) & 0x7fff) % count


def store_token(region, user_id, token_id, expires, body):
    """Keystone Kilo's token persistence: the body under token-<id>, and the id appended to the
    user's token list under usertokens-<user id> (read, append, write back)."""
    region.set('token-' + token_id, body)
    key = 'usertokens-' + user_id
    current = region.get(key)
    if not isinstance(current, list):
        current = []
    current.append((token_id, expires.isoformat() + '.000000Z'))
    region.set(key, current)


def fill(outdir, *ports):
    """The heavy users' token lists on the second server, two light users' on the first."""
    rng = random.Random(20161126)
    urls = servers(*ports)

    def uid_on(index):
        while True:
            u = '%032x' % rng.getrandbits(128)
            if home(hashlib.sha1(('usertokens-' + u).encode()).hexdigest(), len(urls)) == index:
                return u

    users = [
        {'ID': 'eef939600bc111e69aeb57d4fa849231', 'Name': 'ceilometer', 'tokens': 240},
        {'ID': uid_on(1), 'Name': 'nova', 'tokens': 160},
        {'ID': uid_on(1), 'Name': 'neutron', 'tokens': 120},
        {'ID': uid_on(0), 'Name': 'glance', 'tokens': 12},
        {'ID': uid_on(0), 'Name': 'cinder', 'tokens': 10},
    ]
    for i in range(15):
        users.append({'ID': '%032x' % rng.getrandbits(128), 'Name': 'user%02d' % i, 'tokens': rng.randint(1, 6)})
    region = make_region(key_mangler=sha1_mangle_key).configure(
        'dogpile.cache.memcached', arguments={'url': urls, 'memcached_expire_time': TTL})
    now = datetime.datetime(2026, 11, 26, 12, 0, 0)
    schedule = sorted(((rng.uniform(0, 3000), n, u) for n, u in enumerate(users) for _ in range(u['tokens'])),
                      key=lambda s: s[0])
    for offset, _, user in schedule:
        issued = now - datetime.timedelta(seconds=3000 - offset)
        expires = issued + datetime.timedelta(seconds=TTL)
        token_id = '%032x' % rng.getrandbits(128)
        body = {'id': token_id, 'expires': expires, 'key': token_id, 'token_version': 'v2.0',
                'user': {'id': user['ID'], 'name': user['Name']},
                'token_data': {'access': {'token': {'id': token_id, 'expires': expires.isoformat() + 'Z'},
                                          'user': {'id': user['ID'], 'name': user['Name']},
                                          'serviceCatalog': [{'type': 'compute', 'name': 'nova', 'endpoints': [
                                              {'publicURL': 'https://nova.example.org:8774/v2/%s' % user['ID']}]}]}}}
        store_token(region, user['ID'], token_id, expires, body)
    export = [{'ID': u['ID'], 'Name': u['Name'], 'Project': 'service', 'Domain': 'default',
               'Description': None, 'Email': u['Name'] + '@example.org', 'Enabled': True} for u in users]
    with open(outdir + '/users.json', 'w') as f:
        json.dump(export, f, indent=2)


def fill_split(outdir, *ports):
    """Keystone's writes (dogpile region, sha1 mangler, python-memcached) where a token list's owner is named only
    by records on other hosts than the list: users missing from the export whose token bodies all live on other
    hosts than their list (one of them described with his domain by a v3 body on one host only), and token bodies
    without a user, on another host than the list that names them (of an exported user, and of a ghost whose bodies
    with a user are on a third host). Plus ordinary exported users, for contrast."""
    rng = random.Random(20240607)
    urls = servers(*ports)
    n = len(urls)

    def at(logical):
        return home(hashlib.sha1(logical.encode()).hexdigest(), n)

    def uid_listed_on(index):
        while True:
            u = '%032x' % rng.getrandbits(128)
            if at('usertokens-' + u) == index:
                return u

    def tid_on(hosts):
        while True:
            t = '%032x' % rng.getrandbits(128)
            if at('token-' + t) in hosts:
                return t

    region = make_region(key_mangler=sha1_mangle_key).configure(
        'dogpile.cache.memcached', arguments={'url': urls, 'memcached_expire_time': TTL})
    now = datetime.datetime(2026, 11, 26, 12, 0, 0)
    others = lambda h: [k for k in range(n) if k != h]
    # (user, number of tokens, hosts their bodies go to, how each body names its user: 'v2', 'v3' or None)
    plan = []
    for i in range(6):
        u = {'ID': '%032x' % rng.getrandbits(128), 'Name': 'svc%d' % i, 'export': True}
        plan.append((u, [(None, 'v2')] * rng.randint(2, 6)))
    for i in range(4):
        h = i % n
        u = {'ID': uid_listed_on(h), 'Name': 'ghost%d' % i, 'export': False, 'list_host': h}
        kinds = ['v2', 'v2', 'v3'] if i == 0 else ['v2', 'v2']
        plan.append((u, [(others(h), k) for k in kinds]))
    h = 0
    u = {'ID': uid_listed_on(h), 'Name': 'anon-exported', 'export': True, 'list_host': h}
    plan.append((u, [(others(h), 'v2'), (others(h), None), (others(h), None)]))
    if n >= 3:
        # Bodies with the user on host 1 only, bodies without on host 2, the list on host 0.
        u = {'ID': uid_listed_on(0), 'Name': 'ghost-anon', 'export': False, 'list_host': 0}
        plan.append((u, [([1], 'v2'), ([1], 'v2'), ([2], None), ([2], None)]))
    schedule = []
    for u, bodies in plan:
        for hosts, kind in bodies:
            schedule.append((rng.uniform(0, 3000), u, hosts, kind))
    schedule.sort(key=lambda s: s[0])
    anonymous = []
    for offset, user, hosts, kind in schedule:
        issued = now - datetime.timedelta(seconds=3000 - offset)
        expires = issued + datetime.timedelta(seconds=TTL)
        token_id = tid_on(hosts) if hosts is not None else '%032x' % rng.getrandbits(128)
        ref = {'id': user['ID'], 'name': user['Name']}
        if kind == 'v2':
            body = {'id': token_id, 'expires': expires, 'key': token_id, 'token_version': 'v2.0', 'user': ref,
                    'token_data': {'access': {'token': {'id': token_id, 'expires': expires.isoformat() + 'Z'},
                                              'user': ref}}}
        elif kind == 'v3':
            v3 = dict(ref, domain={'id': 'default', 'name': 'Default'})
            body = {'id': token_id, 'expires': expires, 'key': token_id, 'token_version': 'v3.0', 'user': v3,
                    'token_data': {'token': {'user': v3, 'expires_at': expires.isoformat() + 'Z'}}}
        else:
            body = {'id': token_id, 'expires': expires, 'key': token_id, 'token_version': 'v2.0',
                    'token_data': {'access': {'token': {'id': token_id, 'expires': expires.isoformat() + 'Z'}}}}
            anonymous.append(hashlib.sha1(('token-' + token_id).encode()).hexdigest())
        store_token(region, user['ID'], token_id, expires, body)
    export = [{'ID': u['ID'], 'Name': u['Name'], 'Project': 'service', 'Domain': 'default', 'Description': None,
               'Email': u['Name'] + '@example.org', 'Enabled': True} for u, _ in plan if u['export']]
    with open(outdir + '/users.json', 'w') as f:
        json.dump(export, f, indent=2)
    split = {'ghosts': {u['ID']: u['Name'] for u, _ in plan if not u['export']},
             'lists': {hashlib.sha1(('usertokens-' + u['ID']).encode()).hexdigest(): u['ID'] for u, _ in plan},
             'anonymous_tokens': anonymous}
    with open(outdir + '/split.json', 'w') as f:
        json.dump(split, f, indent=2)


def read_until(sock, buf, marker):
    while marker not in buf:
        chunk = sock.recv(1 << 16)
        if not chunk:
            raise RuntimeError('connection closed')
        buf += chunk
    return buf


def read_server(port):
    """key -> (flags, raw value bytes) of every item, read-only."""
    s = socket.create_connection(('127.0.0.1', int(port)))
    s.sendall(b'lru_crawler metadump all\r\n')
    buf = read_until(s, b'', b'END\r\n')
    keys = []
    for line in buf.split(b'\n'):
        if line.startswith(b'key='):
            keys.append(urllib.parse.unquote_to_bytes(line.split(b' ')[0][4:].decode()))
    items = {}
    for k in keys:
        s.sendall(b'mg ' + k + b' v f s\r\n')
        buf = read_until(s, b'', b'\r\n')
        head, rest = buf.split(b'\r\n', 1)
        if head.startswith(b'EN'):
            continue
        fields = head.split(b' ')
        size = int(fields[1])
        flags = next(int(f[1:]) for f in fields[2:] if f.startswith(b'f'))
        while len(rest) < size + 2:
            rest += s.recv(1 << 16)
        items[k.decode()] = (flags, rest[:size])
    s.close()
    return items


def load(flags, raw):
    if flags & 8:
        raw = zlib.decompress(raw)
    if flags & 1:
        v = pickle.loads(raw)
        return v[0] if isinstance(v, tuple) and len(v) == 2 and isinstance(v[1], dict) and 'ct' in v[1] else v
    return raw


def expect(p1, p2, users_path):
    urls = servers(p1, p2)
    users = {u['ID']: u['Name'] for u in json.load(open(users_path))}
    by_list = {hashlib.sha1(('usertokens-' + uid).encode()).hexdigest(): uid for uid in users}
    hosts, owner, data = {}, {}, {}
    list_host = {}
    for url, port in zip(urls, (p1, p2)):
        items = read_server(port)
        hosts[url] = {'items': len(items), 'value_bytes': sum(len(raw) for _, raw in items.values())}
        for k, (flags, raw) in items.items():
            data[k] = (url, flags, raw)
    # Hop 1: list keys; hop 2: the token ids inside each list.
    for k, (url, flags, raw) in data.items():
        if k in by_list:
            uid = by_list[k]
            owner[k] = uid
            list_host[users[uid]] = url
            for token_id, _ in load(flags, raw):
                owner[hashlib.sha1(('token-' + token_id).encode()).hexdigest()] = uid
    # Token bodies not reached through a list name their user.
    for k, (url, flags, raw) in data.items():
        if k not in owner:
            v = load(flags, raw)
            if isinstance(v, dict) and isinstance(v.get('user'), dict):
                owner[k] = v['user']['id']
    per_user = {}
    for k, uid in owner.items():
        url, _, raw = data[k]
        u = per_user.setdefault(uid, {'name': users.get(uid), 'items': 0, 'bytes': 0, 'by_host': {}})
        u['items'] += 1
        u['bytes'] += len(raw)
        u['by_host'][url] = u['by_host'].get(url, 0) + len(raw)
    print(json.dumps({'hosts': hosts, 'users': per_user, 'list_host': list_host}))


if __name__ == '__main__':
    if sys.argv[1] == 'fill':
        fill(sys.argv[4], sys.argv[2], sys.argv[3])
    elif sys.argv[1] == 'fill-many':
        fill(sys.argv[2], *sys.argv[3:])
    elif sys.argv[1] == 'fill-split':
        fill_split(sys.argv[2], *sys.argv[3:])
    elif sys.argv[1] == 'expect':
        expect(*sys.argv[2:5])
    else:
        sys.exit('usage: e2e_keystone.py fill|expect PORT1 PORT2 OUTDIR|USERS, or fill-many|fill-split OUTDIR PORT...')
