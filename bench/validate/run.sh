#!/usr/bin/env bash
# bench/validate: `dicomkit validate` vs dicom3tools' `dciodvfy` on the same files (the shared
# corpus, every file of MANIFEST.tsv). dciodvfy runs one process per file, as users run it;
# dicomkit runs both ways: one process per file, and once over the whole folder. Median wall time
# of ROUNDS rounds, files/s, peak RSS (/usr/bin/time -v, the largest of one process). Prints
# "ratio:" lines; DOCS=1 also writes the "validate" section of docs/benchmarks.md.
# usage: bench/validate/run.sh [BUILD_DIR] [CORPUS_DIR]   (ROUNDS=3 by default)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
corpus=${2:-$root/../shared/data/dicom}
dk=$build/apps/dicomkit/dicomkit
ROUNDS=${ROUNDS:-3}
[ -x "$dk" ] || { echo "build first (make build)"; exit 1; }
command -v dciodvfy > /dev/null || { echo "no dciodvfy (apt-get install dicom3tools)"; exit 1; }
[ -f "$corpus/MANIFEST.tsv" ] || { echo "no corpus at $corpus"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The files: every file of the manifest, copied into one folder (so the folder run reads them all).
mkdir -p "$work/files"
i=0
tail -n +2 "$corpus/MANIFEST.tsv" | cut -f1 | while read -r rel; do
  cp "$corpus/$rel" "$work/files/$(printf 'f%04d' "$i").dcm"
  i=$((i + 1))
done
mapfile -t files < <(find "$work/files" -type f | sort)
n=${#files[@]}
bytes=$(du -sb "$work/files" | cut -f1)
echo "corpus: $n files ($((bytes / 1024 / 1024)) MiB) from $corpus"

# per_file TOOL...: every file in its own process, one after the other (exit status ignored:
# both tools exit non-zero on files with errors). Prints the wall seconds.
per_file() {
  local start end
  start=$(date +%s.%N)
  # (in a subshell: dciodvfy aborts on a few files, and the shell's "Aborted" notice stays quiet)
  for f in "${files[@]}"; do ("$@" "$f" > /dev/null 2>&1) 2> /dev/null || true; done
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN{printf "%.3f\n", b-a}'
}
folder() {
  local start end
  start=$(date +%s.%N)
  "$dk" validate "$work/files" > /dev/null 2>&1 || true
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN{printf "%.3f\n", b-a}'
}
median() { sort -n | awk '{a[NR]=$1} END{print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }
# peak RSS in KiB of one process over the largest file, and of the folder run.
rss() { /usr/bin/time -v "$@" > /dev/null 2> "$work/time.txt" || true; awk -F': ' '/Maximum resident/{print $2}' "$work/time.txt"; }
largest=$(find "$work/files" -type f -printf '%s %p\n' | sort -n | tail -1 | cut -d" " -f2)

: > "$work/dci"; : > "$work/dkf"; : > "$work/dkd"
for ((r = 1; r <= ROUNDS; r++)); do
  per_file dciodvfy >> "$work/dci"
  per_file "$dk" validate >> "$work/dkf"
  folder >> "$work/dkd"
done
t_dci=$(median < "$work/dci"); t_dkf=$(median < "$work/dkf"); t_dkd=$(median < "$work/dkd")
rss_dci=$(rss dciodvfy "$largest"); rss_dkf=$(rss "$dk" validate "$largest"); rss_dkd=$(rss "$dk" validate "$work/files")
fps() { awk -v n="$n" -v t="$1" 'BEGIN{printf "%.0f", n/t}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", a/b}'; }
table=$(cat <<TABLE
| tool | how | files | median wall (s) | files/s | peak RSS (KiB) |
|---|---|---|---|---|---|
| dciodvfy | one process per file | $n | $t_dci | $(fps "$t_dci") | $rss_dci (largest file) |
| dicomkit validate | one process per file | $n | $t_dkf | $(fps "$t_dkf") | $rss_dkf (largest file) |
| dicomkit validate | the folder in one call | $n | $t_dkd | $(fps "$t_dkd") | $rss_dkd (all files) |
TABLE
)
echo "$table"
echo "ratio: dicomkit per file vs dciodvfy: $(ratio "$t_dci" "$t_dkf")x"
echo "ratio: dicomkit folder vs dciodvfy: $(ratio "$t_dci" "$t_dkd")x"
if [ "${DOCS:-0}" = 1 ]; then
  python3 - "$root/docs/benchmarks.md" "$table" "$(ratio "$t_dci" "$t_dkf")" "$(ratio "$t_dci" "$t_dkd")" "$ROUNDS" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import re, sys
path, table, r1, r2, rounds, cores, load = sys.argv[1:]
text = open(path).read()
section = ("## validate\n\n`make bench-validate` (bench/validate/run.sh): `dicomkit validate` against dicom3tools' "
           "`dciodvfy` on every file of the shared corpus, median of %s rounds, %s cores, load average %s "
           "at the end (a machine shared with other builds).\n\n%s\n\n"
           "dicomkit is %sx dciodvfy's speed one process per file and %sx over the folder in one call.\n" %
           (rounds, cores, load, table, r1, r2))
if re.search(r'^## validate\n', text, re.M):
    text = re.sub(r'^## validate\n.*?(?=^## |\Z)', section + '\n', text, flags=re.M | re.S)
else:
    text = text.rstrip('\n') + '\n\n' + section
open(path, 'w').write(text)
PY
fi
