"""A hostile memcached stand-in for CollectTests' fault paths (loopback only).

Usage: collect_fault_server.py MODE [INTERVAL]   (prints the listening port, then serves until killed)

It answers like a memcached 1.6 with meta commands holding three items (alpha, beta, gamma), except
where MODE says otherwise:
  drip-listing   `lru_crawler metadump all` is answered one byte every INTERVAL seconds (default 2)
  drip-value     `mg` batches are answered one byte every INTERVAL seconds
  stall          answers `version`, then never answers anything again
  huge-value     beta's `mg` answer claims a value of 200,000,000 bytes and sends them (zeros)
  garbage        `version` is answered with bytes that are not memcached's (control characters)
Every connection is served on its own; a drip never holds up the other connections.
"""
import asyncio
import sys
import time

MODE = sys.argv[1]
INTERVAL = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0
NOW = int(time.time())
ITEMS = {b"alpha": (1, 11, b"first value"), b"beta": (0, 12, b"b" * 3000), b"gamma": (2, 13, b"third")}
HUGE = 200_000_000


def listing():
    return b"".join(b"key=%s exp=-1 la=%d cas=%d fetch=no cls=1 size=%d\n" % (k, NOW - 5, v[1], len(v[2]) + 50)
                    for k, v in ITEMS.items()) + b"END\r\n"


def meta_get(words):
    key, flags = words[1], words[2:]
    if key not in ITEMS:
        return b""
    f, cas, value = ITEMS[key]
    ret = b" f%d c%d t-1" % (f, cas)
    for w in flags:
        if w.startswith(b"O"):
            ret += b" " + w
    if b"v" not in flags:
        return b"HD" + ret + b"\r\n"
    if MODE == "huge-value" and key == b"beta":
        return None  # streamed by the caller
    return b"VA %d%s\r\n%s\r\n" % (len(value), ret, value)


async def drip(writer, data):
    for i in range(len(data)):
        writer.write(data[i:i + 1])
        await writer.drain()
        await asyncio.sleep(INTERVAL)


async def handle(reader, writer):
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            words = line.strip().split(b" ")
            if words == [b"version"]:
                if MODE == "garbage":
                    writer.write(b"\x1b]0;owned\x07\x1b[2J\rHTTP/1.1 400 Bad Request\r\n")
                else:
                    writer.write(b"VERSION 1.6.18\r\n")
                    if MODE == "stall":
                        await writer.drain()
                        await asyncio.sleep(3600)
            elif words[0] == b"stats" and len(words) <= 2:
                writer.write(b"STAT time %d\r\nSTAT uptime 1000\r\nSTAT curr_items %d\r\nEND\r\n" % (NOW, len(ITEMS)))
            elif words == [b"lru_crawler", b"metadump", b"all"]:
                if MODE == "drip-listing":
                    await drip(writer, listing())
                else:
                    writer.write(listing())
            elif words[0] == b"mn":
                writer.write(b"MN\r\n")
            elif words[0] == b"mg":
                out = meta_get(words)
                if out is None:
                    ret = b"".join(b" " + w for w in words[2:] if w.startswith(b"O"))
                    writer.write(b"VA %d f0 c12 t-1%s\r\n" % (HUGE, ret))
                    chunk = bytes(1 << 20)
                    for _ in range(HUGE >> 20):
                        writer.write(chunk)
                        await writer.drain()
                    writer.write(bytes(HUGE - (HUGE >> 20 << 20)) + b"\r\n")
                elif MODE == "drip-value":
                    await drip(writer, out)
                else:
                    writer.write(out)
            else:
                writer.write(b"ERROR\r\n")
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
