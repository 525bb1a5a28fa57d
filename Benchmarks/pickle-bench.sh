#!/usr/bin/env bash
# Benchmarks SafePickle against CPython on one Keystone-shaped corpus (mostly ~10 KB token dicts,
# every 20th a ~600 KB token list), per row: protocol 0 from Python 2.7 cPickle (if python2.7 is
# available) and from Python 3, protocols 2 and 5 from Python 3. Prints MB/s and ratios.
# usage: Benchmarks/pickle-bench.sh [MB_PER_ROW=60]   (env: MCF_PYTHON, PY27, BENCH_REPEAT=3, SCRATCH)
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${1:-60}
PY=${MCF_PYTHON:-python3}
PY27=${PY27:-/root/.pyenv/versions/2.7.18/bin/python}
SCRATCH=${SCRATCH:-.build-w}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

swift build --scratch-path "$SCRATCH" -c release --product pickle-bench >/dev/null
BENCH="$SCRATCH/release/pickle-bench"

"$PY" Benchmarks/pickle_bench_corpus.py corpus "$WORK" "$MB"
ROWS="py3-p0 py3-p2 py3-p5"
if [ -x "$PY27" ]; then
  "$PY27" Benchmarks/pickle_bench_corpus.py corpus "$WORK" "$MB" --py2
  ROWS="py2-p0 $ROWS"
else
  echo "py2-p0: skipped (no python2.7 at $PY27)"
fi
PYVER=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
echo "baseline: $("$PY" -c 'import sys; print(sys.executable, sys.version.split()[0])') (MCF_PYTHON picks another; builds differ: Debian's /usr/bin/python3 is the faster one here)"
# Each row: Swift and CPython measured alternately REPEAT times, so both see the same machine; the
# figures are the medians (this VM's speed drifts by ±20% from minute to minute).
REPEAT=${BENCH_REPEAT:-3}
echo "each row: median of $REPEAT alternated runs"
printf '%-8s %8s %12s %12s %14s %10s %10s\n' row MB swift_MB/s "py${PYVER}_loads" loads+json "x_loads" "x_loads+json"
for row in $ROWS; do
  f="$WORK/$row.bin"
  : > "$WORK/runs.jsonl"
  for _ in $(seq "$REPEAT"); do
    printf '{"swift": %s, "python": %s}\n' "$("$BENCH" "$f" 3)" "$("$PY" Benchmarks/pickle_bench_corpus.py measure "$f")" >> "$WORK/runs.jsonl"
  done
  "$PY" - "$row" "$WORK/runs.jsonl" <<'PYEOF'
import json, statistics, sys
row, runs = sys.argv[1], [json.loads(l) for l in open(sys.argv[2])]
assert all(r['swift']['errors'] == 0 for r in runs), runs
s = statistics.median(r['swift']['mb_per_s'] for r in runs)
l = statistics.median(r['python']['loads_mb_per_s'] for r in runs)
lj = statistics.median(r['python']['loads_json_mb_per_s'] for r in runs)
print('%-8s %8.1f %12.1f %12.1f %14.1f %10.2f %10.2f' % (row, runs[0]['swift']['input_mb'], s, l, lj, s / l, s / lj))
PYEOF
done
echo "targets: x_loads >= 1, x_loads+json >= 5 (single-threaded)"
