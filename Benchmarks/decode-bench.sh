#!/usr/bin/env bash
# decode-bench: decodes the same Keystone-shaped dump with `decode` (release), with the Python
# equivalent (gzip + zlib + pickle.loads + json.dumps per item), and times `zcat` (zlib) and
# `igzip -dc` (ISA-L, decode's own inflater; Debian package `isal`) as floors.
# Prints MB/s of values, the ratios (medians of alternated runs), and decode's peak RSS (/usr/bin/time -v).
#
#   Benchmarks/decode-bench.sh            # ~600 MB of values
#   DECODE_BENCH_MB=100 Benchmarks/decode-bench.sh   # scaled down
# Env: DECODE_BENCH_MB (value MB, default 600), DECODE_BENCH_DIR (where the dump is kept, default
# .build-bench/decode), MCF_PYTHON (python with dogpile.cache), SCRATCH (swift scratch path, .build-rel),
# BENCH_REPEAT (rounds, default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${DECODE_BENCH_MB:-600}
DIR=${DECODE_BENCH_DIR:-.build-bench/decode}
PY=${MCF_PYTHON:-.venv/bin/python}
SCRATCH=${SCRATCH:-.build-rel}
mkdir -p "$DIR"
DUMP="$DIR/keystone-${MB}MB.mcdump.gz"
[ -x /usr/bin/time ] || { echo "decode-bench: /usr/bin/time missing (apt-get install time)" >&2; exit 2; }
command -v igzip >/dev/null || { echo "decode-bench: igzip missing (apt-get install isal)" >&2; exit 2; }

swift build -c release --scratch-path "$SCRATCH" --product decode >&2
DECODE="$SCRATCH/release/decode"
if [ ! -s "$DUMP" ]; then
  echo "decode-bench: writing $DUMP ($MB MB of values)…" >&2
  "$PY" Benchmarks/make-keystone-dump.py "$DUMP.tmp" "$MB" && mv "$DUMP.tmp" "$DUMP"
fi
VALUE_MB=$(zcat "$DUMP" | tail -n 1 | sed 's/.*"value_bytes":\([0-9]*\).*/\1/' | awk '{printf "%.1f", $1/1e6}')
COMP_MB=$(stat -c %s "$DUMP" | awk '{printf "%.1f", $1/1e6}')

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
# This VM's speed drifts by ±20% from minute to minute: decode, zcat and Python run alternately,
# REPEAT rounds (default 3; Python in the first two), and the ratios use the medians.
REPEAT=${BENCH_REPEAT:-3}
ZCATS=() IGZIPS=() DECS=() PYS=() RSS_MAX=0 CPUS=()
for round in $(seq "$REPEAT"); do
  t0=$(now); zcat "$DUMP" > /dev/null; t1=$(now); ZCATS+=("$(secs "$t0" "$t1")")
  t0=$(now); igzip -dc "$DUMP" > /dev/null; t1=$(now); IGZIPS+=("$(secs "$t0" "$t1")")
  /usr/bin/time -v -o "$DIR/time.txt" "$DECODE" "$DUMP" > "$DIR/decode.ndjson" 2> "$DIR/decode.stderr" || true
  DECS+=("$(grep "Elapsed (wall clock)" "$DIR/time.txt" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')")
  RSS_KB=$(grep "Maximum resident set size" "$DIR/time.txt" | awk '{print $NF}')
  [ "$RSS_KB" -gt "$RSS_MAX" ] && RSS_MAX=$RSS_KB
  CPUS+=("$(grep "Percent of CPU" "$DIR/time.txt" | awk '{print $NF}')")
  if [ "$round" -le 2 ]; then
    t0=$(now); "$PY" Benchmarks/python-decode-equivalent.py "$DUMP" > /dev/null; t1=$(now); PYS+=("$(secs "$t0" "$t1")")
  fi
done
ZCAT=$(median "${ZCATS[@]}") IGZ=$(median "${IGZIPS[@]}") DEC=$(median "${DECS[@]}") PYT=$(median "${PYS[@]}")
ITEMS=$(grep -c '"type":"item"' "$DIR/decode.ndjson" || true)
ERRS=$(grep -c '"error":{' "$DIR/decode.ndjson" || true)

rate() { echo "$VALUE_MB / $1" | bc -l | xargs printf "%.1f"; }
list() { printf '%.2f ' "$@"; }
echo "dump: $DUMP  ($COMP_MB MB compressed, $VALUE_MB MB of values, $ITEMS items, $ERRS with errors)"
echo "python: $("$PY" -c 'import sys; print(sys.executable, sys.version.split()[0])') (MCF_PYTHON picks another)"
echo "medians of alternated runs; every time: zcat $(list "${ZCATS[@]}")| igzip -dc $(list "${IGZIPS[@]}")| decode $(list "${DECS[@]}")(cpu ${CPUS[*]}) | python $(list "${PYS[@]}")"
printf "zcat (floor)        %7.2f s  %8s MB/s\n" "$ZCAT" "$(rate "$ZCAT")"
printf "igzip -dc (floor)   %7.2f s  %8s MB/s\n" "$IGZ" "$(rate "$IGZ")"
printf "decode (release)    %7.2f s  %8s MB/s\n" "$DEC" "$(rate "$DEC")"
printf "python equivalent   %7.2f s  %8s MB/s\n" "$PYT" "$(rate "$PYT")"
printf "decode vs python    %7.2fx faster  (target ≥ 5x)\n" "$(echo "$PYT / $DEC" | bc -l)"
printf "decode vs zcat      %7.2fx the time (target ≤ 2x)\n" "$(echo "$DEC / $ZCAT" | bc -l)"
printf "decode vs igzip -dc %7.2fx the time\n" "$(echo "$DEC / $IGZ" | bc -l)"
printf "peak RSS            %7.1f MB      (target < 128 MB; the largest of the runs)\n" "$(echo "$RSS_MAX / 1024" | bc -l)"
