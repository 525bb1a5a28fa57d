"""The straightforward Python way to do what collect | decode | attribute | report do, for
Benchmarks/pipeline-bench.sh: per host, `lru_crawler metadump all` for the keys and pipelined `get`
batches for the values; zlib and pickle.loads per value; sha1 joins (usertokens-<id> keys, token ids in
each list, the user named in token bodies); per host / user / key aggregation; the hottest host and the
users whose token lists sit on it. Prints the summary as JSON.

usage: python-pipeline-equivalent.py USERS_JSON HOST:PORT...
"""
import hashlib
import heapq
import json
import pickle
import socket
import sys
import urllib.parse
import zlib

users = {u["ID"]: u["Name"] for u in json.load(open(sys.argv[1]))}
servers = sys.argv[2:]
list_owner = {hashlib.sha1(("usertokens-" + u).encode()).hexdigest(): u for u in users}


class Reader:
    def __init__(self, sock):
        self.sock, self.buf, self.pos = sock, b"", 0

    def line(self):
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i >= 0:
                out, self.pos = self.buf[self.pos:i], i + 2
                return out
            self.fill()

    def take(self, n):
        while len(self.buf) - self.pos < n:
            self.fill()
        out, self.pos = self.buf[self.pos:self.pos + n], self.pos + n
        return out

    def fill(self):
        self.buf = self.buf[self.pos:] + self.sock.recv(1 << 20)
        self.pos = 0


def unpickle(flags, raw):
    if flags & 8:
        raw = zlib.decompress(raw)
    if flags & 1:
        v = pickle.loads(raw)
        return getattr(v, "payload", v)
    return raw


owner, where, sizes = {}, {}, {}
host_items, host_bytes = {}, {}
for server in servers:
    host, port = server.rsplit(":", 1)
    sock = socket.create_connection((host, int(port)))
    sock.sendall(b"lru_crawler metadump all\r\n")
    data = b""
    while not data.endswith(b"END\r\n"):
        data += sock.recv(1 << 20)
    keys = [urllib.parse.unquote(l.split(b" ", 1)[0][4:].decode()).encode()
            for l in data.split(b"\n") if l.startswith(b"key=")]
    r = Reader(sock)
    host_items[server], host_bytes[server] = 0, 0
    for i in range(0, len(keys), 100):
        sock.sendall(b"get " + b" ".join(keys[i:i + 100]) + b"\r\n")
        while True:
            head = r.line()
            if head == b"END":
                break
            _, key, flags, size = head.split(b" ")
            raw = r.take(int(size) + 2)[:-2]
            key = key.decode()
            host_items[server] += 1
            host_bytes[server] += len(raw)
            where[key], sizes[key] = server, len(raw)
            value = unpickle(int(flags), raw)
            if key in list_owner:
                u = list_owner[key]
                owner[key] = u
                for token_id, _ in value:
                    owner[hashlib.sha1(("token-" + token_id).encode()).hexdigest()] = u
            elif isinstance(value, dict) and isinstance(value.get("user"), dict) and key not in owner:
                owner[key] = value["user"].get("id")
    sock.close()

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
    "top_users": sorted(({"id": u, "name": users.get(u), **e} for u, e in per_user.items()), key=lambda e: -e["bytes"])[:10],
    "top_keys": heapq.nlargest(10, ((s, k, where[k]) for k, s in sizes.items())),
    "lists_on_hot_host": lists_on_hot,
}))
