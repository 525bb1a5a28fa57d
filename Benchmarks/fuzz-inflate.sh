#!/usr/bin/env bash
# Differential fuzzing of the Swift `Deflate` decoder and encoder against the system zlib for a bounded time
# (inflate-fuzz): every input must get the same verdict from both (output and bytes used, data error
# and message, or truncated), whole and fed in pieces, and zlib must inflate what the Swift encoder
# makes of every input back to exactly that input. Tries libFuzzer first (swift build
# -sanitize=fuzzer, built with -DLIBFUZZER); if that cannot build here, runs the seeded random mutator.
# Reports executions and crashes (a difference traps, so it counts as a crash).
# usage: Benchmarks/fuzz-inflate.sh [SECONDS=60]
set -uo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-60}
. Benchmarks/fuzz-run.sh
run_fuzz inflate-fuzz "$SECS" 8192 "" "$SECS" 1
