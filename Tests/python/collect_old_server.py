"""A stand-in for a memcached without meta commands (1.5.x), for CollectTests' `gets` fallback:
such a server does not run here. It answers version, the stats family, `lru_crawler metadump all`
and `gets` from a fixed item table, and `ERROR` to anything else (so `mn`/`mg` fail as on 1.5).
Every command line received is appended to LOG.

Usage: collect_old_server.py LOG [busy-once]   (prints the listening port, then serves until killed)
With busy-once the first `lru_crawler metadump all` is answered `BUSY currently processing crawler request`.
"""
import asyncio
import sys
import time

log = open(sys.argv[1], "ab", buffering=0)
NOW = int(time.time())
busy = ["busy-once" in sys.argv[2:]]
ITEMS = {b"alpha": (1, 11, b"first value"), b"beta": (9, 12, b"second\r\nvalue"), b"sp%C3%A9": (0, 13, b"x" * 5000)}
ITEMS = {bytes.fromhex("7370c3a9") if k == b"sp%C3%A9" else k: v for k, v in ITEMS.items()}


def uri(key):
    safe = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    return b"".join(bytes([c]) if c in safe else b"%%%02X" % c for c in key)


async def handle(reader, writer):
    while True:
        line = await reader.readline()
        if not line:
            break
        log.write(line)
        words = line.strip().split(b" ")
        if words == [b"version"]:
            out = b"VERSION 1.5.22\r\n"
        elif words[0] == b"stats" and len(words) <= 2:
            out = b"STAT time %d\r\nSTAT uptime 1000\r\nSTAT curr_items %d\r\nEND\r\n" % (NOW, len(ITEMS))
        elif words == [b"lru_crawler", b"metadump", b"all"] and busy[0]:
            busy[0] = False
            out = b"BUSY currently processing crawler request\r\n"
        elif words == [b"lru_crawler", b"metadump", b"all"]:
            out = b"".join(b"key=%s exp=-1 la=%d cas=%d fetch=no cls=1 size=%d\n" % (uri(k), NOW - 5, v[1], len(v[2]) + 50)
                           for k, v in ITEMS.items()) + b"END\r\n"
        elif words[0] == b"gets":
            out = b"".join(b"VALUE %s %d %d %d\r\n%s\r\n" % (k, ITEMS[k][0], len(ITEMS[k][2]), ITEMS[k][1], ITEMS[k][2])
                           for k in words[1:] if k in ITEMS) + b"END\r\n"
        else:
            out = b"ERROR\r\n"
        writer.write(out)
        await writer.drain()
    writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
