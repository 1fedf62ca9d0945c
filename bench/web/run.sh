#!/usr/bin/env bash
# bench/web: DICOMweb of dicomkit serve against Orthanc with its DICOMweb plugin (orthanc-dicomweb),
# in one run, on 127.0.0.1, with the same generated instances (bench_archive_gen, as bench/archive):
#  (i)   N instances loaded into both through their DICOM ports (dicomkit send --parallel 4); then,
#        with wrk (a Lua script cycling through request paths, bench/web/paths.lua), requests/s and
#        p50/p95 latency of: QIDO-RS study search by exact PatientID, by a PatientName wild card,
#        study metadata (WADO-RS .../metadata), one frame (WADO-RS .../frames/1, any transfer syntax);
#  (ii)  STOW-RS: STOW_N other instances posted to both by the same client (bench/web/stow.js,
#        one instance a request, STOW_CONCURRENCY requests at a time); instances/s;
#  (iii) QIDO at scale: serve with an index of QIDO_SCALE instances made in bulk through
#        Index::add (bench_archive_gen index, no network, no files: QIDO reads only the index),
#        the same two queries; Orthanc's figures are those of (i), at N instances.
# Both servers skip fsync (serve --no-fsync, Orthanc "SyncStorageArea": false): the same work.
# Prints "ratio:" lines (dicomkit serve / Orthanc) and "target:" lines; writes the "web" section of
# docs/benchmarks.md (DOCS=0: do not).
# usage: bench/web/run.sh [BUILD_DIR]
# environment: N=10000 STOW_N=2000 QIDO_SCALE=100000 DURATION=10s CONNECTIONS=16 THREADS=(1 on
#   2 cores or fewer, else 2) STOW_CONCURRENCY=4 TEMPLATE=tests/data/interop/implicit_vr/MR_small_implicit.dcm
#   WORK=(a temporary folder) DOCS=1
# A quick run: N=1000 STOW_N=500 QIDO_SCALE=20000 DURATION=3s DOCS=0 bench/web/run.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/bench/web
build=${1:-$root/build}
dk=$build/apps/dicomkit/dicomkit
gen=$build/bench/bench_archive_gen
for b in "$dk" "$gen"; do [ -x "$b" ] || { echo "missing $b: cmake --build $build --target dicomkit bench_archive_gen"; exit 1; }; done
for t in wrk node curl /usr/bin/python3; do command -v $t > /dev/null || { echo "missing $t (scripts/bootstrap.sh)"; exit 1; }; done
source "$root/tests/support/orthanc.sh"
[ -n "$(orthanc_binary)" ] || { echo "missing Orthanc (scripts/bootstrap.sh)"; exit 1; }
plugin=
for p in /usr/share/orthanc/plugins/libOrthancDicomWeb.so /usr/lib/orthanc/libOrthancDicomWeb.so*; do
  [ -f "$p" ] && { plugin=$p; break; }
done
[ -n "$plugin" ] || { echo "missing Orthanc's DICOMweb plugin: orthanc-dicomweb (scripts/bootstrap.sh)"; exit 1; }

N=${N:-10000}
STOW_N=${STOW_N:-2000}
QIDO_SCALE=${QIDO_SCALE:-100000}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-16}
if [ "$(nproc)" -le 2 ]; then THREADS=${THREADS:-1}; else THREADS=${THREADS:-2}; fi
STOW_CONCURRENCY=${STOW_CONCURRENCY:-4}
TEMPLATE=${TEMPLATE:-$root/tests/data/interop/implicit_vr/MR_small_implicit.dcm}
DOCS=${DOCS:-1}
TOKEN=bench-web-token-0123456789
if [ -n "${WORK:-}" ]; then work=$WORK; mkdir -p "$work"; else work=$(mktemp -d); fi
serve_pid=
cleanup() {
  orthanc_stop
  [ -z "$serve_pid" ] || { kill "$serve_pid" 2> /dev/null || true; wait "$serve_pid" 2> /dev/null || true; }
  [ -n "${WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.3f", b-a}'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", (b>0)?a/b:0}'; }
load() { cut -d' ' -f1 /proc/loadavg; }
loads=()

