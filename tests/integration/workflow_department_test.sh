#!/usr/bin/env bash
# A department's day on 127.0.0.1, every step through dicomkit serve: the RIS sends an order
# (HL7 ORM^O01 with `dicomkit hl7 send`), the modality pulls its worklist (DCMTK findscu -W and
# `dicomkit find -W`), reports the procedure step in progress (`dicomkit mpps create`), stores
# its images (`dicomkit send`), completes the step (`dicomkit mpps set --series-from`) and asks
# for storage commitment (`dicomkit commit --wait`). After each step the REST admin is asked
# what serve knows: the worklist item SCHEDULED -> STARTED -> COMPLETED (and gone from a
# default worklist query), the MPPS with its stored instances, the commitment reported.
# usage: workflow_department_test.sh DICOMKIT HL7_DATA_DIR DICOM_DATA_DIR ; exits 77 without DCMTK.
set -uo pipefail
dk=$1
hl7_data=$2
data=$3
for t in findscu curl; do command -v $t > /dev/null || exit 77; done
# shellcheck source=../support/serve_common.sh
source "$(dirname "$0")/../support/serve_common.sh"
test_workspace
token=department-token-0123456789
export TCP_NODELAY=1
check() {  # check WHAT PATTERN TEXT
  if grep -q -- "$2" <<< "$3"; then echo "ok: $1"; else
    echo "FAIL: $1: no \"$2\" in: $3"
    fail=1
  fi
}
json_get() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

printf '[[peers]]\nae_title = "CT01"\nhost = "127.0.0.1"\nport = 1\nallow = ["store", "query", "retrieve"]\n' > "$work/serve.toml"
"$dk" serve --config "$work/serve.toml" --bind 127.0.0.1 --port 0 --hl7-port 0 --data "$work/var" --aet ARCHIVE \
  --no-fsync --http-token "$token" > "$work/serve.out" 2> "$work/serve.err" &
pids+=($!)
port=$(wait_port "$work/serve.err")
hl7= http=
for _ in $(seq 1 100); do
  hl7=$(sed -n 's/^[^ ]* I: port \([0-9]*\): HL7 v2 over MLLP.*/\1/p' "$work/serve.err")
  http=$(sed -n 's/^[^ ]* I: port \([0-9]*\): HTTP.*/\1/p' "$work/serve.err" | head -1)
  [ -n "$hl7" ] && [ -n "$http" ] && break
  sleep 0.1
done
[ -n "$port" ] && [ -n "$hl7" ] && [ -n "$http" ] || { echo "FAIL: serve did not start"; cat "$work/serve.err"; exit 1; }
api() { curl -s -m 30 -H "Authorization: Bearer $token" "http://127.0.0.1:$http$1"; }
# item_status: the Scheduled Procedure Step Status of the order's worklist item (REST admin).
item_status() {
  api "/api/worklist?AccessionNumber=ACC2026120601&status=all" |
    json_get 'd[0]["item"]["00400100"]["Value"][0]["00400020"]["Value"][0] if d else "none"'
}

# 1. The order (ORM^O01 NW: CT head for patient PAT12345, accession ACC2026120601, 2026-12-07 09:30).
out=$(timeout 30 "$dk" hl7 send 127.0.0.1 "$hl7" "$hl7_data/orm_o01_nw.hl7" 2>&1)
check "order acknowledged" "AA" "$out"
check "worklist item scheduled" "^SCHEDULED$" "$(item_status)"

# 2. The worklist query, as the CT's console asks it: DCMTK findscu -W, then dicomkit find -W.
rm -rf "$work/rsp" && mkdir -p "$work/rsp"
timeout 60 findscu -W -aet CT01 -aec ARCHIVE -X --output-directory "$work/rsp" \
  -k "(0040,0100)[0].Modality=CT" -k "(0040,0100)[0].ScheduledProcedureStepStartDate=20261207" \
  -k "(0040,0100)[0].ScheduledProcedureStepID" -k AccessionNumber -k PatientID -k PatientName -k StudyInstanceUID \
  127.0.0.1 "$port" > "$work/findscu.out" 2>&1 || { echo "FAIL: findscu -W"; cat "$work/findscu.out"; fail=1; }
n=$(ls "$work"/rsp/rsp*.dcm 2> /dev/null | wc -l)
[ "$n" = 1 ] && echo "ok: findscu -W found the order" || { echo "FAIL: findscu -W: $n answers"; fail=1; }
found=$(timeout 60 "$dk" find -W 127.0.0.1 "$port" --aet CT01 --aec ARCHIVE --format json \
  -k "ScheduledProcedureStepSequence[0].Modality=CT" -k "ScheduledProcedureStepSequence[0].ScheduledProcedureStepID=" \
  -k AccessionNumber=ACC2026120601 -k PatientID= -k StudyInstanceUID= 2> "$work/find.err")
