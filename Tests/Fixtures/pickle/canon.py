# -*- coding: utf-8 -*-
# Reference canonicalizer for docs/canonical-json.md, written from that contract.
# It walks *Python values* (not pickles): what a correct decoder must print for the pickle of a value.
# Runs under Python 3 (generate.py) and Python 2.7 (generate_py2.py). Also the output comparator.
import base64, collections, datetime, decimal, json, sys, uuid

PY2 = sys.version_info[0] == 2
if PY2:
    text_type, long_type, py2str_type = unicode, long, str  # noqa: F821
else:
    text_type, long_type, py2str_type = str, int, None

MAX_SAFE = 2 ** 53 - 1


def _fix_surrogates(s):
    if PY2:
        return s
    return s.encode('utf-16-le', 'surrogatepass').decode('utf-16-le', 'replace')


def _strict_utf8(b):
    try:
        u = b.decode('utf-8')
    except UnicodeDecodeError:
        return None
    if any(0xD800 <= ord(c) <= 0xDFFF for c in u):
        return None
    return u


def _b64(b):
    return {"$bytes": base64.b64encode(bytes(b)).decode('ascii')}


def _float(f):
    if f != f:
        return {"$float": "nan"}
    if f in (float('inf'), float('-inf')):
        return {"$float": "inf" if f > 0 else "-inf"}
    return float(f)


