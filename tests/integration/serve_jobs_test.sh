#!/usr/bin/env bash
# dicomkit serve's send and retrieve jobs (POST /api/jobs) between two archives on 127.0.0.1,
# each the other's peer: A holds the samples (tests/data/interop); a "send" job on A C-STOREs a
# study, then one series, to B; a "retrieve" job on B has A C-MOVE another study to B. Each job
# is polled (GET /api/jobs/{id}) until it ends, then B's instances are compared with A's (C-FIND)
# and counted (GET /api/stats). Bad bodies answer 400, unknown peers 404, no token 401; a job
# to a peer that does not listen fails, saying why; starts and ends are logged. With DCMTK: a study
# of 8 instances (native, JPEG 2000, RLE) made with dcmodify, also sent to an uncompressed-only
# storescp (the compressed ones decoded on the way).
# usage: serve_jobs_test.sh DICOMKIT DATA_DIR
set -uo pipefail
dk=$1
data=$2
export TCP_NODELAY=1
# shellcheck source=../support/serve_common.sh
source "$(dirname "$0")/../support/serve_common.sh"
test_workspace
token=jobs-test-token-0123456789
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# wait_http_port LOGFILE: the HTTP port serve logged ("I: port N: HTTP ..."), within 15 s.
wait_http_port() {
  local port=
  for _ in $(seq 1 150); do
    port=$(sed -n 's/^[^ ]* I: port \([0-9]*\): HTTP.*/\1/p' "$1" | tail -1)
    [ -n "$port" ] && break
    sleep 0.1
  done
  echo "$port"
}
pa=$(free_port)
pb=$(free_port)
# DCMTK storescp takes the uncompressed syntaxes only (no +xa): a peer for which a send job decodes
# the compressed instances (CodecTranscoder). Optional: skipped without DCMTK.
sport=
if command -v storescp > /dev/null && command -v echoscu > /dev/null; then
  sport=$(free_port)
  mkdir -p "$work/scp"
  storescp -aet UNCOMP -od "$work/scp" "$sport" > "$work/storescp.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do echoscu -to 1 127.0.0.1 "$sport" > /dev/null 2>&1 && break; sleep 0.05; done
fi
start_serve() {  # NAME AE PORT PEER_AE PEER_PORT [FLAGS...]
  local name=$1 ae=$2 port=$3 peer=$4 peer_port=$5
  shift 5
  "$dk" serve --bind 127.0.0.1 --port "$port" --http-port 0 --http-token "$token" --data "$work/$name" --aet "$ae" \
    --peer "$peer=127.0.0.1:$peer_port" --peer USER=127.0.0.1:1 --peer NOWHERE=127.0.0.1:1 --no-fsync "$@" \
    > "$work/$name.out" 2> "$work/$name.err" &
  pids+=($!)
}
start_serve a ARCH_A "$pa" ARCH_B "$pb" ${sport:+--peer UNCOMP=127.0.0.1:$sport}
start_serve b ARCH_B "$pb" ARCH_A "$pa"
ha=$(wait_http_port "$work/a.err")
hb=$(wait_http_port "$work/b.err")
[ -n "$ha" ] && [ -n "$hb" ] || { echo "FAIL: serve did not start"; cat "$work/a.err" "$work/b.err"; exit 1; }

