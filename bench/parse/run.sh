#!/usr/bin/env bash
# bench/parse: dicomkit vs its peers on one corpus, in one run.
#  1. `dicomkit dump` vs `dcmdump`, both to /dev/null, all files in one process each.
#  2. the library's header parse vs pydicom dcmread(stop_before_pixels=True).
# Prints "ratio: X.XX" lines and writes docs/benchmarks.md (section "parse").
# usage: bench/parse/run.sh [BUILD_DIR] [CORPUS_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
corpus=${2:-$root/../shared/data/dicom}
dk=$build/apps/dicomkit/dicomkit
hb=$build/bench/bench_header_parse
[ -x "$dk" ] && [ -x "$hb" ] || { echo "build first (make build)"; exit 1; }
[ -d "$corpus" ] || { echo "no corpus at $corpus"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The files both tools read (dcmdump must succeed on each, so both do the same work).
find "$corpus" -type f -name '*.dcm' | sort > "$work/all.txt"
: > "$work/files.txt"
while read -r f; do
  if dcmdump -q "$f" > /dev/null 2>&1; then echo "$f" >> "$work/files.txt"; fi
done < "$work/all.txt"
n=$(wc -l < "$work/files.txt")
bytes=$(xargs -a "$work/files.txt" -d '\n' cat | wc -c)
echo "corpus: $n files, $((bytes / 1024 / 1024)) MiB ($corpus)"

# Make the files resident so the first tool timed does not pay for the disk.
xargs -a "$work/files.txt" -d '\n' cat > /dev/null

REPEAT=${REPEAT:-5}
# Each tool gets the whole list REPEAT times on one command line: many files per process.
args=()
for ((i = 0; i < REPEAT; i++)); do mapfile -t -O "${#args[@]}" args < "$work/files.txt"; done

best() {  # best CPU time (user+sys) of 3 runs of "$@" to /dev/null, and peak RSS of the last, in KiB
  # CPU time rather than wall time, so the ratio holds on a machine that is doing other work too.
  local t=999999 rss=0
  for _ in 1 2 3; do
    /usr/bin/time -f "%U %S %M" -o "$work/time" "$@" > /dev/null 2>&1 || true
    read -r u s m < "$work/time"
    e=$(awk -v a="$u" -v b="$s" 'BEGIN{print a+b}')
    t=$(awk -v a="$t" -v b="$e" 'BEGIN{print (b<a)?b:a}')
    rss=$m
  done
  echo "$t $rss"
}

read -r t_dcm m_dcm < <(best dcmdump -q "${args[@]}")
read -r t_dk m_dk < <(best "$dk" dump -q "${args[@]}")
files_total=$((n * REPEAT))
ratio_dump=$(awk -v a="$t_dcm" -v b="$t_dk" 'BEGIN{printf "%.2f", a/b}')
echo "dump: dcmdump $t_dcm s CPU (peak ${m_dcm} KiB), dicomkit dump $t_dk s CPU (peak ${m_dk} KiB), $files_total files each"
echo "ratio: $ratio_dump (dicomkit dump throughput / dcmdump)"

HREPEAT=${HREPEAT:-20}
dk_line=$("$hb" "$HREPEAT" "$work/files.txt")
py_line=$(/usr/bin/python3 "$root/bench/parse/pydicom_header.py" 4 "$work/files.txt")
echo "$dk_line"
echo "$py_line"
dk_rate=$(echo "$dk_line" | sed -E 's/.*= ([0-9.]+) files\/s.*/\1/')
py_rate=$(echo "$py_line" | sed -E 's/.*= ([0-9.]+) files\/s.*/\1/')
ratio_hdr=$(awk -v a="$dk_rate" -v b="$py_rate" 'BEGIN{printf "%.2f", a/b}')
echo "ratio: $ratio_hdr (dicomkit header parse / pydicom dcmread stop_before_pixels)"
mem_ratio=$(awk -v a="$m_dk" -v b="$m_dcm" 'BEGIN{printf "%.2f", a/b}')
echo "memory: dicomkit dump peak / dcmdump peak = $mem_ratio"

out="$root/docs/benchmarks.md"
mkdir -p "$root/docs"
tmp="$work/bench.md"
{
  if [ -f "$out" ]; then awk '/^## parse/{skip=1;next} /^## /{skip=0} !skip' "$out"; else echo "# Benchmarks"; echo; echo "Each section is written by the script named in it; rerun it to refresh."; echo; fi
  echo "## parse"
  echo
  echo "\`bench/parse/run.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores, $n files ($((bytes / 1024 / 1024)) MiB) from \`$(basename "$(dirname "$corpus")")/$(basename "$corpus")\`, each pass repeated $REPEAT times."
  echo
  echo "| measure | peer | dicomkit | ratio |"
  echo "|---|---|---|---|"
  echo "| dump to /dev/null, $files_total files, one process (CPU s) | dcmdump -q: $t_dcm s | dicomkit dump -q: $t_dk s | **$ratio_dump x** |"
  echo "| peak memory of that run | dcmdump: $m_dcm KiB | dicomkit: $m_dk KiB | $mem_ratio |"
  echo "| header parse, stop before pixel data (files per CPU second) | pydicom $py_rate files/s | $dk_rate files/s | **$ratio_hdr x** |"
  echo
} > "$tmp"
mv "$tmp" "$out"
echo "wrote $out"
