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

# Private elements (tests/data/private, made by make_private.py): dump names known ones from the
# private dictionary with their creator, in the block the creator reserved (GEMS_IDEN_01 in block
# 12), and shows values kept as UN (implicit VR, explicit UN) by the dictionary's VR.
priv=$data/private
for f in implicit_private un_private; do
  "$dk" dump -q "$priv/$f.dcm" > "$work/$f.txt"
  check "$f: GE name" grep -qE '^\(0009,1201\) LO \[GE_GENESIS_FF\] +# +14, 1 Full fidelity \(GEMS_IDEN_01\)$' "$work/$f.txt"
  check "$f: SL value" grep -qE '^\(0009,1227\) SL 862399669 .*Image actual date \(GEMS_IDEN_01\)$' "$work/$f.txt"
  check "$f: SS values" grep -qE '^\(0043,1012\) SS 14\\-1\\0 .*# +6, 3 X-ray chain \(GEMS_PARM_01\)$' "$work/$f.txt"
  check "$f: DS value" grep -qE '^\(2005,1010\) DS \[400\] .*Window Width \(Philips MR Imaging DD 001\)$' "$work/$f.txt"
  check "$f: Siemens" grep -qE '^\(0029,1008\) CS \[IMAGE NUM 4\] .*CSA Image Header Type \(SIEMENS CSA HEADER\)$' "$work/$f.txt"
  check "$f: unreserved block stays UN" grep -qE '^\(0019,1001\) UN .*PrivateTag$' "$work/$f.txt"
done
# UN of undefined length is a sequence of Implicit VR LE items (PS3.5 6.2.2), in dump, JSON and XML.
check "UN sequence in dump" grep -qE '^\(2005,1080\) SQ \(Sequence with undefined length #=2\)' "$work/un_private.txt"
check "UN sequence item element" grep -qE '^    \(2005,100F\) DS \[12\] .*Window Center' "$work/un_private.txt"
check "UN sequence item public element" grep -qE '^    \(0008,0104\) LO \[Meaning\] .*CodeMeaning$' "$work/un_private.txt"
"$dk" dump -q --json "$priv/un_private.dcm" > "$work/un.json"
check "UN sequence in JSON" python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))['20051080']
assert d['vr'] == 'SQ', d
assert len(d['Value']) == 2 and d['Value'][1]['00080104']['Value'] == ['Meaning'], d
" "$work/un.json"
"$dk" dump -q --xml "$priv/un_private.dcm" > "$work/un.xml"
check "UN sequence in XML" python3 -c "
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
# PS3.19: a private tag is written without its block, beside its privateCreator.
a = [e for e in root.iter('DicomAttribute') if e.get('tag') == '20050080'][0]
assert a.get('privateCreator') == 'Philips MR Imaging DD 001', a.attrib
assert a.get('vr') == 'SQ', a.attrib
items = a.findall('Item')
assert len(items) == 2, len(items)
assert [v.text for e in items[1].iter('DicomAttribute') if e.get('tag') == '00080104' for v in e.iter('Value')] == ['Meaning']
" "$work/un.xml"
# Conversion keeps private values' bytes: implicit -> implicit is byte-identical, and implicit ->
# explicit keeps each private element as UN with the same bytes (compared in the JSON model).
check "convert implicit keeps the file" "$dk" convert "$priv/implicit_private.dcm" "$work/p_im.dcm" --ts implicit
check "implicit private file byte-identical" cmp "$priv/implicit_private.dcm" "$work/p_im.dcm"
check "convert private to explicit" "$dk" convert "$priv/implicit_private.dcm" "$work/p_ex.dcm" --ts explicit
"$dk" dump -q --json "$priv/implicit_private.dcm" > "$work/p_im.json"
"$dk" dump -q --json "$work/p_ex.dcm" > "$work/p_ex.json"
check "private bytes kept as UN" python3 -c "
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
priv = [t for t in a if int(t[:4], 16) % 2 and int(t[4:], 16) >= 0x1000]
assert len(priv) >= 10, priv
for t in priv:
    assert a[t]['vr'] == 'UN' and b[t]['vr'] == 'UN', (t, a[t], b[t])
    assert a[t].get('InlineBinary') == b[t].get('InlineBinary'), t
" "$work/p_im.json" "$work/p_ex.json"
check "convert UN sequence" "$dk" convert "$priv/un_private.dcm" "$work/p_un.dcm" --ts explicit
check "UN sequence written as SQ" bash -c "'$dk' dump -q '$work/p_un.dcm' | grep -qE '^\(2005,1080\) SQ .*#=2'"

# dump --sr: the SR content tree as text and JSON; faults marked, a file that is no SR refused.
srd=$data/sr
check "sr text" bash -c "'$dk' dump --sr '$srd/enhanced_sr.dcm' | grep -qF '1.3.8  <inferred from 1.3.3>'"
check "sr header" bash -c "'$dk' dump --sr '$srd/enhanced_sr.dcm' | grep -q '^Completion Flag     : COMPLETE'"
check "sr json" bash -c "'$dk' dump --sr --format json '$srd/enhanced_sr.dcm' | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"itemCount\"] == 19, d'"
check "sr json many" bash -c "'$dk' dump --sr --format json '$srd/enhanced_sr.dcm' '$srd/test-SR.dcm' | python3 -c 'import json,sys; assert len(json.load(sys.stdin)) == 2'"
"$dk" dump --sr "$srd/broken_sr.dcm" > "$work/broken.txt" 2> "$work/broken.err"
check "sr broken exit 0" test $? -eq 0
check "sr broken marked" grep -qF '1.2  ! (0040,A730)[1]: missing Value Type (0040,A040)' "$work/broken.txt"
check "sr broken reference" grep -qF 'by-reference to 1.9.9: no such content item' "$work/broken.txt"
check "sr broken warned" grep -q 'problem(s) in the content tree' "$work/broken.err"
"$dk" dump --sr "$mr" > /dev/null 2> "$work/notsr.err"
check "sr refuses a non-SR" test $? -eq 1
check "sr non-SR message" grep -q 'not a Structured Report' "$work/notsr.err"
check "--format needs --sr" bash -c "! '$dk' dump --format json '$mr' 2>/dev/null"
check "--sr with --json refused" bash -c "! '$dk' dump --sr --json '$mr' 2>/dev/null"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
