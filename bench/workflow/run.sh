#!/usr/bin/env bash
# bench/workflow: the Modality Worklist C-FIND latency of dicomkit serve with N scheduled items
# (bench_worklist_gen puts them through the index's WorklistStore, no network), p50/p95 over
# QUERIES queries on one association (dicomkit find --worklist --repeat), for two queries a
# modality asks: its modality on one day, and a patient name wild card. Prints the figures.
# usage: bench/workflow/run.sh [BUILD_DIR]
# environment: N=100000 QUERIES=200 WORK=(a temporary folder)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
dk=$build/apps/dicomkit/dicomkit
gen=$build/bench/bench_worklist_gen
for b in "$dk" "$gen"; do [ -x "$b" ] || { echo "missing $b: cmake --build $build --target dicomkit bench_worklist_gen"; exit 1; }; done
N=${N:-100000}
QUERIES=${QUERIES:-200}
if [ -n "${WORK:-}" ]; then work=$WORK; mkdir -p "$work"; else work=$(mktemp -d); fi
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2> /dev/null
  wait 2> /dev/null || true
  [ -n "${WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
export TCP_NODELAY=1

rm -rf "$work/var"
t0=$(date +%s.%N)
"$gen" "$work/var" "$N"
t1=$(date +%s.%N)
echo "generated $N worklist items in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f s (%.0f items/s)", b-a, '"$N"'/(b-a)}')"

"$dk" serve --bind 127.0.0.1 --port 0 --no-http --data "$work/var" --aet ARCHIVE --peer BENCH=127.0.0.1:1 \
  > "$work/serve.out" 2> "$work/serve.err" &
pid=$!
port=
for _ in $(seq 1 200); do
  port=$(sed -n 's/^[^ ]* I: listening on [0-9.]*:\([0-9]*\) .*/\1/p' "$work/serve.err")
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || { echo "serve did not start"; cat "$work/serve.err"; exit 1; }

S=ScheduledProcedureStepSequence[0]
# query NAME KEY=VALUE...: prints "NAME: M matches, p50 X ms, p95 Y ms".
query() {
  local name=$1 args=()
  shift
  for k in "$@"; do args+=(-k "$k"); done
  "$dk" find --worklist 127.0.0.1 "$port" --aet BENCH --aec ARCHIVE "${args[@]}" --repeat "$QUERIES" \
    --format csv > "$work/find.out" 2> "$work/find.err" || { cat "$work/find.err"; exit 1; }
  local line
  line=$(grep '^latency:' "$work/find.err")
  echo "$name: $(($(wc -l < "$work/find.out") - 1)) matches, $(echo "$line" | awk '{for(i=1;i<=NF;i++){if($i=="p50")p=$(i+1);if($i=="p95")q=$(i+1)}; printf "p50 %s ms, p95 %s ms", p, q}')"
}
echo "worklist C-FIND, $N items, $QUERIES queries each:"
query "modality + date (CT on 20270115)" PatientID= PatientName= "$S.Modality=CT" \
  "$S.ScheduledProcedureStepStartDate=20270115" "$S.ScheduledProcedureStepStartTime=" "$S.ScheduledStationAETitle="
query "patient name wild card (smith12*)" PatientID= PatientName=smith12* AccessionNumber= "$S.Modality=" \
  "$S.ScheduledProcedureStepStartDate="
# HL7 messages/s ingested: measured once `dicomkit hl7 send` and serve's MLLP listener exist.
