"""Write NDJSON records (decode's schema 1: `source` and `item`) describing a Keystone Kilo cluster,
the way Samples/fill_kilo.py fills one, without running memcached: the test oracle's input for
attribute and report. Placement is python-memcached <=1.59 (cmemcache_hash with `or 1`).

usage: python kilo_records.py OUTDIR [--shuffle] [--servers H:P,H:P] [--users N] [--scale F]
writes OUTDIR/records.ndjson, OUTDIR/users.json (openstack user list --long -f json),
OUTDIR/users.csv (-f csv), OUTDIR/expected.json (owner of every key, for the tests)
"""
import binascii
import datetime
import hashlib
import json
import random
import sys

outdir = sys.argv[1]
shuffle = '--shuffle' in sys.argv
servers = ['127.0.0.1:21211', '127.0.0.1:21212']
extra_users = 40
scale = 1.0  # --scale F multiplies every user's token count (the heavy users stay heavy)
for i, a in enumerate(sys.argv):
    if a == '--scale':
        scale = float(sys.argv[i + 1])
    if a == '--servers':
        servers = sys.argv[i + 1].split(',')
    if a == '--users':
        extra_users = int(sys.argv[i + 1])
rng = random.Random(20160427)
TTL = 3600
CAPTURE = 1461690000  # server clock at the end of the capture


def sha1(s):
    return hashlib.sha1(s.encode('utf-8')).hexdigest()


def cmemcache_hash(key):
    return ((binascii.crc32(key.encode('ascii')) & 0xffffffff) >> 16) & 0x7fff or 1


def server_for(key):
    return servers[cmemcache_hash(key) % len(servers)]


def uid():
    return '%032x' % rng.getrandbits(128)


def uid_on(index):
    while True:
        u = uid()
        if cmemcache_hash(sha1('usertokens-' + u)) % len(servers) == index:
            return u


users = [
    {'ID': 'eef939600bc111e69aeb57d4fa849231', 'Name': 'ceilometer', 'tokens': 1800},
    {'ID': uid_on(1), 'Name': 'nova', 'tokens': 1000},
    {'ID': uid_on(1), 'Name': 'neutron', 'tokens': 800},
    {'ID': uid_on(0), 'Name': 'glance', 'tokens': 60},
    {'ID': uid_on(0), 'Name': 'cinder', 'tokens': 90},
    {'ID': uid(), 'Name': 'heat', 'tokens': 40},
    {'ID': uid(), 'Name': 'swift', 'tokens': 30},
    {'ID': uid(), 'Name': 'admin', 'tokens': 25},
]
for i in range(extra_users):
    users.append({'ID': uid(), 'Name': 'user%02d' % i, 'tokens': rng.randint(1, 12)})
users.append({'ID': uid(), 'Name': u'j\xf6rg', 'tokens': 3})
ghost = {'ID': uid(), 'Name': 'ghost', 'tokens': 4}  # issues tokens but is not in the export
for u in users:
    u['Domain'] = 'default'
    u['Project'] = 'service' if u['tokens'] >= 25 else 'demo'


def isotime(t):
    return datetime.datetime.utcfromtimestamp(t).strftime('%Y-%m-%dT%H:%M:%S.%f') + 'Z'


items = []   # (host, key, value, dogpile, size, exp, cls)
expected = {}
lists = {}
schedule = []
for u in users + [ghost]:
    for _ in range(max(1, int(u['tokens'] * scale))):
        schedule.append((rng.uniform(0, 3000), u))
