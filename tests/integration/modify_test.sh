#!/usr/bin/env bash
# `dicomkit modify`: byte fidelity (a no-op rewrite and one edited element, checked with cmp),
# dry run, backup, atomic in-place edits, errors naming the file; then the same edits as DCMTK's
# dcmodify (-m, -i with items, -e with [*], -ea, -ep) giving the same dcmdump; pydicom reads
# every output; --unique on the RT set keeps every reference inside the set resolving.
# usage: modify_test.sh DICOMKIT TEST_DATA_DIR ; exits 77 without dcmodify/dcmdump/pydicom.
set -uo pipefail
dk=$1
data=$2
py=/usr/bin/python3
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../support/serve_common.sh
source "$here/../support/serve_common.sh"
test_workspace
command -v dcmodify > /dev/null && command -v dcmdump > /dev/null || { echo "skip: no DCMTK"; exit 77; }
$py -c 'import pydicom' 2> /dev/null || { echo "skip: no pydicom"; exit 77; }
set_dir=$data/rt_set
check() {  # check DESCRIPTION COMMAND...: runs the command, counts a failure
  if "${@:2}"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi
}

# --- byte fidelity ---------------------------------------------------------------------------
cp "$set_dir/RS.Z3S1.dcm" "$set_dir/CT.02.dcm" "$work/"
# Same length value, in place: exactly one byte differs (1000072164 -> 1000072165).
cp "$work/RS.Z3S1.dcm" "$work/rs_orig.dcm"
"$dk" modify "$work/RS.Z3S1.dcm" --modify "PatientID=1000072165" 2> "$work/log"
check "one same-length edit changes one byte" test "$(cmp -l "$work/rs_orig.dcm" "$work/RS.Z3S1.dcm" | wc -l)" = 1
# Implicit VR file, nested value of another length: only lengths and the value differ, the rest is shifted.
cp "$work/CT.02.dcm" "$work/ct2_orig.dcm"
"$dk" modify "$work/CT.02.dcm" --modify "RequestAttributesSequence[0].ScheduledProcedureStepID=X" 2>> "$work/log"
check "implicit VR file is still read by dcmdump" sh -c "dcmdump -q '$work/CT.02.dcm' > /dev/null"
check "size follows the edit" test $(( $(stat -c %s "$work/ct2_orig.dcm") - $(stat -c %s "$work/CT.02.dcm") )) = 12
# A no-op edit (the value it already has) leaves the file alone; --out copies it unchanged.
"$dk" modify "$work/rs_orig.dcm" --set "PatientID=1000072164" --out "$work/noop" 2>> "$work/log"
check "no-op modify gives an identical file" cmp "$work/rs_orig.dcm" "$work/noop/rs_orig.dcm"
# Dry run writes nothing and prints old -> new.
sum=$(sha256sum < "$work/rs_orig.dcm")
"$dk" modify "$work/rs_orig.dcm" --dry-run --set "PatientName=Doe^Jane" \
  --delete "ROIContourSequence[*].ContourSequence[*].ContourImageSequence" > "$work/dry" 2>> "$work/log"
