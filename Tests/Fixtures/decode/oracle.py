#!/usr/bin/env python3
"""Python side of the decode tests (DecodeTests): fills a real memcached with the real Python
clients, captures what the server holds (raw bytes, read-only: metadump + `mg ... u`), and checks
`decode`'s NDJSON against what Python itself decodes from the same bytes.

  oracle.py fill PORT SCENARIO...    scenarios: pm pmz pymc dogpile dogpile-pymc dogpile-ser all
  oracle.py capture PORT             JSON lines: {"server":…} then one {"key_b64":…} per item
  oracle.py check CAPTURE NDJSON     exit 1 and one line per difference when decode disagrees

Values are canonicalised by the SafePickle engineer's reference canonicalizer
(Tests/Fixtures/pickle/canon.py, written from docs/canonical-json.md) and compared with its rules:
type-strict (int ≠ float ≠ bool), dict key order significant, sets as multisets.
"""
import base64, datetime, decimal, json, math, os, pickle, socket, sys, time, urllib.parse, uuid, zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pickle"))
import canon as reference  # noqa: E402

LIMIT = 2**53 - 1


def token_list(n, seed):
    return [("%032x" % (seed * 1000003 + i), "2026-11-26T%02d:%02d:00.000000Z" % (i % 24, i % 60)) for i in range(n)]


def sample_values(prefix):
    """Key → value pairs: plain JSON types, bytes, big ints, tuples, and datetime/set/Decimal/UUID/date markers."""
    return {
        prefix + "dict": {"id": "u1", "name": "alice", "roles": ["admin", "member"], "n": 3, "f": 1.5, "none": None, "ok": True},
        prefix + "list": [1, 2.0, -3, "x", [True, False], {"k": "v"}],
        prefix + "tokens": token_list(40, 7),
        prefix + "bigtokens": token_list(800, 11),
        prefix + "unicode": {"name": "Jos\u00e9 \u2603 \U0001F600", "esc": "quote\" back\\ nl\n tab\t"},
        prefix + "bytes_in": {"raw": b"\x00\xff\xfe binary"},
        prefix + "bigint_in": [2**70, -(2**60), LIMIT, -LIMIT],
        prefix + "float": 3.25,
        prefix + "boolean": True,
        prefix + "nothing": None,
        prefix + "tuple": (1, "two", (3.0,)),
        prefix + "rich": {"expires": datetime.datetime(2026, 11, 26, 12, 0, 0, 5), "roles": {"admin", "member"},
                          "d": decimal.Decimal("1.10"), "u": uuid.UUID(int=12345), "day": datetime.date(2026, 1, 2)},
    }


def fill(port, scenarios):
    addr = "127.0.0.1:%d" % port
    if "all" in scenarios:
        scenarios = ["pm", "pmz", "pymc", "dogpile", "dogpile-pymc", "dogpile-ser"]
    for sc in scenarios:
        if sc in ("pm", "pmz"):
            import memcache
            c = memcache.Client([addr])
            p = sc + ":"
            mcl = 100 if sc == "pmz" else 0
            for k, v in sample_values(p).items():
                assert c.set(k, v, min_compress_len=mcl), k
            assert c.set(p + "text", "plain text \u00e9", min_compress_len=mcl)
            assert c.set(p + "rawbytes", b"\x80\x81 not utf8", min_compress_len=mcl)
            assert c.set(p + "utf8bytes", "caf\u00e9".encode(), min_compress_len=mcl)
            assert c.set(p + "int", 42, min_compress_len=mcl)
            assert c.set(p + "negint", -7, min_compress_len=mcl)
            assert c.set(p + "hugeint", 2**80, min_compress_len=mcl)
            assert c.set(p + "longtext", "abc" * 2000, min_compress_len=mcl)
            assert c.set(p + "expiring", {"a": 1}, time=3600, min_compress_len=mcl)
        elif sc == "pymc":
            from pymemcache.client.base import Client
            from pymemcache.serde import CompressedSerde
            c = Client(("127.0.0.1", port), serde=CompressedSerde(min_compress_len=400))
            for k, v in sample_values("pymc:").items():
                c.set(k, v, noreply=False)
            c.set("pymc:text", "hello \u00e9", noreply=False)
            c.set("pymc:int", 12345, noreply=False)
            c.set("pymc:bytes", b"\x01\x02", noreply=False)
            c.set("pymc:longtext", "xyz" * 1000, noreply=False)
        elif sc in ("dogpile", "dogpile-pymc", "dogpile-ser"):
            from dogpile.cache import make_region
            backend = "dogpile.cache.pymemcache" if sc == "dogpile-pymc" else "dogpile.cache.memcached"
            kw = {}
            if sc == "dogpile-ser":
                kw = dict(serializer=pickle.dumps, deserializer=pickle.loads)
            args = {"url": addr} if backend == "dogpile.cache.memcached" else {"url": [addr]}
            region = make_region(**kw).configure(backend, expiration_time=3600, arguments=args)
            for k, v in sample_values(sc + ":").items():
                region.set(k, v)
        else:
            raise SystemExit("unknown scenario " + sc)


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.buf = b""

    def line(self):
        while b"\n" not in self.buf:
            d = self.s.recv(65536)
            if not d:
                raise EOFError
            self.buf += d
        i = self.buf.index(b"\n")
        l, self.buf = self.buf[:i], self.buf[i + 1:]
        return l.rstrip(b"\r")

    def exact(self, n):
        while len(self.buf) < n:
            d = self.s.recv(65536)
            if not d:
                raise EOFError
            self.buf += d
        d, self.buf = self.buf[:n], self.buf[n:]
        return d

    def cmd(self, c):
        self.s.sendall(c)


