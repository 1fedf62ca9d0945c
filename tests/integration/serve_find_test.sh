#!/usr/bin/env bash
# dicomkit serve end to end on 127.0.0.1: store the sample instances (tests/data/interop), then
# query them with `dicomkit find` (mode "dicomkit") or DCMTK findscu (mode "dcmtk") and
# check which studies, series and instances come back, and their values.
# usage: serve_find_test.sh DICOMKIT DATA_DIR MODE ; exits 77 (skip) in dcmtk mode without DCMTK.
set -uo pipefail
dk=$1
data=$2
mode=${3:-dicomkit}
if [ "$mode" = dcmtk ]; then for t in findscu storescu; do command -v $t > /dev/null || exit 77; done; fi
work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2> /dev/null
  wait 2> /dev/null
  rm -rf "$work"
}
trap cleanup EXIT
export TCP_NODELAY=1
fail=0

"$dk" serve --bind 127.0.0.1 --port 0 --data "$work/var" --aet ARCHIVE --peer STORER=127.0.0.1:1 \
  --peer QUERIER=127.0.0.1:2 --no-fsync > "$work/serve.out" 2> "$work/serve.err" &
pid=$!
port=
for _ in $(seq 1 100); do
  port=$(sed -n 's/^[^ ]* I: listening on 127.0.0.1:\([0-9]*\) .*/\1/p' "$work/serve.err")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "FAIL: serve did not start"; cat "$work/serve.err"; exit 1; }
grep -q "peer STORER at 127.0.0.1:1" "$work/serve.err" || { echo "FAIL: startup log lacks the peers"; fail=1; }

mkdir -p "$work/in"
find "$data" -name '*.dcm' -not -path '*/malformed/*' -exec cp {} "$work/in/" \;
# Sequences at the study and patient levels for sequence matching: two procedure codes in the MR
# study (both copies of its instance), another code in the RT study.
for f in "$work"/in/MR_small_*.dcm; do
  dcmodify -q -nb -i "(0008,1032)[0].(0008,0100)=MRHEAD" -i "(0008,1032)[0].(0008,0102)=LOCAL" \
    -i "(0008,1032)[0].(0008,0104)=MR head" -i "(0008,1032)[1].(0008,0100)=MRNECK" \
    -i "(0008,1032)[1].(0008,0102)=LOCAL" -i "(0008,1032)[1].(0008,0104)=MR neck" \
    -i "(0010,1002)[0].(0010,0020)=OTHER-4MR1" "$f" || { echo "FAIL: dcmodify $f"; fail=1; }
done
dcmodify -q -nb -i "(0008,1032)[0].(0008,0100)=RTPLAN" -i "(0008,1032)[0].(0008,0102)=LOCAL" "$work/in/rtplan.dcm" ||
  { echo "FAIL: dcmodify rtplan"; fail=1; }
# storescu cannot send the compressed samples without proposing their syntaxes one by one: the
# storing side is covered by dimse_interop.sh, here it is dicomkit send in both modes.
timeout 60 "$dk" send 127.0.0.1 "$port" "$work/in" --aet STORER --aec ARCHIVE > "$work/store.out" 2>&1
n=$(ls "$work/var/storage" | grep -c '\.dcm$')
[ "$n" -ge 8 ] || { echo "FAIL: only $n files stored"; cat "$work/store.out" | tail -5; fail=1; }

# query NAME ROOT(-P|-S) KEY=VALUE... : prints one line per match, the return keys' values
# joined with '|', sorted.
query() {
  local root=$1
  shift
  if [ "$mode" = dcmtk ]; then
    local args=() keys=()
    for k in "$@"; do
      args+=(-k "$k")
      case $k in QueryRetrieveLevel=*) ;; *) keys+=("${k%%=*}") ;; esac
    done
    mkdir -p "$work/rsp"
    timeout 60 findscu -aet QUERIER -aec ARCHIVE "$root" "${args[@]}" -X --output-directory "$work/rsp" \
      127.0.0.1 "$port" > "$work/find.out" 2>&1 || { cat "$work/find.out" >&2; return 1; }
    for f in "$work"/rsp/rsp*.dcm; do
      [ -f "$f" ] || continue
      local line=
      for key in "${keys[@]}"; do
        v=$(dcmdump -q -Un +P "$key" "$f" 2> /dev/null | sed -n 's/^[^[]*\[\(.*\)\].*/\1/p' | head -1)
        line+="${line:+|}$v"
      done
      echo "$line"
      [ -n "${KEEP_RSP:-}" ] || rm -f "$f"
    done | sort
  else
    local args=() lvl=STUDY
    for k in "$@"; do
      case $k in QueryRetrieveLevel=*) lvl=${k#*=} ;; *) args+=(-k "$k") ;; esac
    done
    timeout 60 "$dk" find 127.0.0.1 "$port" --aet QUERIER --aec ARCHIVE "$root" --level "$lvl" "${args[@]}" \
      --format csv 2> "$work/find.err" | tail -n +2 | tr ',' '|' | sort
  fi
}
expect() {  # expect NAME EXPECTED ACTUAL (lines compared sorted)
  local want got
  want=$(printf '%s\n' "$2" | sort)
  got=$(printf '%s\n' "$3" | sort)
  if [ "$want" = "$got" ]; then echo "ok: $1"; else
    echo "FAIL: $1"; echo "  expected: $want" | head -20; echo "  got:      $got" | head -20; fail=1
  fi
}

