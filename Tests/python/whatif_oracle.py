"""Oracle for the what-if section of `report --format json --servers LIST`: places every item of the
records with the real client libraries' hash functions (python-memcached's cmemcache_hash, >=1.60
and with the <=1.59 `or 1`; pymemcache's RendezvousHash) on every server count of the report, sums
value bytes per server (and the token lists' estimated traffic, size x issue rate x 2), recomputes
max/mean and the balance bounds (lower bound and largest-first packing), and compares them with the
report's `what_if`.

usage: python whatif_oracle.py RECORDS.ndjson REPORT.json SERVERS
prints each mismatch and exits 1 if there is any; prints 'ok <n> figures' otherwise.
"""
import base64
import json
import math
import sys

import memcache
from pymemcache.client.rendezvous import RendezvousHash

records_path, report_path, servers_arg = sys.argv[1], sys.argv[2], sys.argv[3]
report = json.load(open(report_path, encoding='utf-8'))
w = report['what_if']
servers = servers_arg.split(',')

items = []
lists = []  # (key, estimated traffic) of token lists
for line in open(records_path, encoding='utf-8'):
    if not line.strip():
        continue
    r = json.loads(line)
    if r.get('type') != 'item':
        continue
    key = r['key'].encode('utf-8') if 'key' in r else base64.b64decode(r['key_b64'])
    items.append((key, r.get('size') or 0))
    rate = (r.get('tokens') or {}).get('issue_rate') or 0
    if r.get('kind') == 'usertokens' and rate > 0:
        est = math.floor((r.get('size') or 0) * rate * 2 + 0.5)  # half away from zero, as Swift's rounded()
        if est >= 1:
            lists.append((key, est))


def names_for(n):
    out = list(servers[:n])
    k = len(servers)
    while len(out) < n:
        k += 1
        out.append('whatif-%d:11211' % k)
    return out


def modulo(n, or_one):
    def place(key):
        h = memcache.cmemcache_hash(key)
        if or_one:
            h = h or 1
        return h % n  # every weight is 1 here
    return place


def rendezvous(n):
    nodes = names_for(n)
    ring = RendezvousHash(nodes=nodes)
    return lambda key: nodes.index(ring.get_node(key.decode('utf-8')))


mismatches = []
checked = [0]


def same(what, exp, got):
    checked[0] += 1
    if isinstance(exp, float) or isinstance(got, float):
        ok = isinstance(got, (int, float)) and abs(exp - got) <= 1e-9 * max(1.0, abs(exp))
    else:
        ok = exp == got
    if not ok:
        mismatches.append('%s: expected %r, got %r' % (what, exp, got))


rows = {(row['client'], row['servers']): row for row in w['rows']}
counts = sorted({row['servers'] for row in w['rows']})
for n in counts:
    for client, place in (('python-memcached', modulo(n, False)), ('python-memcached-1.59', modulo(n, True)),
                          ('pymemcache', rendezvous(n))):
        if (client, n) not in rows:
            continue  # not asked for (--what-if-clients); the Swift test checks which rows exist
        loads = [0] * n
        counts_ = [0] * n
        for key, size in items:
            s = place(key)
            loads[s] += size
            counts_[s] += 1
        row = rows[(client, n)]
        same('%s/%d bytes' % (client, n), loads, row['bytes'])
        same('%s/%d items' % (client, n), counts_, row['items'])
        same('%s/%d names' % (client, n), names_for(n), row['names'])
        mean = sum(loads) / n
        same('%s/%d max_over_mean' % (client, n), max(loads) / mean if mean else 0.0, row['max_over_mean'])
        traffic = [0] * n
        for key, est in lists:
            traffic[place(key)] += est
        same('%s/%d traffic' % (client, n), traffic, row['traffic'])
        tmean = sum(traffic) / n
        same('%s/%d traffic_max_over_mean' % (client, n), max(traffic) / tmean if tmean else 0.0, row['traffic_max_over_mean'])

same('items', len(items), w['items'])
same('bytes', sum(size for _, size in items), w['bytes'])
same('largest_item', max((size for _, size in items), default=0), w['largest_item'])
same('lists', len(lists), w['lists'])
same('list_traffic', sum(e for _, e in lists), w['list_traffic'])
for name, sizes in (('bounds', [size for _, size in items]), ('traffic_bounds', [e for _, e in lists])):
    total = sum(sizes)
    largest = max(sizes, default=0)
    for b in w[name]:
        n = b['servers']
        mean = total / n
        same('%s %d lower' % (name, n), max(largest, mean) / mean if total else 0.0, b['lower_bound'])
        if b['exact']:
            loads = [0.0] * n
            for size in sorted(sizes, reverse=True):
                m = min(range(n), key=lambda j: (loads[j], j))
                loads[m] += size
            same('%s %d greedy' % (name, n), max(loads) / mean if total else 0.0, b['greedy'])
        else:
            mismatches.append('%s %d: expected exact packing for %d sizes' % (name, n, len(sizes)))

for m in mismatches[:50]:
    print(m)
if mismatches:
    sys.exit(1)
print('ok %d figures' % checked[0])