# The generated hierarchy (bench/archive/archive_gen.cpp): instance i is in series i/5, study i/10,
# patient i/20; the UIDs are ROOT.3.i, ROOT.2.series, ROOT.1.study.
ROOT=2.25.207353417366432871140982381903861254
FAMILIES=(SMITH JOHNSON WILLIAMS BROWN JONES GARCIA MILLER DAVIS RODRIGUEZ MARTINEZ HERNANDEZ LOPEZ GONZALEZ
          WILSON ANDERSON THOMAS TAYLOR MOORE JACKSON MARTIN)
paths() {  # paths KIND COUNT: request paths of KIND over the first COUNT instances, 200 of them
  awk -v kind="$1" -v n="$2" -v root=$ROOT -v fams="${FAMILIES[*]}" 'BEGIN{
    srand(1); nf = split(fams, fam, " ")
    for (k = 0; k < 200; k++) {
      i = int(rand() * n)
      if (kind == "qido_id") printf "/dicom-web/studies?PatientID=PAT%07d\n", int(i / 20)
      else if (kind == "qido_name") printf "/dicom-web/studies?PatientName=%s^J*\n", fam[k % nf + 1]
      else if (kind == "metadata") printf "/dicom-web/studies/%s.1.%d/metadata\n", root, int(i / 10)
      else printf "/dicom-web/studies/%s.1.%d/series/%s.2.%d/instances/%s.3.%d/frames/1\n", root, int(i / 10), root, int(i / 5), root, i
    }}'
}
FRAME_ACCEPT='Accept: multipart/related; type="application/octet-stream"; transfer-syntax=*'
accept_of() { case $1 in frames) echo "$FRAME_ACCEPT" ;; *) echo "Accept: application/dicom+json" ;; esac; }

start_serve() {  # start_serve DIR: sets serve_pid, serve_dicom, serve_http
  "$dk" serve --bind 127.0.0.1 --port 0 --data "$1" --aet ARCHIVE --accept-unknown --no-fsync \
    --http-token "$TOKEN" > "$1.log" 2> "$1.err" &
  serve_pid=$!
  serve_dicom= serve_http=
  for _ in $(seq 1 200); do
    serve_dicom=$(sed -n 's/.* port \([0-9]*\): DICOM.*/\1/p' "$1.err" | head -1)
    serve_http=$(sed -n 's/.* port \([0-9]*\): HTTP.*/\1/p' "$1.err" | head -1)
    [ -n "$serve_dicom" ] && [ -n "$serve_http" ] && return 0
    sleep 0.05
  done
  echo "serve did not start"; cat "$1.err"; exit 1
}
stop_serve() { kill "$serve_pid" 2> /dev/null || true; wait "$serve_pid" 2> /dev/null || true; serve_pid=; }
serve_count() { curl -sf --noproxy '*' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$serve_http/api/stats" \
  | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["instances"])'; }
orthanc_count() { curl -sf --noproxy '*' "$ORTHANC_URL/statistics" \
  | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["CountInstances"])'; }

part_size() {  # part_size HEADERS BODY: the size of the first part of a multipart answer
  /usr/bin/python3 - "$1" "$2" << 'PY'
import re, sys
b = re.search(r'boundary="?([^";\r\n]+)', open(sys.argv[1]).read(), re.I).group(1).encode()
part = open(sys.argv[2], 'rb').read().split(b'--' + b)[1]
print(len(part.split(b'\r\n\r\n', 1)[1]) - 2)  # less the CRLF before the next delimiter
PY
}
# answer_of BASE KIND PATH: what the answer holds, to compare the servers: the number of JSON
# objects (QIDO, metadata) or the size of the body (a frame), with the HTTP status
answer_of() {
  local code
  code=$(curl -s --noproxy '*' -D "$work/answer.head" -o "$work/answer" -w '%{http_code}' \
    -H "Authorization: Bearer $TOKEN" -H "$(accept_of "$2")" "$1$3")
  case $2 in
    frames) echo "HTTP $code, a part of $(part_size "$work/answer.head" "$work/answer") bytes" ;;
    *) echo "HTTP $code, $(/usr/bin/python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$work/answer" 2> /dev/null || echo '?') objects" ;;
  esac
}