schedule.sort(key=lambda s: s[0])
start = CAPTURE - 3000 - 1800  # the first issues' tokens are expired by capture time in lists
for offset, u in schedule:
    issued = start + offset * 1.6
    expires = issued + TTL
    tid = '%032x' % rng.getrandbits(128)
    version = 'v3.0' if rng.random() < 0.3 else 'v2.0'
    user_ref = {'id': u['ID'], 'name': u['Name'], 'username': u['Name']}
    if version == 'v2.0':
        body = {'id': tid, 'expires': {'$datetime': isotime(expires)[:-1]}, 'user': user_ref,
                'token_version': 'v2.0', 'key': tid,
                'token_data': {'access': {'token': {'id': tid, 'expires': isotime(expires)}, 'user': user_ref}}}
    else:
        v3user = {'id': u['ID'], 'name': u['Name'], 'domain': {'id': 'default', 'name': 'Default'}}
        body = {'id': tid, 'expires': {'$datetime': isotime(expires)[:-1]}, 'user': v3user,
                'token_version': 'v3.0', 'key': tid,
                'token_data': {'token': {'user': v3user, 'expires_at': isotime(expires)}}}
    if expires > CAPTURE:  # token keys expire in memcached; lists keep stale entries until the next issue
        key = sha1('token-' + tid)
        items.append([server_for(key), key, body, {'ct': issued, 'v': 1}, 3000 + rng.randint(0, 400), int(expires), 12])
        expected[key] = {'kind': 'token', 'user': u['ID']}
    cur = lists.setdefault(u['ID'], [])
    cur[:] = [e for e in cur if e[1] > isotime(issued)]
    cur.append([tid, isotime(expires)])
for u in users + [ghost]:
    key = sha1('usertokens-' + u['ID'])
    value = lists[u['ID']]
    items.append([server_for(key), key, value, {'ct': CAPTURE - 5, 'v': 1}, 40 + 82 * len(value), CAPTURE + TTL, 30])
    expected[key] = {'kind': 'usertokens', 'user': u['ID']}
rev = [{'id': '%032x' % rng.getrandbits(128), 'expires': isotime(CAPTURE + 100), 'audit_id': 'a%d' % k}
       for k in range(3)]
items.append([server_for('d08fca1361cfc00a936d7c93e4308aceb6ebc6ac'), 'd08fca1361cfc00a936d7c93e4308aceb6ebc6ac', rev,
              {'ct': CAPTURE - 100, 'v': 1}, 300, None, 3])
expected['d08fca1361cfc00a936d7c93e4308aceb6ebc6ac'] = {'kind': 'revocation-list', 'user': None}
lock = '_lockusertokens-' + users[1]['ID']
items.append([server_for(lock), lock, 1, None, 1, CAPTURE + 3, 1])
expected[lock] = {'kind': 'lock', 'user': users[1]['ID']}
for k in range(20):  # [cache] memoization entries
    key = sha1('keystone.assignment.core:get_role|%d' % k)
    items.append([server_for(key), key, {'id': '%032x' % k, 'name': 'role%d' % k}, {'ct': CAPTURE - 50, 'v': 1},
                  120 + k, CAPTURE + 500, 2])
    expected[key] = {'kind': 'cache', 'user': None}
for k in range(5):  # opaque bytes
    key = 'misc-%d' % k
    items.append([server_for(key), key, {'$bytes': 'AAEC'}, None, 3, None, 1])
    expected[key] = {'kind': 'unknown', 'user': None}

if shuffle:
    rng.shuffle(items)
else:  # lists first: the worst order for the token-list join is tokens first, so put tokens last
    items.sort(key=lambda it: 0 if expected[it[1]]['kind'] == 'usertokens' else 1)

per_host = {s: [] for s in servers}
for it in items:
    per_host[it[0]].append(it)
