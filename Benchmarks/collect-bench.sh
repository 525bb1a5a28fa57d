#!/usr/bin/env bash
# Benchmark of `collect` (prints figures, asserts nothing). Fills a local memcached with Keystone-shaped
# items (BENCH_ITEMS, default 500000, ~600 MB), then on the same server times `collect` (release build)
# against `memcached-tool HOST:PORT dump`, counts the keys `memcdump` finds, and times `gzip -1` over a
# file of the same value bytes (the compression floor). Targets: 100% of items, ≥5x faster than
# memcached-tool, within 1.5x of the gzip -1 floor, peak RSS < 64 MB.
# Env: BENCH_ITEMS, BENCH_MEMORY_MB (default 2048), MCF_PYTHON (python with dogpile.cache), BENCH_SKIP_TOOL=1,
# SCRATCH (swift scratch path of the release build, default .build-rel).
set -euo pipefail
cd "$(dirname "$0")/.."
ITEMS=${BENCH_ITEMS:-500000}
MEMORY=${BENCH_MEMORY_MB:-2048}
PY=${MCF_PYTHON:-.venv/bin/python}
TOOL=/usr/share/memcached/scripts/memcached-tool
[ -x "$TOOL" ] || TOOL=/usr/share/doc/memcached/scripts/memcached-tool
[ -x /usr/bin/time ] || { echo "install package 'time' (/usr/bin/time -v)" >&2; exit 2; }

echo "building collect (release)…" >&2
SCRATCH=${SCRATCH:-.build-rel}
swift build -c release --scratch-path "$SCRATCH" --product collect >/dev/null
COLLECT=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/collect

WORK=$(mktemp -d /tmp/collect-bench.XXXXXX)
PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ROOTARG=(); [ "$(id -u)" = 0 ] && ROOTARG=(-u root)
memcached -l 127.0.0.1 -p "$PORT" -U 0 -m "$MEMORY" -t 2 "${ROOTARG[@]}" &
MCPID=$!
cleanup() { kill "$MCPID" 2>/dev/null || true; wait "$MCPID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
for _ in $(seq 100); do "$PY" -c "import socket; socket.create_connection(('127.0.0.1',$PORT))" 2>/dev/null && break; sleep 0.05; done

now() { date +%s.%N; }
secs() { "$PY" -c "print(f'{$2 - $1:.2f}')"; }
stat_of() { "$PY" -c "
import socket,sys
s=socket.create_connection(('127.0.0.1',$PORT)); s.sendall(b'stats\r\n'); d=b''
while not d.endswith(b'END\r\n'): d+=s.recv(65536)
print(dict(l.split()[1:3] for l in d.decode().splitlines() if l.startswith('STAT'))['$1'])"; }

t0=$(now)
read -r FILLED VALUE_BYTES < <("$PY" Benchmarks/collect_bench_fill.py "$PORT" "$ITEMS" "$WORK/values.bin")
t1=$(now)
CURR=$(stat_of curr_items)
echo "filled $FILLED items, $VALUE_BYTES value bytes in $(secs "$t0" "$t1") s; server curr_items=$CURR"

# 1. collect (first: the others bump the LRU and mark items fetched).
t0=$(now)
/usr/bin/time -v "$COLLECT" "127.0.0.1:$PORT" --out "$WORK/out" 2>"$WORK/collect.err" || { cat "$WORK/collect.err" >&2; exit 2; }
t1=$(now)
T_COLLECT=$(secs "$t0" "$t1")
RSS_KB=$(awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); print $2}' "$WORK/collect.err")
CAPTURED=$("$PY" -c "import json; print(json.load(open('$WORK/out/MANIFEST.json'))['servers'][0]['captured'])")
DUMP_BYTES=$(stat -c %s "$WORK"/out/*.mcdump.gz)

# 2. gzip -1 floor over the same value bytes.
t0=$(now); gzip -1 -c "$WORK/values.bin" >/dev/null; t1=$(now)
T_GZIP=$(secs "$t0" "$t1")

# 3. memcdump (cachedump-based) key count.
MEMCDUMP=$(memcdump --servers="127.0.0.1:$PORT" 2>/dev/null | wc -l)

# 4. memcached-tool dump (one get per key).
if [ "${BENCH_SKIP_TOOL:-0}" = 1 ]; then T_TOOL=nan; else
  t0=$(now); "$TOOL" "127.0.0.1:$PORT" dump >/dev/null 2>&1; t1=$(now)
  T_TOOL=$(secs "$t0" "$t1")
fi

"$PY" - <<PYEOF
items, captured, memcdump = $CURR, $CAPTURED, $MEMCDUMP
vb, dump = $VALUE_BYTES, $DUMP_BYTES
tc, tg, tt = $T_COLLECT, $T_GZIP, float("$T_TOOL")
rss = $RSS_KB / 1024
print(f"items on server        {items}")
print(f"value bytes            {vb/1e6:.1f} MB  (dump file {dump/1e6:.1f} MB)")
print(f"collect                {tc:.2f} s  {vb/1e6/tc:.1f} MB/s  captured {captured} = {100*captured/items:.2f}% of items")
print(f"collect peak RSS       {rss:.1f} MB   (target < 64 MB)")
print(f"gzip -1 floor          {tg:.2f} s  {vb/1e6/tg:.1f} MB/s   collect/gzip = {tc/tg:.2f}x (target <= 1.5x)")
if tt == tt:
    print(f"memcached-tool dump    {tt:.2f} s   speed-up = {tt/tc:.1f}x (target >= 5x)")
print(f"memcdump keys          {memcdump} = {100*memcdump/items:.1f}% of items")
PYEOF
