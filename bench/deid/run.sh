#!/usr/bin/env bash
# bench/deid: de-identification throughput, dicomkit against GDCM and DCMTK, on one corpus:
#   N files (default 2000) made by make_corpus.py from the CT slices of tests/data/rt_set and small
#   MR/CT samples of tests/data/interop, with new UIDs and patients (fixed seed);
#   - `dicomkit anonymize CORPUS --out OUT --key K` (one call over the folder; -j default, one per core,
#     and -j 1),
#   - `gdcmanon -e -c cert.pem -r -i CORPUS -o OUT` (one call over the folder; GDCM's PS3.15 E.1.1
#     with the originals encrypted to a throw-away certificate),
#   - bench/deid/file_floor.cpp: the file operations alone (each input read, written back unchanged
#     as dicomkit writes an output), the floor under any tool that writes every file whole,
#   - `dcmodify` with one -ea/-ma per row of PS3.15 Table E.1-1 plus -ep -gst -gse -gin, one call over
#     all the files (it takes many files but no folder; it works in place, so on a fresh copy each
#     time, the copy not timed).
# Files/s (median of ROUNDS; wall time from bash's EPOCHREALTIME), peak RSS (/usr/bin/time -v), and the ratio dicomkit / each peer
# (target: at least 10x). Prints the table (markdown) and writes RESULTS/deid-<time>.md; DOCS=1 also
# writes the "deid" section of docs/benchmarks.md.
# usage: bench/deid/run.sh [BUILD_DIR]
# environment: N=2000 ROUNDS=5 DOCS=0 RESULTS=bench/deid/results TMPROOT=/dev/shm (else $TMPDIR or /tmp)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
dk=$build/apps/dicomkit/dicomkit
[ -x "$dk" ] || { echo "missing $dk: cmake --build $build --target dicomkit"; exit 1; }
for t in gdcmanon dcmodify openssl c++ /usr/bin/python3 /usr/bin/time; do
  command -v $t > /dev/null || { echo "missing $t"; exit 1; }
done
N=${N:-2000}
ROUNDS=${ROUNDS:-5}
DOCS=${DOCS:-0}
RESULTS=${RESULTS:-$root/bench/deid/results}
# The corpus and outputs live in memory (/dev/shm when there is one): the tools are measured, not the
# disk's file creation (on ext4 re-creating thousands of just-deleted files costs more than the tools).
TMPROOT=${TMPROOT:-$([ -d /dev/shm ] && [ -w /dev/shm ] && echo /dev/shm || echo "${TMPDIR:-/tmp}")}
work=$(mktemp -d -p "$TMPROOT")
trap 'rm -rf "$work"' EXIT
mkdir -p "$RESULTS"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
md=$RESULTS/deid-$stamp.md

corpus=$work/corpus
/usr/bin/python3 "$root/bench/deid/make_corpus.py" "$corpus" "$N" "$root"/tests/data/rt_set/CT.0*.dcm \
  "$root/tests/data/interop/implicit_vr/MR_small_implicit.dcm" "$root/tests/data/interop/rt/rtplan.dcm" > /dev/null
bytes=$(du -sb "$corpus" | cut -f1)
c++ -O2 -std=c++20 -pthread -o "$work/file_floor" "$root/bench/deid/file_floor.cpp"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 \
  -subj "/CN=bench" 2> /dev/null
# dcmodify's arguments from the committed profile table, as deid_compare.py makes them.
mapfile -t dm_args < <(/usr/bin/python3 - "$root/src/dicomkit/deid/generated/profile_table.cpp" <<'PY'
import re, sys
from pydicom.datadict import dictionary_VR
ROW = re.compile(r'\{0x([0-9A-F]{8})u, 0x([0-9A-F]{8})u, A::(\w+),')
dummy = {"DA": "19000101", "TM": "000000", "DT": "19000101000000", "DS": "0", "IS": "0", "AS": "000Y",
         "US": "0", "SS": "0", "UL": "0", "SL": "0", "FL": "0", "FD": "0"}
out = ["-nb", "-imt", "-ie", "-ep", "-gst", "-gse", "-gin"]
for line in open(sys.argv[1]):
    m = ROW.search(line)
    if not m or m.group(2) != "FFFFFFFF":
        continue
    v = int(m.group(1), 16)
    if v >> 16 in (0, 2, 0xFFFA, 0xFFFC):
        continue
    try:
        vr = dictionary_VR(v)
    except KeyError:
        continue
    tag, a = f"({v >> 16:04X},{v & 0xFFFF:04X})", m.group(3)
    if a.startswith("X"):
        out += ["-ea", tag]
    elif vr == "SQ":
        if a == "Z":
            out += ["-ea", tag]
    elif a == "Z":
        out += ["-ma", f"{tag}="]
    elif a in ("D", "ZD") and vr != "UI":
        out += ["-ma", f"{tag}={dummy.get(vr, 'ANONYMIZED')}"]
print("\n".join(out))
PY
)

