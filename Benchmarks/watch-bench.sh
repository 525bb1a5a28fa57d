#!/usr/bin/env bash
# Benchmark of a `collect --watch` window (prints figures, asserts nothing): what a memcached `watch`
# connection costs the server, and how many events per second collect keeps. On one local memcached
# (1,000 keys of 100 bytes) Benchmarks/watch_bench_load.py runs BENCH_WORKERS processes (default 2) of
# pipelined gets (a set every 20 gets) for BENCH_SECONDS (default 5), alone (the baseline) and while
# `collect --watch D --watch-only` (D = BENCH_SECONDS + 3) records every event; rounds alternate
# baseline/watched, watched/baseline (BENCH_REPEAT rounds, default 2) and the ratios use medians.
# Prints req/s and server CPU per request both ways, the overhead, and from each dump's WATCH record
# the events collect kept against those generated (the server's cmd_get + 2 x cmd_set over the load:
# memcached 1.6 logs a set as an item_get and an item_store) and those memcached dropped (skipped +
# worker_dropped); kept + dropped should equal generated.
# The machine has 2 cores: the generator, memcached and collect compete for them, so the watched
# figures include collect's own CPU taken from the others; they are printed as measured.
# BENCH_PIN=1 runs memcached and the generator on CPU 0 and collect on CPU 1 (taskset), in both the
# baseline and the watched runs: the overhead is then the watch's cost to the server, without the
# CPU collect takes from it (as when collect runs on a jump host).
# BENCH_SAMPLE=N passes --watch-sample N to collect (its CPU per event read shows what sampling spares;
# kept/generated is then about 1/N).
# Env: COLLECT (a built collect: skips the build), SCRATCH (swift scratch path of the release build,
# default /tmp/watch-bench-build), BENCH_REPEAT, BENCH_SECONDS, BENCH_WORKERS, BENCH_PIN, BENCH_SAMPLE,
# MCF_PYTHON.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${MCF_PYTHON:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
REPEAT=${BENCH_REPEAT:-2}
SECS=${BENCH_SECONDS:-5}
WORKERS=${BENCH_WORKERS:-2}
WINDOW=$("$PY" -c "print($SECS + 3)")
LOAD="Benchmarks/watch_bench_load.py"

if [ -z "${COLLECT:-}" ]; then
  echo "building collect (release)…" >&2
  SCRATCH=${SCRATCH:-/tmp/watch-bench-build}
  swift build -c release --scratch-path "$SCRATCH" --product collect >/dev/null
  COLLECT=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/collect
fi
[ -x "$COLLECT" ] || { echo "no collect at $COLLECT" >&2; exit 2; }
TIME=(); [ -x /usr/bin/time ] && TIME=(/usr/bin/time -f "%U %S")
SERVER_CPU=(); COLLECT_CPU=()
if [ "${BENCH_PIN:-0}" = 1 ]; then SERVER_CPU=(taskset -c 0); COLLECT_CPU=(taskset -c 1); fi

WORK=$(mktemp -d /tmp/watch-bench.XXXXXX)
PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ROOTARG=(); [ "$(id -u)" = 0 ] && ROOTARG=(-u root)
${SERVER_CPU[@]+"${SERVER_CPU[@]}"} /usr/bin/memcached -l 127.0.0.1 -p "$PORT" -U 0 -m 64 -t 2 ${ROOTARG[@]+"${ROOTARG[@]}"} &
MCPID=$!
CPID=""
cleanup() {
  [ -n "$CPID" ] && { pkill -P "$CPID" 2>/dev/null; kill "$CPID" 2>/dev/null; wait "$CPID" 2>/dev/null || true; }
  kill "$MCPID" 2>/dev/null || true; wait "$MCPID" 2>/dev/null || true; rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 100); do "$PY" -c "import socket; socket.create_connection(('127.0.0.1',$PORT))" 2>/dev/null && break; sleep 0.05; done
"$PY" "$LOAD" "$PORT" preload

echo "machine: $(nproc) cores; $(/usr/bin/memcached -V); $("$PY" -V 2>&1) ($PY); collect $COLLECT"
echo "pinned: ${BENCH_PIN:-0} (1: memcached and the load on CPU 0, collect on CPU 1); collect --watch-sample ${BENCH_SAMPLE:-1}"
echo "load: $WORKERS worker(s) x $SECS s, batches of 100 gets + 5 sets, 1000 keys x 100 B; watch window $WINDOW s; $REPEAT round(s)"

