#!/usr/bin/env bash
# dicomkit serve as MPPS and Storage Commitment SCP on 127.0.0.1, driven by `dicomkit mpps` and
# `dicomkit commit`: an MPPS created IN PROGRESS, completed with the Performed Series Sequence of
# the stored files, refused afterwards (0x0110) and refused without its type 1 attributes;
# commitment reported on the requesting association (all committed; one instance not stored:
# failed 0x0112), then, after a restart with [commitment] report_on = "new", on a new
# association to `dicomkit commit --listen`, and given up after the retries when nobody listens;
# the REST admin lists them. With PG_TEST_SERVER (tests/support/pg_test_server.sh), the same
# against a serve whose index (and so its MPPS and commitment records) is a throw-away PostgreSQL.
# usage: serve_workflow_test.sh DICOMKIT DATA_DIR [PG_TEST_SERVER]
set -uo pipefail
dk=$1
data=$2
pg=${3:-}
command -v curl > /dev/null || { echo "FAIL: curl is needed"; exit 1; }
# shellcheck source=../support/serve_common.sh
source "$(dirname "$0")/../support/serve_common.sh"
stop_pg() { [ -z "$pg" ] || bash "$pg" stop "$work/pg"; }
test_workspace stop_pg
index_args=()
if [ -n "$pg" ]; then
  bash "$pg" start "$work/pg" > /dev/null || { echo "FAIL: the PostgreSQL test server did not start"; exit 1; }
  index_args=(--index-url "$(cat "$work/pg/url")")
fi
token=workflow-token-0123456789
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
lport=$(free_port)
check() {  # check WHAT PATTERN TEXT
  if ! grep -q -- "$2" <<< "$3"; then
    echo "FAIL: $1: no \"$2\" in: $3"
    fail=1
  fi
}

start_serve() {  # start_serve REPORT_ON LOG
  printf '[commitment]\nreport_on = "%s"\nretries = 2\nretry_interval_s = 0.2\n[[peers]]\nae_title = "MOD"\nhost = "127.0.0.1"\nport = %s\nallow = ["store", "query", "retrieve"]\n' \
    "$1" "$lport" > "$work/serve.toml"
  "$dk" serve --config "$work/serve.toml" --bind 127.0.0.1 --port 0 --data "$work/var" --aet ARCH --no-fsync \
    --http-token "$token" "${index_args[@]}" > "$work/$2.out" 2> "$work/$2" &
  serve_pid=$!
  pids+=($serve_pid)
  port=$(wait_port "$work/$2")
  [ -n "$port" ] || { echo "FAIL: serve did not start"; cat "$work/$2"; exit 1; }
  if grep -q "not offered" "$work/$2"; then echo "FAIL: MPPS and Storage Commitment not offered"; cat "$work/$2"; exit 1; fi
  if [ -n "$pg" ] && ! grep -q "^[^ ]* I: index: postgres " "$work/$2"; then
    echo "FAIL: serve does not log its PostgreSQL index"; cat "$work/$2"; exit 1
  fi
  http=$(sed -n 's/^[^ ]* I: port \([0-9]*\): HTTP.*/\1/p' "$work/$2" | head -1)
  base=http://127.0.0.1:$http
}
api() { curl -s -H "Authorization: Bearer $token" "$base$1"; }

start_serve same serve1.err
# Two instances of one series: the MR sample and a copy with another SOP Instance UID.
mkdir -p "$work/in"
/usr/bin/python3 - "$data/implicit_vr/MR_small_implicit.dcm" "$work/in" << 'PY' || { echo "FAIL: pydicom"; exit 1; }
import sys, pydicom
d = pydicom.dcmread(sys.argv[1])
d.save_as(sys.argv[2] + "/a.dcm")
d.SOPInstanceUID = d.SOPInstanceUID + ".2"
d.file_meta.MediaStorageSOPInstanceUID = d.SOPInstanceUID
d.save_as(sys.argv[2] + "/b.dcm")
PY
timeout 60 "$dk" send 127.0.0.1 "$port" "$work/in" --aet MOD --aec ARCH > "$work/send.out" 2>&1 ||
  { echo "FAIL: send"; cat "$work/send.out"; fail=1; }
study=$(/usr/bin/python3 -c 'import sys, pydicom; print(pydicom.dcmread(sys.argv[1]).StudyInstanceUID)' "$work/in/a.dcm")

# MPPS: create, complete with the performed series, then nothing more.
uid=$(timeout 30 "$dk" mpps create 127.0.0.1 "$port" --aet MOD --aec ARCH -k "ScheduledStepAttributesSequence[0].StudyInstanceUID=$study" \
  -k "ScheduledStepAttributesSequence[0].ScheduledProcedureStepID=SPS1" -k Modality=MR -k PatientID=P1 -k "PatientName=Doe^Jane" 2> "$work/create.err")
