"""Text-protocol helpers for the storage oracles (pylibmc_oracle.py, nutcracker_oracle.py): store keys through
one address, then find which of several memcached backends holds each key. 127.0.0.1 only; keys are bytes
without whitespace or control characters, at most 250 bytes (memcached's text-protocol rules)."""
import socket

VALUE = b"v"


def connect(port):
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    return sock, sock.makefile("rb")


def set_keys(port, keys):
    """`set` every key with value VALUE through the server (or proxy) on `port`; every reply must be STORED."""
    sock, reader = connect(port)
    try:
        for start in range(0, len(keys), 100):
            batch = keys[start:start + 100]
            sock.sendall(b"".join(b"set " + k + b" 0 0 %d\r\n" % len(VALUE) + VALUE + b"\r\n" for k in batch))
            for k in batch:
                reply = reader.readline()
                if reply != b"STORED\r\n":
                    raise SystemExit(f"set {k!r} through port {port}: {reply!r}")
    finally:
        reader.close()
        sock.close()


def held_keys(port, keys):
    """The subset of `keys` the memcached on `port` holds (multi-key `get`, 50 keys a request)."""
    sock, reader = connect(port)
    held = set()
    try:
        for start in range(0, len(keys), 50):
            batch = keys[start:start + 50]
            sock.sendall(b"get " + b" ".join(batch) + b"\r\n")
            while True:
                line = reader.readline()
                if line == b"END\r\n":
                    break
                parts = line.split(b" ")
                if len(parts) != 4 or parts[0] != b"VALUE":
                    raise SystemExit(f"unexpected reply from port {port}: {line!r}")
                reader.read(int(parts[3]) + 2)
                held.add(parts[1])
    finally:
        reader.close()
        sock.close()
    return held


def locate(backends, keys):
    """For each key, the index of the one backend holding it; "missing" or "many:i,j" otherwise."""
    held = [held_keys(port, keys) for port in backends]
    out = []
    for k in keys:
        where = [i for i, h in enumerate(held) if k in h]
        out.append(str(where[0]) if len(where) == 1 else ("missing" if not where else "many:" + ",".join(map(str, where))))
    return out


def read_keys(stream):
    return [bytes.fromhex(line.strip()) for line in stream if line.strip()]
