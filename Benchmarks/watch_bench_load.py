"""Load generator for Benchmarks/watch-bench.sh: raw sockets, no client library, so the generator is cheap.

usage: watch_bench_load.py PORT preload             set the 1,000 keys (100-byte values)
       watch_bench_load.py PORT wait-watch [SECS]   wait until `stats conns` shows a conn_watch (default 30 s)
       watch_bench_load.py PORT load [WORKERS] [SECS] [MAX_REQUESTS]
Load: WORKERS processes (default 2), each on its own connection, send pipelined batches of 100 `get`s of
preloaded keys with a `set` after every 20th get, for SECS seconds (default 5) or MAX_REQUESTS requests
in all (default 100,000,000), whichever comes first. Prints one JSON line: requests, gets, sets, seconds,
rps, the watch events the load made (`server_events`: the server's cmd_get + 2 x cmd_set over the load)
and the server's CPU seconds (`server_cpu`, rusage_user + rusage_system).
"""
import json
import multiprocessing
import random
import socket
import sys
import time

KEYS = [b"wb:%04d" % i for i in range(1000)]
VALUE = b"v" * 100
BATCH_GETS, SET_EVERY = 100, 20


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def request(port, payload, done):
    with connect(port) as s:
        s.sendall(payload)
        d = b""
        while not done(d):
            chunk = s.recv(65536)
            if not chunk or b"ERROR" in chunk:
                raise SystemExit("unexpected reply: %r" % (d + chunk)[-200:])
            d += chunk
    return d


def stats(port, section=b""):
    d = request(port, b"stats %s\r\n" % section, lambda d: d.endswith(b"END\r\n"))
    return dict(l.split(b" ", 2)[1:] for l in d.split(b"\r\n") if l.startswith(b"STAT "))


def preload(port):
    sets = b"".join(b"set %s 0 0 %d\r\n%s\r\n" % (k, len(VALUE), VALUE) for k in KEYS)
    request(port, sets, lambda d: d.count(b"STORED\r\n") == len(KEYS))


def batches(seed):
    # A few batches built once and cycled, so the loop below only sends and counts.
    rng, out = random.Random(seed), []
    for _ in range(16):
        cmds = []
        for g in range(1, BATCH_GETS + 1):
            if g % SET_EVERY == 0:  # the set comes before its get, so every batch ends with a get's END
                cmds.append(b"set %s 0 0 %d\r\n%s\r\n" % (rng.choice(KEYS), len(VALUE), VALUE))
            cmds.append(b"get %s\r\n" % rng.choice(KEYS))
        out.append(b"".join(cmds))
    return out


def worker(port, seconds, max_requests, seed, start, results):
    s = connect(port)
    todo = batches(seed)
    sets = BATCH_GETS // SET_EVERY
    per_batch = BATCH_GETS + sets
    n = 0
    start.wait()
    t0 = time.perf_counter()
    deadline = t0 + seconds
    while time.perf_counter() < deadline and (n + 1) * per_batch <= max_requests:
        s.sendall(todo[n % len(todo)])
        d = b""
        while not (d.endswith(b"END\r\n") and d.count(b"END\r\n") >= BATCH_GETS):
            chunk = s.recv(1 << 20)
            if not chunk:
                raise SystemExit("server closed the load connection")
            d += chunk
        if d.count(b"STORED\r\n") != sets:
            raise SystemExit("unexpected reply: %r" % d[:200])
        n += 1
    results.put((n * BATCH_GETS, n * sets, time.perf_counter() - t0))
    s.close()


def load(port, workers, seconds, max_requests):
    ctx = multiprocessing.get_context("fork")
    start, results = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=worker, args=(port, seconds, max_requests // workers, i, start, results)) for i in range(workers)]
    for p in procs:
        p.start()
    time.sleep(0.3)  # let every worker connect and build its batches
    before = stats(port)
    start.set()
    got = [results.get(timeout=seconds + 60) for _ in procs]
    for p in procs:
        p.join(timeout=10)
        if p.exitcode != 0:
            raise SystemExit("a load worker failed (exit %s)" % p.exitcode)
    after = stats(port)
    # memcached 1.6 logs a set twice in the watch stream (an item_get from its lookup, then item_store).
    events = sum(m * (int(after[k]) - int(before[k])) for k, m in ((b"cmd_get", 1), (b"cmd_set", 2)))
    cpu = sum(float(after[k]) - float(before[k]) for k in (b"rusage_user", b"rusage_system"))
    gets, sets = sum(g[0] for g in got), sum(g[1] for g in got)
    secs = max(g[2] for g in got)
    print(json.dumps({"workers": workers, "requests": gets + sets, "gets": gets, "sets": sets, "seconds": round(secs, 3),
                      "rps": round(sum((g[0] + g[1]) / g[2] for g in got), 1), "server_events": events,
                      "server_cpu": round(cpu, 6)}))


def wait_watch(port, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(k.endswith(b":state") and v == b"conn_watch" for k, v in stats(port, b"conns").items()):
            return
        time.sleep(0.05)
    raise SystemExit("no conn_watch connection after %s s" % seconds)


if __name__ == "__main__":
    port, mode, rest = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    if mode == "preload":
        preload(port)
    elif mode == "wait-watch":
        wait_watch(port, float(rest[0]) if rest else 30)
    elif mode == "load":
        load(port, int(rest[0]) if rest else 2, float(rest[1]) if len(rest) > 1 else 5,
             int(rest[2]) if len(rest) > 2 else 100_000_000)
    else:
        raise SystemExit(__doc__)
