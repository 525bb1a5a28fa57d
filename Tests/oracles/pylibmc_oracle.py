"""pylibmc oracle for Tests/KeyPlacementTests: the real pylibmc 1.6.3 (Debian python3-pylibmc, over libmemcached
1.1.4) places keys read from stdin. Run it with /usr/bin/python3 (Debian's pylibmc, not the project's .venv).

Usage: /usr/bin/python3 pylibmc_oracle.py MODE CONFIG_JSON < keys.hex   (one key per line, hex of its bytes)
Prints one line per key. Modes (CONFIG_JSON fields in brackets):
  place  [servers, behaviors]   pylibmc.Client(servers, behaviors=behaviors).hash(key): libmemcached's
                                memcached_generate_hash on the client's own memcached_st, i.e. the index of
                                the server the key goes to (no connection is made)
  store  [servers, behaviors]   sets every key through that client against real memcached processes (servers
                                are 127.0.0.1 ports), then prints "<held> <hash>": the index of the one server
                                holding the key (memcached_probe.locate) and the client's own hash(key)
servers: ["host:port:weight", ...] as pylibmc takes them; behaviors: pylibmc's behaviors dict.
"""
import json
import sys

import pylibmc

import memcached_probe


def main():
    mode, cfg = sys.argv[1], json.loads(sys.argv[2])
    keys = memcached_probe.read_keys(sys.stdin)
    client = pylibmc.Client(cfg["servers"], behaviors=cfg.get("behaviors") or None)
    if mode == "place":
        out = [str(client.hash(k)) for k in keys]
    elif mode == "store":
        for k in keys:
            if not client.set(k, memcached_probe.VALUE):
                raise SystemExit(f"pylibmc set {k!r} failed")
        ports = [int(s.split(":")[1]) for s in cfg["servers"]]
        held = memcached_probe.locate(ports, keys)
        out = [f"{h} {client.hash(k)}" for h, k in zip(held, keys)]
    else:
        raise SystemExit("unknown mode " + mode)
    sys.stdout.write("".join(f"{v}\n" for v in out))


if __name__ == "__main__":
    main()