lines = []
for n, s in enumerate(servers):
    host, port = s.rsplit(':', 1)
    hi = per_host[s]
    vbytes = sum(it[4] for it in hi)
    # Traffic over the 60 s window: a common base, plus the token lists' own estimate (size x issue rate x 2)
    # on host 0, and on the hot host 1 its lists' estimate / 0.91, so they explain 91% of its excess.
    est = [0.0] * len(servers)
    for it in items:
        if expected[it[1]]['kind'] == 'usertokens':
            live = sum(1 for e in it[2] if e[1] > isotime(CAPTURE))
            est[servers.index(it[0])] += it[4] * live / float(TTL) * 2
    rate = 20000 + est[0] + (2 * est[n] / 0.91 if n > 0 else 0)
    # The same steady traffic since the server started a day ago (a third read, two thirds written), so
    # the since-start and window figures tell the same story.
    base_read, base_written = int(rate * (86400 - 60) / 3), int(rate * (86400 - 60) * 2 / 3)
    g0 = {'time': str(CAPTURE - 60), 'bytes_read': str(base_read), 'bytes_written': str(base_written),
          'evictions': str(n), 'curr_items': str(len(hi)), 'uptime': str(86400 - 60)}
    g1 = {'time': str(CAPTURE), 'bytes_read': str(base_read + int(rate * 60 / 3)),
          'bytes_written': str(base_written + int(rate * 60 * 2 / 3)), 'evictions': str(n * 3),
          'curr_items': str(len(hi)), 'uptime': str(86400)}
    rates = {'interval_s': 60}
    for name in ('bytes_read', 'bytes_written', 'evictions'):
        rates[name] = (float(g1[name]) - float(g0[name])) / 60
    lines.append(json.dumps({'type': 'source', 'schema': 1, 'host': host, 'port': int(port),
                             'file': '%s_%s.mcdump.gz' % (host, port), 'sha256': None, 'format': 'mcdump',
                             'server_version': '1.6.18', 'method': 'metadump', 'complete': True,
                             'counts': {'listed': len(hi), 'captured': len(hi), 'missed': 0, 'items': len(hi),
                                        'values': len(hi), 'value_bytes': vbytes, 'value_errors': 0, 'misses': 0,
                                        'notes': 0, 'errors': 0},
                             'window': {'start': CAPTURE - 60, 'end': CAPTURE, 'seconds': 60},
                             'stats': {'start': {'general': g0}, 'end': {'general': g1}}, 'rates': rates},
                            separators=(',', ':'), ensure_ascii=False))
    for hst, key, value, dogpile, size, exp, cls in hi:
        rec = {'type': 'item', 'host': host, 'port': int(port), 'key': key, 'size': size, 'flags': 2 if value == 1 else 1,
               'cas': rng.randint(1, 10**6), 'exp': exp, 'la': CAPTURE - 10, 'cls': cls, 'fetched': True,
               'encoding': ['int'] if value == 1 else (['pickle', 'dogpile'] if dogpile else ['pickle']),
               'pickle_protocol': None if value == 1 else 0}
        if dogpile:
            rec['dogpile'] = dogpile
        # As decode writes it: the value's JSON length (bytes) announced just before it.
        text = json.dumps(value, separators=(',', ':'), ensure_ascii=False)
        rec['value_json_bytes'] = len(text.encode('utf-8'))
        rec['value'] = value
        lines.append(json.dumps(rec, separators=(',', ':'), ensure_ascii=False))
with open(outdir + '/records.ndjson', 'w', encoding='utf-8') as f:
    f.write('\n'.join(lines) + '\n')
export = [{'ID': u['ID'], 'Name': u['Name'], 'Project': u['Project'], 'Domain': u['Domain'], 'Description': None,
           'Email': '%s@example.org' % u['Name'], 'Enabled': True} for u in users]
with open(outdir + '/users.json', 'w', encoding='utf-8') as f:
    json.dump(export, f, indent=2, ensure_ascii=False)
with open(outdir + '/users.csv', 'w', encoding='utf-8') as f:
    f.write('"ID","Name","Project","Domain","Description","Email","Enabled"\n')
    for u in export:
        f.write('"%s","%s","%s","%s","","%s",%s\n' % (u['ID'], u['Name'], u['Project'], u['Domain'], u['Email'], u['Enabled']))
with open(outdir + '/expected.json', 'w') as f:
    json.dump({'servers': servers, 'ghost': ghost['ID'], 'keys': expected}, f)
