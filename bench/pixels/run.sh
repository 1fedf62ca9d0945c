#!/usr/bin/env bash
# bench/pixels: pixel data decode and render throughput, dicomkit against DCMTK and GDCM, in one run:
#  (i)   decode per transfer syntax: `dicomkit convert IN OUT --ts explicit` against dcmdjpeg (JPEG
#        .50/.51/.57/.70), dcmdjpls (JPEG-LS .80/.81), dcmdrle (RLE .5) and `gdcmconv --raw` (every
#        syntax it reads, JPEG 2000 included) on the same files: the compressed files of
#        data/dicom/compressed/* (grouped by syntax, each decoded SAMPLE_REPS times a timing), and two
#        generated multi-frame inputs (bench/pixels/pixel_files.py, fixed seed): a CT-like volume
#        (FRAMES x 512 x 512, 16 bits) and an ultrasound-like RGB clip (US_FRAMES x 480 x 640),
#        compressed in each syntax by DCMTK (dcmcrle, dcmcjpeg, dcmcjpls), GDCM (gdcmconv --j2k) or,
#        for HTJ2K, dicomkit convert when it can encode it; MB/s of decoded pixels (10^6 bytes) and
#        frames/s, ratio dicomkit / each peer;
#  (ii)  multi-frame: the generated inputs with dicomkit --threads 1 (when convert has the option)
#        and its default against the fastest peer (target: at least 2x);
#  (iii) render: `dicomkit render FILE out.png|out.jpg` against `dcm2pnm +on` (PNG) and
#        `dcmj2pnm +oj +Jq 90` (JPEG, DCMTK's dcm2pnm with JPEG output) on CT, MR and RGB files, images/s;
#  (iv)  memory: each tool's peak RSS (/usr/bin/time) decoding the generated inputs.
# Every timing is repeated ROUNDS times, the tools interleaved (their order rotates from one timing
# to the next) and the median kept. Each tool's output is checked once before timing (native pixel
# data of the expected size; pixel_files.py verify): a tool that cannot decode a syntax shows "n/a",
# a file that one tool cannot decode is left out of that syntax's set for all of them (named in a
# "W:" line), and the run goes on.
# Prints the tables (markdown) and writes RESULTS/pixels-<time>.tsv and .md; DOCS=1 also writes the
# "pixels" section of docs/benchmarks.md.
# usage: bench/pixels/run.sh [BUILD_DIR]
# environment: ROUNDS=3 FRAMES=200 US_FRAMES=30 SAMPLE_REPS=3 RENDER_REPS=10 DOCS=0
#   ONLY=REGEX: only the decode rows whose "SET NAME (UID)" matches (grep -E; e.g.
#     ONLY='^(ct_volume|us_clip) JPEG (Extended|Lossless SV1)' or ONLY='4\.90\)'), without render;
#     not with DOCS=1 (the section would lose its other rows)
#   RENDER=1 (0: no render timings)
#   RESULTS=bench/pixels/results DATA=/work/shared/data/dicom (or ../shared/data/dicom)
#   WORK=(a temporary folder; when given it is kept, and the generated inputs are reused)
# A quick run: ROUNDS=1 FRAMES=8 US_FRAMES=4 SAMPLE_REPS=1 RENDER_REPS=2 bench/pixels/run.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
dk=$build/apps/dicomkit/dicomkit
[ -x "$dk" ] || { echo "missing $dk: cmake --build $build --target dicomkit"; exit 1; }
build=$(cd "$build" && pwd -P)
src_dir=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt" 2> /dev/null)
src_dir=${src_dir:-$root}
for t in dcmdjpeg dcmdjpls dcmdrle dcmcjpeg dcmcjpls dcmcrle dcm2pnm dcmj2pnm gdcmconv /usr/bin/python3 /usr/bin/time; do
  command -v $t > /dev/null || { echo "missing $t (scripts/bootstrap.sh)"; exit 1; }
