#!/usr/bin/env bash
# Benchmark of the analysis half of the pipeline on a stored capture (prints figures, asserts nothing).
# Fills two local memcached servers with a Keystone-Kilo-shaped token store (BENCH_ITEMS items, default
# 1000000) and captures them once with collect; then, alternated, BENCH_REPEAT rounds (default 3):
#   ours:    decode DUMPS | attribute --users U --servers S --redact | report --format json
#   python:  Benchmarks/python-analysis-equivalent.py U DUMPS (gzip + the record lines, pickle.loads,
#            the same sha1 joins and per-host/per-user aggregation, a JSON report)
#   decode:  decode DUMPS > /dev/null
# and, once, each stage alone on stored inputs (MB/s of its input). Medians; min–max shown for noise.
# Wall time by the clock, peak RSS by /usr/bin/time -v (for the pipe, its three processes summed).
# Targets (issue 20): ours ≥ 5× faster than python, ≤ ¼ of its peak memory, pipe ≤ 1.25× decode alone.
# Also prints each process's CPU time in the pipe (where the time goes).
# Env: BENCH_ITEMS, BENCH_REPEAT, BENCH_MEMORY_MB (per server, default 1400), MCF_PYTHON,
# SCRATCH (default .build-rel), BENCH_KEEP=1 keeps the work folder.
set -euo pipefail
cd "$(dirname "$0")/.."
ITEMS=${BENCH_ITEMS:-1000000}
REPEAT=${BENCH_REPEAT:-3}
MEMORY=${BENCH_MEMORY_MB:-1400}
PY=${MCF_PYTHON:-.venv/bin/python}
SCRATCH=${SCRATCH:-.build-rel}
[ -x /usr/bin/time ] || { echo "analysis-bench: install package 'time' (/usr/bin/time -v)" >&2; exit 2; }

echo "building collect, decode, attribute, report (release)…" >&2
swift build -c release --scratch-path "$SCRATCH" >/dev/null
BIN=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)

WORK=$(mktemp -d /tmp/analysis-bench.XXXXXX)
ROOTARG=(); [ "$(id -u)" = 0 ] && ROOTARG=(-u root)
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P1=$(free_port); P2=$(free_port)
memcached -l 127.0.0.1 -p "$P1" -U 0 -m "$MEMORY" -t 2 -I 2m "${ROOTARG[@]}" & M1=$!
memcached -l 127.0.0.1 -p "$P2" -U 0 -m "$MEMORY" -t 2 -I 2m "${ROOTARG[@]}" & M2=$!
stop_servers() { kill "$M1" "$M2" 2>/dev/null || true; wait "$M1" "$M2" 2>/dev/null || true; }
cleanup() { stop_servers; [ -n "${BENCH_KEEP:-}" ] && echo "kept $WORK" >&2 || rm -rf "$WORK"; }
trap cleanup EXIT
for p in "$P1" "$P2"; do
  for _ in $(seq 100); do "$PY" -c "import socket; socket.create_connection(('127.0.0.1',$p))" 2>/dev/null && break; sleep 0.05; done
done
S="127.0.0.1:$P1,127.0.0.1:$P2"