api() {  # METHOD PORT PATH [BODY]: prints the body, then the status on a line of its own
  local body=()
  [ $# -ge 4 ] && body=(--data "$4")
  curl -s -m 30 -X "$1" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    "${body[@]}" -w '\n%{http_code}\n' "http://127.0.0.1:$2$3"
}
field() { python3 -c 'import json,sys; v=json.loads(sys.stdin.read())'"$1"'; print("" if v is None else v)'; }
# poll PORT ID: waits (at most 120 s) until the job is done or failed; prints its JSON.
poll() {
  local j=
  for _ in $(seq 1 600); do
    j=$(api GET "$1" "/api/jobs/$2" | head -1)
    case $(echo "$j" | field '["state"]') in done | failed) break ;; esac
    sleep 0.2
  done
  echo "$j"
}
# instances PORT AEC STUDY [SERIES]: the SOP Instance UIDs (C-FIND), sorted.
instances() {
  local series=${4:-}
  [ -n "$series" ] || series=$(timeout 60 "$dk" find 127.0.0.1 "$1" --aet USER --aec "$2" -S --level SERIES \
    -k StudyInstanceUID="$3" -k SeriesInstanceUID= --format csv | tail -n +2 | cut -d, -f2)
  for se in $series; do
    timeout 60 "$dk" find 127.0.0.1 "$1" --aet USER --aec "$2" -S --level IMAGE -k StudyInstanceUID="$3" \
      -k SeriesInstanceUID="$se" -k SOPInstanceUID= --format csv | tail -n +2 | cut -d, -f3
  done | sort
}
stat_instances() { api GET "$1" /api/stats | head -1 | field '["instances"]'; }
iso='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
# check_job JSON N: done, N of N, no failure, ISO 8601 UTC times.
check_job() {
  local what=$1 j=$2 n=$3
  [ "$(echo "$j" | field '["state"]')" = done ] || { echo "FAIL: $what: $j"; fail=1; return; }
  [ "$(echo "$j" | field '["total"]')" = "$n" ] && [ "$(echo "$j" | field '["done"]')" = "$n" ] &&
    [ "$(echo "$j" | field '["failed"]')" = 0 ] || { echo "FAIL: $what counts (want $n): $j"; fail=1; }
  [[ $(echo "$j" | field '["started"]') =~ $iso ]] && [[ $(echo "$j" | field '["ended"]') =~ $iso ]] ||
    { echo "FAIL: $what times: $j"; fail=1; }
}

mkdir -p "$work/in"
find "$data" -name '*.dcm' -not -path '*/malformed/*' -exec cp {} "$work/in/" \;
# With DCMTK: one study of 8 instances in 3 series, 3 SOP classes, native, JPEG 2000 and RLE
# (copies of the samples under new UIDs), so that a job spans several instances and associations.
big=
if command -v dcmodify > /dev/null; then
  root=2.25.$(date +%s)$$
  big=$root.1
  i=0
  for spec in "MR_small_implicit.dcm 2" "MR_small_implicit.dcm 2" "MR_small_implicit.dcm 2" "MR_small_implicit.dcm 3" \
    "MR_small_implicit.dcm 3" "MR_small_implicit.dcm 3" "693_J2KI.dcm 4" "SC_rgb_rle_16bit.dcm 4"; do
    set -- $spec
    i=$((i + 1))
    f="$work/in/big_$i.dcm"
    cp "$(find "$data" -name "$1" | head -1)" "$f"
    dcmodify -nb -q -i "(0020,000D)=$big" -i "(0020,000E)=$root.$2" -i "(0008,0018)=$root.10$i" \
      -i "(0010,0020)=JOBS" "$f" || { echo "FAIL: dcmodify $1"; fail=1; }
  done
fi
timeout 60 "$dk" send 127.0.0.1 "$pa" "$work/in" --aet USER --aec ARCH_A > "$work/store.out" 2>&1
studies=$(timeout 60 "$dk" find 127.0.0.1 "$pa" --aet USER --aec ARCH_A -S --level STUDY \
  -k StudyInstanceUID= --format csv | tail -n +2 | sort -u)
# The two studies with the most series (the send of one series must leave others out).
s1= s2= s1_series=
for s in $studies; do
  ns=$(timeout 60 "$dk" find 127.0.0.1 "$pa" --aet USER --aec ARCH_A -S --level SERIES -k StudyInstanceUID="$s" \
    -k SeriesInstanceUID= --format csv | tail -n +2 | grep -c .)
  if [ -z "$s1" ] || [ "$ns" -gt "$s1_series" ]; then s2=$s1; s1=$s s1_series=$ns; elif [ -z "$s2" ]; then s2=$s; fi
done
[ -n "$s1" ] && [ -n "$s2" ] || { echo "FAIL: fewer than 2 studies in A: $studies"; exit 1; }
if [ -n "$big" ]; then [ "$s1" = "$big" ] && s1=$s2; s2=$big; fi  # a series of it sent, then all retrieved
want1=$(instances "$pa" ARCH_A "$s1")
want2=$(instances "$pa" ARCH_A "$s2")
n1=$(echo "$want1" | grep -c .)
n2=$(echo "$want2" | grep -c .)
[ "$n1" -ge 1 ] && [ "$n2" -ge 1 ] || { echo "FAIL: no instances in A's studies"; exit 1; }
[ "$(stat_instances "$hb")" = 0 ] || { echo "FAIL: B is not empty"; fail=1; }

