#!/usr/bin/env bash
# Benchmark of the whole pipeline (prints figures, asserts nothing). Fills two local memcached servers
# with a Keystone-Kilo-shaped token store (BENCH_ITEMS items, default 1000000), then in the same run:
#   ours:   collect (both hosts) ; decode DUMPS | attribute --users --servers | report --format json
#   python: Benchmarks/python-pipeline-equivalent.py (metadump + pipelined get, pickle.loads, sha1
#           joins, aggregation) against the same servers
# and prints wall times, peak RSS (/usr/bin/time -v; for the pipe, the sum of its three processes)
# and the ratios. Targets (issue 5): ≥5x faster end to end, ≤1/4 of Python's peak memory.
# Env: BENCH_ITEMS, BENCH_MEMORY_MB (per server, default 1400), MCF_PYTHON, SCRATCH (default .build-rel),
# BENCH_KEEP=1 keeps the work folder (dumps, users, outputs) for profiling one stage at a time.
set -euo pipefail
cd "$(dirname "$0")/.."
ITEMS=${BENCH_ITEMS:-1000000}
MEMORY=${BENCH_MEMORY_MB:-1400}
PY=${MCF_PYTHON:-.venv/bin/python}
SCRATCH=${SCRATCH:-.build-rel}
[ -x /usr/bin/time ] || { echo "pipeline-bench: install package 'time' (/usr/bin/time -v)" >&2; exit 2; }

echo "building collect, decode, attribute, report (release)…" >&2
swift build -c release --scratch-path "$SCRATCH" >/dev/null
BIN=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)

WORK=$(mktemp -d /tmp/pipeline-bench.XXXXXX)
ROOTARG=(); [ "$(id -u)" = 0 ] && ROOTARG=(-u root)
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P1=$(free_port); P2=$(free_port)
memcached -l 127.0.0.1 -p "$P1" -U 0 -m "$MEMORY" -t 2 -I 2m "${ROOTARG[@]}" & M1=$!
memcached -l 127.0.0.1 -p "$P2" -U 0 -m "$MEMORY" -t 2 -I 2m "${ROOTARG[@]}" & M2=$!
cleanup() { kill "$M1" "$M2" 2>/dev/null || true; wait "$M1" "$M2" 2>/dev/null || true; [ -n "${BENCH_KEEP:-}" ] && echo "kept $WORK" >&2 || rm -rf "$WORK"; }
trap cleanup EXIT
for p in "$P1" "$P2"; do
  for _ in $(seq 100); do "$PY" -c "import socket; socket.create_connection(('127.0.0.1',$p))" 2>/dev/null && break; sleep 0.05; done
done
S1=127.0.0.1:$P1; S2=127.0.0.1:$P2

now() { date +%s.%N; }
secs() { "$PY" -c "print(f'{$2 - $1:.2f}')"; }
wall() { grep "Elapsed (wall clock)" "$1" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }'; }
rss() { grep "Maximum resident set size" "$1" | awk '{print $NF}'; }

echo "filling $S1 and $S2 with $ITEMS Keystone-shaped items…" >&2
t0=$(now)
read -r FILLED VALUE_BYTES < <("$PY" Benchmarks/pipeline_bench_fill.py "$P1" "$P2" "$ITEMS" "$WORK/users.json")
t1=$(now)
echo "filled $FILLED items, $((VALUE_BYTES / 1000000)) MB of values in $(secs "$t0" "$t1") s" >&2

