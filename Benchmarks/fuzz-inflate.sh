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
SCRATCH=${SCRATCH:-.build-w}
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT

if swift build --scratch-path "$SCRATCH-fuzz" -c release --product inflate-fuzz \
     -Xswiftc -sanitize=fuzzer -Xswiftc -DLIBFUZZER >"$LOG" 2>&1; then
  echo "libFuzzer build: ok"
  CORPUS=$(mktemp -d)
  "$SCRATCH-fuzz/release/inflate-fuzz" -max_total_time="$SECS" -max_len=8192 -rss_limit_mb=2048 \
      -artifact_prefix="$CORPUS/" "$CORPUS" 2>&1 | tee "$LOG" | grep -E "^#[0-9]+.*(DONE|pulse)|Done|ERROR|crash|differ" | tail -5
  status=${PIPESTATUS[0]}
  echo "executions: $(grep -oE 'Done [0-9]+ runs' "$LOG" | grep -oE '[0-9]+' || echo '?')"
  artifacts=$(ls "$CORPUS" | grep -cE '^(crash|leak|timeout|oom)-' || true)
  # A difference traps inside Swift, whose crash handler may stop libFuzzer from saving the input.
  [ "$status" -ne 0 ] && [ "$artifacts" -eq 0 ] && artifacts=1
  echo "crashes: $artifacts (libFuzzer exit status $status)"
  grep -E "verdicts differ" "$LOG" | head -1
  rm -rf "$CORPUS"
  exit "$status"
fi
echo "libFuzzer build failed here (see below); using the seeded random mutator"
tail -3 "$LOG"
swift build --scratch-path "$SCRATCH" -c release --product inflate-fuzz >/dev/null || exit 2
"$SCRATCH/release/inflate-fuzz" "$SECS" 1
status=$?
[ $status -eq 0 ] && echo "crashes: 0" || echo "crashes: the mutator died with status $status"
exit $status
