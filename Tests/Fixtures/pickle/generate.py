# Differential fixture generator (run by SafePickleTests): random nested values across every type of
# docs/canonical-json.md ("Mapping"), plus Keystone-shaped values, pickled by CPython 3 at protocols 0–5, each with
# the expected canonical JSON computed by canon.py from the value itself.
# usage: generate.py --seed N --count N --out cases.jsonl
import argparse, base64, collections, datetime, decimal, json, os, pickle, random, sys, uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import canon  # noqa: E402
from dogpile.cache.api import CachedValue  # noqa: E402

sys.setrecursionlimit(10000)


class Thing(object):
    """An unknown class: pickles as a record + BUILD state."""
    def __init__(self, **kw):
        self.__dict__.update(kw)


def rand_text(r):
    alphabet = ['a', 'b', 'Z', '0', ' ', '$', '~', '/', '"', "'", '\\', '\n', '\r', '\t', '\x00', '\x7f',
                'é', 'ß', '€', '\u2028', '😀', '\U0010ffff', '\ud800', '\udc00', '\ud83d']
    return ''.join(r.choice(alphabet) for _ in range(r.randint(0, 8)))


def rand_float(r):
    return r.choice([0.0, -0.0, 1.0, 1.5, -2.25, 1e16, 1e-7, 5e-324, 1.7976931348623157e308, 0.1,
                     float('nan'), float('inf'), float('-inf'), r.uniform(-1e6, 1e6), r.random()])


def rand_int(r):
    return r.choice([0, 1, -1, 255, 256, 65535, 65536, 2 ** 31 - 1, -2 ** 31, 2 ** 31, 2 ** 53 - 1, 2 ** 53,
                     -(2 ** 53), 2 ** 63, -(2 ** 64) - 1, r.randint(-10 ** 6, 10 ** 6),
                     r.randint(-2 ** 200, 2 ** 200)])


def rand_key(r):
    k = r.random()
    if k < 0.75:
        return rand_text(r)
    return r.choice([rand_int(r), None, True, 2.5, b'raw', (1, 'a'), frozenset([1, 2]), '$dollar', ''])


TZS = [datetime.timezone.utc, datetime.timezone(datetime.timedelta(hours=5, minutes=30)),
       datetime.timezone(datetime.timedelta(hours=-8), 'PST'), datetime.timezone(datetime.timedelta(seconds=-1, microseconds=5))]


def rand_scalar(r):
    c = r.randint(0, 17)
    if c == 0: return None
    if c == 1: return r.random() < 0.5
    if c == 2: return rand_int(r)
    if c == 3: return rand_float(r)
    if c == 4: return rand_text(r)
    if c == 5: return bytes(r.randint(0, 255) for _ in range(r.randint(0, 10)))
    if c == 6: return bytearray(r.randint(0, 255) for _ in range(r.randint(0, 5)))
    if c == 7: return complex(rand_float(r), rand_float(r))
    if c == 8:
        return datetime.datetime(r.randint(1, 9999), r.randint(1, 12), r.randint(1, 28), r.randint(0, 23),
                                 r.randint(0, 59), r.randint(0, 59), r.choice([0, r.randint(0, 999999)]),
                                 tzinfo=r.choice([None, None] + TZS), fold=r.randint(0, 1))
    if c == 9: return datetime.date(r.randint(1, 9999), r.randint(1, 12), r.randint(1, 28))
    if c == 10:
        return datetime.time(r.randint(0, 23), r.randint(0, 59), r.randint(0, 59), r.randint(0, 999999),
                             tzinfo=r.choice([None] + TZS), fold=r.randint(0, 1))
    if c == 11:
        return datetime.timedelta(days=r.randint(-999999999, 999999999), seconds=r.randint(-10 ** 6, 10 ** 6),
                                  microseconds=r.randint(-10 ** 7, 10 ** 7))
    if c == 12: return decimal.Decimal(r.choice(['1.50', '-0', '1E+3', 'NaN', '-Infinity', 'sNaN12', '123456789012345678901234567890.5']))
    if c == 13: return uuid.UUID(int=r.getrandbits(128))
    if c == 14: return r.choice([2 ** 100, -(2 ** 100)])
    if c == 15: return ''
    if c == 16: return rand_text(r) * 3
    return 2 ** 53 + r.randint(0, 5)