def _offset(td):
    us = (td.days * 86400 + td.seconds) * 1000000 + td.microseconds
    sign = '-' if us < 0 else '+'
    us = abs(us)
    secs, us = divmod(us, 1000000)
    s = '%s%02d:%02d' % (sign, secs // 3600, secs // 60 % 60)
    if secs % 60 or us:
        s += ':%02d' % (secs % 60)
    if us:
        s += '.%06d' % us
    return s


def _tz_suffix(tz):
    if tz is None:
        return '', None
    if not PY2 and type(tz) is datetime.timezone:
        return _offset(tz.utcoffset(None)), None
    return '', tz


def _key_text(k):
    """The string a dict key renders as, or None if it can't be an object key."""
    if isinstance(k, text_type):
        return _fix_surrogates(k)
    if PY2 and isinstance(k, str):
        return _strict_utf8(k)
    return None


class Canon(object):
    """canon(value) -> JSON-able structure. `classes` maps a Python class to its pickled "module.Name"."""

    def __init__(self, cached_value_class=None):
        self.cached_value_class = cached_value_class
        self.active = {}
        self.path = []

    def pointer(self, depth):
        out = ''
        for seg in self.path[:depth]:
            out += '/' + str(seg).replace('~', '~0').replace('/', '~1')
        return out

    def __call__(self, v):
        return self.canon(v)

    def container(self, v, build):
        i = id(v)
        if i in self.active:
            return {"$ref": self.pointer(self.active[i])}
        self.active[i] = len(self.path)
        try:
            return build()
        finally:
            del self.active[i]

    def sub(self, seg, v):
        self.path.append(seg)
        try:
            return self.canon(v)
        finally:
            self.path.pop()

    def seq(self, items, prefix=()):
        return [self.sub_path(list(prefix) + [n], x) for n, x in enumerate(items)]

    def sub_path(self, segs, v):
        self.path.extend(segs)
        try:
            return self.canon(v)
        finally:
            del self.path[len(self.path) - len(segs):]

    def dict_(self, items):
        keys = [_key_text(k) for k, _ in items]
        if all(k is not None and not k.startswith('$') for k in keys) and len(set(keys)) == len(keys):
            out = collections.OrderedDict()
            for kt, (_, val) in zip(keys, items):
                out[kt] = self.sub_path([kt], val)
            return out
        return {"$dict": [[self.sub_path(['$dict', n, 0], k), self.sub_path(['$dict', n, 1], val)]
                          for n, (k, val) in enumerate(items)]}

    def canon(self, v):
        t = type(v)
        if v is None or t is bool:
            return v
        if t is int or t is long_type:
            return int(v) if abs(v) <= MAX_SAFE else {"$int": str(int(v))}
        if t is float:
            return _float(v)
        if t is text_type:
            return _fix_surrogates(v)
        if PY2 and t is str:
            u = _strict_utf8(v)
            return u if u is not None else _b64(bytearray(v))
        if (not PY2 and t is bytes) or t is bytearray:
            return _b64(v)
        if t is complex:
            return {"$complex": [_float(v.real), _float(v.imag)]}
        if t is datetime.datetime:
            suffix, other = _tz_suffix(v.tzinfo)
            s = '%04d-%02d-%02dT%02d:%02d:%02d.%06d' % (v.year, v.month, v.day, v.hour, v.minute, v.second,
                                                        v.microsecond) + suffix
            return {"$datetime": s} if other is None else {"$datetime": s, "$tzinfo": self.sub('$tzinfo', other)}
        if t is datetime.date:
            return {"$date": '%04d-%02d-%02d' % (v.year, v.month, v.day)}
        if t is datetime.time:
            suffix, other = _tz_suffix(v.tzinfo)
            s = '%02d:%02d:%02d.%06d' % (v.hour, v.minute, v.second, v.microsecond) + suffix
            return {"$time": s} if other is None else {"$time": s, "$tzinfo": self.sub('$tzinfo', other)}
        if t is datetime.timedelta:
            return {"$timedelta": [v.days, v.seconds, v.microseconds]}
        if t is decimal.Decimal:
            return {"$decimal": str(v)}
        if t is uuid.UUID:
            return {"$uuid": str(v)}
        if self.cached_value_class is not None and t is self.cached_value_class:
            return self.container(v, lambda: {"$cachedvalue": collections.OrderedDict([
                ("payload", self.sub_path(['$cachedvalue', 'payload'], v[0])),
                ("metadata", self.sub_path(['$cachedvalue', 'metadata'], v[1]))])})
        if t in (list, tuple, collections.deque):
            return self.container(v, lambda: self.seq(v))
        if t in (dict, collections.OrderedDict, collections.defaultdict):
            return self.container(v, lambda: self.dict_(list(v.items())))
        if t in (set, frozenset):
            key = "$set" if t is set else "$frozenset"
            return self.container(v, lambda: {key: self.seq(list(v), prefix=[key])})
        # Any other object: an instance pickled by reduce/__dict__ (records with a BUILD state).
        cls = getattr(v, "__class__", t)
        name = cls.__module__ + "." + cls.__name__
        return self.container(v, lambda: collections.OrderedDict([
            ("$class", name), ("$args", []), ("$state", self.sub('$state', dict(v.__dict__)))]))


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(',', ':'), allow_nan=False)


# ── comparison rules (docs/canonical-json.md): type-strict, key order, sets as multisets ──

def norm(x):
    if x is None:
        return ('n',)
    if isinstance(x, bool):
        return ('b', x)
    if isinstance(x, (int, long_type)):
        return ('i', x)
    if isinstance(x, float):
        return ('f', x.hex())
    if isinstance(x, text_type) or (PY2 and isinstance(x, str)):
        return ('s', x)
    if isinstance(x, list):
        return ('l', tuple(norm(e) for e in x))
    if isinstance(x, dict):
        keys = list(x.keys())
        if len(keys) == 1 and keys[0] in ('$set', '$frozenset') and isinstance(x[keys[0]], list):
            return (keys[0], tuple(sorted((norm(e) for e in x[keys[0]]), key=repr)))
        if keys and all(k.startswith('$') for k in keys):  # a marker: its key order is not significant
            return ('m', tuple(sorted((k, norm(x[k])) for k in keys)))
        return ('d', tuple((k, norm(x[k])) for k in keys))
    raise TypeError(type(x))


def loads_ordered(text):
    return json.loads(text, object_pairs_hook=collections.OrderedDict)


def same(expected, actual):
    return norm(expected) == norm(actual)
