"""A recording TCP proxy for CollectTests: forwards 127.0.0.1:<printed port> to 127.0.0.1:TARGET and
appends every byte the client sends to LOG (so a test can check each command against the allowlist).

Usage: collect_proxy.py TARGET_PORT LOG   (prints the listening port, then serves until killed)
"""
import asyncio
import sys

target = int(sys.argv[1])
log = open(sys.argv[2], "ab", buffering=0)


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


async def handle(client_reader, client_writer):
    server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target)
    await asyncio.gather(pipe(client_reader, server_writer, True), pipe(server_reader, client_writer, False))


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