echo "filling two servers with $ITEMS Keystone-shaped items, capturing them once…" >&2
read -r FILLED VALUE_BYTES < <("$PY" Benchmarks/pipeline_bench_fill.py "$P1" "$P2" "$ITEMS" "$WORK/users.json")
"$BIN/collect" "127.0.0.1:$P1" "127.0.0.1:$P2" --out "$WORK/dumps" 2> "$WORK/collect.err" >/dev/null
stop_servers
DUMPS=("$WORK"/dumps/*.mcdump.gz)

now() { date +%s.%N; }
rss() { grep "Maximum resident set size" "$1" | awk '{print $NF}'; }
T="/usr/bin/time -v -o"

ours() {
  local t0 t1
  t0=$(now)
  $T "$WORK/d.time" "$BIN/decode" "${DUMPS[@]}" 2> /dev/null \
    | $T "$WORK/a.time" "$BIN/attribute" --users "$WORK/users.json" --servers "$S" --client python-memcached --redact 2> /dev/null \
    | $T "$WORK/r.time" "$BIN/report" --format json > "$WORK/report.json" 2> /dev/null
  t1=$(now)
  echo "ours $t0 $t1 $(( $(rss "$WORK/d.time") + $(rss "$WORK/a.time") + $(rss "$WORK/r.time") ))" >> "$WORK/runs"
}
python() {
  local t0 t1
  t0=$(now)
  $T "$WORK/p.time" "$PY" Benchmarks/python-analysis-equivalent.py "$WORK/users.json" "${DUMPS[@]}" > "$WORK/python.json"
  t1=$(now)
  echo "python $t0 $t1 $(rss "$WORK/p.time")" >> "$WORK/runs"
}
decode_alone() {
  local t0 t1
  t0=$(now)
  $T "$WORK/da.time" "$BIN/decode" "${DUMPS[@]}" > /dev/null 2>&1 || true
  t1=$(now)
  echo "decode $t0 $t1 $(rss "$WORK/da.time")" >> "$WORK/runs"
}
: > "$WORK/runs"
for i in $(seq "$REPEAT"); do
  echo "round $i of $REPEAT…" >&2
  ours; python; decode_alone
done

# Each stage alone on stored inputs.
stage() {  # stage NAME INPUT_BYTES OUTPUT_FILE COMMAND...
  local name=$1 in=$2 out=$3 t0 t1
  shift 3
  t0=$(now)
  $T "$WORK/s.time" "$@" > "$out" 2> /dev/null || true
  t1=$(now)
  echo "stage $name $t0 $t1 $(rss "$WORK/s.time") $in" >> "$WORK/runs"
}
DUMP_BYTES=$(du -cb "${DUMPS[@]}" | tail -1 | cut -f1)
stage decode "$DUMP_BYTES" "$WORK/records.ndjson" "$BIN/decode" "${DUMPS[@]}"
stage attribute "$(stat -c %s "$WORK/records.ndjson")" "$WORK/attributed.ndjson" \
  "$BIN/attribute" --users "$WORK/users.json" --servers "$S" --client python-memcached --redact "$WORK/records.ndjson"
stage report "$(stat -c %s "$WORK/attributed.ndjson")" "$WORK/stage-report.json" "$BIN/report" --format json "$WORK/attributed.ndjson"

"$PY" - "$WORK" "$FILLED" "$VALUE_BYTES" "$DUMP_BYTES" "$("$PY" --version)" <<'PYEOF'
import json, os, statistics, sys
w, items, vbytes, dump_bytes, pyver = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
runs = {}
stages = {}
for line in open(w + "/runs"):
    f = line.split()
    if f[0] == "stage":
        stages[f[1]] = (float(f[3]) - float(f[2]), int(f[4]) / 1024, int(f[5]))
    else:
        runs.setdefault(f[0], []).append((float(f[2]) - float(f[1]), int(f[3]) / 1024))
def fig(name):
    t = [r[0] for r in runs[name]]; m = [r[1] for r in runs[name]]
    return statistics.median(t), min(t), max(t), max(m)
rep, py = json.load(open(w + "/report.json")), json.load(open(w + "/python.json"))
ours_hosts = {h["host"]: (h["items"], h["value_bytes"]) for h in rep["hosts"]}
py_hosts = {h: (v["items"], v["bytes"]) for h, v in py["hosts"].items()}
print(f"capture: 2 hosts, {items} items, {vbytes / 1e6:.0f} MB of values, {dump_bytes / 1e6:.0f} MB of dumps; python: {pyver}")
print(f"same per-host items and bytes in both: {ours_hosts == py_hosts}; hottest host: ours "
      f"{(rep.get('explanation') or {}).get('host')}, python {py['hot_host']}; users with items: ours {rep['users']['count']}, python {py['users_with_items']}")
o, p, d = fig("ours"), fig("python"), fig("decode")
for name, f in (("decode | attribute | report", o), ("python equivalent", p), ("decode alone", d)):
    print(f"  {name:28s} median {f[0]:7.2f} s (min {f[1]:.2f}, max {f[2]:.2f})   peak RSS {f[3]:7.1f} MB")
for name, (secs, mb, inbytes) in stages.items():
    print(f"  stage alone: {name:9s} {secs:7.2f} s  {inbytes / 1e6:8.0f} MB in, {inbytes / 1e6 / secs:7.1f} MB/s  peak RSS {mb:7.1f} MB")
def cpu(name):
    t = {}
    for line in open(f"{w}/{name}.time"):
        k, _, v = line.strip().rpartition(": ")
        t[k] = v
    return float(t["User time (seconds)"]) + float(t["System time (seconds)"])
print(f"  where the pipe's time goes (last round, user+system CPU-s): decode {cpu('d'):.1f}, attribute {cpu('a'):.1f}, "
      f"report {cpu('r'):.1f} on {os.cpu_count()} cores; decode alone {cpu('da'):.1f}")
print(f"speed: ours is {p[0] / o[0]:.2f}x python's (target >= 5x)")
print(f"memory: ours is {o[3] / p[3]:.2f} of python's peak (target <= 0.25)")
print(f"pipe vs decode alone: {o[0] / d[0]:.2f}x (target <= 1.25x)")
PYEOF
