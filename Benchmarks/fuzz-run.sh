# Benchmarks/fuzz-run.sh: the part every fuzz script shares (sourced, not run). run_fuzz builds PRODUCT
# as a libFuzzer target (swift build -sanitize=fuzzer, -DLIBFUZZER) and runs it for SECS seconds on
# the seed folder SEEDS (may be empty) with inputs up to MAXLEN bytes; if that cannot build here, it
# builds the plain product and runs its seeded random mutator with the remaining arguments. It prints
# executions and crashes and exits with the fuzzer's status.
# usage: run_fuzz PRODUCT SECS MAXLEN SEEDS [MUTATOR ARGUMENTS...]
run_fuzz() {
  local product=$1 secs=$2 maxlen=$3 seeds=$4
  shift 4
  local scratch=${SCRATCH:-.build-w} log corpus status artifacts
  log=$(mktemp)
  if swift build --scratch-path "$scratch-fuzz" -c release --product "$product" \
       -Xswiftc -sanitize=fuzzer -Xswiftc -DLIBFUZZER >"$log" 2>&1; then
    echo "libFuzzer build: ok"
    corpus=$(mktemp -d)
    "$scratch-fuzz/release/$product" -max_total_time="$secs" -max_len="$maxlen" -rss_limit_mb=2048 \
        -artifact_prefix="$corpus/" "$corpus" ${seeds:+"$seeds"} 2>&1 | tee "$log" \
        | grep -E "^#[0-9]+.*(DONE|pulse)|Done|ERROR|crash|differ" | tail -5
    status=${PIPESTATUS[0]}
    echo "executions: $(grep -oE 'Done [0-9]+ runs' "$log" | grep -oE '[0-9]+' || echo '?')"
    artifacts=$(ls "$corpus" | grep -cE '^(crash|leak|timeout|oom)-' || true)
    # A trap inside Swift may stop libFuzzer from saving the input: a failing exit counts as one.
    [ "$status" -ne 0 ] && [ "$artifacts" -eq 0 ] && artifacts=1
    echo "crashes: $artifacts (libFuzzer exit status $status)"
    grep -E "verdicts differ|Fatal error" "$log" | head -1
    rm -rf "$corpus" "$log"
    return "$status"
  fi
  echo "libFuzzer build failed here (see below); using the seeded random mutator"
  tail -3 "$log"; rm -f "$log"
  swift build --scratch-path "$scratch" -c release --product "$product" >/dev/null || return 2
  "$scratch/release/$product" "$@"
  status=$?
  [ $status -eq 0 ] && echo "crashes: 0" || echo "crashes: the mutator died with status $status"
  return $status
}