study=$(json_get 'd[0]["StudyInstanceUID"]' <<< "$found" 2> /dev/null)
sps=$(json_get 'd[0]["ScheduledProcedureStepSequence.ScheduledProcedureStepID"]' <<< "$found" 2> /dev/null)
patient=$(json_get 'd[0]["PatientID"]' <<< "$found" 2> /dev/null)
[ -n "$study" ] && [ "$sps" = SPS00001 ] && [ "$patient" = PAT12345 ] && echo "ok: find -W gave study $study, step $sps" ||
  { echo "FAIL: find -W: $found $(cat "$work/find.err")"; fail=1; }

# 3. The procedure step starts: MPPS N-CREATE IN PROGRESS, referring to the scheduled step.
uid=$(timeout 30 "$dk" mpps create 127.0.0.1 "$port" --aet CT01 --aec ARCHIVE \
  -k "ScheduledStepAttributesSequence[0].StudyInstanceUID=$study" \
  -k "ScheduledStepAttributesSequence[0].ScheduledProcedureStepID=$sps" \
  -k "ScheduledStepAttributesSequence[0].AccessionNumber=ACC2026120601" \
  -k Modality=CT -k PatientID=PAT12345 2> "$work/create.err")
[[ "$uid" == 2.25.* ]] && echo "ok: MPPS $uid in progress" || { echo "FAIL: mpps create: $uid $(cat "$work/create.err")"; fail=1; }
check "worklist item started" "^STARTED$" "$(item_status)"

# 4. The images: two slices of the ordered study (from an MR sample), stored.
mkdir -p "$work/images"
/usr/bin/python3 - "$data/implicit_vr/MR_small_implicit.dcm" "$work/images" "$study" << 'PY' || { echo "FAIL: pydicom"; exit 1; }
import sys, pydicom
from pydicom.uid import generate_uid
src, out, study = sys.argv[1:4]
series = generate_uid()
for i in (1, 2):
    d = pydicom.dcmread(src)
    d.StudyInstanceUID, d.SeriesInstanceUID, d.SOPInstanceUID = study, series, generate_uid()
    d.file_meta.MediaStorageSOPInstanceUID = d.SOPInstanceUID
    d.PatientID, d.AccessionNumber, d.InstanceNumber = "PAT12345", "ACC2026120601", i
    d.save_as(f"{out}/ct{i}.dcm")
PY
timeout 60 "$dk" send 127.0.0.1 "$port" "$work/images" --aet CT01 --aec ARCHIVE > "$work/send.out" 2>&1 &&
  echo "ok: images stored" || { echo "FAIL: send"; cat "$work/send.out"; fail=1; }

# 5. The step completes with its performed series: the worklist item follows and leaves the
#    default worklist query.
out=$(timeout 30 "$dk" mpps set 127.0.0.1 "$port" "$uid" --aet CT01 --aec ARCHIVE --status COMPLETED \
  --series-from "$work"/images/*.dcm 2>&1) || { echo "FAIL: mpps set COMPLETED: $out"; fail=1; }
check "worklist item completed" "^COMPLETED$" "$(item_status)"
left=$(timeout 60 "$dk" find -W 127.0.0.1 "$port" --aet CT01 --aec ARCHIVE --format json -k AccessionNumber=ACC2026120601 \
  -k PatientID= 2> /dev/null | json_get 'len(d)')
[ "$left" = 0 ] && echo "ok: a completed step is no longer on the worklist" || { echo "FAIL: worklist still has $left"; fail=1; }
json=$(api "/api/mpps/$uid")
check "REST: MPPS completed" '"status":"COMPLETED"' "$json"
check "REST: MPPS instances stored" '"stored_instances":2' "$json"

# 6. Storage commitment for what was sent, reported on the same association.
out=$(timeout 60 "$dk" commit 127.0.0.1 "$port" "$work"/images/*.dcm --wait --aet CT01 --aec ARCHIVE --timeout 20 2>&1) ||
  { echo "FAIL: commit: $out"; fail=1; }
check "commitment reported" "committed 2, failed 0 (event type 1)" "$out"
json=$(api "/api/commitments")
check "REST: commitment reported" '"state":"reported"' "$json"

# The log has each step.
for what in "HL7 order NW" "MPPS" "commitment"; do
  grep -q "$what" "$work/serve.out" "$work/serve.err" || { echo "FAIL: no \"$what\" in serve's log"; fail=1; }
done
[ $fail -eq 0 ] && echo "PASS: order -> worklist -> MPPS -> images -> MPPS completed -> commitment"
exit $fail