check "dry run writes nothing" test "$sum" = "$(sha256sum < "$work/rs_orig.dcm")"
check "dry run prints old -> new" grep -qF "(0010,0010): [Muster^Max^Peter] -> [Doe^Jane]" "$work/dry"
check "dry run prints deleted paths" grep -qF "(3006,0039)[2].(3006,0040)[0].(3006,0016): deleted" "$work/dry"
# Backup keeps the original.
cp "$work/rs_orig.dcm" "$work/b.dcm"
"$dk" modify "$work/b.dcm" --set "PatientName=Doe^Jane" --backup .bak 2>> "$work/log"
check "backup is the original" cmp "$work/rs_orig.dcm" "$work/b.dcm.bak"
check "edited in place" sh -c "dcmdump '$work/b.dcm' | grep -q 'Doe^Jane'"
# A failing file is named, the others are edited, the exit status is 1, nothing half-written.
cp "$work/rs_orig.dcm" "$work/f1.dcm"
cp "$set_dir/RP.Z3S1Vmat.dcm" "$work/f2.dcm"
sum2=$(sha256sum < "$work/f2.dcm")
"$dk" modify "$work/f1.dcm" "$work/f2.dcm" --modify "StructureSetLabel=Z9" 2> "$work/err"
rc=$?
check "exit status 1 when a file failed" test $rc = 1
check "the failure names the file and the tag" grep -q "f2.dcm.*(3006,0002)" "$work/err"
check "the failing file is untouched" test "$sum2" = "$(sha256sum < "$work/f2.dcm")"
check "the other file is edited" sh -c "dcmdump '$work/f1.dcm' | grep -q '\[Z9\]'"
check "no temporary files left" test -z "$(find "$work" -name '*.dkmod-*')"
# A bad path: a usage error with the column.
"$dk" modify "$work/f1.dcm" --set "(0008,1140).(0008,1155)=1" 2> "$work/err"
check "bad path: status 2" test $? = 2
check "bad path: column named" grep -q "column 1" "$work/err"
# Character set: the RT files are ISO_IR 192; a Latin-1 file refuses Greek.
cp "$work/rs_orig.dcm" "$work/c.dcm"
"$dk" modify "$work/c.dcm" --set "PatientName=Müller^Jörg" 2>> "$work/log"
check "UTF-8 value in an ISO_IR 192 file" sh -c "$py -c \"import pydicom,sys; sys.exit(0 if str(pydicom.dcmread('$work/c.dcm').PatientName)=='Müller^Jörg' else 1)\""
"$dk" modify "$work/c.dcm" --set "SpecificCharacterSet=ISO_IR 100" --set "PatientName=Ωmega" 2> "$work/err"
check "a value the character set cannot hold is refused" grep -q "character set" "$work/err"

# Folders keep their layout under --out; --erase-group, --set-from-file, -imt with -e.
mkdir -p "$work/tree/in/sub"
cp "$set_dir/CT.01.dcm" "$set_dir/CT.02.dcm" "$work/tree/in/sub/"
cp "$set_dir/RS.Z3S1.dcm" "$set_dir/README.md" "$work/tree/in/"
printf '%%PDF-1.4 x' > "$work/tree/doc.bin"
"$dk" modify "$work/tree/in" --erase-group 0029 --set-from-file "EncapsulatedDocument=$work/tree/doc.bin" \
  -imt -e "(0010,1000)" --out "$work/tree/out" 2> "$work/tree.log"
check "--out keeps the folder layout" test -f "$work/tree/out/sub/CT.02.dcm" -a -f "$work/tree/out/RS.Z3S1.dcm"
check "a file that is not DICOM is skipped" grep -q "1 skipped" "$work/tree.log"
check "--erase-group removes the group" sh -c "! dcmdump '$work/tree/out/sub/CT.02.dcm' | grep -q '^(0029,'"
check "--set-from-file sets the bytes" sh -c "dcmdump '$work/tree/out/RS.Z3S1.dcm' | grep -q '(0042,0011) OB 25.50.44.46'"

