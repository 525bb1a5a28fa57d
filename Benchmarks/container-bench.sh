#!/usr/bin/env bash
# Benchmarks/container-bench.sh — throughput of the dump container on this machine (its members
# compressed by ISA-L's igzip through Compression), compared in the same run with `gzip -1` (zlib) and
# `igzip -1` (ISA-L's own command; Debian package `isal`), single-threaded, over the very same
# decompressed bytes. Prints figures; asserts nothing.
# Usage: Benchmarks/container-bench.sh [MEGABYTES_OF_VALUES (default 300)] [WORKDIR (default /tmp)]
set -euo pipefail
cd "$(dirname "$0")/.."
MB="${1:-300}"
WORK="${2:-/tmp}/container-bench.$$"
mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT

echo "== building container-bench (release)" >&2
swift build -c release --scratch-path .build-bench --product container-bench >&2
BIN=.build-bench/release/container-bench

echo "== machine: $(nproc) cores, $(uname -r)"
for threads in 2 1; do
  "$BIN" write --out "$WORK/t$threads.mcdump.gz" --mb "$MB" --threads "$threads"
done
"$BIN" read --in "$WORK/t2.mcdump.gz"

# The floor: gzip -1 over the same decompressed stream (file in page cache, output discarded).
zcat "$WORK/t2.mcdump.gz" > "$WORK/plain"
cat "$WORK/plain" > /dev/null
PLAIN_MB=$(( $(stat -c %s "$WORK/plain") / 1048576 ))
# One compressor over the same bytes, single-threaded: wall, CPU and size.
compress_floor() {
  local name=$1; shift
  local start end secs cpu
  start=$(date +%s.%N)
  /usr/bin/time -f '%U %S' -o "$WORK/$name.cpu" "$@" -1 -c < "$WORK/plain" > "$WORK/plain.$name"
  end=$(date +%s.%N)
  secs=$(echo "$end - $start" | bc -l)
  cpu=$(awk '{print $1 + $2}' "$WORK/$name.cpu")
  printf '%s -1: %d MiB in, %.1f MiB out: %.2f s wall, %.1f MiB/s; %.2f s CPU (%.1f MiB per CPU-s)\n' "$name" "$PLAIN_MB" \
    "$(echo "$(stat -c %s "$WORK/plain.$name") / 1048576" | bc -l)" "$secs" "$(echo "$PLAIN_MB / $secs" | bc -l)" \
    "$cpu" "$(echo "$PLAIN_MB / $cpu" | bc -l)"
}
compress_floor gzip gzip
if command -v igzip >/dev/null; then compress_floor igzip igzip; else echo "igzip -1: not installed (apt-get install isal)"; fi
echo "(issue 2 wants collect within 1.5x of gzip -1's time, so the container alone, on 2 threads, should beat"
echo " gzip -1's wall MiB/s; wall figures depend on other load, CPU figures much less: $(uptime | sed 's/.*load/load/'))"
start=$(date +%s.%N)
zcat "$WORK/t2.mcdump.gz" > /dev/null
end=$(date +%s.%N)
printf 'zcat of the dump: %.2f s\n' "$(echo "$end - $start" | bc -l)"
if command -v igzip >/dev/null; then
  start=$(date +%s.%N)
  igzip -dc "$WORK/t2.mcdump.gz" > /dev/null
  end=$(date +%s.%N)
  printf 'igzip -dc of the dump: %.2f s\n' "$(echo "$end - $start" | bc -l)"
fi
