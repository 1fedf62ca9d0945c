#!/usr/bin/env bash
# MPPS and Storage Commitment against other implementations, on 127.0.0.1 only:
#  1. dcmjs-dimse (tests/support/node) as MPPS SCU against dicomkit serve: N-CREATE, N-SET to
#     COMPLETED, a second N-SET refused 0x0110; the REST admin shows the step COMPLETED;
#  2. dcmjs-dimse as Storage Commitment SCU against serve: the N-EVENT-REPORT on its association,
#     its instances failed (not stored), event type 2;
#  3. Orthanc (tests/support/orthanc.sh) as Storage Commitment SCU against serve, driven through
#     its REST API (POST /modalities/SERVE/storage-commitment): serve reports on a new
#     association to Orthanc (report_on = "new"), Orthanc's report says Success for the stored
#     instances and Failure for one that is not;
#  4. dicomkit commit against Orthanc as SCP: the files stored in Orthanc first, the report taken
#     on a new association from Orthanc with --listen;
#  5. dicomkit commit against dcmjs-dimse as SCP (tests/support/node/dimse_commitment_scp.js),
#     the report on the requesting association.
# usage: workflow_interop.sh DICOMKIT DATA_DIR NODE NODE_DIR
set -uo pipefail
dk=$1
data=$2
node=$3
node_dir=$4
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../support/orthanc.sh"
py=/usr/bin/python3
[ -d "$node_dir/node_modules/dcmjs-dimse" ] || { echo "FAIL: dcmjs-dimse is missing (run scripts/bootstrap.sh)"; exit 1; }
[ -n "$(orthanc_binary)" ] || { echo "FAIL: Orthanc is missing (run scripts/bootstrap.sh)"; exit 1; }
# shellcheck source=../support/serve_common.sh
source "$here/../support/serve_common.sh"
test_workspace orthanc_stop
[ -z "${KEEP_WORK:-}" ] || trap 'orthanc_stop; for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done; echo "kept $work"' EXIT
failed() { echo "FAIL: $*"; fail=1; }
token=workflow-token-0123456789
# Two instances of one series: the MR sample and a copy with another SOP Instance UID.
mkdir -p "$work/in"
$py - "$data/implicit_vr/MR_small_implicit.dcm" "$work/in" << 'PY' || { echo "FAIL: pydicom"; exit 1; }
import sys, pydicom
d = pydicom.dcmread(sys.argv[1])
d.save_as(sys.argv[2] + "/a.dcm")
d.SOPInstanceUID = d.SOPInstanceUID + ".2"
d.file_meta.MediaStorageSOPInstanceUID = d.SOPInstanceUID
d.save_as(sys.argv[2] + "/b.dcm")
PY
missing="$data/charset/chrH31.dcm"

orthanc_start "$work/orthanc" "SERVE=127.0.0.1:1" "DKSCU=127.0.0.1:1" > /dev/null 2>&1 || true
# The ports are known once Orthanc runs: restart it knowing serve's and dicomkit commit's.
orthanc_stop
serve_port=$(orthanc_free_port)
lport=$(orthanc_free_port)
orthanc_start "$work/orthanc" "SERVE=127.0.0.1:$serve_port" "DKSCU=127.0.0.1:$lport" ||
  { echo "FAIL: Orthanc did not start"; exit 1; }

printf '[commitment]\nreport_on = "new"\nretries = 2\nretry_interval_s = 0.5\n[[peers]]\nae_title = "ORTHANC"\nhost = "127.0.0.1"\nport = %s\nallow = ["store", "query", "retrieve"]\n[[peers]]\nae_title = "DCMJS"\nhost = "127.0.0.1"\nport = 1\nallow = ["store"]\n' \
  "$ORTHANC_DICOM_PORT" > "$work/serve.toml"
"$dk" serve --config "$work/serve.toml" --bind 127.0.0.1 --port "$serve_port" --data "$work/var" --aet SERVE --no-fsync \
  --http-token "$token" > "$work/serve.out" 2> "$work/serve.err" &
