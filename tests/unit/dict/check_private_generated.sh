#!/usr/bin/env bash
# The committed private dictionary tables are what tools/gen_private_dict.py makes from the
# installed DCMTK and pydicom private dictionaries (run twice: the output must not change).
# usage: check_private_generated.sh SOURCE_DIR ; exits 77 (skip) when an input is not installed.
set -uo pipefail
src=$1
dic=$(ls /usr/share/libdcmtk*/private.dic 2> /dev/null | head -1)
py=/usr/lib/python3/dist-packages/pydicom/_private_dict.py
[ -n "$dic" ] && [ -f "$py" ] || { echo "DCMTK's private.dic or pydicom's _private_dict.py is not installed"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
for run in 1 2; do
  python3 "$src/tools/gen_private_dict.py" "$dic" "$py" "$work/$run" > /dev/null || { echo "FAIL: generator"; exit 1; }
done
for f in private_tables.hpp private_attributes.cpp; do
  cmp -s "$work/1/$f" "$work/2/$f" || { echo "FAIL: $f differs between two runs"; fail=1; }
  cmp -s "$work/1/$f" "$src/src/dicomkit/dict/generated/$f" \
    || { echo "FAIL: src/dicomkit/dict/generated/$f is not what the generator makes from the installed inputs"; fail=1; }
done
[ "$fail" -eq 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
exit "$fail"
