#!/usr/bin/env bash
# `dicomkit rt check` on the shared DICOM-RT set: the set passes (text, json, dot); then each link
# broken in a copy (a CT slice removed, the RTSTRUCT removed, the RTPLAN removed, a referenced UID
# changed with `dicomkit modify`, the plan's Frame of Reference and a Referenced SOP Class UID
# changed with pydicom) fails with exit 1 naming the referencing file, the tag path and the UID;
# unreadable input exits 2 naming the file.
# usage: rt_check_test.sh DICOMKIT RT_SET_DIR ; exits 77 when the set or pydicom is absent.
set -uo pipefail
dk=$1
set_dir=$2
py=/usr/bin/python3
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../support/serve_common.sh
source "$here/../support/serve_common.sh"
[ -f "$set_dir/RS.Z3S1.dcm" ] || { echo "skip: no RT set at $set_dir"; exit 77; }
$py -c 'import pydicom' 2> /dev/null || { echo "skip: no pydicom"; exit 77; }
test_workspace
check() {  # check DESCRIPTION COMMAND...: runs the command, counts a failure
  if "${@:2}"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi
}
uid_of() { $py -c 'import sys, pydicom; print(pydicom.dcmread(sys.argv[1], stop_before_pixels=True).SOPInstanceUID)' "$1"; }
# run_check DIR: runs the check on DIR, its output in $work/out, its exit status in $status.
run_check() {
  "$dk" rt check "$@" > "$work/out" 2> "$work/err"
  status=$?
}
fresh_copy() {
  rm -rf "$work/set"
  mkdir "$work/set"
  cp "$set_dir"/* "$work/set/"
  chmod u+w "$work/set"/*
}
has() { grep -qF -- "$1" "$work/out"; }

# --- the set as it is --------------------------------------------------------------------------
run_check "$set_dir"
check "the RT set passes (exit 0)" test "$status" = 0
check "the summary says OK" grep -q ' 0 problems: OK$' "$work/out"
check "README.md and PHI.txt are left out" grep -q '^2 files left out' "$work/out"
cat "$work/out"
run_check "$set_dir" --format json
check "json: exit 0" test "$status" = 0
check "json: 11 nodes, ok, an edge RTDOSE -> RTPLAN" $py - "$work/out" << 'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
mod = {n["id"]: n["modality"] for n in d["nodes"]}
assert d["ok"] is True and len(d["nodes"]) == 11 and d["problems"] == [], d
assert any(mod[e["from"]] == "RTDOSE" and mod[e["to"]] == "RTPLAN" for e in d["edges"] if e["to"] is not None)
assert any(mod[e["from"]] == "RTPLAN" and mod[e["to"]] == "RTSTRUCT" for e in d["edges"] if e["to"] is not None)
assert sum(1 for e in d["edges"] if e["to"] is not None and mod[e["to"]] == "CT") == 8
EOF
run_check "$set_dir" --format dot
check "dot: exit 0 and a digraph" grep -q '^digraph rt {' "$work/out"
if command -v dot > /dev/null; then check "dot: Graphviz reads it" dot -Tsvg -o /dev/null "$work/out"; fi

rs_uid=$(uid_of "$set_dir/RS.Z3S1.dcm")
rp_uid=$(uid_of "$set_dir/RP.Z3S1Vmat.dcm")
ct3_uid=$(uid_of "$set_dir/CT.03.dcm")
# Where CT.03 is listed in the structure set's frame sequence.
ct3_index=$($py - "$set_dir/RS.Z3S1.dcm" "$ct3_uid" << 'EOF'
import sys, pydicom
ds = pydicom.dcmread(sys.argv[1])
items = ds.ReferencedFrameOfReferenceSequence[0].RTReferencedStudySequence[0].RTReferencedSeriesSequence[0].ContourImageSequence
print([i.ReferencedSOPInstanceUID for i in items].index(sys.argv[2]))
EOF
)

# --- a CT slice removed --------------------------------------------------------------------------
fresh_copy
rm "$work/set/CT.03.dcm"
run_check "$work/set"
check "CT removed: exit 1" test "$status" = 1
check "CT removed: the frame sequence's reference named" \
  has "$work/set/RS.Z3S1.dcm: unresolved: (3006,0010)[0]>(3006,0012)[0]>(3006,0014)[0]>(3006,0016)[$ct3_index]>(0008,1155): $ct3_uid"
check "CT removed: each ROI contour's reference named (3 ROIs)" \
  test "$(grep -c "unresolved: (3006,0039)\[[0-2]\]>(3006,0040)\[[0-9]*\]>(3006,0016)\[0\]>(0008,1155): $ct3_uid" "$work/out")" = 3

# --- the RTSTRUCT removed --------------------------------------------------------------------------
fresh_copy
rm "$work/set/RS.Z3S1.dcm"
run_check "$work/set"
check "RTSTRUCT removed: exit 1" test "$status" = 1
check "RTSTRUCT removed: the plan's reference named" \
  has "$work/set/RP.Z3S1Vmat.dcm: unresolved: (300C,0060)[0]>(0008,1155): $rs_uid"

# --- the RTPLAN removed --------------------------------------------------------------------------
fresh_copy
rm "$work/set/RP.Z3S1Vmat.dcm"
run_check "$work/set"
check "RTPLAN removed: exit 1" test "$status" = 1
check "RTPLAN removed: the dose's reference named" \
  has "$work/set/RD.Z3S1Vmat.dcm: unresolved: (300C,0002)[0]>(0008,1155): $rp_uid"
run_check "$work/set" --format json
check "RTPLAN removed: json names the problem and a broken edge" $py - "$work/out" "$rp_uid" << 'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is False
assert [(p["kind"], p["path"], p["uid"]) for p in d["problems"]] == [("unresolved", "(300C,0002)[0]>(0008,1155)", sys.argv[2])], d["problems"]
assert any(e["to"] is None and e["uid"] == sys.argv[2] and not e["resolved"] for e in d["edges"])
EOF
run_check "$work/set" --format dot
check "RTPLAN removed: dot draws the broken edge red and dashed" grep -q 'color=red, style=dashed, label="(300C,0002)\[0\]>(0008,1155)"' "$work/out"

# --- a referenced UID changed (dicomkit modify) ---------------------------------------------------
fresh_copy
"$dk" modify "$work/set/RD.Z3S1Vmat.dcm" --modify "(300C,0002)[0].(0008,1155)=1.2.826.0.1.3680043.8.498.1" 2> "$work/log"
run_check "$work/set"
check "UID changed: exit 1" test "$status" = 1
check "UID changed: the changed UID named" \
  has "$work/set/RD.Z3S1Vmat.dcm: unresolved: (300C,0002)[0]>(0008,1155): 1.2.826.0.1.3680043.8.498.1"
check "UID changed: only that problem" grep -q ' 1 problem$' "$work/out"

# --- the plan's Frame of Reference and a Referenced SOP Class UID changed (pydicom) --------------
fresh_copy
$py - "$work/set/RP.Z3S1Vmat.dcm" << 'EOF'
import sys, pydicom
ds = pydicom.dcmread(sys.argv[1])
ds.FrameOfReferenceUID = "1.2.826.0.1.3680043.8.498.2"
ds.ReferencedStructureSetSequence[0].ReferencedSOPClassUID = "1.2.840.10008.5.1.4.1.1.481.2"
ds.save_as(sys.argv[1])
EOF
run_check "$work/set"
check "plan changed: exit 1" test "$status" = 1
check "plan changed: the class mismatch named" \
  has "$work/set/RP.Z3S1Vmat.dcm: class-mismatch: (300C,0060)[0]>(0008,1150): $rs_uid"
check "plan changed: the plan's Frame of Reference against the structure set's" \
  has "$work/set/RP.Z3S1Vmat.dcm: frame-of-reference: (300C,0060)[0]>(0008,1155): 1.2.826.0.1.3680043.8.498.2"
check "plan changed: the dose's Frame of Reference against the plan's" \
  has "$work/set/RD.Z3S1Vmat.dcm: frame-of-reference: (300C,0002)[0]>(0008,1155): 1.2.826.0.1.3680043.8.498.2"

# --- unreadable input -------------------------------------------------------------------------------
fresh_copy
head -c 200 "$set_dir/CT.01.dcm" > "$work/set/cut.dcm"
run_check "$work/set"
check "a cut Part 10 file in a folder: exit 2" test "$status" = 2
check "a cut Part 10 file: the error names it" grep -qF "$work/set/cut.dcm" "$work/err"
echo "not dicom" > "$work/notes.txt"
run_check "$work/notes.txt" "$set_dir"
check "a text file named on the command line: exit 2 naming it" \
  bash -c "test $status = 2 && grep -qF '$work/notes.txt' '$work/err'"
run_check "$work/absent"
check "a missing path: exit 2" test "$status" = 2

# --- serve's REST admin: GET /api/studies/{uid}/rt-check ------------------------------------------
if command -v curl > /dev/null; then
  token=rt-check-token-0123456789
  "$dk" serve --bind 127.0.0.1 --port 0 --data "$work/var" --aet ARCHIVE --accept-unknown --no-fsync --http-token "$token" \
    > "$work/serve.out" 2> "$work/serve.err" &
  pids+=($!)
  port=$(wait_port "$work/serve.err")
  http=$(sed -n 's/^[^ ]* I: port \([0-9]*\): HTTP.*/\1/p' "$work/serve.err" | head -1)
  if [ -z "$port" ] || [ -z "$http" ]; then
    echo "FAIL: serve did not start"; cat "$work/serve.err"; fail=1
  else
    study=$($py -c 'import sys, pydicom; print(pydicom.dcmread(sys.argv[1], stop_before_pixels=True).StudyInstanceUID)' "$set_dir/RS.Z3S1.dcm")
    api() { curl -s -H "Authorization: Bearer $token" -o "$work/out" -w '%{http_code}' "http://127.0.0.1:$http$1"; }
    fresh_copy
    rm "$work/set/RP.Z3S1Vmat.dcm" "$work/set/README.md" "$work/set/PHI.txt"  # the plan comes later
    timeout 60 "$dk" send 127.0.0.1 "$port" "$work/set" --aet USER --aec ARCHIVE > "$work/send.out" 2>&1
    check "serve: the set without its plan stored" test $? = 0
    check "serve: rt-check answers 200" test "$(api "/api/studies/$study/rt-check")" = 200
    check "serve: the dose's plan reference is unresolved" $py - "$work/out" "$rp_uid" << 'EOF2'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is False and len(d["nodes"]) == 10, d
assert [(p["kind"], p["path"], p["uid"]) for p in d["problems"]] == [("unresolved", "(300C,0002)[0]>(0008,1155)", sys.argv[2])], d["problems"]
EOF2
    timeout 60 "$dk" send 127.0.0.1 "$port" "$set_dir/RP.Z3S1Vmat.dcm" --aet USER --aec ARCHIVE >> "$work/send.out" 2>&1
    check "serve: the plan stored" test $? = 0
    api "/api/studies/$study/rt-check" > /dev/null
    check "serve: with the plan the study passes" $py -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["ok"] and len(d["nodes"]) == 11, d' "$work/out"
    check "serve: an unknown study is 404" test "$(api "/api/studies/1.2.3.4/rt-check")" = 404
  fi
fi

exit $fail