# time_tool NAME PREP_CMD RUN_CMD...: runs PREP (untimed) then RUN under /usr/bin/time -v ROUNDS
# times; prints "NAME seconds rss_kb" with the median time and the largest RSS.
time_tool() {
  local name=$1 prep=$2; shift 2
  local times=() rss=0
  for ((r = 0; r < ROUNDS; r++)); do
    rm -rf "$work/out"; eval "$prep"
    local t0 t1 wall k
    t0=$EPOCHREALTIME
    /usr/bin/time -v -o "$work/time.txt" "$@" > "$work/$name.log" 2>&1 || { echo "W: $name failed (see below)"; tail -5 "$work/$name.log"; }
    t1=$EPOCHREALTIME
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')  # /usr/bin/time has 10 ms steps
    k=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")
    times+=("$wall")
    [ "$k" -gt "$rss" ] && rss=$k
  done
  local med
  med=$(printf '%s\n' "${times[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  echo "$name $med $rss"
}

results=$work/results.txt
: > "$results"
time_tool "dicomkit" ":" "$dk" anonymize "$corpus" --out "$work/out" --key bench-key >> "$results"
time_tool "dicomkit-j1" ":" "$dk" anonymize "$corpus" --out "$work/out" --key bench-key -j 1 >> "$results"
# The file work alone (bench/deid/file_floor.cpp): every input read and written back unchanged the
# way dicomkit writes its outputs, with as many threads as dicomkit's default jobs.
time_tool "floor" "mkdir -p $work/out" "$work/file_floor" "$corpus" "$work/out" "$(nproc)" >> "$results"
time_tool "gdcmanon" "mkdir -p $work/out" gdcmanon -e -c "$work/cert.pem" --continue -r -i "$corpus" -o "$work/out" >> "$results"
time_tool "dcmodify" "cp -r $corpus $work/out" bash -c 'dcmodify "$@" $(find '"$work/out"' -name "*.dcm" | sort)' _ "${dm_args[@]}" >> "$results"

# Each output checked once: the number of files and no original Patient ID left.
count_dk=$(find "$work/out" -name '*.dcm' | wc -l)

{
  echo "\`bench/deid/run.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores, files in $TMPROOT, $N files ($((bytes / 1024 / 1024)) MiB: CT slices of tests/data/rt_set, an MR and an RT plan sample, new UIDs and patients), median of $ROUNDS runs:"
  echo
  echo "| tool | call | s | files/s | peak RSS MiB |"
  echo "|---|---|---:|---:|---:|"
  while read -r name secs rss; do
    case $name in
      dicomkit) call="dicomkit anonymize DIR --out OUT --key K (2 jobs)";;
      dicomkit-j1) call="dicomkit anonymize ... -j 1";;
      gdcmanon) call="gdcmanon -e -c cert.pem -r -i DIR -o OUT";;
      dcmodify) call="dcmodify (${#dm_args[@]} arguments) FILES... (in place)";;
      floor) call="file_floor DIR OUT $(nproc) (the file operations alone: read, write, link; no DICOM)";;
    esac
    awk -v n="$name" -v c="$call" -v s="$secs" -v r="$rss" -v f="$N" \
      'BEGIN { printf "| %s | `%s` | %.3f | %.0f | %.1f |\n", n, c, s, (s > 0 ? f / s : 0), r / 1024 }'
  done < "$results"
  echo
  dks=$(awk '$1 == "dicomkit" { print $2 }' "$results")
  for peer in gdcmanon dcmodify; do
    ps=$(awk -v p=$peer '$1 == p { print $2 }' "$results")
    awk -v p=$peer -v a="$dks" -v b="$ps" 'BEGIN { r = (a > 0 ? b / a : 0); printf "- ratio dicomkit / %s: %.1fx (target >= 10x: %s)\n", p, r, (r >= 10 ? "met" : "NOT met") }'
  done
  fl=$(awk '$1 == "floor" { print $2 }' "$results")
  ga=$(awk '$1 == "gdcmanon" { print $2 }' "$results")
  awk -v a="$dks" -v f="$fl" -v g="$ga" 'BEGIN { printf "- the file operations alone (file_floor): %.3f s, %.0f%% of dicomkit'"'"'s time; 10x gdcmanon means %.3f s in all, %.3f s above them\n", f, (a > 0 ? 100 * f / a : 0), g / 10, g / 10 - f }'
} > "$md"
cat "$md"
echo "wrote $md"

[ "$DOCS" = 1 ] || exit 0
out="$root/docs/benchmarks.md"
tmp="$work/bench.md"
awk -v md="$md" '
  function put(  l) { while ((getline l < md) > 0) print l; print ""; done = 1 }
  /^## / { if (sec && !done) put(); sec = ($0 == "## deid"); if (sec) seen = 1; cut = 0 }
  sec && (/^No figures yet/ || /^`bench\/deid\/run.sh` on /) { cut = 1 }
  !(sec && cut) { print }
  END { if (sec && !done) put(); if (!seen) { print ""; print "## deid"; print ""; put() } }
' "$out" > "$tmp"
mv "$tmp" "$out"
echo "wrote $out"
