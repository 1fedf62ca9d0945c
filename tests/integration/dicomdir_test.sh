#!/usr/bin/env bash
# dicomkit dicomdir create/list against DCMTK (dcmdump, dcmgpdir) and dciodvfy, and the shared
# DICOMDIR samples. usage: dicomdir_test.sh DICOMKIT TESTDATA [SHARED_DICOMDIR_FOLDER]
# Exits 77 (skipped) without DCMTK.
set -euo pipefail
dk=$1
data=$2
shared=${3:-}
for tool in dcmdump dcmgpdir; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# A File-set: CT, GSPS, RT plan, SR; the keys DICOM media needs filled in with dicomkit modify.
fs=$work/fs
mkdir -p "$fs/PAT1/CT" "$fs/PAT2"
cp "$data/pixel/CT_small.dcm" "$fs/PAT1/CT/IM000001"
cp "$data/pixel/CT_small_gsps.dcm" "$fs/PAT1/PR000001"
# (General Purpose media carry Explicit VR Little Endian: the RT plan sample is implicit VR.)
"$dk" convert --ts explicit "$data/interop/rt/rtplan.dcm" "$fs/PAT2/RP000001" >/dev/null
cp "$data/interop/sr_seg_pmap/reportsi_with_empty_number_tags.dcm" "$fs/PAT2/SR000001"
"$dk" modify -i "StudyDate=20260101" -i "StudyTime=101010" -i "StudyID=S1" "$fs/PAT1/PR000001" >/dev/null
"$dk" modify -i "InstanceNumber=1" "$fs/PAT2/RP000001" >/dev/null
"$dk" modify -i "PatientID=P2" -i "StudyDate=20260102" -i "StudyTime=101010" -i "StudyID=S2" \
  -i "ContentDate=20260102" -i "ContentTime=101010" "$fs/PAT2/SR000001" >/dev/null

"$dk" dicomdir create "$fs" --fileset-id DKTEST || fail "create"
[ -f "$fs/DICOMDIR" ] || fail "no DICOMDIR written"
dcmdump -q "$fs/DICOMDIR" > "$work/dump.txt" || fail "dcmdump rejects our DICOMDIR"
grep -q "1.2.840.10008.1.3.10\|MediaStorageDirectoryStorage" "$work/dump.txt" || fail "Media Storage SOP Class"
for t in PATIENT STUDY SERIES IMAGE PRESENTATION "RT PLAN" "SR DOCUMENT"; do
  grep -q "(0004,1430) CS \[$t\]" "$work/dump.txt" || fail "no $t record"
done
# DCMTK's own check of the offsets: dcmdump reports items whose offsets do not match.
dcmdump -q +L "$fs/DICOMDIR" >/dev/null 2>"$work/dcmdump.err" || fail "dcmdump +L"
if grep -qi "error\|invalid\|offset" "$work/dcmdump.err"; then cat "$work/dcmdump.err"; fail "dcmdump complains"; fi

# dciodvfy (when installed) validates the Basic Directory IOD, records and offsets.
if command -v dciodvfy >/dev/null; then
  dciodvfy "$fs/DICOMDIR" >"$work/dciodvfy.txt" 2>&1 || true
  if grep -q "^Error" "$work/dciodvfy.txt"; then cat "$work/dciodvfy.txt"; fail "dciodvfy reports errors"; fi
  echo "dciodvfy: $(grep -c '^Warning' "$work/dciodvfy.txt" || true) warnings, no errors"
fi

"$dk" dicomdir list "$fs/DICOMDIR" --format json > "$work/ours.json" || fail "list ours"
# With undefined lengths: other offsets, the same tree.
cp -r "$fs" "$work/fsu" && rm "$work/fsu/DICOMDIR"
"$dk" dicomdir create "$work/fsu" --fileset-id DKTEST --undefined-lengths || fail "create --undefined-lengths"
dcmdump -q "$work/fsu/DICOMDIR" >/dev/null || fail "dcmdump rejects the undefined-length DICOMDIR"
"$dk" dicomdir list "$work/fsu/DICOMDIR" --format json > "$work/undef.json" || fail "list undefined lengths"