# Each match prints the keys' values in the order the keys are given.
mr=1.3.6.1.4.1.5962.1.2.4.20040826185059.5457
rt=1.22.333.4.555555.6.7777777777777777777777777777
sc=1.2.826.0.1.3680043.8.498.12406831542731051035295345080039845114

expect "exact PatientID" "4MR1|$mr|CompressedSamples^MR1" \
  "$(query -S QueryRetrieveLevel=STUDY PatientID=4MR1 StudyInstanceUID= PatientName=)"
expect "PatientName wild card, any case" "ID1|Lestrade^G" \
  "$(query -P QueryRetrieveLevel=PATIENT PatientID= PatientName=lest*)"
expect "PatientName wild card with ?" "4MR1|CompressedSamples^MR1" \
  "$(query -P QueryRetrieveLevel=PATIENT PatientID= PatientName=compressedsamples^?r1)"
expect "StudyDate range" "$rt|20030716
$mr|20040826" "$(query -S QueryRetrieveLevel=STUDY StudyInstanceUID= StudyDate=20030101-20101231)"
expect "StudyDate open range" "$sc|20170101
1.2.392.200036.9123.100.11.15002200303521616157144527203339851|20191019" \
  "$(query -S QueryRetrieveLevel=STUDY StudyInstanceUID= StudyDate=20170101-)"
expect "list of UIDs" "$mr|4MR1
$sc|ID1" "$(query -S QueryRetrieveLevel=STUDY "StudyInstanceUID=$mr\\$sc\\1.2.3" PatientID=)"
studies=$(find "$data" -name '*.dcm' -not -path '*/malformed/*' -exec dcmdump -q +P 0020,000d {} \; 2> /dev/null |
  sed -n 's/^[^[]*\[\(.*\)\].*/\1/p' | sort -u | wc -l)
got=$(query -S QueryRetrieveLevel=STUDY StudyInstanceUID= | wc -l)
expect "universal matching: every study ($studies)" "$studies" "$got"
expect "series level under a study" "$mr|1.3.6.1.4.1.5962.1.3.4.1.20040826185059.5457|MR|1" \
  "$(query -S QueryRetrieveLevel=SERIES StudyInstanceUID=$mr SeriesInstanceUID= Modality= NumberOfSeriesRelatedInstances=)"
sop=$(dcmdump -q +P 0008,0018 "$data/rt/rtplan.dcm" | sed -n 's/^[^[]*\[\(.*\)\].*/\1/p')
expect "image level" "id00001|$rt|1.2.333.444.55.6.7777.8888|$sop|1.2.840.10008.5.1.4.1.1.481.5" \
  "$(query -P QueryRetrieveLevel=IMAGE PatientID=id00001 StudyInstanceUID=$rt SeriesInstanceUID=1.2.333.444.55.6.7777.8888 SOPInstanceUID= SOPClassUID=)"
expect "modalities in study" "MR|$mr" "$(query -S QueryRetrieveLevel=STUDY ModalitiesInStudy=MR StudyInstanceUID=)"
# Keys outside the columns: any attribute of the level that the instances had.
expect "optional keys, study level" "$mr|80.0000|" \
  "$(query -S QueryRetrieveLevel=STUDY StudyInstanceUID=$mr PatientWeight= PatientAge=)"
expect "optional keys, series level" "$mr|1.3.6.1.4.1.5962.1.3.4.1.20040826185059.5457|TOSHIBA_MEC|TOSHIBA|000000000" \
  "$(query -S QueryRetrieveLevel=SERIES StudyInstanceUID=$mr SeriesInstanceUID= Manufacturer= InstitutionName= StationName=)"