declare -A rps p50 p95 errs answer
# measure LABEL BASE KIND PATHFILE [CONNECTIONS]: wrk on BASE with the paths of PATHFILE
measure() {
  local out line
  answer[$1,$3]=$(answer_of "$2" "$3" "$(head -1 "$4")")
  local c=${5:-$CONNECTIONS} t=$THREADS
  [ "$t" -le "$c" ] || t=$c
  out=$(PATHS=$4 wrk -t"$t" -c"$c" -d"$DURATION" --timeout 30s -s "$here/paths.lua" \
    -H "Authorization: Bearer $TOKEN" -H "$(accept_of "$3")" "$2" 2>&1) || { echo "$out"; exit 1; }
  line=$(echo "$out" | grep '^result:') || { echo "$out"; exit 1; }
  rps[$1,$3]=$(echo "$line" | sed -n 's/.* \([0-9.]*\) req\/s.*/\1/p')
  p50[$1,$3]=$(echo "$line" | sed -n 's/.* p50 \([0-9.]*\) ms.*/\1/p')
  p95[$1,$3]=$(echo "$line" | sed -n 's/.* p95 \([0-9.]*\) ms.*/\1/p')
  errs[$1,$3]=$(echo "$line" | awk '{print $4 + $6}')
  echo "$1 $3 ($c connections): ${rps[$1,$3]} requests/s, p50 ${p50[$1,$3]} ms, p95 ${p95[$1,$3]} ms (first answer: ${answer[$1,$3]}; $line)"
  [ "${errs[$1,$3]}" = 0 ] || echo "W: $1 $3: ${errs[$1,$3]} failed or non-2xx answers"
}

echo "== generating $N + $STOW_N instances from $(basename "$TEMPLATE")"
"$gen" files "$TEMPLATE" "$work/load" "$N"
"$gen" files "$TEMPLATE" "$work/stow" "$STOW_N" "$N"
for k in qido_id qido_name metadata frames; do paths $k "$N" > "$work/$k.paths"; done

echo "== loading both through their DICOM ports (dicomkit send --parallel 4)"
start_serve "$work/serve"
ORTHANC_EXTRA="{\"Plugins\": [\"$plugin\"], \"DicomWeb\": {\"Enable\": true, \"Root\": \"/dicom-web/\"}, \"SyncStorageArea\": false}" \
  orthanc_start "$work/orthanc" BENCH=127.0.0.1:1 || { echo "Orthanc did not start"; exit 1; }
declare -A load_s
for s in serve orthanc; do
  if [ $s = serve ]; then port=$serve_dicom aec=ARCHIVE; else port=$ORTHANC_DICOM_PORT aec=$ORTHANC_AET; fi
  t0=$(now)
  "$dk" send 127.0.0.1 "$port" --aet BENCH --aec "$aec" --parallel 4 "$work/load" > "$work/send.log" 2>&1 \
    || { tail -5 "$work/send.log"; exit 1; }
  load_s[$s]=$(elapsed "$t0")
done
got_s=$(serve_count) got_o=$(orthanc_count)
[ "$got_s" -eq "$N" ] && [ "$got_o" -eq "$N" ] || { echo "serve holds $got_s, Orthanc $got_o of $N"; exit 1; }
echo "loaded $N instances: serve in ${load_s[serve]} s, Orthanc in ${load_s[orthanc]} s"

kinds=(qido_id qido_name metadata frames)
loads+=("$(load)")
for k in "${kinds[@]}"; do
  measure serve "http://127.0.0.1:$serve_http" $k "$work/$k.paths"
  measure orthanc "$ORTHANC_URL" $k "$work/$k.paths"
  [ "${answer[serve,$k]}" = "${answer[orthanc,$k]}" ] \
    || echo "W: $k: serve answered ${answer[serve,$k]}, Orthanc ${answer[orthanc,$k]}"
  echo "ratio: $(div "${rps[serve,$k]}" "${rps[orthanc,$k]}") ($k requests/s, $N instances: dicomkit serve / Orthanc)"
done
# QIDO latency with one client: one request at a time, no queueing behind the others
for k in qido_id qido_name; do
  measure serve-1 "http://127.0.0.1:$serve_http" $k "$work/$k.paths" 1
  measure orthanc-1 "$ORTHANC_URL" $k "$work/$k.paths" 1
  echo "ratio: $(div "${p95[orthanc-1,$k]}" "${p95[serve-1,$k]}") ($k p95, one connection, $N instances: Orthanc / dicomkit serve)"
done
loads+=("$(load)")

