#!/usr/bin/env bash
# Runs every fuzz target for a bounded time with its seed corpus, FUZZ_JOBS targets at a time (each
# libFuzzer process uses one core; default: the number of cores). Each target's report is printed
# when it ends; any crash, leak or timeout fails the run, naming the target.
# usage: fuzz/run_all.sh BUILD_DIR SECONDS
set -euo pipefail
build=${1:-build-asan}
secs=${2:-30}
jobs_at_once=${FUZZ_JOBS:-${JOBS:-$(nproc)}}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run_one BINARY: one target; its report in $work/NAME.report, and $work/NAME.failed on a crash.
run_one() {
  local bin=$1 name corpus per_input
  name=$(basename "$bin")
  corpus="$work/$name"
  mkdir -p "$corpus"
  # Seeds: the target's own corpus folder, plus the test data files for the readers.
  [ -d "$here/corpus/$name" ] && cp -r "$here/corpus/$name/." "$corpus/" 2>/dev/null || true
  case "$name" in
    fuzz_file_reader|fuzz_token_reader|fuzz_deid_anonymize)
      find "$root/tests/data" -type f -size -600k -name '*.dcm' -exec cp {} "$corpus/" \; 2>/dev/null || true ;;
  esac
  # CharLS 2.4.1 takes seconds (up to 2^31 bit reads) to reject some corrupt scans: a slow
  # rejection there is that library's, not a hang; other targets keep the 10 s limit.
  per_input=10
  [ "$name" = fuzz_pixel_jpegls ] && per_input=300
  {
    echo "fuzz: $name for ${secs}s ($(ls "$corpus" | wc -l) seeds)"
    if "$bin" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 -timeout="$per_input" \
         -artifact_prefix="$work/$name-" "$corpus" > "$work/$name.log" 2>&1; then
      grep -E "^#[0-9]+.*(DONE|pulse)" "$work/$name.log" | tail -1 || true
    else
      mkdir -p "$root/fuzz/crashes" && cp "$work/$name-"* "$root/fuzz/crashes/" 2>/dev/null || true
      touch "$work/$name.failed"
      echo "fuzz: $name FAILED"
      tail -50 "$work/$name.log"
    fi
  } > "$work/$name.report"
  cat "$work/$name.report"
}

names=()
for bin in "$build"/fuzz/fuzz_*; do
  [ -x "$bin" ] || continue
  names+=("$(basename "$bin")")
  run_one "$bin" &
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_at_once" ]; do wait -n || true; done
done
wait || true
failed=0
for n in "${names[@]}"; do
  [ -e "$work/$n.failed" ] || continue
  failed=$((failed + 1))
  # Again at the end, so that the last lines of a long log name the target and the fault.
  echo "fuzz: $n FAILED:"
  grep -E "ERROR|SUMMARY|#[0-9]+ 0x|Test unit written" "$work/$n.log" | head -20 || true
done
echo "fuzz: $((${#names[@]} - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