# Refusals: the body, the peer, the token.
out=$(api POST "$ha" /api/jobs '{"type":"send","peer":"ARCH_B"}')
[ "$(echo "$out" | tail -1)" = 400 ] && echo "$out" | grep -q '"study\\" is missing' ||
  { echo "FAIL: a body without study: $out"; fail=1; }
out=$(api POST "$ha" /api/jobs '{"type":"send","peer":"ARCH_B","study":"'"$s1"'","serie":"1.2"}')
[ "$(echo "$out" | tail -1)" = 400 ] && echo "$out" | grep -q 'unknown key' || { echo "FAIL: an unknown key: $out"; fail=1; }
out=$(api POST "$ha" /api/jobs 'not json')
[ "$(echo "$out" | tail -1)" = 400 ] || { echo "FAIL: not JSON: $out"; fail=1; }
out=$(api POST "$ha" /api/jobs '{"type":"send","peer":"NOSUCH","study":"'"$s1"'"}')
[ "$(echo "$out" | tail -1)" = 404 ] && echo "$out" | grep -q 'no peer NOSUCH' || { echo "FAIL: unknown peer: $out"; fail=1; }
code=$(curl -s -m 30 -o /dev/null -w '%{http_code}' -X POST --data '{}' "http://127.0.0.1:$ha/api/jobs")
[ "$code" = 401 ] || { echo "FAIL: no token answered $code"; fail=1; }
[ "$(api GET "$ha" /api/jobs/77 | tail -1)" = 404 ] || { echo "FAIL: GET of an unknown job"; fail=1; }
echo "ok: refusals"

# send: study s1 from A to B.
out=$(api POST "$ha" /api/jobs '{"type":"send","peer":"ARCH_B","study":"'"$s1"'"}')
[ "$(echo "$out" | tail -1)" = 202 ] || { echo "FAIL: send job: $out"; fail=1; }
id=$(echo "$out" | head -1 | field '["id"]')
j=$(poll "$ha" "$id")
check_job "send study" "$j" "$n1"
got=$(instances "$pb" ARCH_B "$s1")
[ "$got" = "$want1" ] || { echo "FAIL: send: B has [$got] want [$want1]"; fail=1; }
[ "$(stat_instances "$hb")" = "$n1" ] || { echo "FAIL: B's stats after the send: $(api GET "$hb" /api/stats)"; fail=1; }
echo "ok: send of study $s1 ($n1 instances)"

# send: one series of s2.
se=$(timeout 60 "$dk" find 127.0.0.1 "$pa" --aet USER --aec ARCH_A -S --level SERIES -k StudyInstanceUID="$s2" \
  -k SeriesInstanceUID= --format csv | tail -n +2 | head -1 | cut -d, -f2)
want_se=$(instances "$pa" ARCH_A "$s2" "$se")
n_se=$(echo "$want_se" | grep -c .)
out=$(api POST "$ha" /api/jobs '{"type":"send","peer":"ARCH_B","study":"'"$s2"'","series":"'"$se"'"}')
j=$(poll "$ha" "$(echo "$out" | head -1 | field '["id"]')")
check_job "send series" "$j" "$n_se"
got=$(instances "$pb" ARCH_B "$s2")
[ "$got" = "$want_se" ] || { echo "FAIL: send of a series: B has [$got] want [$want_se]"; fail=1; }
echo "ok: send of series $se ($n_se instances)"

# retrieve: B asks A to C-MOVE study s2 to B.
out=$(api POST "$hb" /api/jobs '{"type":"retrieve","peer":"ARCH_A","study":"'"$s2"'"}')
[ "$(echo "$out" | tail -1)" = 202 ] || { echo "FAIL: retrieve job: $out"; fail=1; }
j=$(poll "$hb" "$(echo "$out" | head -1 | field '["id"]')")
check_job "retrieve study" "$j" "$n2"
got=$(instances "$pb" ARCH_B "$s2")
[ "$got" = "$want2" ] || { echo "FAIL: retrieve: B has [$got] want [$want2]"; fail=1; }
[ "$(stat_instances "$hb")" = $((n1 + n2)) ] || { echo "FAIL: B's stats after the retrieve: $(api GET "$hb" /api/stats)"; fail=1; }
echo "ok: retrieve of study $s2 ($n2 instances)"

