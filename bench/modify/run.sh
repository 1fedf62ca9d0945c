#!/usr/bin/env bash
# bench/modify: `dicomkit modify` vs DCMTK's `dcmodify` editing one attribute of N files in
# place (fresh copies for every run), all files on one command line. dcmodify runs with -nb (no
# backup, as dicomkit's default); dicomkit replaces each file atomically and durably (temporary
# files synced once per batch of 256, then renamed), which dcmodify does not do, so the table
# gives wall time and CPU time (user+sys). Prints "ratio:" lines
# and writes the "modify" section of docs/benchmarks.md.
# usage: bench/modify/run.sh [BUILD_DIR] [CORPUS_DIR]   (N=1000 files by default)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
corpus=${2:-$root/../shared/data/dicom}
dk=$build/apps/dicomkit/dicomkit
N=${N:-1000}
[ -x "$dk" ] || { echo "build first (make build)"; exit 1; }
command -v dcmodify > /dev/null || { echo "no dcmodify (apt-get install dcmtk)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The source files: those of the corpus both tools edit, cycled up to N copies.
find "$corpus" -type f -name '*.dcm' -size -2M | sort > "$work/all.txt"
: > "$work/ok.txt"
while read -r f; do
  cp "$f" "$work/probe.dcm"
  if dcmodify -nb -q -i "(0010,0010)=Probe" "$work/probe.dcm" > /dev/null 2>&1 &&
     "$dk" modify "$work/probe.dcm" --set "PatientName=Probe" > /dev/null 2>&1; then
    echo "$f" >> "$work/ok.txt"
  fi
done < "$work/all.txt"
mapfile -t sources < "$work/ok.txt"
[ ${#sources[@]} -gt 0 ] || { echo "no usable files in $corpus"; exit 1; }
mkdir -p "$work/master"
for ((i = 0; i < N; i++)); do cp "${sources[i % ${#sources[@]}]}" "$work/master/f$i.dcm"; done
bytes=$(du -sb "$work/master" | cut -f1)
echo "corpus: $N files ($((bytes / 1024 / 1024)) MiB) copied from ${#sources[@]} files of $corpus"

# run NAME COMMAND...: best wall and CPU time of 3 runs, each on a fresh copy of the files ({} is
# replaced by the copy's folder). Prints "wall cpu".
run() {
  local wall=999999 cpu=999999
  for _ in 1 2 3; do
    rm -rf "$work/run"
    cp -r "$work/master" "$work/run"
    sync
    local cmd=()
    for a in "$@"; do cmd+=("${a//\{\}/$work/run}"); done
    /usr/bin/time -f "%e %U %S" -o "$work/time" bash -c '"$@" > /dev/null 2>&1' _ "${cmd[@]}" ||
      { echo "failed: ${cmd[*]}" >&2; exit 1; }
    read -r e u s < "$work/time"
    c=$(awk -v a="$u" -v b="$s" 'BEGIN{print a+b}')
    wall=$(awk -v a="$wall" -v b="$e" 'BEGIN{print (b<a)?b:a}')
    cpu=$(awk -v a="$cpu" -v b="$c" 'BEGIN{print (b<a)?b:a}')
  done
  echo "$wall $cpu"
}
files() { for ((i = 0; i < N; i++)); do echo "{}/f$i.dcm"; done; }
mapfile -t list < <(files)

read -r w_dcm c_dcm < <(run dcmodify -nb -q -i "(0010,0010)=Bench^Mark" "${list[@]}")
read -r w_dk c_dk < <(run "$dk" modify --set "(0010,0010)=Bench^Mark" "${list[@]}")
read -r w_dk2 c_dk2 < <(run "$dk" modify --set "(0010,0010)=Bench^Mark" -j 2 "${list[@]}")
rate() { awk -v n="$N" -v t="$1" 'BEGIN{printf "%.0f", n/t}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
echo "dcmodify: ${w_dcm} s wall ($(rate "$w_dcm") files/s), ${c_dcm} s CPU"
echo "dicomkit modify: ${w_dk} s wall ($(rate "$w_dk") files/s), ${c_dk} s CPU"
echo "dicomkit modify -j 2: ${w_dk2} s wall ($(rate "$w_dk2") files/s), ${c_dk2} s CPU"
echo "ratio: $(ratio "$w_dcm" "$w_dk") (files/s, wall, dicomkit modify / dcmodify)"
echo "ratio: $(ratio "$c_dcm" "$c_dk") (files per CPU second, dicomkit modify / dcmodify)"
echo "ratio: $(ratio "$w_dcm" "$w_dk2") (files/s, wall, dicomkit modify -j 2 / dcmodify)"

out="$root/docs/benchmarks.md"
section="$work/section.md"
{
  echo "## modify"
  echo
  echo "\`bench/modify/run.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores: one attribute set (\`(0010,0010)=Bench^Mark\`,"
  echo "insert or modify) in place in $N files ($((bytes / 1024 / 1024)) MiB, copies of the ${#sources[@]} files of"
  echo "\`$(basename "$(dirname "$corpus")")/$(basename "$corpus")\` under 2 MB that both tools edit), all files on one command"
  echo "line, best of 3 runs on fresh copies. dcmodify runs with \`-nb\` and writes in place without syncing; dicomkit writes"
  echo "each file to a temporary file beside it, syncs them (one syncfs per batch of 256 files) and renames them into place,"
  echo "so its wall time includes making every edit durable."
  echo
  echo "| run | dcmodify | dicomkit modify | ratio |"
  echo "|---|---|---|---|"
  echo "| files/s, wall time | $(rate "$w_dcm") files/s (${w_dcm} s) | $(rate "$w_dk") files/s (${w_dk} s) | **$(ratio "$w_dcm" "$w_dk") x** |"
  echo "| CPU time (user+sys) | ${c_dcm} s | ${c_dk} s | **$(ratio "$c_dcm" "$c_dk") x** |"
  echo "| files/s, wall time, dicomkit -j 2 | $(rate "$w_dcm") files/s | $(rate "$w_dk2") files/s (${w_dk2} s) | **$(ratio "$w_dcm" "$w_dk2") x** |"
  echo
} > "$section"
if grep -q '^## modify' "$out"; then
  awk -v f="$section" '/^## modify/{while ((getline l < f) > 0) print l; skip=1; next} /^## /{skip=0} !skip' "$out" > "$work/b.md"
else
  { cat "$out"; echo; cat "$section"; } > "$work/b.md"
fi
mv "$work/b.md" "$out"
echo "wrote $out"
