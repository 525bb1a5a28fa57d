# -*- coding: utf-8 -*-
# Python 2.7 fixtures, generated ONCE with /root/.pyenv/versions/2.7.18/bin/python and committed, so
# the tests never need Python 2: Keystone Kilo-shaped values pickled by the real cPickle and by the
# pure-Python pickle at protocols 0–2, with expected canonical JSON from canon.py (run under 2.7).
# usage: python2.7 generate_py2.py OUTDIR   (writes OUTDIR/*.pkl and OUTDIR/cases.jsonl)
import base64, datetime, decimal, json, os, pickle, cPickle, shutil, sys, tempfile, uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import canon  # noqa: E402

# dogpile.cache 0.5.x's CachedValue, defined in a module really named dogpile.cache.api so the
# GLOBAL reads "dogpile.cache.api CachedValue".
tmp = tempfile.mkdtemp()
os.makedirs(os.path.join(tmp, 'dogpile', 'cache'))
open(os.path.join(tmp, 'dogpile', '__init__.py'), 'w').close()
open(os.path.join(tmp, 'dogpile', 'cache', '__init__.py'), 'w').close()
with open(os.path.join(tmp, 'dogpile', 'cache', 'api.py'), 'w') as f:
    f.write('''import operator
class CachedValue(tuple):
    """dogpile.cache 0.5.x"""
    payload = property(operator.itemgetter(0))
    metadata = property(operator.itemgetter(1))
    def __new__(cls, payload, metadata):
        return tuple.__new__(cls, (payload, metadata))
    def __reduce__(self):
        return CachedValue, (self.payload, self.metadata)
''')
sys.path.insert(0, tmp)
from dogpile.cache.api import CachedValue  # noqa: E402


class OldStyle:
    def __init__(self):
        self.name = 'classic'
        self.n = 3


class NewStyle(object):
    def __init__(self):
        self.name = u'new'
        self.when = datetime.datetime(2015, 4, 30, 23, 59, 59, 999999)


def values():
    now = datetime.datetime(2015, 6, 1, 12, 30, 45, 123456)
    catalog = [{'endpoints': [{'id': '%032x' % (i * 7 + j), 'interface': iface, 'region': 'RegionOne',
                               'url': 'http://10.0.0.%d:%d/v2.0' % (i, 5000 + j)}
                              for j, iface in enumerate(['public', 'internal', 'admin'])],
                'id': '%032x' % i, 'type': t, 'name': t}
               for i, t in enumerate(['identity', 'compute', 'image', 'network', 'volume'])]
    token = {'id': 'a' * 32, 'expires': now + datetime.timedelta(hours=1),
             'user': {'id': u'u' * 32, 'name': u'adm\xefn \u20ac', 'domain': {'id': 'default', 'name': 'Default'}},
             'tenant': {'id': 't' * 32, 'name': 'demo'}, 'metadata': {'roles': ['r1', 'r2']}, 'bind': None,
             'token_data': {'access': {'token': {'issued_at': '2015-06-01T12:30:45.123456', 'expires': '2015-06-01T13:30:45Z',
                                                 'id': 'a' * 32, 'audit_ids': [u'xyz']},
                                       'serviceCatalog': catalog, 'metadata': {'is_admin': 0, 'roles': ['r1']}}},
             'trust_id': None}
    token_list = [('%032x' % i, now + datetime.timedelta(seconds=i)) for i in range(6000)]
    misc = {'long': 10 ** 20, 'neglong': -(2 ** 70), 'small_long': long(5), 'maxint': sys.maxint, 'float': 1.25,  # noqa: F821
            'floats': [0.1, -0.0, 1e16, 1e-300, float('inf'), float('-inf'), float('nan')],
            'unicode': u'caf\xe9 \u2603 \U0001f600 \\ \n end', 'binary': '\x00\xff\xfe\x80', 'utf8str': 'caf\xc3\xa9',
            'quotes': 'it\'s "q"', 'bools': [True, False], 'none': None, 'tuple': (1, (2, 3)), 'set': set([1, 2, 'a']),
            'frozenset': frozenset(['x']), 'decimal': decimal.Decimal('3.14159'), 'date': datetime.date(2015, 1, 2),
            'time': datetime.time(23, 59, 1, 5), 'timedelta': datetime.timedelta(-3, 5, 7),
            'uuid': uuid.UUID('12345678-1234-5678-1234-567812345678'), 'complex': 1 + 2j,
            1: 'int key', (1, 2): 'tuple key', 'old': OldStyle(), 'new': NewStyle(), '$dollar': 1}
    shared = ['shared']
    cyc = [1]
    cyc.append(cyc)
    return [
        ('token', CachedValue(token, {'ct': 1433161845.25, 'v': 1})),
        ('token_list', CachedValue(token_list, {'ct': 1433161845.5, 'v': 1})),
        ('misc', misc),
        ('shared_cycle', [shared, shared, cyc]),
        ('plain_token_dict', token),
    ]


def main():
    out_dir = sys.argv[1]
    if not os.path.isdir(out_dir):
        os.makedirs(out_dir)
    lines = []
    for name, v in values():
        expected = canon.Canon(cached_value_class=CachedValue)(v)
        for impl_name, impl in (('cpickle', cPickle), ('pickle', pickle)):
            for proto in (0, 1, 2):
                if name == 'token_list' and impl_name == 'pickle' and proto == 1:
                    continue  # keep the committed fixtures small
                data = impl.dumps(v, proto)
                fname = '%s-%s-p%d.pkl' % (name, impl_name, proto)
                with open(os.path.join(out_dir, fname), 'wb') as f:
                    f.write(data)
                lines.append(json.dumps({'id': fname, 'file': fname, 'expected': expected}, allow_nan=False))
    with open(os.path.join(out_dir, 'cases.jsonl'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    shutil.rmtree(tmp)
    print(len(lines))


if __name__ == '__main__':
    main()