# DCMTK's dcmgpdir on the same files, listed by us: the same records.
dcmgpdir -q +r +id "$fs" +D "$work/DCMTKDIR" +I PAT1 PAT2 2>"$work/gpdir.err" || { cat "$work/gpdir.err"; fail "dcmgpdir"; }
"$dk" dicomdir list "$work/DCMTKDIR" --format json > "$work/dcmtk.json" || fail "list dcmgpdir's DICOMDIR"
summary() {
  /usr/bin/python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
out = []
def walk(rs, path):
    for r in rs:
        key = r["keys"].get("ReferencedSOPInstanceUIDInFile") or r["keys"].get("PatientID") or \
              r["keys"].get("StudyInstanceUID") or r["keys"].get("SeriesInstanceUID") or ""
        p = path + [r["type"] + ":" + key + ":" + "\\".join(r.get("file_id", []))]
        out.append(" / ".join(p))
        walk(r["children"], p)
walk(d["records"], [])
print("\n".join(sorted(out)))
PY
}
summary "$work/ours.json" > "$work/ours.txt"
summary "$work/dcmtk.json" > "$work/dcmtk.txt"
diff "$work/ours.txt" "$work/dcmtk.txt" || fail "records differ from dcmgpdir's"
summary "$work/undef.json" | diff "$work/ours.txt" - || fail "undefined lengths list differently"
echo "ours and dcmgpdir: $(wc -l < "$work/ours.txt") records alike"

# Paths that are not File IDs are refused, named, and nothing is written.
bad=$work/bad
mkdir -p "$bad/Sub"
cp "$data/pixel/CT_small.dcm" "$bad/Sub/ct_small.dcm"
if "$dk" dicomdir create "$bad" 2>"$work/bad.err"; then fail "lower-case path accepted"; fi
grep -q "ct_small.dcm" "$work/bad.err" || fail "refusal does not name the file"
[ ! -e "$bad/DICOMDIR" ] || fail "DICOMDIR written despite the refusal"

# dicomkit send DICOMDIR sends the files it references.
"$dk" receive 0 --bind 127.0.0.1 --out "$work/recv" --no-fsync > "$work/recv.out" 2> "$work/recv.err" &
recv_pid=$!
port=
for _ in $(seq 1 150); do
  port=$(sed -n 's/^[^ ]* I: listening on [0-9.]*:\([0-9]*\) .*/\1/p' "$work/recv.err")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { kill "$recv_pid"; fail "receive did not start"; }
"$dk" send 127.0.0.1 "$port" "$fs/DICOMDIR" > "$work/send.out" 2>&1 || { kill "$recv_pid"; cat "$work/send.out"; fail "send DICOMDIR"; }
kill "$recv_pid"; wait "$recv_pid" 2>/dev/null || true
received=$(find "$work/recv" -type f | wc -l)
[ "$received" = 4 ] || fail "send DICOMDIR: $received files received, 4 expected"

# The shared samples (pydicom's DICOMDIR test files), when there.
if [ -n "$shared" ] && [ -f "$shared/DICOMDIR" ]; then
  "$dk" dicomdir list "$shared/DICOMDIR" > "$work/shared.txt" || fail "list the shared DICOMDIR"
  items=$(dcmdump -q "$shared/DICOMDIR" | grep -c '"Directory Record"' || true)
  reached=$(sed -n 's/^records: \([0-9]*\) in the sequence, \([0-9]*\) reached.*/\2/p' "$work/shared.txt")
  [ "$items" = "$reached" ] || fail "shared DICOMDIR: $items records, $reached reached"
  for v in DICOMDIR-implicit DICOMDIR-bigEnd DICOMDIR-reordered; do
    [ -f "$shared/$v" ] || continue
    "$dk" dicomdir list "$shared/$v" > "$work/$v.txt" || fail "list $v"
    # the same tree; only the offsets differ
    diff <(sed 's/ @[0-9]*//' "$work/shared.txt") <(sed 's/ @[0-9]*//' "$work/$v.txt") || fail "$v lists differently"
  done
  echo "shared DICOMDIR: $reached records"
fi
echo "dicomdir: OK"