# --- the same edits as dcmodify ----------------------------------------------------------------
# canon FILE: the data set part of dcmdump, without lengths and length encodings.
canon() {
  dcmdump -q +uc "$1" | sed -n '/# Dicom-Data-Set/,$p' | grep -v '(fffe,e00d)\|(fffe,e0dd)' |
    sed -E 's/#[[:space:]]+(u\/l|[0-9]+),[[:space:]]*[0-9]+ .*$//; s/(Sequence|Item) with (explicit|undefined) length/\1/; s/[[:space:]]+$//'
}
n=0
same_as_dcmodify() {  # same_as_dcmodify FILE ARGS...: dcmodify ARGS vs dicomkit modify ARGS
  local src=$1
  shift
  n=$((n + 1))
  mkdir -p "$work/cmp$n"
  cp "$src" "$work/cmp$n/dcmtk.dcm"
  cp "$src" "$work/cmp$n/dk.dcm"
  dcmodify -nb -q "$@" "$work/cmp$n/dcmtk.dcm" 2> "$work/cmp$n/dcmtk.err"
  "$dk" modify "$work/cmp$n/dk.dcm" "$@" 2> "$work/cmp$n/dk.err"
  canon "$work/cmp$n/dcmtk.dcm" > "$work/cmp$n/dcmtk.txt"
  canon "$work/cmp$n/dk.dcm" > "$work/cmp$n/dk.txt"
  if diff "$work/cmp$n/dcmtk.txt" "$work/cmp$n/dk.txt" > "$work/cmp$n/diff" && ! cmp -s "$src" "$work/cmp$n/dk.dcm"; then
    echo "ok: same as dcmodify $*"
  else
    echo "FAIL: not as dcmodify $* ($(basename "$src"))"
    head -20 "$work/cmp$n/diff" "$work/cmp$n/dk.err"
    fail=1
  fi
}
same_as_dcmodify "$set_dir/CT.01.dcm" -m "(0010,0010)=X"
same_as_dcmodify "$set_dir/CT.02.dcm" -m "(0010,0010)=X"
same_as_dcmodify "$set_dir/CT.01.dcm" -i "(0008,1140)[0].(0008,1155)=1.2.3"
same_as_dcmodify "$set_dir/CT.02.dcm" -i "(0008,1140)[0].(0008,1155)=1.2.3"
same_as_dcmodify "$set_dir/RS.Z3S1.dcm" -i "(0040,0275)[0].(0040,0009)=SPS2"
same_as_dcmodify "$set_dir/RS.Z3S1.dcm" -m "(3006,0039)[*].(3006,0040)[*].(3006,0042)=POINT"
same_as_dcmodify "$set_dir/RS.Z3S1.dcm" -e "(3006,0039)[*].(3006,0040)[*].(3006,0016)"
same_as_dcmodify "$set_dir/RS.Z3S1.dcm" -ea "(0008,0050)"
same_as_dcmodify "$set_dir/RS.Z3S1.dcm" -ep
same_as_dcmodify "$set_dir/CT.01.dcm" -i "(0028,0010)=512" -i "(0020,0032)=1.5\\-2\\3"
same_as_dcmodify "$set_dir/CT.02.dcm" -e "(0029,1010)" -m "(0020,0013)=7"
same_as_dcmodify "$data/interop/big_endian/MR_small_bigendian.dcm" -m "(0010,0010)=X" -i "(0018,0050)=2.5"
same_as_dcmodify "$data/interop/deflate/image_dfl.dcm" -m "(0010,0010)=X"

# --- pydicom reads every output ------------------------------------------------------------------
check "pydicom reads every output" $py - "$work" << 'PY'
import pathlib, sys, pydicom
bad = 0
for p in pathlib.Path(sys.argv[1]).rglob("*.dcm"):
    try:
        ds = pydicom.dcmread(p)
        for _ in ds.iterall():
            pass
    except Exception as e:
        print(p, e)
        bad += 1
sys.exit(1 if bad else 0)
PY

# --- --unique on the RT set ----------------------------------------------------------------------
"$dk" modify "$set_dir" --unique --out "$work/unique" -j 2 2> "$work/unique.log"
check "--unique runs" test $? = 0
check "--unique skips the files that are not DICOM" grep -q "2 skipped" "$work/unique.log"
check "--unique keeps references resolving" $py - "$set_dir" "$work/unique" << 'PY'
import pathlib, sys, pydicom
old = {p.name: pydicom.dcmread(p) for p in pathlib.Path(sys.argv[1]).glob("*.dcm")}
new = {p.name: pydicom.dcmread(p) for p in pathlib.Path(sys.argv[2]).glob("*.dcm")}
assert old.keys() == new.keys() and len(new) == 11, (old.keys(), new.keys())
old_ids = {getattr(d, k) for d in old.values() for k in ("SOPInstanceUID", "StudyInstanceUID", "SeriesInstanceUID", "FrameOfReferenceUID")}
instances = {d.SOPInstanceUID for d in new.values()}
series = {d.SeriesInstanceUID for d in new.values()}
frames = {d.FrameOfReferenceUID for d in new.values()}
studies = {d.StudyInstanceUID for d in new.values()}
assert not (instances & old_ids) and len(instances) == 11 and len(frames) == 1 and len(studies) == 1
for name, d in new.items():
    assert d.file_meta.MediaStorageSOPInstanceUID == d.SOPInstanceUID, name
    assert old[name].SOPClassUID == d.SOPClassUID
refs = 0
for name, d in new.items():
    for e in d.iterall():
        if e.VR != "UI" or e.tag in (0x00080016, 0x00081150, 0x00081199) or e.value in (None, ""):
            continue
        for v in (e.value if e.VM > 1 else [e.value]):
            if e.tag in (0x00081155, 0x30060024, 0x300600C2, 0x0020000E, 0x0020000D, 0x00200052):
                assert v in instances | series | frames | studies, (name, e.tag, v)
                refs += 1
            assert v not in old_ids, (name, e.tag, v)
assert refs > 30, refs
print("references checked:", refs)
PY
exit $fail