# Sequence matching (PS3.4 C.2.2.2.6) and relational queries (C.4.1.2.2), with dicomkit find.
if [ "$mode" = dicomkit ]; then
  expect "sequence matching: the matching item only" "$mr|MRNECK|MR neck" \
    "$(query -S QueryRetrieveLevel=STUDY StudyInstanceUID= 'ProcedureCodeSequence[0].CodeValue=MRN*' \
        'ProcedureCodeSequence[0].CodeMeaning=')"
  expect "sequence matching: keys in one item" "" \
    "$(query -S QueryRetrieveLevel=STUDY StudyInstanceUID= 'ProcedureCodeSequence[0].CodeValue=RTPLAN' \
        'ProcedureCodeSequence[0].CodeMeaning=MR*')"
  expect "sequence matching: two studies" "$mr|LOCAL\\LOCAL|MRHEAD\\MRNECK
$rt|LOCAL|RTPLAN" "$(query -S QueryRetrieveLevel=STUDY StudyInstanceUID= 'ProcedureCodeSequence[0].CodingSchemeDesignator=LOCAL' \
        'ProcedureCodeSequence[0].CodeValue=')"
  expect "sequence matching: patient level" "4MR1|OTHER-4MR1" \
    "$(query -P QueryRetrieveLevel=PATIENT PatientID= 'OtherPatientIDsSequence[0].PatientID=OTHER-4MR1')"
  expect "empty sequence key: universal, whole sequence" "$mr|(2 items)" \
    "$(query -S QueryRetrieveLevel=STUDY StudyInstanceUID=$mr ProcedureCodeSequence=)"

  # SERIES level by Modality without the Study Instance UID: refused unless relational.
  mr_series=$(for f in "$work"/in/*.dcm; do
      [ "$(dcmdump -q +P 0008,0060 "$f" 2> /dev/null | sed -n 's/^[^[]*\[\(.*\)\].*/\1/p')" = MR ] || continue
      dcmdump -q +P 0020,000e "$f" | sed -n 's/^[^[]*\[\(.*\)\].*/\1|MR/p'
    done | sort -u)
  if timeout 60 "$dk" find 127.0.0.1 "$port" --aet QUERIER --aec ARCHIVE -S --level SERIES -k Modality=MR \
      -k SeriesInstanceUID= > "$work/hier.out" 2> "$work/hier.err"; then
    echo "FAIL: a SERIES query without the Study Instance UID was answered without --relational"; fail=1
  elif grep -q "unique key of level STUDY" "$work/hier.err"; then echo "ok: hierarchical query refused"; else
    echo "FAIL: hierarchical query: unexpected failure"; cat "$work/hier.err"; fail=1
  fi
  got=$(timeout 60 "$dk" find 127.0.0.1 "$port" --aet QUERIER --aec ARCHIVE -S --relational --level SERIES \
    -k SeriesInstanceUID= -k Modality=MR --format csv 2> "$work/rel.err" | tail -n +2 | tr ',' '|')
  expect "relational: SERIES by Modality" "$mr_series" "$got"
  if grep -q "did not accept relational" "$work/rel.err"; then echo "FAIL: relational not accepted"; fail=1; fi
  expect "relational: IMAGE by PatientID" "$sop" \
    "$(timeout 60 "$dk" find 127.0.0.1 "$port" --aet QUERIER --aec ARCHIVE -P --relational --level IMAGE \
        -k PatientID=id00001 -k SOPInstanceUID= --format csv 2> /dev/null | tail -n +2 | cut -d, -f2)"
fi

# An AE that is not configured may neither store nor query.
if [ "$mode" = dcmtk ]; then
  if timeout 30 findscu -aet STRANGER -aec ARCHIVE -S -k QueryRetrieveLevel=STUDY -k StudyInstanceUID= \
      127.0.0.1 "$port" > "$work/stranger.out" 2>&1; then
    echo "FAIL: unknown calling AE was served"; fail=1
  else echo "ok: unknown calling AE refused"; fi
else
  if timeout 30 "$dk" find 127.0.0.1 "$port" --aet STRANGER --aec ARCHIVE -k StudyInstanceUID= > "$work/stranger.out" 2>&1; then
    echo "FAIL: unknown calling AE was served"; fail=1
  elif grep -qi "reject" "$work/stranger.out"; then echo "ok: unknown calling AE refused"; else
    echo "FAIL: unknown calling AE: unexpected failure"; cat "$work/stranger.out"; fail=1
  fi
fi
# serve's log (one line per event, on its standard output) says who was refused and why.
for _ in $(seq 1 50); do grep -q "refused: association STRANGER->" "$work/serve.out" && break; sleep 0.1; done
if grep -q "^[^ ]* W: association from 127.0.0.1:[0-9]* refused: association STRANGER->[^:]*: rejected: .*calling-AE-title-not-recognized" "$work/serve.out"; then
  echo "ok: the refusal is logged"
else
  echo "FAIL: no log line for the refused association"; grep -i "refused" "$work/serve.out"; fail=1
fi
exit $fail
