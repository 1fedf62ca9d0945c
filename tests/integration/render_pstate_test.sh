#!/usr/bin/env bash
# dicomkit render --pstate: a Grayscale Softcopy Presentation State applied from the command line.
# usage: render_pstate_test.sh DICOMKIT TEST_DATA_DIR
set -uo pipefail
dk=$1
data=$2/pixel
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
png_size() {  # the width and height in a PNG's IHDR
  od -An -tu1 -j16 -N8 "$1" | awk '{print $1*16777216+$2*65536+$3*256+$4 "x" $5*16777216+$6*65536+$7*256+$8}'
}

# The state turns the 128x128 CT 90 degrees, flips it and selects columns and rows 5..124.
"$dk" render "$data/CT_small.dcm" "$work/ps.png" --pstate "$data/CT_small_gsps.dcm" 2> "$work/err" ||
  { fail "render --pstate"; cat "$work/err"; }
[ "$(png_size "$work/ps.png")" = "120x120" ] || fail "displayed area size: $(png_size "$work/ps.png")"
"$dk" render "$data/CT_small.dcm" "$work/ps16.png" --pstate "$data/CT_small_gsps.dcm" --bits 16 --size 240x240 \
  2> "$work/err" || { fail "render --pstate --bits 16 --size"; cat "$work/err"; }
[ "$(png_size "$work/ps16.png")" = "240x240" ] || fail "--size with a state: $(png_size "$work/ps16.png")"
# Without the state the image is not turned: a different picture of the full size.
"$dk" render "$data/CT_small.dcm" "$work/plain.png" 2> "$work/err" || fail "render without a state"
[ "$(png_size "$work/plain.png")" = "128x128" ] || fail "plain size"
# A state that does not reference the image is refused, naming it.
"$dk" render "$data/../interop/big_endian/MR_small_bigendian.dcm" "$work/x.png" --pstate "$data/CT_small_gsps.dcm" \
  2> "$work/err" && fail "a state for another image was applied"
grep -q "does not reference image" "$work/err" || { fail "error message"; cat "$work/err"; }
# A file that is no presentation state is refused.
"$dk" render "$data/CT_small.dcm" "$work/x.png" --pstate "$data/CT_small.dcm" 2> "$work/err" &&
  fail "an image taken for a state"
grep -q "not a Grayscale Softcopy Presentation State" "$work/err" || { fail "error message 2"; cat "$work/err"; }

[ "$failed" -eq 0 ] && echo "render --pstate: all passed"
exit "$failed"
