"""The straightforward Python way to do what decode | attribute | report do on a capture, for
Benchmarks/analysis-bench.sh: read each `.mcdump.gz` with gzip and the record lines of
docs/dump-format.md (`MCDUMP` header, `ITEM` lines with their values); zlib and pickle.loads per value;
sha1 joins (usertokens-<id> keys, the token ids in each list, the user named in token bodies); per host /
user / key aggregation; the hottest host and the users whose token lists sit on it. Prints the summary
as JSON (the same shape as Benchmarks/python-pipeline-equivalent.py).

usage: python-analysis-equivalent.py USERS_JSON DUMP...
"""
import gzip
import hashlib
import heapq
import json
import pickle
import sys
import urllib.parse
import zlib

users = {u["ID"]: u["Name"] for u in json.load(open(sys.argv[1]))}
list_owner = {hashlib.sha1(("usertokens-" + u).encode()).hexdigest(): u for u in users}


def unpickle(flags, raw):
    if flags & 8:
        raw = zlib.decompress(raw)
    if flags & 1:
        v = pickle.loads(raw, encoding="latin1")  # Python 2 pickles (Kilo) hold datetimes as str
        return getattr(v, "payload", v)
    return raw


owner, where, sizes = {}, {}, {}
host_items, host_bytes = {}, {}
servers = []
for path in sys.argv[2:]:
    with gzip.open(path, "rb") as f:
        header = json.loads(f.readline().split(b" ", 2)[2])
        server = "%s:%d" % (header["host"], header["port"])
        servers.append(server)
        host_items[server], host_bytes[server] = 0, 0
        for line in f:
            if not line.startswith(b"ITEM "):
                continue
            # ITEM <key> <flags> <vlen> <cas> <exp> <la> <cls> <fetched> <total> <has_value>
            fields = line.split(b" ")
            if fields[10] != b"1\n":
                continue
            raw = f.read(int(fields[3]))
            f.read(1)
            key = urllib.parse.unquote_to_bytes(fields[1]).decode()
            host_items[server] += 1
            host_bytes[server] += len(raw)
            where[key], sizes[key] = server, len(raw)
            value = unpickle(int(fields[2]), raw)
            if key in list_owner:
                u = list_owner[key]
                owner[key] = u
                for token_id, _ in value:
                    owner[hashlib.sha1(("token-" + token_id).encode()).hexdigest()] = u
            elif isinstance(value, dict) and isinstance(value.get("user"), dict) and key not in owner:
                owner[key] = value["user"].get("id")

per_user = {}
for key, size in sizes.items():
    u = owner.get(key)
    if u is None:
        continue
    e = per_user.setdefault(u, {"items": 0, "bytes": 0, "by_host": {}})
    e["items"] += 1
    e["bytes"] += size
    e["by_host"][where[key]] = e["by_host"].get(where[key], 0) + size
hot = max(host_bytes, key=host_bytes.get)
mean = sum(host_bytes.values()) / len(host_bytes)
lists_on_hot = sorted(((sizes[k], users[u]) for k, u in list_owner.items() if where.get(k) == hot), reverse=True)[:10]
print(json.dumps({
    "hosts": {h: {"items": host_items[h], "bytes": host_bytes[h]} for h in servers},
    "hot_host": hot, "excess": host_bytes[hot] - mean,
    "users_with_items": len(per_user),
    "top_users": sorted(({"id": u, "name": users.get(u), **e} for u, e in per_user.items()), key=lambda e: -e["bytes"])[:10],
    "top_keys": heapq.nlargest(10, ((s, k, where[k]) for k, s in sizes.items())),
    "lists_on_hot_host": lists_on_hot,
}))