pids+=($!)
port=$(wait_port "$work/serve.err")
[ "$port" = "$serve_port" ] || { echo "FAIL: serve did not start"; cat "$work/serve.err"; exit 1; }
http=$(sed -n 's/^[^ ]* I: port \([0-9]*\): HTTP.*/\1/p' "$work/serve.err" | head -1)
api() { curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$http$1"; }

# 1. dcmjs-dimse as MPPS SCU.
out=$(timeout 60 "$node" "$node_dir/dimse_mpps.js" 127.0.0.1 "$port" DCMJS SERVE 2.25.1010 2.25.2020 2>&1) ||
  failed "dimse_mpps.js: $out"
grep -q "^N-CREATE	0x0000	2.25.1010$" <<< "$out" || failed "dcmjs N-CREATE: $out"
[ "$(grep -c '^N-SET	0x0000$' <<< "$out")" = 1 ] || failed "dcmjs N-SET COMPLETED: $out"
grep -q "^N-SET	0x0110$" <<< "$out" || failed "dcmjs N-SET after COMPLETED not refused 0x0110: $out"
api /api/mpps/2.25.1010 | grep -q '"status":"COMPLETED"' || failed "REST: the dcmjs MPPS is not COMPLETED"

# 2. dcmjs-dimse as Storage Commitment SCU, against a second serve with the default
#    report_on = "auto" (the first reports on new associations only).
"$dk" serve --bind 127.0.0.1 --port 0 --data "$work/var2" --aet SERVE2 --no-fsync --accept-unknown \
  > "$work/serve2.out" 2> "$work/serve2.err" &
pids+=($!)
port2=$(wait_port "$work/serve2.err")
[ -n "$port2" ] || { echo "FAIL: serve 2 did not start"; cat "$work/serve2.err"; exit 1; }
out=$(timeout 60 "$node" "$node_dir/dimse_commitment.js" 127.0.0.1 "$port2" DCMJS SERVE2 2.25.3030 1.2.3.4 1.2.3.5 2>&1) ||
  failed "dimse_commitment.js: $out"
grep -q "^N-ACTION	0x0000$" <<< "$out" || failed "dcmjs N-ACTION: $out"
grep -q "^N-EVENT-REPORT	2	2.25.3030	0	2$" <<< "$out" || failed "dcmjs N-EVENT-REPORT: $out"

# 3. Orthanc as Storage Commitment SCU against serve.
timeout 60 "$dk" send 127.0.0.1 "$port" "$work/in" --aet ORTHANC --aec SERVE > "$work/send.out" 2>&1 || failed "send to serve"
body=$($py - "$work/in" "$missing" << 'PY'
import json, sys, glob, pydicom
items = []
for f in sorted(glob.glob(sys.argv[1] + "/*.dcm")) + [sys.argv[2]]:
    d = pydicom.dcmread(f, stop_before_pixels=True)
    items.append({"SOPClassUID": str(d.SOPClassUID), "SOPInstanceUID": str(d.SOPInstanceUID)})
print(json.dumps({"DicomInstances": items, "Timeout": 20}))
PY
)
answer=$(curl -s -X POST -H 'Content-Type: application/json' -d "$body" "$ORTHANC_URL/modalities/SERVE/storage-commitment")
tx=$($py -c 'import json,sys; print(json.loads(sys.argv[1])["ID"])' "$answer" 2> /dev/null)
[ -n "$tx" ] || failed "Orthanc did not request storage commitment: $answer"
report=
for _ in $(seq 1 100); do
  report=$(curl -s "$ORTHANC_URL/storage-commitment/$tx")
  grep -q '"Status" *: *"Pending"' <<< "$report" || break
  sleep 0.2
done
$py - "$report" << 'PY' || failed "Orthanc's storage commitment report: $report"
import json, sys
r = json.loads(sys.argv[1])
assert r["Status"] == "Failure", r          # one instance is not in serve
assert len(r["Success"]) == 2, r
assert len(r["Failures"]) == 1 and int(str(r["Failures"][0]["FailureReason"]), 0) in (0x0112, 274), r
PY
# serve logs the report once Orthanc has answered it: a moment after Orthanc shows it.
for _ in $(seq 1 50); do grep -q "reported to ORTHANC on a new association" "$work/serve.out" && break; sleep 0.1; done
grep -q "reported to ORTHANC on a new association" "$work/serve.out" || failed "serve did not log the report to Orthanc"

# 4. dicomkit commit against Orthanc as SCP (the report on a new association to --listen).
timeout 60 "$dk" send 127.0.0.1 "$ORTHANC_DICOM_PORT" "$work/in" --aet DKSCU --aec "$ORTHANC_AET" > "$work/send2.out" 2>&1 ||
  failed "send to Orthanc: $(cat "$work/send2.out")"
out=$(timeout 60 "$dk" commit 127.0.0.1 "$ORTHANC_DICOM_PORT" "$work"/in/*.dcm --wait --listen "$lport" --aet DKSCU \
  --aec "$ORTHANC_AET" --timeout 30 2>&1) || failed "dicomkit commit against Orthanc: $out"
grep -q "committed 2, failed 0 (event type 1)" <<< "$out" || failed "dicomkit commit against Orthanc: $out"
out=$(timeout 60 "$dk" commit 127.0.0.1 "$ORTHANC_DICOM_PORT" "$work"/in/*.dcm "$missing" --wait --listen "$lport" \
  --aet DKSCU --aec "$ORTHANC_AET" --timeout 30 2>&1)
[ $? -eq 1 ] || failed "dicomkit commit with an instance Orthanc lacks did not exit 1: $out"
grep -q "committed 2, failed 1 (event type 2)" <<< "$out" || failed "dicomkit commit, one missing in Orthanc: $out"

# 5. dicomkit commit against dcmjs-dimse as SCP (the report on the requesting association).
nport=$(orthanc_free_port)
"$node" "$node_dir/dimse_commitment_scp.js" "$nport" > "$work/dcmjs_scp.out" 2> "$work/dcmjs_scp.err" &
pids+=($!)
for _ in $(seq 1 100); do grep -q "^listening" "$work/dcmjs_scp.out" && break; sleep 0.1; done
sleep 0.3
out=$(timeout 60 "$dk" commit 127.0.0.1 "$nport" "$work"/in/*.dcm --wait --aet DKSCU --aec DCMJSSCP --timeout 30 2>&1) ||
  failed "dicomkit commit against dcmjs-dimse: $out"
grep -q "committed 2, failed 0 (event type 1)" <<< "$out" || failed "dicomkit commit against dcmjs-dimse: $out"
sleep 0.3
grep -q "^N-ACTION	.*	2$" "$work/dcmjs_scp.out" || failed "dcmjs-dimse SCP: $(cat "$work/dcmjs_scp.out" "$work/dcmjs_scp.err")"
grep -q "^N-EVENT-REPORT-RSP	0x0000$" "$work/dcmjs_scp.out" || failed "dcmjs-dimse SCP: $(cat "$work/dcmjs_scp.out")"

[ $fail -eq 0 ] && echo "PASS: MPPS and Storage Commitment with dcmjs-dimse and Orthanc"
exit $fail