done
ROUNDS=${ROUNDS:-3}
FRAMES=${FRAMES:-200}
US_FRAMES=${US_FRAMES:-30}
SAMPLE_REPS=${SAMPLE_REPS:-3}
RENDER_REPS=${RENDER_REPS:-10}
DOCS=${DOCS:-0}
ONLY=${ONLY:-}
RENDER=${RENDER:-1}
[ -n "$ONLY" ] && RENDER=0
[ -n "$ONLY" ] && [ "$DOCS" = 1 ] && { echo "ONLY and DOCS=1 do not go together: the section holds every row"; exit 1; }
RESULTS=${RESULTS:-$root/bench/pixels/results}
if [ -z "${DATA:-}" ]; then
  for d in "$root/../shared/data/dicom" /work/shared/data/dicom; do [ -d "$d/compressed" ] && { DATA=$d; break; }; done
fi
[ -d "${DATA:-}/compressed" ] || { echo "no test data: set DATA to the folder holding compressed/"; exit 1; }
DATA=$(cd "$DATA" && pwd -P)
if [ -n "${WORK:-}" ]; then work=$WORK; mkdir -p "$work"; else work=$(mktemp -d); fi
trap '[ -n "${WORK:-}" ] || rm -rf "$work"' EXIT
py=$root/bench/pixels/pixel_files.py
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$RESULTS"
tsv=$RESULTS/pixels-$stamp.tsv
md=$RESULTS/pixels-$stamp.md
log=$work/tools.log
: > "$log"

ts_name() {
  case $1 in
    1.2.840.10008.1.2.5) echo "RLE Lossless" ;;
    1.2.840.10008.1.2.4.50) echo "JPEG Baseline" ;;
    1.2.840.10008.1.2.4.51) echo "JPEG Extended" ;;
    1.2.840.10008.1.2.4.57) echo "JPEG Lossless" ;;
    1.2.840.10008.1.2.4.70) echo "JPEG Lossless SV1" ;;
    1.2.840.10008.1.2.4.80) echo "JPEG-LS Lossless" ;;
    1.2.840.10008.1.2.4.81) echo "JPEG-LS Near-Lossless" ;;
    1.2.840.10008.1.2.4.90) echo "JPEG 2000 Lossless" ;;
    1.2.840.10008.1.2.4.91) echo "JPEG 2000" ;;
    1.2.840.10008.1.2.4.201) echo "HTJ2K Lossless" ;;
    1.2.840.10008.1.2.4.202) echo "HTJ2K Lossless RPCL" ;;
    1.2.840.10008.1.2.4.203) echo "HTJ2K" ;;
    *) echo "$1" ;;
  esac
}
dcmtk_decoder() {  # the DCMTK decoder of a transfer syntax, or nothing
  case $1 in
    1.2.840.10008.1.2.4.50 | 1.2.840.10008.1.2.4.51 | 1.2.840.10008.1.2.4.57 | 1.2.840.10008.1.2.4.70) echo dcmdjpeg ;;
    1.2.840.10008.1.2.4.80 | 1.2.840.10008.1.2.4.81) echo dcmdjpls ;;
    1.2.840.10008.1.2.5) echo dcmdrle ;;
  esac
}
has_threads=0
"$dk" convert --help 2> /dev/null | grep -q -- '--threads' && has_threads=1
has_render=0
"$dk" --help 2> /dev/null | grep -qE '^ +render ' && has_render=1
render_quality=()
window=()
[ $has_render = 1 ] && "$dk" render --help 2> /dev/null | grep -q -- '--quality' && render_quality=(--quality 90)

