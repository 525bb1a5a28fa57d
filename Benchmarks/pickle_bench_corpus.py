# Builds the Keystone-shaped benchmark corpus and measures CPython on it.
#   corpus OUTDIR MB       : writes OUTDIR/<row>.bin (u32-LE length-prefixed pickles) for rows
#                            py3-p0, py3-p2, py3-p5 (and py2-p0 when run under Python 2.7 with --py2)
#   measure FILE           : pickle.loads alone, and pickle.loads + json.dumps(default=str), MB/s (JSON line)
# Mostly ~10 KB token dicts (a dogpile CachedValue of a Kilo token), some ~600 KB token lists.
from __future__ import print_function
import datetime, json, os, pickle, struct, sys, time

try:
    import cPickle as fast_pickle  # Python 2.7: the real C pickler Kilo used
except ImportError:
    fast_pickle = pickle


class CachedValue(tuple):  # dogpile.cache 0.5.x shape, pickled through REDUCE
    def __new__(cls, payload, metadata):
        return tuple.__new__(cls, (payload, metadata))

    def __reduce__(self):
        return CachedValue, (self[0], self[1])


CachedValue.__module__ = 'dogpile.cache.api'
sys.modules.setdefault('dogpile', type(sys)('dogpile'))
sys.modules.setdefault('dogpile.cache', type(sys)('dogpile.cache'))
api = type(sys)('dogpile.cache.api')
api.CachedValue = CachedValue
sys.modules['dogpile.cache.api'] = api


def token(i):
    now = datetime.datetime(2015, 6, 1, 12, 0, 0, i % 1000000)
    catalog = [{'endpoints': [{'id': '%032x' % (i + k * 7 + j), 'interface': iface, 'region': 'RegionOne',
                               'url': 'http://10.0.%d.%d:%d/v2.0/%032x' % (k, j, 5000 + j, i)}
                              for j, iface in enumerate(['public', 'internal', 'admin'])],
                'endpoints_links': [], 'type': t, 'name': t}
               for k, t in enumerate(['identity', 'compute', 'image', 'network', 'volume', 'volumev2', 'orchestration',
                                      'metering', 'object-store', 'cloudformation', 'ec2', 'dns'])]
    tok = {'id': '%032x' % i, 'expires': now + datetime.timedelta(hours=1),
           'user': {'id': '%032x' % (i * 3), 'name': u'user%d' % i, 'domain': {'id': 'default', 'name': 'Default'}},
           'tenant': {'id': '%032x' % (i * 5), 'name': 'project-%d' % i, 'enabled': True}, 'bind': None,
           'metadata': {'roles': ['%032x' % r for r in range(3)]},
           'token_data': {'access': {'token': {'issued_at': now.isoformat(), 'expires': '2015-06-01T13:00:00Z',
                                               'id': '%032x' % i, 'audit_ids': [u'QmFzZTY0%d' % i]},
                                     'serviceCatalog': catalog,
                                     'user': {'username': 'user%d' % i, 'roles_links': [], 'id': '%032x' % (i * 3),
                                              'roles': [{'name': 'admin'}, {'name': '_member_'}]},
                                     'metadata': {'is_admin': 0, 'roles': ['%032x' % r for r in range(3)]}}}}
    return CachedValue(tok, {'ct': 1433160000.0 + i, 'v': 1})


def token_list(i):
    now = datetime.datetime(2015, 6, 1, 12, 0, 0)
    return CachedValue([('%032x' % (i * 10000 + k), now + datetime.timedelta(seconds=k)) for k in range(7000)],
                       {'ct': 1433160000.0 + i, 'v': 1})


def corpus(out_dir, mb, rows):
    if not os.path.isdir(out_dir):
        os.makedirs(out_dir)
    target = int(mb * 1e6)
    for row, proto in rows:
        items, size, i = [], 0, 0
        big = fast_pickle.dumps(token_list(0), proto)
        while size < target:
            data = big if i % 20 == 19 else fast_pickle.dumps(token(i), proto)
            items.append(data)
            size += len(data)
            i += 1
        with open(os.path.join(out_dir, row + '.bin'), 'wb') as f:
            for d in items:
                f.write(struct.pack('<I', len(d)))
                f.write(d)
        print('%s: %d pickles, %.1f MB (token dict %d bytes, token list %d bytes)' % (
            row, len(items), size / 1e6, len(fast_pickle.dumps(token(1), proto)), len(big)), file=sys.stderr)


def measure(path):
    raw = open(path, 'rb').read()
    items, pos = [], 0
    while pos < len(raw):
        n = struct.unpack('<I', raw[pos:pos + 4])[0]
        items.append(raw[pos + 4:pos + 4 + n])
        pos += 4 + n
    mb = sum(len(x) for x in items) / 1e6
    t = time.perf_counter()
    for d in items:
        pickle.loads(d, encoding='latin1')
    loads = time.perf_counter() - t
    t = time.perf_counter()
    for d in items:
        json.dumps(pickle.loads(d, encoding='latin1'), default=str)
    both = time.perf_counter() - t
    print(json.dumps({'input_mb': mb, 'loads_mb_per_s': mb / loads, 'loads_json_mb_per_s': mb / both}))


if __name__ == '__main__':
    if sys.argv[1] == 'corpus':
        py2 = '--py2' in sys.argv
        rows = [('py2-p0', 0)] if py2 else [('py3-p0', 0), ('py3-p2', 2), ('py3-p5', 5)]
        corpus(sys.argv[2], float(sys.argv[3]), rows)
    else:
        measure(sys.argv[2])