# Ours: collect, then decode | attribute | report.
/usr/bin/time -v -o "$WORK/collect.time" "$BIN/collect" "$S1" "$S2" --out "$WORK/dumps" 2> "$WORK/collect.err" >/dev/null
t0=$(now)
/usr/bin/time -v -o "$WORK/decode.time" "$BIN/decode" "$WORK"/dumps/*.mcdump.gz 2> "$WORK/decode.err" \
  | /usr/bin/time -v -o "$WORK/attribute.time" "$BIN/attribute" --users "$WORK/users.json" --servers "$S1,$S2" \
      --client python-memcached --redact 2> "$WORK/attribute.err" \
  | /usr/bin/time -v -o "$WORK/report.time" "$BIN/report" --format json > "$WORK/report.json" 2> "$WORK/report.err"
t1=$(now)
COLLECT_S=$(wall "$WORK/collect.time")
PIPE_S=$(secs "$t0" "$t1")
COLLECT_KB=$(rss "$WORK/collect.time")
PIPE_KB=$(( $(rss "$WORK/decode.time") + $(rss "$WORK/attribute.time") + $(rss "$WORK/report.time") ))
OURS_KB=$(( COLLECT_KB > PIPE_KB ? COLLECT_KB : PIPE_KB ))

# Python, against the same servers.
/usr/bin/time -v -o "$WORK/python.time" "$PY" Benchmarks/python-pipeline-equivalent.py "$WORK/users.json" "$S1" "$S2" > "$WORK/python.json"
PY_S=$(wall "$WORK/python.time")
PY_KB=$(rss "$WORK/python.time")

"$PY" - "$WORK" "$FILLED" "$VALUE_BYTES" "$COLLECT_S" "$PIPE_S" "$COLLECT_KB" "$PIPE_KB" "$OURS_KB" "$PY_S" "$PY_KB" \
  "$(wall "$WORK/decode.time")" "$(rss "$WORK/decode.time")" "$(wall "$WORK/attribute.time")" "$(rss "$WORK/attribute.time")" \
  "$(wall "$WORK/report.time")" "$(rss "$WORK/report.time")" <<'PYEOF'
import json, sys
w = sys.argv[1]
items, vbytes = int(sys.argv[2]), int(sys.argv[3])
collect_s, pipe_s, collect_kb, pipe_kb, ours_kb, py_s, py_kb = (float(x) for x in sys.argv[4:11])
dec_s, dec_kb, att_s, att_kb, rep_s, rep_kb = (float(x) for x in sys.argv[11:17])
ours_s = collect_s + pipe_s
rep, py = json.load(open(w + "/report.json")), json.load(open(w + "/python.json"))
ours_hosts = {h["host"]: (h["items"], h["value_bytes"]) for h in rep["hosts"]}
py_hosts = {h: (v["items"], v["bytes"]) for h, v in py["hosts"].items()}
print(f"cluster: 2 hosts, {items} items, {vbytes / 1e6:.0f} MB of values")
print(f"same per-host items and bytes in both: {ours_hosts == py_hosts}; hottest host: ours "
      f"{(rep.get('explanation') or {}).get('host')}, python {py['hot_host']}")
if ours_hosts != py_hosts:
    print(f"  per host (items, bytes): ours {ours_hosts}, python {py_hosts}")
for warning in rep.get("warnings") or []:
    print(f"  report warning: {warning}")
print(f"  collect                 {collect_s:8.2f} s   peak RSS {collect_kb / 1024:7.1f} MB")
print(f"  decode | attribute | report {pipe_s:6.2f} s   peak RSS {pipe_kb / 1024:7.1f} MB (sum)"
      f"  [decode {dec_s:.1f} s {dec_kb / 1024:.0f} MB, attribute {att_s:.1f} s {att_kb / 1024:.0f} MB,"
      f" report {rep_s:.1f} s {rep_kb / 1024:.0f} MB]")
print(f"ours, end to end          {ours_s:8.2f} s   peak RSS {ours_kb / 1024:7.1f} MB")
print(f"python equivalent         {py_s:8.2f} s   peak RSS {py_kb / 1024:7.1f} MB")
print(f"speed: ours is {py_s / ours_s:.2f}x python's speed (target >= 5x)")
print(f"memory: ours is {ours_kb / py_kb:.2f} of python's peak (target <= 0.25)")
PYEOF