rc=$?
[ $rc -eq 0 ] && [[ "$uid" == 2.25.* ]] || { echo "FAIL: mpps create ($rc): $uid $(cat "$work/create.err")"; fail=1; }
out=$(timeout 30 "$dk" mpps create 127.0.0.1 "$port" --aet MOD --aec ARCH -k PatientID=P1 2>&1)
[ $? -ne 0 ] || { echo "FAIL: an MPPS without its type 1 attributes was created"; fail=1; }
check "create refused" "Scheduled Step Attributes Sequence" "$out"
out=$(timeout 30 "$dk" mpps set 127.0.0.1 "$port" "$uid" --aet MOD --aec ARCH --status COMPLETED 2>&1)
[ $? -ne 0 ] || { echo "FAIL: COMPLETED without a Performed Series Sequence was taken"; fail=1; }
check "completed needs series" "Performed Series Sequence" "$out"
out=$(timeout 30 "$dk" mpps set 127.0.0.1 "$port" "$uid" --aet MOD --aec ARCH --status COMPLETED \
  --series-from "$work"/in/*.dcm 2>&1) || { echo "FAIL: mpps set COMPLETED: $out"; fail=1; }
check "completed" "COMPLETED" "$out"
out=$(timeout 30 "$dk" mpps set 127.0.0.1 "$port" "$uid" --aet MOD --aec ARCH -k "PerformedProcedureStepDescription=late" 2>&1)
[ $? -ne 0 ] || { echo "FAIL: an N-SET after COMPLETED was taken"; fail=1; }
check "final is final" "no longer be updated" "$out"
json=$(api "/api/mpps/$uid")
check "REST mpps status" '"status":"COMPLETED"' "$json"
check "REST mpps stored" '"stored_instances":2' "$json"

# Commitment on the requesting association.
out=$(timeout 60 "$dk" commit 127.0.0.1 "$port" "$work"/in/*.dcm --wait --aet MOD --aec ARCH --timeout 20 2>&1) ||
  { echo "FAIL: commit --wait: $out"; fail=1; }
check "commit same association" "committed 2, failed 0 (event type 1)" "$out"
out=$(timeout 60 "$dk" commit 127.0.0.1 "$port" "$work"/in/*.dcm "$data/charset/chrH31.dcm" --wait --aet MOD --aec ARCH \
  --timeout 20 2>&1)
[ $? -eq 1 ] || { echo "FAIL: commit with an instance not stored did not exit 1: $out"; fail=1; }
check "commit failure" "committed 2, failed 1 (event type 2)" "$out"
check "commit failure reason" "reason 0x0112" "$out"
grep -q "reported to MOD on the same association" "$work/serve1.err.out" || { echo "FAIL: no report line"; fail=1; }

# A restart with report_on = "new": the report comes on a new association to --listen.
kill "$serve_pid"
wait "$serve_pid" 2> /dev/null
start_serve new serve2.err
out=$(timeout 60 "$dk" commit 127.0.0.1 "$port" "$work"/in/*.dcm --wait --listen "$lport" --aet MOD --aec ARCH \
  --timeout 20 2>&1) || { echo "FAIL: commit --listen: $out"; fail=1; }
check "commit new association" "committed 2, failed 0 (event type 1)" "$out"
sleep 0.3
grep -q "reported to MOD on a new association" "$work/serve2.err.out" || { echo "FAIL: no new-association line"; cat "$work/serve2.err.out"; fail=1; }
json=$(api "/api/commitments")
n=$(/usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(1 for t in d if t["state"]=="reported"))' <<< "$json")
[ "$n" = 3 ] || { echo "FAIL: REST: $n reported transactions, expected 3: $json"; fail=1; }
json=$(api "/api/mpps")
check "REST mpps list after restart" "$uid" "$json"
# Nobody listens for the report now: 1 + 2 attempts (0.2 s, then 0.4 s apart), then failed.
out=$(timeout 60 "$dk" commit 127.0.0.1 "$port" "$work"/in/a.dcm --aet MOD --aec ARCH 2>&1) || { echo "FAIL: commit: $out"; fail=1; }
failed_json=
for _ in $(seq 1 50); do
  failed_json=$(api "/api/commitments?state=failed")
  grep -q '"attempts":3' <<< "$failed_json" && break
  sleep 0.2
done
check "report given up after the retries" '"state":"failed","attempts":3' "$failed_json"
check "why the report failed" '"last_error":"MOD@127.0.0.1' "$failed_json"

[ $fail -eq 0 ] && echo "PASS: MPPS and Storage Commitment"
exit $fail