echo "== STOW-RS: $STOW_N instances, one a request, $STOW_CONCURRENCY at a time"
declare -A stow
for s in serve orthanc; do
  if [ $s = serve ]; then base=http://127.0.0.1:$serve_http/dicom-web; else base=$ORTHANC_URL/dicom-web; fi
  out=$(TOKEN=$TOKEN node "$here/stow.js" "$base" "$work/stow" "$STOW_CONCURRENCY" 1) || { echo "$s: $out"; exit 1; }
  stow[$s]=$(echo "$out" | sed -n 's/.* \([0-9.]*\) instances\/s.*/\1/p')
  echo "$s $out"
done
got_s=$(serve_count) got_o=$(orthanc_count)
[ "$got_s" -eq $((N + STOW_N)) ] && [ "$got_o" -eq $((N + STOW_N)) ] \
  || { echo "after STOW serve holds $got_s, Orthanc $got_o of $((N + STOW_N))"; exit 1; }
echo "ratio: $(div "${stow[serve]}" "${stow[orthanc]}") (STOW-RS instances/s: dicomkit serve / Orthanc)"
loads+=("$(load)")
orthanc_stop
stop_serve

echo "== QIDO at $QIDO_SCALE instances: serve's index through Index::add"
gen_out=$("$gen" index "$TEMPLATE" "$work/serve_big" "$QIDO_SCALE")
echo "$gen_out"
start_serve "$work/serve_big"
for k in qido_id qido_name; do
  paths $k "$QIDO_SCALE" > "$work/$k.big.paths"
  measure "serve-$QIDO_SCALE" "http://127.0.0.1:$serve_http" $k "$work/$k.big.paths"
  measure "serve-$QIDO_SCALE-1" "http://127.0.0.1:$serve_http" $k "$work/$k.big.paths" 1
  echo "ratio: $(div "${p95[orthanc-1,$k]}" "${p95[serve-$QIDO_SCALE-1,$k]}") ($k p95, one connection: Orthanc at $N / dicomkit serve at $QIDO_SCALE instances)"
done
loads+=("$(load)")
stop_serve

verdict() { awk -v a="$1" -v b="$2" 'BEGIN{exit !(a >= b)}' && echo met || echo MISSED; }
targets=()
for k in "${kinds[@]}"; do
  x=$(div "${rps[serve,$k]}" "${rps[orthanc,$k]}")
  case $k in qido_* | metadata) want=20 ;; *) want=5 ;; esac
  targets+=("$k requests/s: $x x Orthanc (>= $want: $(verdict "$x" $want))")
done
x=$(div "${stow[serve]}" "${stow[orthanc]}")
targets+=("STOW-RS instances/s: $x x Orthanc (>= 5: $(verdict "$x" 5))")
for k in qido_id qido_name; do
  v=${p95[serve-$QIDO_SCALE-1,$k]}
  targets+=("$k p95 at $QIDO_SCALE instances, one connection: $v ms (< 20 ms: $(verdict 20 "$v")); with $CONNECTIONS connections: ${p95[serve-$QIDO_SCALE,$k]} ms")
done
for t in "${targets[@]}"; do echo "target: $t"; done
echo "load average (1 min) at the start and end of each part: ${loads[*]}"