def rand_value(r, depth):
    if depth <= 0 or r.random() < 0.35:
        return rand_scalar(r)
    n = r.randint(0, 5)
    c = r.randint(0, 10)
    if c == 0: return [rand_value(r, depth - 1) for _ in range(n)]
    if c == 1: return tuple(rand_value(r, depth - 1) for _ in range(n))
    if c in (2, 3): return {rand_key(r): rand_value(r, depth - 1) for _ in range(n)}
    if c == 4: return set(rand_key(r) for _ in range(n))
    if c == 5: return frozenset(rand_key(r) for _ in range(n))
    if c == 6: return collections.OrderedDict((rand_text(r), rand_value(r, depth - 1)) for _ in range(n))
    if c == 7:
        d = collections.defaultdict(list)
        for _ in range(n):
            d[rand_key(r)] = rand_value(r, depth - 1)
        return d
    if c == 8: return collections.deque(rand_value(r, depth - 1) for _ in range(n))
    if c == 9: return CachedValue(rand_value(r, depth - 1), {'ct': r.random() * 2e9, 'v': 2})
    t = Thing(a=rand_value(r, depth - 1), b=rand_text(r))
    return t


def shared_and_cycles(r):
    """Values with sharing and cycles (pickle memo identity)."""
    shared = [1, 'x']
    l = [shared, shared]
    cyc = [1]
    cyc.append(cyc)
    d = {'k': None}
    d['self'] = d
    t = Thing(n=1)
    t.me = t
    inner = [0]
    outer = {'a': inner, 'b': [inner, {'back': None}]}
    outer['b'][1]['back'] = outer
    through_set = Thing(n=2)
    through_set.s = frozenset([through_set])
    return [l, cyc, d, t, outer, [cyc, cyc], through_set]


def keystone_values():
    now = datetime.datetime(2015, 6, 1, 12, 30, 45, 123456)
    catalog = [{'endpoints': [{'id': '%032x' % (i * 7 + j), 'interface': iface, 'region': 'RegionOne',
                               'region_id': 'RegionOne', 'url': 'http://10.0.0.%d:%d/v2.0' % (i, 5000 + j)}
                              for j, iface in enumerate(['public', 'internal', 'admin'])],
                'id': '%032x' % i, 'type': t, 'name': t + '-svc'}
               for i, t in enumerate(['identity', 'compute', 'image', 'network', 'volume'])]
    token = {'id': 'a' * 32, 'expires': now + datetime.timedelta(hours=1), 'user': {'id': 'u' * 32, 'name': 'admin',
             'domain': {'id': 'default', 'name': 'Default'}}, 'tenant': {'id': 't' * 32, 'name': 'demo'},
             'metadata': {'roles': ['r1', 'r2']}, 'bind': None, 'token_data': {'token': {
                 'methods': ['password'], 'roles': [{'id': 'r1', 'name': 'admin'}], 'expires_at': '2015-06-01T13:30:45.123456Z',
                 'issued_at': '2015-06-01T12:30:45.123456Z', 'catalog': catalog, 'extras': {}}}}
    tlist = [('%032x' % i, now + datetime.timedelta(seconds=i)) for i in range(6000)]
    return [token, CachedValue(token, {'ct': 1433161845.25, 'v': 2}), tlist, CachedValue(tlist, {'ct': 1433161845.5, 'v': 1})]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--count', type=int, default=1500)
    ap.add_argument('--out', required=True)
    args = ap.parse_args()
    r = random.Random(args.seed)
    values = [('random', rand_value(r, 4)) for _ in range(args.count)]
    values += [('shared', v) for v in shared_and_cycles(r)]
    values += [('keystone', v) for v in keystone_values()]
    n = 0
    with open(args.out, 'w') as out:
        for i, (kind, v) in enumerate(values):
            expected = canon.Canon(cached_value_class=CachedValue)(v)
            for proto in range(6):
                data = pickle.dumps(v, proto)
                out.write(json.dumps({'id': '%s-%d-p%d' % (kind, i, proto), 'b64': base64.b64encode(data).decode(),
                                      'expected': expected}, ensure_ascii=False, allow_nan=False) + '\n')
                n += 1
    print(n)


if __name__ == '__main__':
    main()
