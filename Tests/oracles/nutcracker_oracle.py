"""twemproxy oracle for Tests/KeyPlacementTests: keys read from stdin are set through a running nutcracker
(Debian nutcracker 0.5.0) pool, then looked up on the pool's memcached backends directly.

Usage: python3 nutcracker_oracle.py CONFIG_JSON < keys.hex   (one key per line, hex of its bytes)
CONFIG_JSON: {"proxy": <nutcracker listen port>, "backends": [<memcached port>, ...] in the pool's server order}.
Prints one line per key: the index of the one backend holding it ("missing" / "many:i,j" otherwise).
The caller starts and stops nutcracker and the memcached processes (all on 127.0.0.1).
"""
import json
import sys

import memcached_probe


def main():
    cfg = json.loads(sys.argv[1])
    keys = memcached_probe.read_keys(sys.stdin)
    memcached_probe.set_keys(cfg["proxy"], keys)
    out = memcached_probe.locate(cfg["backends"], keys)
    sys.stdout.write("".join(f"{v}\n" for v in out))


if __name__ == "__main__":
    main()
