"""A recording TCP proxy for CollectTests: forwards 127.0.0.1:<printed port> to 127.0.0.1:TARGET and
appends every byte the client sends to LOG (so a test can check each command against the allowlist).

With --cut-crawl N, the Nth `lru_crawler metadump` answer is cut after its first 100 bytes: the
client's connection is closed, while the rest of the answer is still read from the server and
dropped (memcached is never left with a half-read crawl).

Usage: collect_proxy.py TARGET_PORT LOG [--cut-crawl N]   (prints the listening port, then serves
until killed)
"""
import asyncio
import sys

target = int(sys.argv[1])
log = open(sys.argv[2], "ab", buffering=0)
cut_crawl = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--cut-crawl" else 0
crawls = 0


async def pipe(reader, writer, record, state, close_writer=True):
    """Copies reader to writer. From the client (record): logs every byte and marks the Nth crawl
    command for cutting. From the server: once the crawl is marked, forwards 100 more bytes, closes
    the client and drains the rest of the answer."""
    global crawls
    sent = 0
    try:
        while True:
            data = await reader.read(1 << 16)
            if not data:
                break
            if record:
                log.write(data)
                if cut_crawl and b"lru_crawler metadump" in data:
                    crawls += 1
                    state["cut"] = crawls == cut_crawl
            elif state["cut"]:
                if sent < 100:
                    writer.write(data[: 100 - sent])
                    await writer.drain()
                    sent += len(data[: 100 - sent])
                    if sent >= 100:
                        writer.close()
                continue
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        if close_writer:
            writer.close()


async def handle(client_reader, client_writer):
    server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target)
    state = {"cut": False}
    # A cut crawl's server side is drained to its end, so the server connection is closed last.
    await asyncio.gather(
        pipe(client_reader, server_writer, True, state, close_writer=not cut_crawl),
        pipe(server_reader, client_writer, False, state))
    server_writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
