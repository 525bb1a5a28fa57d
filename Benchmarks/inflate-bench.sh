#!/usr/bin/env bash
# inflate-bench: the codecs side by side on one file, in one run. Inflates every gzip member with the
# system zlib and with ISA-L's igzip (Compression.GzipInflater, as DumpReader reads members), checks
# that both give the same bytes (CRC-32 of all output), and prints the best time of each and the ratio;
# then compresses each member's content again with zlib (raw, level 1) and igzip (level 1, whole gzip
# members as the dump writer makes them, checked by zlib), and prints times, sizes and ratios.
# Prints figures; asserts nothing.
#   Benchmarks/inflate-bench.sh [FILE.gz]   # default: decode-bench's dump (made if missing)
# Env: BENCH_REPEAT (passes, default 3), SCRATCH (swift scratch path, default .build-rel).
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=${SCRATCH:-.build-rel}
FILE=${1:-}
if [ -z "$FILE" ]; then
  FILE=.build-bench/decode/keystone-600MB.mcdump.gz
  if [ ! -s "$FILE" ]; then
    mkdir -p "$(dirname "$FILE")"
    "${MCF_PYTHON:-.venv/bin/python}" Benchmarks/make-keystone-dump.py "$FILE.tmp" 600 && mv "$FILE.tmp" "$FILE"
  fi
fi
swift build -c release --scratch-path "$SCRATCH" --product inflate-bench >&2
"$SCRATCH/release/inflate-bench" "$FILE"
