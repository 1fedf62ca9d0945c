#!/usr/bin/env bash
# dicomkit dump / convert from the command line: exit codes, filters, JSON/XML round trips,
# conversions between transfer syntaxes, checked with DCMTK's dcmdump and pydicom.
# usage: cli_test.sh DICOMKIT TEST_DATA_DIR
set -uo pipefail
dk=$1
data=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
check() {  # check NAME COMMAND...: the command must succeed
  local name=$1; shift
  if "$@" > "$work/out" 2> "$work/err"; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAIL: $name"; tail -5 "$work/out" "$work/err"; fi
}

mr=$data/interop/big_endian/MR_small_bigendian.dcm
nested=$data/interop/implicit_vr/nested_priv_SQ.dcm
[ -f "$mr" ] && [ -f "$nested" ] || { echo "test data missing"; exit 1; }

# A good file dumps with exit 0 and shows the keyword column.
check "dump good file" bash -c "'$dk' dump '$mr' | grep -q 'PatientName'"
# One unreadable file among good ones: exit 1, a message naming it, the others still printed.
"$dk" dump "$mr" "$work/missing.dcm" "$nested" > "$work/many.txt" 2> "$work/many.err"
rc=$?
check "bad file gives exit 1" test "$rc" -eq 1
check "bad file named" grep -q "missing.dcm" "$work/many.err"
check "good files still printed" test "$(grep -c '^# File:' "$work/many.txt")" -eq 2
# --tag filters by keyword and by number.
check "--tag keyword" bash -c "test \$('$dk' dump --tag PatientName --tag 00080060 '$mr' | grep -c '^(') -eq 2"
check "--tag unknown" bash -c "! '$dk' dump --tag NoSuchKeyword '$mr'"
# --stop-before-pixels leaves the pixel data out.
check "--stop-before-pixels" bash -c "! '$dk' dump --stop-before-pixels '$mr' | grep -q '(7FE0,0010)'"

# JSON: valid JSON that pydicom reads with the same patient name; back to Part 10 unchanged.
"$dk" dump --json "$mr" > "$work/mr.json" 2>/dev/null
check "json parses in pydicom" /usr/bin/python3 -c "
import json, sys, pydicom
d = json.load(open('$work/mr.json'))
ds = pydicom.dataset.Dataset.from_json(d)
ref = pydicom.dcmread('$mr')
assert str(ds.PatientName) == str(ref.PatientName), (ds.PatientName, ref.PatientName)
assert ds.Rows == ref.Rows and ds.Columns == ref.Columns
import numpy
assert (numpy.frombuffer(ds.PixelData, '<u2') == ref.pixel_array.ravel()).all()
"
check "json -> dcm" "$dk" convert "$work/mr.json" "$work/from_json.dcm" --ts explicit
check "dcm -> dcm explicit" "$dk" convert "$mr" "$work/direct.dcm" --ts explicit
check "json route equals direct route" cmp <(tail -c +129 "$work/from_json.dcm") <(tail -c +129 "$work/direct.dcm")
"$dk" dump --xml "$mr" > "$work/mr.xml" 2>/dev/null
check "xml -> dcm" "$dk" convert "$work/mr.xml" "$work/from_xml.dcm"
check "xml route equals direct route" cmp <(tail -c +129 "$work/from_xml.dcm") <(tail -c +129 "$work/direct.dcm")
# Several files with --json make one JSON array.
check "json array" bash -c "'$dk' dump --json '$mr' '$nested' 2>/dev/null | /usr/bin/python3 -c 'import json,sys; a=json.load(sys.stdin); assert isinstance(a, list) and len(a) == 2'"

# Every uncompressed syntax: dcmdump reads the same values as from the original.
norm() { dcmdump -q +L -Un "$1" | grep -v -E '^#|^$|\(0002,|TransferSyntax' | sed -E 's/ +#.*//'; }
norm "$mr" > "$work/ref.txt"
for ts in implicit explicit big deflated; do
  check "convert --ts $ts" "$dk" convert "$mr" "$work/$ts.dcm" --ts "$ts"
  norm "$work/$ts.dcm" > "$work/$ts.txt"
  check "dcmdump same values after $ts" diff "$work/ref.txt" "$work/$ts.txt"
done
check "convert to unknown syntax fails" bash -c "! '$dk' convert '$mr' '$work/x.dcm' --ts 1.2.3.4"
check "no half-written output" test ! -e "$work/x.dcm"

# Strict reading refuses a file lenient reading takes with a warning.
check "lenient reads odd length" "$dk" dump -q "$nested"
check "strict refuses" bash -c "! '$dk' dump --strict '$nested' 2>/dev/null"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