# tool_cmd TOOL TS IN OUT: sets cmd, the command line of a tool (decode tools and render tools)
tool_cmd() {
  local tool=$1 ts=$2 in=$3 out=$4
  case $tool in
    dicomkit) cmd=("$dk" convert "$in" "$out" --ts explicit) ;;
    dicomkit-t1) cmd=("$dk" convert "$in" "$out" --ts explicit --threads 1) ;;
    dcmtk) cmd=("$(dcmtk_decoder "$ts")" "$in" "$out") ;;
    gdcm) cmd=(gdcmconv --raw "$in" "$out") ;;
    dicomkit-png) cmd=("$dk" render "$in" "$out.png") ;;
    dicomkit-jpg) cmd=("$dk" render "$in" "$out.jpg" "${render_quality[@]}") ;;
    dcmtk-png) cmd=(dcm2pnm +on "${window[@]}" "$in" "$out.png") ;;
    dcmtk-jpg) cmd=(dcmj2pnm +oj +Jq 90 "${window[@]}" "$in" "$out.jpg") ;;
  esac
}
# run_one TOOL TS IN OUT: one run under /usr/bin/time; keeps the tool's peak RSS (KiB) in last_rss
run_one() {
  tool_cmd "$@"
  local rc=0
  /usr/bin/time -f %M -o "$work/rss" "${cmd[@]}" > /dev/null 2>> "$log" || rc=$?
  last_rss=$(tail -1 "$work/rss")
  return $rc
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN{if (b+0 == 0) print "n/a"; else printf "%.2f", a/b}'; }

# --- inputs ---
declare -A info  # path -> "ts frames rows cols spp bits bytes photometric window"
load_info() {
  local p rest
  while IFS=$'\t' read -r p rest; do info[$p]=$(echo "$rest" | tr '\t' ' '); done < <(/usr/bin/python3 "$py" info "$@" 2>> "$log")
}
gen=$work/gen
if [ ! -f "$gen/done-$FRAMES-$US_FRAMES" ]; then
  rm -rf "$gen"; mkdir -p "$gen"
  echo "== generating ct_volume ($FRAMES x 512 x 512, 16 bits) and us_clip ($US_FRAMES x 480 x 640 RGB)"
  /usr/bin/python3 "$py" generate "$gen" "$FRAMES" "$US_FRAMES"
  # compress SOURCE NAME TOOL ARGS...: gen/NAME.dcm from gen/SOURCE.dcm; a failure leaves it out
  # (named in gen/missing)
  compress() {
    local src=$gen/$1.dcm dst=$gen/$2.dcm tool=$3
    shift 3
    if [ "$tool" = dicomkit ]; then "$dk" convert "$src" "$dst" "$@" >> "$log" 2>&1
    else "$tool" "$@" "$src" "$dst" >> "$log" 2>&1; fi || {
      rm -f "$dst"; echo "$2 ($tool ${*:-} failed)" >> "$gen/missing"; echo "   $2: $tool cannot encode it, left out"; }
  }
  : > "$gen/missing"
  for s in ct_volume us_clip; do
    compress $s ${s}.rle dcmcrle
    compress $s ${s}.jpeg70 dcmcjpeg +e1
    compress $s ${s}.jls80 dcmcjpls +el
    compress $s ${s}.j2k90 gdcmconv --j2k
    compress $s ${s}.j2k91 gdcmconv --j2k --lossy -r 10
    compress $s ${s}.htj2k201 dicomkit --ts 1.2.840.10008.1.2.4.201
  done
  compress ct_volume ct_volume.jpeg51 dcmcjpeg +ee
  compress ct_volume ct_volume.jpeg57 dcmcjpeg +el
  compress ct_volume ct_volume.jls81 dcmcjpls +en
  compress us_clip us_clip.jpeg50 dcmcjpeg +eb
  touch "$gen/done-$FRAMES-$US_FRAMES"
fi
samples=("$DATA"/compressed/*/*.dcm)
generated=()
for f in "$gen"/*.*.dcm; do [ -e "$f" ] && generated+=("$f"); done
load_info "${samples[@]}" "${generated[@]}"

# Rows: one a (input set, transfer syntax); row_files holds its files, row_reps how often each is
# decoded in one timing.
rows=()
declare -A row_files row_reps row_set row_ts row_tools
add_row() {  # add_row SET TS REPS FILE...
  local key="$1|$2"
  if [ -z "${row_files[$key]:-}" ]; then
    rows+=("$key"); row_set[$key]=$1; row_ts[$key]=$2; row_reps[$key]=$3
  fi
  shift 3
  row_files[$key]="${row_files[$key]:-} $*"
}
ts_order() { echo "$1" | sed 's/^1\.2\.840\.10008\.1\.2\.5$/0/; s/^1\.2\.840\.10008\.1\.2\.4\.//'; }
for f in "${samples[@]}"; do
  [ -n "${info[$f]:-}" ] || continue
  read -r ts _ <<< "${info[$f]}"
  add_row samples "$ts" "$SAMPLE_REPS" "$f"
done
for f in "${generated[@]}"; do
  [ -n "${info[$f]:-}" ] || continue
  read -r ts _ <<< "${info[$f]}"
  b=$(basename "$f"); add_row "${b%%.*}" "$ts" 1 "$f"
done
# ONLY: the rows whose "SET NAME (UID)" matches
if [ -n "$ONLY" ]; then
  kept=()
  for r in "${rows[@]}"; do
    printf '%s %s (%s)\n' "${r%%|*}" "$(ts_name "${r#*|}")" "${r#*|}" | grep -qE -- "$ONLY" && kept+=("$r")
  done
  [ ${#kept[@]} -gt 0 ] || { echo "ONLY='$ONLY' matches no row"; exit 1; }
  rows=("${kept[@]}")
fi
# sorted by set (samples, then the generated ones) and syntax
mapfile -t rows < <(for r in "${rows[@]}"; do
  s=${r%%|*}; o=$(ts_order "${r#*|}"); [ "$s" = samples ] && s=0
  printf '%s\t%06d\t%s\n' "$s" "$o" "$r"; done | sort -t$'\t' -k1,1 -k2,2n | cut -f3)

tool_label() {
  case $1 in
    dicomkit) echo "dicomkit" ;;
    dicomkit-t1) echo "dicomkit --threads 1" ;;
    dcmtk) echo "DCMTK ($(dcmtk_decoder "$2"))" ;;
    gdcm) echo "GDCM (gdcmconv --raw)" ;;
    *) echo "$1" ;;
  esac
}

# --- check pass: every tool once on every file; keeps the files all working tools decode ---
echo "== checking each tool's output once"
declare -A row_use row_bytes row_frames row_note
notes=()
targets=()  # "against the targets" lines
for key in "${rows[@]}"; do
  ts=${row_ts[$key]}
  tools=(dicomkit gdcm)
  [ -n "$(dcmtk_decoder "$ts")" ] && tools+=(dcmtk)
  [ "${row_set[$key]}" != samples ] && [ $has_threads = 1 ] && tools+=(dicomkit-t1)
  declare -A ok=()
  lines=
  i=0
  for f in ${row_files[$key]}; do
    read -r _ _ _ _ _ _ bytes photometric _ <<< "${info[$f]}"
    for t in "${tools[@]}"; do
      out=$work/check_${t}_$i.dcm
      rm -f "$out"
      run_one "$t" "$ts" "$f" "$out" && lines+="$t|$i"$'\t'"$bytes"$'\t'"$photometric"$'\t'"$out"$'\n'
    done
    i=$((i + 1))
  done
  while IFS=$'\t' read -r k verdict; do
    [ "$verdict" = ok ] && ok[$k]=1 || echo "   ${k%|*} on file ${k#*|}: $verdict" >> "$log"
  done < <(printf '%s' "$lines" | /usr/bin/python3 "$py" verify)
  rm -f "$work"/check_*
  # the tools that decode at least one file of the row; the files all of them decode
  working=()
  for t in "${tools[@]}"; do
    for j in $(seq 0 $((i - 1))); do [ -n "${ok[$t|$j]:-}" ] && { working+=("$t"); break; }; done
  done
  use=() bytes_sum=0 frames_sum=0
  i=0
  for f in ${row_files[$key]}; do
    all=1
    for t in "${working[@]}"; do
      if [ -z "${ok[$t|$i]:-}" ]; then
        all=0
        notes+=("${row_set[$key]}, $(ts_name "$ts"): $(tool_label "$t" "$ts") does not decode $(basename "$f"), left out of the row")
        echo "W: ${notes[-1]}" | tee -a "$log"
        if [[ $t == dicomkit* ]] && { [ -n "${ok[gdcm|$i]:-}" ] || [ -n "${ok[dcmtk|$i]:-}" ]; }; then
          targets+=("${row_set[$key]} $(ts_name "$ts"): $t does not decode $(basename "$f"), a peer does (MISSED)")
        fi
      fi
    done
    if [ $all = 1 ]; then
      use+=("$f")
      read -r _ fr _ _ _ _ bytes _ <<< "${info[$f]}"
      bytes_sum=$((bytes_sum + bytes)); frames_sum=$((frames_sum + fr))
    fi
    i=$((i + 1))
  done
  unset ok
  row_use[$key]="${use[*]:-}"
  row_tools[$key]="${working[*]:-}"
  row_bytes[$key]=$((bytes_sum * ${row_reps[$key]}))
  row_frames[$key]=$((frames_sum * ${row_reps[$key]}))
  row_note[$key]="${#use[@]} of $i files"
  [ ${#working[@]} -gt 0 ] || row_note[$key]="$i files, no tool decodes them"
  echo "   ${row_set[$key]} $(ts_name "$ts"): ${row_note[$key]}; decoded by: ${working[*]:-none}"
done

# --- timings ---
declare -A times rss
time_row() {  # time_row KEY TOOL: one timing of a row's files with a tool, appended to times
  local key=$1 t=$2 f r t0 t1 peak=${rss[$1|$2]:-0}
  t0=$EPOCHREALTIME
  for f in ${row_use[$key]}; do
    for ((r = 0; r < ${row_reps[$key]}; r++)); do
      run_one "$t" "${row_ts[$key]}" "$f" "$work/out_$t.dcm" || { echo "$t failed on $f in a timing" >> "$log"; }
      [ "$last_rss" -gt "$peak" ] && peak=$last_rss
    done
  done
  t1=$EPOCHREALTIME
  times[$key|$t]="${times[$key|$t]:-} $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.4f", b-a}')"
  rss[$key|$t]=$peak
}
echo "== decode: $ROUNDS rounds"
for round in $(seq 1 "$ROUNDS"); do
  n=0
  for key in "${rows[@]}"; do
    [ -n "${row_use[$key]}" ] || continue
    read -r -a tl <<< "${row_tools[$key]}"
    for ((k = 0; k < ${#tl[@]}; k++)); do time_row "$key" "${tl[$(((k + round + n) % ${#tl[@]}))]}"; done
    n=$((n + 1))
  done
  echo "   round $round done"
done
rm -f "$work"/out_*

# --- render ---
render_files=("$DATA/ct/693_UNCR.dcm" "$DATA/mr/MR2_UNCR.dcm" "$DATA/color/US1_UNCR.dcm")
load_info "${render_files[@]}"
render_tools=(dcmtk-png dcmtk-jpg)
[ $has_render = 1 ] && render_tools=(dicomkit-png dicomkit-jpg "${render_tools[@]}")
[ "$RENDER" = 1 ] || { render_files=(); render_tools=(); }
declare -A render_ok render_times
window_for() {  # dcm2pnm's VOI: the file's first window, as dicomkit render; min/max without one
  local w spp
  read -r _ _ _ _ spp _ _ _ w <<< "${info[$1]}"
  if [ "$spp" != 1 ]; then window=(); elif [ "$w" = 1 ]; then window=(+Wi 1); else window=(+Wm); fi
}
echo "== render: $ROUNDS rounds"
for f in "${render_files[@]}"; do
  window_for "$f"
  for t in "${render_tools[@]}"; do
    rm -f "$work/render.png" "$work/render.jpg"
    if run_one "$t" "" "$f" "$work/render" && [ -s "$work/render.${t#*-}" ]; then render_ok[$f|$t]=1
    else echo "W: $t cannot render $(basename "$f")"; fi
  done
done
for round in $(seq 1 "$ROUNDS"); do
  n=0
  for f in "${render_files[@]}"; do
    window_for "$f"
    for ((k = 0; k < ${#render_tools[@]}; k++)); do
      t=${render_tools[$(((k + round + n) % ${#render_tools[@]}))]}
      [ -n "${render_ok[$f|$t]:-}" ] || continue
      t0=$EPOCHREALTIME
      for ((r = 0; r < RENDER_REPS; r++)); do run_one "$t" "" "$f" "$work/render" || true; done
      t1=$EPOCHREALTIME
      render_times[$f|$t]="${render_times[$f|$t]:-} $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.4f", b-a}')"
    done
    n=$((n + 1))
  done
done

# --- results ---
mbps() { awk -v b="$1" -v s="$2" 'BEGIN{printf "%.1f", b/s/1e6}'; }
fps() { awk -v n="$1" -v s="$2" 'BEGIN{printf "%.1f", n/s}'; }
declare -A med
{
  printf 'section\tinput\ttransfer_syntax\tname\ttool\tfiles\trepeats\tdecoded_bytes\tframes\tmedian_s\tMB_per_s\tframes_per_s\tpeak_rss_kib\trounds_s\n'
  for key in "${rows[@]}"; do
    ts=${row_ts[$key]}
    for t in dicomkit dicomkit-t1 dcmtk gdcm; do
      if [ -z "${times[$key|$t]:-}" ]; then
        [ "$t" = dcmtk ] && [ -z "$(dcmtk_decoder "$ts")" ] && continue
        [ "$t" = dicomkit-t1 ] && { [ "${row_set[$key]}" = samples ] || [ $has_threads = 0 ]; } && continue
        printf 'decode\t%s\t%s\t%s\t%s\t%s\t%s\t\t\tn/a\tn/a\tn/a\t\t\n' "${row_set[$key]}" "$ts" "$(ts_name "$ts")" "$t" "${row_note[$key]}" "${row_reps[$key]}"
        continue
      fi
      read -r -a ts_list <<< "${times[$key|$t]}"
      m=$(median "${ts_list[@]}")
      med[$key|$t]=$m
      printf 'decode\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${row_set[$key]}" "$ts" "$(ts_name "$ts")" "$t" \
        "${row_note[$key]}" "${row_reps[$key]}" "${row_bytes[$key]}" "${row_frames[$key]}" "$m" \
        "$(mbps "${row_bytes[$key]}" "$m")" "$(fps "${row_frames[$key]}" "$m")" "${rss[$key|$t]}" "${ts_list[*]}"
    done
  done
  for f in "${render_files[@]}"; do
    for t in dicomkit-png dcmtk-png dicomkit-jpg dcmtk-jpg; do
      if [ -z "${render_times[$f|$t]:-}" ]; then
        printf 'render\t%s\t\t\t%s\t1\t%s\t\t\tn/a\t\t\t\t\n' "$(basename "$f")" "$t" "$RENDER_REPS"; continue
      fi
      read -r -a ts_list <<< "${render_times[$f|$t]}"
      m=$(median "${ts_list[@]}")
      med[$f|$t]=$m
      printf 'render\t%s\t\t\t%s\t1\t%s\t\t\t%s\t\t%s\t\t%s\n' "$(basename "$f")" "$t" "$RENDER_REPS" "$m" "$(fps "$RENDER_REPS" "$m")" "${ts_list[*]}"
    done
  done
} > "$tsv"

rate() {  # rate KEY TOOL: "MB/s (frames/s)" or n/a
  local m=${med[$1|$2]:-}
  [ -n "$m" ] || { echo "n/a"; return; }
  echo "$(mbps "${row_bytes[$1]}" "$m") ($(fps "${row_frames[$1]}" "$m") f/s)"
}
ratio() {  # ratio KEY TOOL: dicomkit / TOOL (their times' inverse ratio) or n/a
  local a=${med[$1|dicomkit]:-} b=${med[$1|$2]:-}
  [ -n "$a" ] && [ -n "$b" ] && div "$b" "$a" || echo "n/a"
}
fastest_peer() {  # fastest_peer KEY: the smaller median of the peers, or nothing
  local best='' t
  for t in dcmtk gdcm; do
    [ -n "${med[$1|$t]:-}" ] || continue
    if [ -z "$best" ] || awk -v a="${med[$1|$t]}" -v b="$best" 'BEGIN{exit !(a < b)}'; then best=${med[$1|$t]}; fi
  done
  echo "$best"
}
verdict() { awk -v a="$1" -v b="$2" 'BEGIN{exit !(a >= b)}' && echo met || echo MISSED; }
{
  echo "\`bench/pixels/run.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores; DCMTK $(dcmdjpeg --version 2> /dev/null | head -1 | awk '{print $3}'), GDCM $(gdcmconv --version 2> /dev/null | awk '{print $3}'); dicomkit $(git -C "$src_dir" describe --always --dirty 2> /dev/null || echo '?') ($build)."
  echo "Command: \`${ONLY:+ONLY='$ONLY' }ROUNDS=$ROUNDS FRAMES=$FRAMES US_FRAMES=$US_FRAMES SAMPLE_REPS=$SAMPLE_REPS RENDER_REPS=$RENDER_REPS bench/pixels/run.sh\`;"
  echo "load average (1 min) $(cut -d' ' -f1 /proc/loadavg) at the end. Median of $ROUNDS timings, tools interleaved."
  echo
  echo "### decode"
  echo
  echo "MB/s of decoded pixels (10^6 bytes: rows x columns x samples x bits allocated / 8 x frames; frames/s in brackets),"
  echo "wall time of one process per file (samples: each file $SAMPLE_REPS times a timing, so process start-up weighs"
  echo "on those small files; ct_volume: $FRAMES x 512 x 512 x 16 bits; us_clip: $US_FRAMES x 480 x 640 RGB)."
  echo "dicomkit: \`convert IN OUT --ts explicit\`; DCMTK: dcmdjpeg, dcmdjpls, dcmdrle; GDCM: \`gdcmconv --raw\`."
  echo "The generated inputs were compressed by dcmcrle, dcmcjpeg (+e1, +el, +ee, +eb), dcmcjpls (+el, +en),"
  echo "gdcmconv (--j2k; --j2k --lossy -r 10) and dicomkit convert (HTJ2K)."
  if [ -s "$gen/missing" ]; then echo "Not generated (no encoder): $(paste -sd';' "$gen/missing" | sed 's/;/; /g')."; fi
  echo
  echo "| input | transfer syntax | files | dicomkit | DCMTK | GDCM | dicomkit / DCMTK | dicomkit / GDCM |"
  echo "|---|---|---|---|---|---|---|---|"
  for key in "${rows[@]}"; do
    ts=${row_ts[$key]}
    d=n/a; [ -n "$(dcmtk_decoder "$ts")" ] && d=$(rate "$key" dcmtk)
    rd=n/a; [ -n "$(dcmtk_decoder "$ts")" ] && rd=$(ratio "$key" dcmtk)
    echo "| ${row_set[$key]} | $(ts_name "$ts") (${ts#1.2.840.10008.1.2}) | ${row_note[$key]} | $(rate "$key" dicomkit) | $d | $(rate "$key" gdcm) | $rd | $(ratio "$key" gdcm) |"
    fp=$(fastest_peer "$key")
    if [ -n "$fp" ] && [ "${row_set[$key]}" = samples ]; then
      if [ -n "${med[$key|dicomkit]:-}" ]; then
        x=$(div "$fp" "${med[$key|dicomkit]}")
        targets+=("${row_set[$key]} $(ts_name "$ts"): $x x the fastest peer (>= 1: $(verdict "$x" 1))")
      else
        targets+=("${row_set[$key]} $(ts_name "$ts"): dicomkit does not decode it (MISSED)")
      fi
    fi
  done
  if [ ${#notes[@]} -gt 0 ]; then
    echo
    for x in "${notes[@]}"; do echo "- $x"; done
  fi
  echo
  echo "### multi-frame"
  echo
  echo "The generated inputs again (the same timings as above): dicomkit with one thread and with its default, against"
  echo "the fastest peer (target: at least 2 x, through frame-parallel decoding; this machine has $(nproc) cores)."
  echo
  echo "| input | transfer syntax | dicomkit --threads 1 | dicomkit (default) | default / 1 thread | fastest peer | dicomkit / fastest peer | >= 2 x |"
  echo "|---|---|---|---|---|---|---|---|"
  for key in "${rows[@]}"; do
    [ "${row_set[$key]}" = samples ] && continue
    ts=${row_ts[$key]}
    fp=$(fastest_peer "$key")
    t1=n/a; sp=n/a
    if [ $has_threads = 1 ]; then t1=$(rate "$key" dicomkit-t1); [ -n "${med[$key|dicomkit-t1]:-}" ] && [ -n "${med[$key|dicomkit]:-}" ] && sp=$(div "${med[$key|dicomkit-t1]}" "${med[$key|dicomkit]}"); fi
    fpr=n/a; x=n/a; v=n/a
    if [ -n "$fp" ]; then
      fpr="$(mbps "${row_bytes[$key]}" "$fp") ($(fps "${row_frames[$key]}" "$fp") f/s)"
      if [ -n "${med[$key|dicomkit]:-}" ]; then
        x=$(div "$fp" "${med[$key|dicomkit]}"); v=$(verdict "$x" 2)
        targets+=("multi-frame ${row_set[$key]} $(ts_name "$ts"): $x x the fastest peer (>= 2: $v)")
      else
        v=MISSED
        targets+=("multi-frame ${row_set[$key]} $(ts_name "$ts"): dicomkit does not decode it (MISSED)")
      fi
    fi
    echo "| ${row_set[$key]} | $(ts_name "$ts") | $t1 | $(rate "$key" dicomkit) | $sp | $fpr | $x | $v |"
  done
  echo
  echo "### memory"
  echo
  echo "Peak RSS (KiB, /usr/bin/time) of one process decoding the generated input (ct_volume: $((FRAMES * 512 * 512 * 2 / 1048576)) MiB of pixels)."
  echo
  echo "| input | transfer syntax | dicomkit | dicomkit --threads 1 | DCMTK | GDCM |"
  echo "|---|---|---|---|---|---|"
  for key in "${rows[@]}"; do
    [ "${row_set[$key]}" = samples ] && continue
    echo "| ${row_set[$key]} | $(ts_name "${row_ts[$key]}") | ${rss[$key|dicomkit]:-n/a} | ${rss[$key|dicomkit-t1]:-n/a} | ${rss[$key|dcmtk]:-n/a} | ${rss[$key|gdcm]:-n/a} |"
  done
  if [ "$RENDER" = 1 ]; then
  echo
  echo "### render"
  echo
  echo "Images/s, one process an image ($RENDER_REPS a timing): \`dicomkit render FILE out.png|out.jpg\` (the file's first"
  echo "window, min/max without one) against \`dcm2pnm +on\` and \`dcmj2pnm +oj +Jq 90\` with \`+Wi 1\` (or \`+Wm\` without a"
  if [ ${#render_quality[@]} -gt 0 ]; then echo "window); \`dicomkit render\` with \`${render_quality[*]}\` for JPEG."; else echo "window)."; fi
  echo
  echo "| file | dicomkit PNG | dcm2pnm PNG | ratio | dicomkit JPEG | dcmj2pnm JPEG | ratio |"
  echo "|---|---|---|---|---|---|---|"
  for f in "${render_files[@]}"; do
    read -r _ _ rw cl spp _ _ ph _ <<< "${info[$f]}"
    line="| $(basename "$f") ($cl x $rw $ph) |"
    for fmt in png jpg; do
      a=${med[$f|dicomkit-$fmt]:-}; b=${med[$f|dcmtk-$fmt]:-}
      ra=n/a; rb=n/a; x=n/a
      [ -n "$a" ] && ra="$(fps "$RENDER_REPS" "$a")/s"
      [ -n "$b" ] && rb="$(fps "$RENDER_REPS" "$b")/s"
      [ -n "$a" ] && [ -n "$b" ] && x="$(div "$b" "$a") x"
      line="$line $ra | $rb | $x |"
    done
    echo "$line"
  done
  fi
  echo
  echo "### against the targets"
  echo
  for t in "${targets[@]}"; do echo "- $t"; done
} > "$md"
cat "$md"
echo
echo "wrote $tsv and $md (tool messages: $log)"
[ -z "${WORK:-}" ] && cp "$log" "$RESULTS/pixels-$stamp.log"

[ "$DOCS" = 1 ] || exit 0
out="$root/docs/benchmarks.md"
tmp="$work/bench.md"
# The section's description stays; the figures (from its first "`bench/pixels/run.sh` on" line, or the
# "No figures yet" line, to the next section) are replaced.
awk -v md="$md" '
  function put(  l) { while ((getline l < md) > 0) print l; print ""; done = 1 }
  /^## / { if (sec && !done) put(); sec = ($0 == "## pixels"); if (sec) seen = 1; cut = 0 }
  sec && (/^No figures yet/ || /^`bench\/pixels\/run.sh` on /) { cut = 1 }
  !(sec && cut) { print }
  END { if (sec && !done) put(); if (!seen) { print ""; print "## pixels"; print ""; put() } }
' "$out" > "$tmp"
mv "$tmp" "$out"
echo "wrote $out"
