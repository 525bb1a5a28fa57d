"""Oracle for ReportTests/CaptureDiffTests: an application on a real two-host memcached through
python-memcached, then "the fix" — a third server added to the clients' list and the big values
reworked — so that a capture before and one after differ in known ways.

  diff_fix.py before PORT_A PORT_B          fills the two servers; prints the expected state (JSON)
  diff_fix.py after PORT_A PORT_B PORT_C    applies the fix; prints the expected state (JSON)

The expected state: per key its server and value size (what the client put where, as python-memcached
itself places it), and per server the sum of the value sizes.
"""
import json
import sys

import memcache

SESSIONS = 200        # app:session:<i>, 1 kB each, unchanged by the fix
BIG = 10              # app:big:<i>, 100 kB each
FEEDS = 20            # app:feed:<i>, 5 kB each, new with the fix


def client(ports):
    return memcache.Client(['127.0.0.1:%d' % p for p in ports])


def host(mc, key):
    server, _ = mc._get_server(key.encode())
    return '%s:%d' % (server.ip, server.port)


def state(mc, sizes):
    keys = {k: {'host': host(mc, k), 'size': n} for k, n in sizes.items()}
    hosts = {}
    for v in keys.values():
        hosts[v['host']] = hosts.get(v['host'], 0) + v['size']
    return {'keys': keys, 'hosts': hosts}


def value(n, seed):
    return (('%d|' % seed) * n).encode()[:n]


def before(ports):
    mc = client(ports)
    sizes = {}
    for i in range(SESSIONS):
        sizes['app:session:%d' % i] = 1000
    for i in range(BIG):
        sizes['app:big:%d' % i] = 100_000
    for k, n in sizes.items():
        assert mc.set(k, value(n, 1)), k
    return mc, sizes


def after(ports):
    old = client(ports[:2])
    new = client(ports)
    sizes = {('app:session:%d' % i): 1000 for i in range(SESSIONS)}
    sizes.update({('app:big:%d' % i): 100_000 for i in range(BIG)})
    moved = []
    # The fix: the largest value goes away, one shrinks, one grows; the big values that the longer
    # list places elsewhere are moved (deleted through the old list, written through the new one).
    assert old.delete('app:big:0')
    del sizes['app:big:0']
    sizes['app:big:1'] = 10_000
    assert old.set('app:big:1', value(10_000, 2))
    sizes['app:big:2'] = 200_000
    assert old.set('app:big:2', value(200_000, 3))
    for i in range(3, BIG):
        k = 'app:big:%d' % i
        if host(old, k) != host(new, k):
            assert old.delete(k)
            assert new.set(k, value(100_000, 1))
            moved.append(k)
    for i in range(FEEDS):
        k = 'app:feed:%d' % i
        sizes[k] = 5000
        assert new.set(k, value(5000, 4))
    # Every key where the client that wrote it put it: sessions and big values through the old list
    # unless moved, feeds through the new one.
    keys = {}
    for k, n in sizes.items():
        mc = new if (k in moved or k.startswith('app:feed:')) else old
        keys[k] = {'host': host(mc, k), 'size': n}
    hosts = {}
    for v in keys.values():
        hosts[v['host']] = hosts.get(v['host'], 0) + v['size']
    return {'keys': keys, 'hosts': hosts, 'moved': moved}


def main():
    mode, ports = sys.argv[1], [int(p) for p in sys.argv[2:]]
    if mode == 'before':
        mc, sizes = before(ports)
        out = state(mc, sizes)
    elif mode == 'after':
        out = after(ports)
    else:
        raise SystemExit('usage: diff_fix.py before PORT_A PORT_B | after PORT_A PORT_B PORT_C')
    json.dump(out, sys.stdout, sort_keys=True)


main()
