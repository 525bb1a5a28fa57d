#!/usr/bin/env bash
# Benchmark of `report --merge` over a fleet's partials (prints figures, asserts nothing): BENCH_HOSTS
# partials (default 1,000) of a realistic size — each the partial `report --format json --partial
# --servers …` makes of one host's records (BENCH_ITEMS items, default 100,000, in 300 key families, of
# 400 users' token lists and tokens, with the what-if's kept sizes) — merged into every format, timed
# and measured (peak RSS, /usr/bin/time) against reading the same bytes (`cat > /dev/null`) as the floor.
# One host's records are made once (Python, seeded, host `hostX`); every partial is that partial with
# `hostX` renamed to a host of the fleet (in its keys too: a fleet's hosts hold different keys, and the
# partials' key logs carry every key), so all have the same size and the same what-if (over the whole
# fleet's server list, as --merge requires), and the merge does the work of a fleet of distinct hosts.
# Env: MCF_BIN (built stages: skips the build), SCRATCH (release scratch path), BENCH_HOSTS,
# BENCH_ITEMS, MCF_PYTHON.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${MCF_PYTHON:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
HOSTS=${BENCH_HOSTS:-1000}
ITEMS=${BENCH_ITEMS:-100000}
if [ -z "${MCF_BIN:-}" ]; then
  echo "building report (release)…" >&2
  SCRATCH=${SCRATCH:-.build}
  swift build -c release --scratch-path "$SCRATCH" --product report >/dev/null
  MCF_BIN=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)
fi
WORK=$(mktemp -d /tmp/merge-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# One host's records: Keystone-shaped token lists and tokens plus other families, with placement fits.
"$PY" - "$ITEMS" > "$WORK/host.ndjson" <<'PYEOF'
import json, random, sys
n = int(sys.argv[1]); rng = random.Random(18)
out = sys.stdout
for i in range(n):
    r = {"type": "item", "host": "hostX", "port": 11211, "key": "fam%d:obj:%d:hostX" % (i % 300, i),
         "size": int(rng.lognormvariate(6, 1.5)) + 1, "flags": 0, "cls": 1 + i % 40, "fetched": i % 3 == 0,
         "exp": None if i % 4 else 1796600000, "la": 1796500000 + i % 9999, "family": "fam%d:obj:{n}" % (i % 300),
         "kind": "token" if i % 2 else "unknown"}
    if i % 2:
        u = i % 400
        r["user"] = {"id": "u%03d" % u, "name": "user-%d" % u, "domain": "default", "in_export": True}
    out.write(json.dumps(r, separators=(",", ":")) + "\n")
out.write(json.dumps({"type": "source", "schema": 1, "host": "hostX", "port": 11211, "file": "h", "complete": True}) + "\n")
PYEOF
servers=$("$PY" -c "print(','.join('10.0.%d.%d:11211' % (i // 250, 1 + i % 250) for i in range($HOSTS)))")
# The what-if over the whole fleet's server list (the same in every partial, as --merge requires).
"$MCF_BIN/report" --format json --partial --servers "$servers" "$WORK/host.ndjson" > "$WORK/one.partial"
mkdir "$WORK/p"
"$PY" - "$WORK/one.partial" "$WORK/p" "$HOSTS" <<'PYEOF'
import sys
text = open(sys.argv[1]).read()
for i in range(int(sys.argv[3])):
    host = "10.0.%d.%d" % (i // 250, 1 + i % 250)
    open("%s/%05d.partial" % (sys.argv[2], i), "w").write(text.replace("hostX", host))
PYEOF
size=$(wc -c < "$WORK/one.partial")
total=$(cat "$WORK"/p/*.partial | wc -c)
echo "machine: $(nproc) cores; report $MCF_BIN/report"
echo "partials: $HOSTS of $size bytes each ($ITEMS items of one host, 300 families, 400 users; what-if over the $HOSTS servers), $total bytes in all"

t0=$(date +%s.%N); cat "$WORK"/p/*.partial > /dev/null; t1=$(date +%s.%N)
echo "floor (cat > /dev/null)  $("$PY" -c "print('%.2f s' % ($t1 - $t0))")"
for fmt in json text html; do
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$MCF_BIN/report" --merge --format "$fmt" "$WORK"/p/*.partial > "$WORK/out.$fmt"
  read -r secs kb < "$WORK/time"
  echo "merge --format $fmt     $secs s, peak RSS $((kb / 1024)) MB, output $(wc -c < "$WORK/out.$fmt") bytes"
done
"$PY" - "$WORK/out.json" "$HOSTS" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))
print("check: %d hosts in the merged report (expected %s), %d families" % (len(r["hosts"]), sys.argv[2], len(r["families"])))
PYEOF