# send to a peer that takes uncompressed syntaxes only: JPEG 2000 and RLE decoded on the way.
jobs_a=2  # the two sends above (the retrieve ran on B)
if [ -n "$sport" ] && [ -n "$big" ]; then
  out=$(api POST "$ha" /api/jobs '{"type":"send","peer":"UNCOMP","study":"'"$big"'"}')
  j=$(poll "$ha" "$(echo "$out" | head -1 | field '["id"]')")
  check_job "send to an uncompressed-only peer" "$j" "$n2"
  got=$(ls "$work/scp" | sed 's/^[A-Za-z]*\.//' | sort)
  [ "$got" = "$want2" ] || { echo "FAIL: storescp got [$got] want [$want2]"; fail=1; }
  for f in "$work"/scp/*; do
    dcmdump -q +P 0002,0010 "$f" | grep -q -e '=LittleEndianExplicit' -e '=LittleEndianImplicit' ||
      { echo "FAIL: $f not uncompressed: $(dcmdump -q +P 0002,0010 "$f")"; fail=1; }
  done
  jobs_a=3
  echo "ok: send of study $big to an uncompressed-only peer ($n2 instances, compressed ones decoded)"
fi

# A peer that does not listen: both kinds fail, saying why.
for body in '{"type":"send","peer":"NOWHERE","study":"'"$s1"'"}' '{"type":"retrieve","peer":"NOWHERE","study":"'"$s1"'"}'; do
  out=$(api POST "$ha" /api/jobs "$body")
  j=$(poll "$ha" "$(echo "$out" | head -1 | field '["id"]')")
  [ "$(echo "$j" | field '["state"]')" = failed ] && echo "$j" | field '["error"]' | grep -q NOWHERE ||
    { echo "FAIL: a job to a peer that does not listen: $j"; fail=1; }
done
j=$(api GET "$ha" "/api/jobs/$id" | head -1)
[ "$(echo "$j" | field '["state"]')" = done ] || { echo "FAIL: the first job is no longer listed: $j"; fail=1; }
n_jobs=$(api GET "$ha" /api/jobs | head -1 | field '.__len__()')
[ "$n_jobs" = $((jobs_a + 2)) ] || { echo "FAIL: A lists $n_jobs jobs, want $((jobs_a + 2))"; fail=1; }
echo "ok: jobs to a peer that does not listen fail"
# Cancel (POST /api/jobs/{id}/cancel): an ended job is 409, an unknown one 404, with no token 401.
out=$(api POST "$ha" "/api/jobs/$id/cancel")
[ "$(echo "$out" | tail -1)" = 409 ] && echo "$out" | grep -q "has ended (done)" || { echo "FAIL: cancel of an ended job: $out"; fail=1; }
[ "$(api POST "$ha" /api/jobs/77/cancel | tail -1)" = 404 ] || { echo "FAIL: cancel of an unknown job"; fail=1; }
code=$(curl -s -m 30 -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$ha/api/jobs/$id/cancel")
[ "$code" = 401 ] || { echo "FAIL: cancel with no token answered $code"; fail=1; }
echo "ok: cancel refusals"

# Event lines: on stdout.
grep -q " I: job $id started: send study $s1 to ARCH_B (127.0.0.1:$pb)" "$work/a.out" &&
  grep -q " I: job $id done: send study $s1 to ARCH_B: $n1 of $n1 instances, 0 failed" "$work/a.out" &&
  grep -q " W: job [0-9]* failed: retrieve study $s1 from NOWHERE" "$work/a.out" &&
  grep -q " I: job 1 done: retrieve study $s2 from ARCH_A: $n2 of $n2 instances, 0 failed" "$work/b.out" ||
  { echo "FAIL: job lines"; grep -h job "$work/a.out" "$work/b.out"; fail=1; }
[ $fail = 0 ] && echo "ok: serve jobs"
exit $fail