baseline() { ${SERVER_CPU[@]+"${SERVER_CPU[@]}"} "$PY" "$LOAD" "$PORT" load "$WORKERS" "$SECS" >>"$WORK/baseline.jsonl"; }
watched() {
  local out="$WORK/out"
  rm -rf "$out"
  ${TIME[@]+"${TIME[@]}"} ${COLLECT_CPU[@]+"${COLLECT_CPU[@]}"} "$COLLECT" "127.0.0.1:$PORT" --watch "$WINDOW" --watch-only --watch-sample "${BENCH_SAMPLE:-1}" --out "$out" >/dev/null 2>"$WORK/collect.err" &
  CPID=$!
  "$PY" "$LOAD" "$PORT" wait-watch 30
  local load; load=$(${SERVER_CPU[@]+"${SERVER_CPU[@]}"} "$PY" "$LOAD" "$PORT" load "$WORKERS" "$SECS")
  wait "$CPID" || { cat "$WORK/collect.err" >&2; exit 2; }
  CPID=""
  local w; w=$(zcat "$out"/*.mcdump.gz | awk '/^WATCH / { sub(/^WATCH /, ""); print }')
  [ -n "$w" ] || { echo "no WATCH record in the dump" >&2; exit 2; }
  local cpu="null"; [ ${#TIME[@]} -gt 0 ] && cpu=$(tail -n 1 "$WORK/collect.err" | awk '{ print $1 + $2 }')
  echo "{\"load\": $load, \"watch\": $w, \"collect_cpu\": $cpu}" >>"$WORK/watched.jsonl"
}
for i in $(seq "$REPEAT"); do
  if [ $((i % 2)) = 1 ]; then baseline; watched; else watched; baseline; fi
done

"$PY" - "$WORK/baseline.jsonl" "$WORK/watched.jsonl" <<'PYEOF'
import json, statistics, sys
base = [json.loads(l) for l in open(sys.argv[1])]
runs = [json.loads(l) for l in open(sys.argv[2])]
watch = [r["load"] for r in runs]
med = statistics.median
def rps(rs): return ", ".join(f"{r['rps']:,.0f}" for r in rs)
def cpu_us(r): return 1e6 * r["server_cpu"] / r["requests"]
b, w = med(r["rps"] for r in base), med(r["rps"] for r in watch)
bc, wc = med(cpu_us(r) for r in base), med(cpu_us(r) for r in watch)
print(f"baseline req/s          {rps(base)}   median {b:,.0f}")
print(f"watched req/s           {rps(watch)}   median {w:,.0f}")
print(f"overhead                {100 * (1 - w / b):.1f}% of throughput (1 - watched/baseline)")
print(f"memcached CPU/request   baseline {bc:.2f} us, watched {wc:.2f} us ({wc / bc:.2f}x)")
kept, gen, dropped, ratio = [], [], [], []
for r in runs:
    ev, ld = r["watch"], r["load"]
    drop = ev["skipped"] + (ev.get("worker_dropped") or 0)
    kept.append(ev["events"] / ld["seconds"]); gen.append(ld["server_events"] / ld["seconds"])
    dropped.append(drop); ratio.append(ev["events"] / ld["server_events"])
    read = ev["events"] + (ev.get("sampled_out") or 0)
    cpu = f", collect CPU {r['collect_cpu']:.2f} s = {1e6 * r['collect_cpu'] / max(read, 1):.2f} us/event read" if r["collect_cpu"] is not None else ""
    print(f"watched run             {ev['events']:,} events kept in a {ev['seconds']:.2f} s window ({ev['events'] / ev['seconds']:,.0f}/s over the window); "
          f"generated {ld['server_events']:,} in {ld['seconds']:.2f} s; dropped: skipped {ev['skipped']:,}, worker_dropped {ev.get('worker_dropped')}, "
          f"watcher_skipped {ev.get('watcher_skipped')}; sampled out {ev.get('sampled_out') or 0:,}; unaccounted {ld['server_events'] - read - drop:,}{cpu}")
print(f"events/s generated      median {med(gen):,.0f} (server cmd_get + 2 x cmd_set over the load's seconds)")
print(f"events/s kept           median {med(kept):,.0f} (WATCH.events over the load's seconds)")
print(f"kept/generated          " + ", ".join(f"{100 * x:.1f}%" for x in ratio) + f"   median {100 * med(ratio):.1f}%; memcached dropped {', '.join(f'{d:,}' for d in dropped)}")
print(f"watch overhead: {100 * (1 - w / b):.1f}% (baseline {b:,.0f} req/s, watched {w:,.0f} req/s); "
      f"collect kept {100 * med(ratio):.1f}% of {med(gen):,.0f} events/s, memcached dropped {med(dropped):,.0f} ({100 * med(d / ld['server_events'] for d, ld in zip(dropped, watch)):.1f}%)")
PYEOF