[ "$DOCS" = 1 ] || exit 0
out="$root/docs/benchmarks.md"
tmp="$work/bench.md"
describe() {
  case $1 in
    qido_id) echo "QIDO-RS \`/studies?PatientID=PATnnnnnnn\` (exact)" ;;
    qido_name) echo "QIDO-RS \`/studies?PatientName=FAMILY^J*\` (wild card)" ;;
    metadata) echo "WADO-RS \`/studies/{study}/metadata\` (10 instances)" ;;
    frames) echo "WADO-RS \`.../instances/{i}/frames/1\`" ;;
  esac
}
{
  if [ -f "$out" ]; then awk '/^## web/{skip=1;next} /^## /{skip=0} !skip' "$out"; else echo "# Benchmarks"; echo; fi
  echo "## web"
  echo
  echo "\`bench/web/run.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores, 127.0.0.1; Orthanc $(Orthanc --version 2> /dev/null | head -1 | awk '{print $2}')"
  echo "with its DICOMweb plugin $(dpkg-query -W -f='${Version}' orthanc-dicomweb 2> /dev/null) (Debian), $(wrk --version 2>&1 | head -1 | awk '{print $1, $2}')."
  echo "Command: \`N=$N STOW_N=$STOW_N QIDO_SCALE=$QIDO_SCALE DURATION=$DURATION CONNECTIONS=$CONNECTIONS THREADS=$THREADS bench/web/run.sh\`."
  echo "Load average (1 min) at the start and end of each part: ${loads[*]} (the machine's cores are shared with other work)."
  echo
  echo "Both servers hold the same $N generated instances (bench_archive_gen \`files\` from $(basename "$TEMPLATE"),"
  echo "5 per series, 2 series per study, 2 studies per patient), loaded through their DICOM ports with"
  echo "\`dicomkit send --parallel 4\` (serve in ${load_s[serve]} s, Orthanc in ${load_s[orthanc]} s); neither syncs its files"
  echo "(serve --no-fsync, Orthanc \"SyncStorageArea\": false); serve with a bearer token, Orthanc without authentication."
  echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION, cycling through 200 request paths of each kind (bench/web/paths.lua; random"
  echo "patients, 20 family names, studies, instances); latency from wrk's histogram."
  echo
  echo "| request | serve: requests/s | p50 / p95 | Orthanc: requests/s | p50 / p95 | requests/s serve / Orthanc |"
  echo "|---|---|---|---|---|---|"
  for k in "${kinds[@]}"; do
    echo "| $(describe $k) | ${rps[serve,$k]} | ${p50[serve,$k]} / ${p95[serve,$k]} ms | ${rps[orthanc,$k]} |" \
      "${p50[orthanc,$k]} / ${p95[orthanc,$k]} ms | **$(div "${rps[serve,$k]}" "${rps[orthanc,$k]}") x** |"
  done
  echo
  echo "STOW-RS: $STOW_N further generated instances posted to each by bench/web/stow.js (Node.js; one instance a"
  echo "request, $STOW_CONCURRENCY requests at a time on keep-alive connections, every answer 200): serve ${stow[serve]}"
  echo "instances/s, Orthanc ${stow[orthanc]} instances/s, **$(div "${stow[serve]}" "${stow[orthanc]}") x**."
  echo
  echo "QIDO at scale: serve with $QIDO_SCALE instances in its index (\`bench_archive_gen index\`: Index::add, no files,"
  echo "as QIDO reads only the index; $(echo "$gen_out" | sed -n 's/.*(\([0-9]*\) instances\/s).*/\1/p') instances/s), the same wrk runs; Orthanc at $N instances (above)."
  echo
  echo "Latency with one connection (wrk -c1: one request at a time) and with $CONNECTIONS (requests/s, p50 / p95):"
  echo
  echo "| request | serve, $N, -c1 | Orthanc, $N, -c1 | serve, $QIDO_SCALE, -c1 | serve, $QIDO_SCALE, -c$CONNECTIONS | p95 -c1 Orthanc $N / serve $QIDO_SCALE |"
  echo "|---|---|---|---|---|---|"
  for k in qido_id qido_name; do
    row="| $(describe $k) |"
    for l in serve-1 orthanc-1 "serve-$QIDO_SCALE-1" "serve-$QIDO_SCALE"; do
      row="$row ${rps[$l,$k]}/s, ${p50[$l,$k]} / ${p95[$l,$k]} ms |"
    done
    echo "$row **$(div "${p95[orthanc-1,$k]}" "${p95[serve-$QIDO_SCALE-1,$k]}") x** |"
  done
  echo
  echo "### against the targets"
  echo
  for t in "${targets[@]}"; do echo "- $t"; done
  echo
  echo "serve answers QIDO-RS from its SQLite index through service::Query (the C-FIND path; each read connection"
  echo "keeps the prepared statements of its last queries); metadata converts each instance's file to DICOM JSON once"
  echo "and keeps it in a 64 MiB cache named by the file's identity; a frame is read from the file and sent as stored. Orthanc runs"
  echo "with the plugin's defaults. wrk, the servers and the machine's other work share the cores: with"
  echo "$CONNECTIONS connections a request mostly waits for a core, so the p95 of those runs measures the machine as much"
  echo "as the server; the one-connection runs give the time of a request on its own."
  echo
} > "$tmp"
mv "$tmp" "$out"
echo "wrote $out"
