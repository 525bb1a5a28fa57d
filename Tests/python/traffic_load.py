"""A known mix of client traffic through python-memcached, for the watch tests (Tests/DecodeTests/TrafficTests).

usage: traffic_load.py HOST:PORT prepare     sets the keys the mix reads, and cold:* keys nobody reads
       traffic_load.py HOST:PORT run [N]      waits until a watcher is attached (stats conns shows
                                             conn_watch), then runs the mix (N rounds, default 300) and
                                             prints what it did
Bounded: a fixed number of requests, and at most 20 s of waiting.
"""
import json, socket, sys, time

import memcache

server = sys.argv[1]
host, port = server.rsplit(":", 1)
client = memcache.Client([server])

HOT = "x" * 5000  # str values are stored as they are (flags 0)


def watching():
    s = socket.create_connection((host, int(port)))
    s.sendall(b"stats conns\r\n")
    data = b""
    while not data.endswith(b"END\r\n"):
        data += s.recv(65536)
    s.close()
    return b"conn_watch" in data


if sys.argv[2] == "prepare":
    client.set("hot", HOT)
    for i in range(10):
        client.set("cfg:%d" % i, "c" * 100)
    for i in range(30):
        client.set("cold:%d" % i, "z" * 50)
    sys.exit(0)

deadline = time.time() + 20
while not watching():
    if time.time() > deadline:
        sys.exit("no watcher attached within 20 s")
    time.sleep(0.05)
time.sleep(0.2)  # the collector's own connections open after its watcher; let them start
done = {"hot": {"gets": 0, "sets": 0}, "missing": {"gets": 0}, "cfg": {"gets": 0}, "written": {"sets": 0}}
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 300
for n in range(rounds):
    client.get("hot")
    done["hot"]["gets"] += 1
    if n % 3 == 0:
        client.get("cfg:%d" % (n % 10))
        done["cfg"]["gets"] += 1
    if n % 5 == 0:
        client.get("missing")
        done["missing"]["gets"] += 1
    if n % 30 == 0:
        client.set("hot", HOT)
        done["hot"]["sets"] += 1
    if n % 50 == 0:
        client.set("written", "w" * 10)
        done["written"]["sets"] += 1
print(json.dumps(done))
