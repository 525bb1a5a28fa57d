"""Placement oracle for Tests/KeyPlacementTests: the real client libraries place keys read from stdin.

Usage: placement_oracle.py MODE CONFIG_JSON < keys.hex   (one key per line, hex of its bytes)
Prints one line per key. Modes (CONFIG_JSON fields in brackets):
  pymc-hash      [variant]                  cmemcache_hash / serverHashFunction of the key
  pymc-server    [variant, servers]         index of memcache.Client._get_server(key), connect() patched to True
  pymc-chain     [variant, servers, dead]   indices _get_server tried (connect() patched: False for dead ones)
  murmur         []                         pymemcache murmur3_32 of the key decoded as UTF-8 str
  rendezvous     [servers, form]            index of pymemcache HashClient(servers).hasher.get_node(key)
  uhashring      [nodes, kind, form]        index of uhashring.HashRing node for key
  libmemcached   [servers, setup]           memcached_generate_hash via ctypes on libmemcached.so.11
  hashkit        [function]                 libhashkit_<function>(key)
variant: "1.60" (library as shipped), "1.59" (or 1), "old-crc32" (useOldServerHashFunction).
servers: ["host:port", ...] or [["host:port", weight], ...]; form: "str" or "bytes".
"""
import ctypes
import json
import sys

import memcache


def keys():
    for line in sys.stdin:
        line = line.strip()
        yield bytes.fromhex(line)


def set_variant(variant):
    if variant == "1.60":
        memcache.serverHashFunction = memcache.cmemcache_hash
    elif variant == "1.59":
        memcache.serverHashFunction = lambda k: memcache.cmemcache_hash(k) or 1
    elif variant == "old-crc32":
        memcache.useOldServerHashFunction()
    else:
        raise SystemExit("unknown variant " + variant)


def pymc_client(cfg, dead=()):
    servers = [tuple(s) if isinstance(s, list) else s for s in cfg["servers"]]
    client = memcache.Client(servers)
    index = {id(h): i for i, h in enumerate(client.servers)}
    tried = []

    def connect(host):
        i = index[id(host)]
        tried.append(i)
        return i not in dead

    memcache._Host.connect = connect
    return client, index, tried


def key_object(k, form):
    return k.decode("utf-8") if form == "str" else k


def main():
    mode, cfg = sys.argv[1], json.loads(sys.argv[2])
    out = []
    if mode == "pymc-hash":
        set_variant(cfg["variant"])
        out = [memcache.serverHashFunction(k) for k in keys()]
    elif mode in ("pymc-server", "pymc-chain"):
        set_variant(cfg["variant"])
        client, index, tried = pymc_client(cfg, set(cfg.get("dead", [])))
        for k in keys():
            del tried[:]
            server, _ = client._get_server(k)
            if mode == "pymc-server":
                out.append(index[id(server)])
            else:
                out.append(" ".join(map(str, tried)) + (" none" if server is None else ""))
    elif mode == "murmur":
        from pymemcache.client.murmur3 import murmur3_32
        out = [murmur3_32(k.decode("utf-8")) for k in keys()]
    elif mode == "rendezvous":
        from pymemcache.client.hash import HashClient
        hc = HashClient(cfg["servers"])
        names = list(hc.hasher.nodes)
        out = [names.index(hc.hasher.get_node(key_object(k, cfg["form"]))) for k in keys()]
    elif mode == "uhashring":
        from uhashring import HashRing
        nodes = {n: {"weight": w} for n, w in cfg["nodes"]}
        ring = HashRing(nodes, hash_fn="ketama") if cfg["kind"] == "ketama" else HashRing(nodes)
        names = [n for n, _ in cfg["nodes"]]
        out = [names.index(ring.get_node(key_object(k, cfg["form"]))) for k in keys()]
    elif mode == "libmemcached":
        lm = ctypes.CDLL("libmemcached.so.11")
        lm.memcached_create.restype = ctypes.c_void_p
        lm.memcached_create.argtypes = [ctypes.c_void_p]
        lm.memcached_server_add_with_weight.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_uint16, ctypes.c_uint32]
        lm.memcached_behavior_set.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint64]
        lm.memcached_generate_hash.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
        lm.memcached_generate_hash.restype = ctypes.c_uint32
        m = lm.memcached_create(None)
        for host, port, weight in cfg["servers"]:
            if lm.memcached_server_add_with_weight(m, host.encode(), port, weight) != 0:
                raise SystemExit("server_add failed")
        # setup: list of [behavior, value]; behavior numbers from libmemcached-1.0/types/behavior.h
        # (HASH=2, KETAMA=3, DISTRIBUTION=9, KETAMA_WEIGHTED=16).
        for behavior, value in cfg["setup"]:
            if lm.memcached_behavior_set(m, behavior, value) != 0:
                raise SystemExit("behavior_set failed")
        out = [lm.memcached_generate_hash(m, k, len(k)) for k in keys()]
    elif mode == "hashkit":
        hk = ctypes.CDLL("libhashkit.so.2")
        fn = getattr(hk, "libhashkit_" + cfg["function"])
        fn.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
        fn.restype = ctypes.c_uint32
        out = [fn(k, len(k)) for k in keys()]
    else:
        raise SystemExit("unknown mode " + mode)
    sys.stdout.write("".join(f"{v}\n" for v in out))


if __name__ == "__main__":
    main()
