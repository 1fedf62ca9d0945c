#!/usr/bin/env bash
# bench/workflow: the Modality Worklist C-FIND latency of dicomkit serve with N scheduled items
# (bench_worklist_gen puts them through the index's WorklistStore, no network), p50/p95 over
# QUERIES queries on one association (dicomkit find --worklist --repeat), for two queries a
# modality asks: its modality on one day, and a patient name wild card. Then the HL7 ingest rate:
# HL7_N distinct ORM^O01 NW orders sent over one MLLP connection (`dicomkit hl7 send` of one file
# holding them all) to a serve with an empty index, timed to the last ACK, and the worklist counted
# afterwards over REST. Prints the figures.
# usage: bench/workflow/run.sh [BUILD_DIR]
# environment: N=100000 QUERIES=200 HL7_N=5000 WORK=(a temporary folder)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
dk=$build/apps/dicomkit/dicomkit
gen=$build/bench/bench_worklist_gen
for b in "$dk" "$gen"; do [ -x "$b" ] || { echo "missing $b: cmake --build $build --target dicomkit bench_worklist_gen"; exit 1; }; done
N=${N:-100000}
QUERIES=${QUERIES:-200}
HL7_N=${HL7_N:-5000}
if [ -n "${WORK:-}" ]; then work=$WORK; mkdir -p "$work"; else work=$(mktemp -d); fi
pid=
hl7_pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2> /dev/null
  [ -n "$hl7_pid" ] && kill "$hl7_pid" 2> /dev/null
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

# HL7 ingest: HL7_N orders (distinct placer order numbers, patients, accession numbers, control
# IDs), spread over 30 days from 20270201, in one file: `hl7 send` sends a file's messages on one
# connection, each after the ACK of the one before.
/usr/bin/python3 - "$HL7_N" > "$work/orders.hl7" << 'PY'
import sys
n = int(sys.argv[1])
mods = ["CT", "MR", "US", "CR", "NM"]
out = []
for i in range(n):
    day = 1 + i % 28
    hh, mm = 7 + (i // 28) % 12, (i * 7) % 60
    when = f"202702{day:02d}{hh:02d}{mm:02d}00"
    m = mods[i % len(mods)]
    out.append("\r".join([
        f"MSH|^~\\&|RIS|GENHOSP|DICOMKIT|RAD|20270131120000||ORM^O01^ORM_O01|B{i:07d}|P|2.3.1",
        f"PID|1||BP{i:07d}^^^GENHOSP^MR||Bench{i % 997}^Patient{i}||19{50 + i % 50}0101|{'MF'[i % 2]}",
        f"PV1|1|O|RAD^101^1",
        f"ORC|NW|BORD{i:07d}^RIS|BFIL{i:07d}^PACS||SC||^^^{when}^^R||20270131120000",
        f"OBR|1|BORD{i:07d}^RIS|BFIL{i:07d}^PACS|{m}X^{m} exam^LOCAL||||||||||||D0002^Jones^Mary||BACC{i:07d}|RP{i:07d}|SPS{i:07d}||||{m}|||^^^{when}^^S",
    ]) + "\r")
sys.stdout.write("\n".join(out))
PY
token=bench-token-0123456789
"$dk" serve --bind 127.0.0.1 --port 0 --hl7-port 0 --data "$work/hl7var" --aet ARCHIVE --http-token "$token" \
  --no-fsync > "$work/hl7serve.out" 2> "$work/hl7serve.err" &
hl7_pid=$!
hport=
http=
for _ in $(seq 1 200); do
  hport=$(sed -n 's/^[^ ]* I: port \([0-9]*\): HL7 v2 over MLLP.*/\1/p' "$work/hl7serve.err" | head -1)
  http=$(sed -n 's/^[^ ]* I: port \([0-9]*\): HTTP.*/\1/p' "$work/hl7serve.err" | head -1)
  [ -n "$hport" ] && [ -n "$http" ] && break
  sleep 0.05
done
[ -n "$hport" ] && [ -n "$http" ] || { echo "serve (HL7) did not start"; cat "$work/hl7serve.err"; exit 1; }
t0=$(date +%s.%N)
"$dk" hl7 send 127.0.0.1 "$hport" "$work/orders.hl7" > "$work/hl7send.out" 2> "$work/hl7send.err" ||
  { echo "hl7 send failed"; tail -5 "$work/hl7send.err"; grep -v ': AA ' "$work/hl7send.out" | head -5; exit 1; }
t1=$(date +%s.%N)
acks=$(grep -c ': AA ' "$work/hl7send.out")
items=$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$http/api/worklist?limit=$((HL7_N + 100))" |
  /usr/bin/python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')
echo "HL7 ingest: $HL7_N ORM^O01 orders on one MLLP connection: $acks AA in $(awk -v a="$t0" -v b="$t1" -v n="$HL7_N" \
  'BEGIN{printf "%.2f s (%.0f messages/s)", b-a, n/(b-a)}'); worklist holds $items items"
[ "$acks" = "$HL7_N" ] && [ "$items" = "$HL7_N" ] || { echo "expected $HL7_N ACKs AA and $HL7_N worklist items"; exit 1; }