def stats(conn):
    conn.cmd(b"stats\r\n")
    out = []
    while True:
        l = conn.line()
        if l == b"END":
            return out
        _, name, value = l.decode().split(" ", 2)
        out.append([name, value])


def capture(port):
    conn = Conn(port)
    conn.cmd(b"version\r\n")
    version = conn.line().decode().split(" ", 1)[1]
    st = stats(conn)
    conn.cmd(b"lru_crawler metadump all\r\n")
    listed = []
    while True:
        l = conn.line()
        if l == b"END":
            break
        f = dict(t.split(b"=", 1) for t in l.split(b" "))
        listed.append(f)
    print(json.dumps({"server": {"version": version, "stats": st}}))
    for f in listed:
        key = urllib.parse.unquote_to_bytes(f[b"key"].decode())
        conn.cmd(b"mg " + base64.b64encode(key) + b" b s f c v u\r\n")
        head = conn.line().split(b" ")
        if head[0] == b"EN":
            continue
        assert head[0] == b"VA", head
        n = int(head[1])
        data = conn.exact(n)
        assert conn.exact(2) == b"\r\n"
        flags = {t[:1]: t[1:] for t in head[2:]}
        print(json.dumps({
            "key_b64": base64.b64encode(key).decode(), "flags": int(flags[b"f"]), "cas": int(flags[b"c"]),
            "exp": int(f[b"exp"]), "la": int(f[b"la"]), "cls": int(f[b"cls"]), "fetched": f[b"fetch"] == b"yes",
            "total_size": int(f[b"size"]), "value_b64": base64.b64encode(data).decode(),
        }))
    st2 = stats(conn)
    print(json.dumps({"server_end": {"stats": st2}}))


# --- what Python makes of the bytes -------------------------------------------------------------

def py2str(b):
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return {"$bytes": base64.b64encode(b).decode()}


def expected(flags, raw):
    """(encoding, pickle_protocol, dogpile, value) as Python decodes the bytes."""
    enc, proto, dog = [], None, None
    data = raw
    if flags & 8:
        enc.append("zlib")
        data = zlib.decompress(data)
    kind = flags & ~8

    def unpickle(d):
        nonlocal proto, dog
        enc.append("pickle")
        proto = d[1] if d[:1] == b"\x80" else 0
        obj = pickle.loads(d)
        if type(obj).__name__ == "CachedValue":
            enc.append("dogpile")
            dog = {"ct": obj.metadata["ct"], "v": obj.metadata["v"]}
            return reference.Canon()(obj.payload)
        return reference.Canon()(obj)

    if data.startswith(b'{"ct"') and b"|" in data and kind in (0, 16):
        head, rest = data.split(b"|", 1)
        enc.append("dogpile")
        dog = json.loads(head)
        value = unpickle(rest)
        return enc, proto, dog, value
    if kind == 1:
        value = unpickle(data)
        return enc, proto, dog, value
    if kind in (2, 4):
        enc.append("int" if kind == 2 else "long")
        return enc, proto, dog, reference.Canon()(int(data))
    if kind == 16:
        enc.append("text")
        return enc, proto, dog, data.decode("utf-8")
    enc.append("bytes")
    return enc, proto, dog, py2str(data)


def strict_equal(a, b):
    """Type-strict equality for the metadata fields (dogpile, encoding, numbers)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a.keys()) == list(b.keys()) and all(strict_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(strict_equal(x, y) for x, y in zip(a, b))
    return a == b


def check(capture_path, ndjson_path):
    want = {}
    with open(capture_path) as f:
        for line in f:
            o = json.loads(line)
            if "key_b64" in o:
                want[base64.b64decode(o["key_b64"])] = o
    seen = set()
    problems = []
    items = 0
    with open(ndjson_path) as f:
        for n, line in enumerate(f, 1):
            r = json.loads(line)
            if r["type"] != "item":
                continue
            items += 1
            key = r["key"].encode() if "key" in r else base64.b64decode(r["key_b64"])
            seen.add(key)
            w = want.get(key)
            if w is None:
                problems.append("line %d: unexpected key %r" % (n, key))
                continue
            raw = base64.b64decode(w["value_b64"])
            enc, proto, dog, value = expected(w["flags"], raw)
            got = {k: r.get(k) for k in ("encoding", "pickle_protocol", "dogpile", "flags", "size", "cas", "cls", "la", "fetched", "total_size", "value_crc32")}
            exp_fields = {"encoding": enc, "pickle_protocol": proto, "dogpile": dog, "flags": w["flags"], "size": len(raw),
                          "cas": w["cas"], "cls": w["cls"], "la": w["la"], "fetched": w["fetched"], "total_size": w["total_size"],
                          "value_crc32": zlib.crc32(raw)}
            for k, v in exp_fields.items():
                if not strict_equal(got[k], v):
                    problems.append("%r: %s: decode %r, python %r" % (key, k, got[k], v))
            wexp = None if w["exp"] < 0 else w["exp"]
            if r.get("exp", "absent") != wexp:
                problems.append("%r: exp: decode %r, python %r" % (key, r.get("exp", "absent"), wexp))
            if "error" in r:
                problems.append("%r: decode error %r" % (key, r["error"]))
            if not reference.same(value, r.get("value")):
                problems.append("%r: value differs:\n  decode %s\n  python %s" % (key, json.dumps(r.get("value"))[:300], json.dumps(value)[:300]))
    for k in want:
        if k not in seen:
            problems.append("missing item %r" % k)
    for p in problems:
        print(p)
    print("checked %d items, %d problems" % (items, len(problems)), file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "fill":
        fill(int(sys.argv[2]), sys.argv[3:])
    elif cmd == "capture":
        capture(int(sys.argv[2]))
    elif cmd == "check":
        check(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit(__doc__)
