# -*- coding: utf-8 -*-
"""Fill memcached the way OpenStack Keystone Kilo did (token persistence through dogpile.cache).

Run with CPython 2.7 and the Kilo-era libraries (dogpile.cache 0.5.x, python-memcached <= 1.57);
Samples/make-samples.sh installs them into a private folder and runs this script.

What it writes, exactly like keystone.token.persistence.backends.kvs (kilo-eol):
  * sha1('token-<id>')       -> CachedValue(token_ref dict with naive-UTC datetime 'expires', {'ct','v':1})
  * sha1('usertokens-<uid>') -> CachedValue([(token_id, isotime), ...], ...), read-modify-written at every issue
  * sha1('revocation-list')  -> CachedValue([{'id','expires','audit_id'}], ...), no expiry
  * '_lockusertokens-<uid>'  -> 1 (python-memcached flags 2), unmangled, 6 s TTL (a few, while issuing)
Heavy service users are chosen so that their token lists hash to the same host (index 1 of 2 under
python-memcached's cmemcache_hash), as in the incident that started this project.

usage: python2.7 fill_kilo.py HOST:PORT HOST:PORT OUTDIR
"""
import os
import site

if os.environ.get('KILO_LIB'):  # the private folder make-samples.sh installs the Kilo libraries into
    site.addsitedir(os.environ['KILO_LIB'])

import binascii
import datetime
import hashlib
import json
import random
import sys
import time

from dogpile.cache import make_region
from dogpile.cache.util import sha1_mangle_key
import memcache

SERVERS = sys.argv[1:3]
OUTDIR = sys.argv[3]
TTL = 3600
rng = random.Random(20160427)


def uid():
    return '%032x' % rng.getrandbits(128)


def server_index(user_id):
    key = hashlib.sha1('usertokens-' + user_id).hexdigest()
    h = ((binascii.crc32(key) & 0xffffffff) >> 16) & 0x7fff or 1
    return h % len(SERVERS)


def uid_on(index):
    while True:
        u = uid()
        if server_index(u) == index:
            return u


# The seed write-up's ceilometer id (its token list hashed to the second host).
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
assert server_index(users[0]['ID']) == 1
for i in range(40):
    users.append({'ID': uid(), 'Name': u'user%02d' % i, 'tokens': rng.randint(1, 12)})
users.append({'ID': uid(), 'Name': u'j\xf6rg', 'tokens': 3})  # a non-ASCII name (unicode from SQL)
for u in users:
    u['Domain'] = 'default'
    u['Email'] = '%s@example.org' % u['Name'].encode('ascii', 'replace')
    u['Enabled'] = True
    u['Project'] = 'service' if u['tokens'] >= 25 else 'demo'

region = make_region(key_mangler=sha1_mangle_key).configure(
    'dogpile.cache.memcached', arguments={'url': SERVERS, 'memcached_expire_time': TTL})
forever = make_region(key_mangler=sha1_mangle_key).configure(
    'dogpile.cache.memcached', arguments={'url': SERVERS})
raw = memcache.Client(SERVERS)

CATALOG = [
    {'type': t, 'name': n, 'endpoints': [{
        'region': 'RegionOne', 'id': '%032x' % rng.getrandbits(128),
        'publicURL': 'https://%s.example.org:%d/v2' % (n, p),
        'internalURL': 'http://%s.internal:%d/v2' % (n, p),
        'adminURL': 'http://%s.internal:%d/v2' % (n, p)}],
     'endpoints_links': []}
    for t, n, p in [('compute', 'nova', 8774), ('network', 'neutron', 9696), ('image', 'glance', 9292),
                    ('volume', 'cinder', 8776), ('identity', 'keystone', 5000),
                    ('metering', 'ceilometer', 8777), ('orchestration', 'heat', 8004)]]


def isotime(dt):
    return dt.strftime('%Y-%m-%dT%H:%M:%S.%f') + 'Z'


def token_ref(token_id, user, expires, issued):
    tenant = {'id': '%032x' % (hash(user['Project']) & (2 ** 128 - 1)), 'name': user['Project'],
              'enabled': True, 'description': None}
    user_ref = {'id': user['ID'], 'name': user['Name'], 'username': user['Name'],
                'roles_links': [], 'roles': [{'name': '_member_'}]}
    return {
        'id': token_id, 'expires': expires, 'user': user_ref, 'tenant': tenant,
        'metadata': {'roles': ['9fe2ff9ee4384b1894a90878d3e92bab']}, 'bind': None,
        'trust_id': None, 'token_version': 'v2.0', 'key': token_id,
        'token_data': {'access': {
            'token': {'id': token_id, 'expires': isotime(expires)[:-8] + 'Z',
                      'issued_at': isotime(issued), 'audit_ids': [binascii.b2a_base64(
                          hashlib.md5(token_id).digest()[:16]).strip()[:22]], 'tenant': tenant},
            'user': user_ref, 'serviceCatalog': CATALOG,
            'metadata': {'is_admin': 0, 'roles': ['9fe2ff9ee4384b1894a90878d3e92bab']}}},
    }


# Issue tokens in time order over the last ~50 minutes, heavy users most often (as ceilometer polls did).
now = datetime.datetime.utcnow()
schedule = []
for u in users:
    for _ in range(u['tokens']):
        schedule.append((rng.uniform(0, 3000), u))
schedule.sort(key=lambda s: s[0])
revoked = []
for n, (offset, user) in enumerate(schedule):
    issued = now - datetime.timedelta(seconds=3000 - offset)
    expires = issued + datetime.timedelta(seconds=TTL)
    token_id = '%032x' % rng.getrandbits(128)
    region.set('token-' + token_id, token_ref(token_id, user, expires, issued))
    # _update_user_token_list: lock, read, drop expired and revoked, append, write the whole list.
    user_key = 'usertokens-' + user['ID'].encode('utf-8')
    if n % 500 == 0:
        raw.add('_lock' + user_key, 1, 6)
    current = region.get(user_key)
    if not isinstance(current, list):
        current = []
    revoked_ids = set(r['id'] for r in revoked)
    kept = [(t, e) for t, e in current if e > isotime(issued) and t not in revoked_ids]
    kept.append((token_id, isotime(expires)))
    region.set(user_key, kept)
    if n % 700 == 350:
        revoked.append({'id': token_id, 'expires': isotime(expires), 'audit_id': 'aud%05d' % n})
        forever.set('revocation-list', revoked)

# The user list as `openstack user list --long -f json` and `-f csv` print it.
export = [{'ID': u['ID'], 'Name': u['Name'], 'Project': u['Project'], 'Domain': u['Domain'],
           'Description': None, 'Email': u['Email'], 'Enabled': u['Enabled']} for u in users]
with open(OUTDIR + '/users.json', 'w') as f:
    json.dump(export, f, indent=2, sort_keys=False)
    f.write('\n')
with open(OUTDIR + '/users.csv', 'w') as f:
    f.write('"ID","Name","Project","Domain","Description","Email","Enabled"\n')
    for u in export:
        f.write('"%s","%s","%s","%s","","%s",%s\n' % (
            u['ID'], u['Name'].encode('utf-8'), u['Project'], u['Domain'], u['Email'], u['Enabled']))
print('issued %d tokens for %d users on %s' % (len(schedule), len(users), ' '.join(SERVERS)))
