#!/usr/bin/env bash
# After a failed `ctest` run in the sanitizer tree (the current folder): LeakSanitizer's own
# stop-the-world tracer sometimes dies at a process's exit ("Tracer caught signal 11", then
# "LeakSanitizer has encountered a fatal error"), after the test passed and before any leak report:
# a known fault of the sanitizer runtime, about one exit in a few hundred. A failed test whose
# output is exactly that (the tracer's two lines, GoogleTest's "[  PASSED  ]", and no sanitizer
# report) is run once more; every other failure stays a failure, and so does a second failure.
# usage: lsan_tracer_retry.sh   (exit 0 when every failure was that and passed on its rerun)
set -uo pipefail
failed=Testing/Temporary/LastTestsFailed.log
log=Testing/Temporary/LastTest.log
[ -s "$failed" ] && [ -s "$log" ] || { echo "lsan_tracer_retry: no record of the failed tests"; exit 1; }
retry=()
while IFS=: read -r _ name; do
  [ -n "$name" ] || continue
  # The test's own output: from its "Testing: NAME" line to the next test's.
  out=$(awk -v n="$name" '
    /^[0-9]+\/[0-9]+ Testing: / { on = (substr($0, index($0, "Testing: ") + 9) == n) }
    on { print }' "$log")
  if grep -q "Tracer caught signal 11" <<< "$out" &&
     grep -q "LeakSanitizer has encountered a fatal error" <<< "$out" &&
     grep -q '^\[  PASSED  \]' <<< "$out" &&
     ! grep -qE '^\[  FAILED  \]|ERROR: (Address|Leak|UndefinedBehavior)Sanitizer|SUMMARY: [A-Za-z]+Sanitizer|runtime error:' <<< "$out"; then
    retry+=("$name")
  else
    echo "lsan_tracer_retry: $name failed for another reason: not rerun"
    exit 1
  fi
done < "$failed"
[ ${#retry[@]} -gt 0 ] || exit 1
for name in "${retry[@]}"; do
  echo "lsan_tracer_retry: $name passed but LeakSanitizer's tracer died at its exit; running it once more"
  # Test names hold regex characters (brackets, dots, slashes): matched as fixed text.
  esc=$(printf '%s' "$name" | sed 's/[][\.*^$+?(){}|/]/\\&/g')
  ctest --output-on-failure -R "^${esc}\$" || exit 1
done
echo "lsan_tracer_retry: ${#retry[@]} rerun, all passed"
