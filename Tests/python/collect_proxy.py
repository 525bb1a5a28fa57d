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


async def pipe(reader, writer, record):
    try:
        while True:
            data = await reader.read(1 << 16)
            if not data:
                break
            if record:
                log.write(data)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def cut_pipe(reader, writer, state):
    """Server to client; once state['cut'] is set, forwards 100 more bytes, closes the client and drains."""
    sent = 0
    try:
        while True:
            data = await reader.read(1 << 16)
            if not data:
                break
            if state["cut"]:
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
        writer.close()


async def record_pipe(reader, writer, state):
    """Client to server, recording; marks the Nth crawl command for cutting."""
    global crawls
    try:
        while True:
            data = await reader.read(1 << 16)
            if not data:
                break
            log.write(data)
            if b"lru_crawler metadump" in data:
                crawls += 1
                if crawls == cut_crawl:
                    state["cut"] = True
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass


async def handle(client_reader, client_writer):
    server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target)
    if cut_crawl:
        state = {"cut": False}
        await asyncio.gather(record_pipe(client_reader, server_writer, state), cut_pipe(server_reader, client_writer, state))
        server_writer.close()
        return
    await asyncio.gather(pipe(client_reader, server_writer, True), pipe(server_reader, client_writer, False))


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
