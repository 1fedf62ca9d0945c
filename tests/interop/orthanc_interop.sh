#!/usr/bin/env bash
# dicomkit against Orthanc (a private instance, tests/support/orthanc.sh), on 127.0.0.1 only:
#  1. dicomkit send stores the samples (tests/data/interop, damaged files left out) into Orthanc;
#     its REST API must list exactly their SOP Instance UIDs;
#  2. dicomkit find at PATIENT/STUDY/SERIES/IMAGE level, answers checked against the files
#     (orthanc_check.py);
#  3. dicomkit move of each study from Orthanc to a dicomkit receive peer, and dicomkit get of each
#     study into a folder: exactly the study's instances arrive, each with the data set it was sent
#     with (dcmdump, meta header left out);
#  4. Orthanc as the C-MOVE destination of dicomkit serve: serve stores the samples, dicomkit move
#     --dest ORTHANC per study, and Orthanc's REST API then lists the study's instances, each file
#     with the same data set.
# Orthanc, dcmdump, curl and pydicom are installed by scripts/bootstrap.sh: missing ones fail.
# usage: orthanc_interop.sh DICOMKIT DATA_DIR
set -uo pipefail
dk=$1
data=$2
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../support/orthanc.sh"
py=/usr/bin/python3
for t in dcmdump curl $py; do command -v $t > /dev/null || { echo "FAIL: $t is missing (run scripts/bootstrap.sh)"; exit 1; }; done
$py -c 'import pydicom' 2> /dev/null || { echo "FAIL: python3-pydicom is missing (run scripts/bootstrap.sh)"; exit 1; }
[ -n "$(orthanc_binary)" ] || { echo "FAIL: Orthanc is missing (run scripts/bootstrap.sh)"; exit 1; }
export TCP_NODELAY=1
# shellcheck source=../support/serve_common.sh
source "$(dirname "$0")/../support/serve_common.sh"
test_workspace orthanc_stop
failed() { echo "FAIL: $*"; fail=1; }

# The samples: study, series, SOP Instance UID, file (several files may share a UID).
$py "$here/orthanc_check.py" instances "$data" > "$work/samples.tsv" || { echo "FAIL: reading the samples"; exit 1; }
mkdir -p "$work/in"
cut -f4 "$work/samples.tsv" | while read -r f; do cp "$f" "$work/in/"; done
want_all=$(cut -f3 "$work/samples.tsv" | sort -u)
n_all=$(echo "$want_all" | grep -c .)
[ "$n_all" -ge 8 ] || { echo "FAIL: only $n_all sample instances in $data"; exit 1; }
studies=$(cut -f1 "$work/samples.tsv" | sort -u)
study_sops() { awk -F'\t' -v s="$1" '$1 == s {print $3}' "$work/samples.tsv" | sort -u; }

body() {  # the data set part of a dcmdump, without the meta header and the syntax line
  dcmdump -q +L "$1" 2> /dev/null | awk '/^# Dicom-Data-Set/{on=1; next} on && !/^# Used TransferSyntax/'
}
# The data set without what an encoding change alters (lengths, sequence/item length kinds,
# delimitation items, group lengths): for files that arrive in another transfer syntax.
content() {
  body "$1" | grep -v '(fffe,e00d)\|(fffe,e0dd)\|^ *([0-9a-f]\{4\},0000)' |
    sed -E 's/\((Sequence|Item) with (explicit|undefined) length #=[0-9]+\)/(\1)/; s/#.*//; s/ +$//'
}
syntax() { dcmdump -q +P 0002,0010 "$1" 2> /dev/null | awk '{print $3}'; }
identical=0 reencoded=0
# same_as_sent FILE UID: the file's data set is one of the samples with that UID: identical
# (dcmdump of the data set), or the same content re-encoded. Orthanc stores what it receives
# re-encoded by DCMTK (group lengths recomputed, sequences with explicit lengths), so files that
# passed through it may differ in those lengths only.
same_as_sent() {
  local s
  while read -r s; do
    if [ "$(syntax "$1")" = "$(syntax "$s")" ] && cmp -s <(body "$s") <(body "$1"); then
      identical=$((identical + 1)); return 0
    fi
    cmp -s <(content "$s") <(content "$1") && { reencoded=$((reencoded + 1)); return 0; }
  done < <(awk -F'\t' -v u="$2" '$3 == u {print $4}' "$work/samples.tsv")
  echo "    $1 differs from the sample(s) with SOP Instance UID $2:"
  diff <(content "$(awk -F'\t' -v u="$2" '$3 == u {print $4; exit}' "$work/samples.tsv")") <(content "$1") | head -10 | sed 's/^/      /'
  return 1
}
check_folder() {  # check_folder NAME DIR STUDY: exactly the study's instances, each as sent
  local got bad=0 f
  got=$(ls "$2" 2> /dev/null | grep '\.dcm$' | sed 's/\.dcm$//' | sort)
  [ "$got" = "$(study_sops "$3")" ] || { failed "$1 $3: got [$got] want [$(study_sops "$3")]"; return; }
  for f in "$2"/*.dcm; do same_as_sent "$f" "$(basename "$f" .dcm)" || bad=1; done
  [ $bad = 0 ] || failed "$1 $3: data sets differ"
}

# A dicomkit receive peer (C-MOVE destination DEST), then Orthanc knowing DKSCU and DEST.
mkdir -p "$work/moved"
"$dk" receive 0 --bind 127.0.0.1 --out "$work/moved" --aet DEST --no-fsync > "$work/recv.out" 2> "$work/recv.err" &
pids+=($!)
rport=$(wait_port "$work/recv.err")
[ -n "$rport" ] || { echo "FAIL: dicomkit receive did not start"; cat "$work/recv.err"; exit 1; }
orthanc_start "$work/orthanc1" DKSCU=127.0.0.1:1 DEST=127.0.0.1:"$rport" || { echo "FAIL: Orthanc did not start"; exit 1; }
oport=$ORTHANC_DICOM_PORT
echo "Orthanc $(curl -s --noproxy '*' "$ORTHANC_URL/system" | sed -n 's/.*"Version" : "\(.*\)".*/\1/p'): DICOM $oport, HTTP $ORTHANC_HTTP_PORT"

# 1. store
if timeout 120 "$dk" send 127.0.0.1 "$oport" --aet DKSCU --aec "$ORTHANC_AET" "$work/in" > "$work/send.out" 2>&1; then
  echo "ok: dicomkit send -> Orthanc: $(head -1 "$work/send.out")"
else
  failed "dicomkit send -> Orthanc"; cat "$work/send.out"
fi
got=$($py "$here/orthanc_check.py" rest-sops "$ORTHANC_URL" | sort)
[ "$got" = "$want_all" ] && echo "ok: Orthanc's REST API lists the $n_all instances" \
  || failed "Orthanc holds [$got], want [$want_all]"

# 2. find
$py "$here/orthanc_check.py" find "$dk" "$oport" DKSCU "$ORTHANC_AET" "$data" > "$work/find.out" 2>&1 || fail=1
grep -v '^ok:' "$work/find.out"

# 3. move to dicomkit receive, get into a folder
for study in $studies; do
  n=$(study_sops "$study" | grep -c .)
  rm -rf "$work/moved"/*
  if ! timeout 120 "$dk" move 127.0.0.1 "$oport" --aet DKSCU --aec "$ORTHANC_AET" --dest DEST \
    -k StudyInstanceUID="$study" > "$work/move.out" 2>&1; then
    failed "dicomkit move from Orthanc, study $study"; cat "$work/move.out"
  elif ! grep -q "^final: remaining=0 completed=$n failed=0" "$work/move.out"; then
    failed "dicomkit move counts, study $study (want $n completed)"; cat "$work/move.out"
  fi
  check_folder "move" "$work/moved" "$study"
  rm -rf "$work/got"
  if ! timeout 120 "$dk" get 127.0.0.1 "$oport" --aet DKSCU --aec "$ORTHANC_AET" --out "$work/got" \
    -k StudyInstanceUID="$study" > "$work/get.out" 2>&1; then
    failed "dicomkit get from Orthanc, study $study"; cat "$work/get.out"
  fi
  check_folder "get" "$work/got" "$study"
done
[ $fail = 0 ] && echo "ok: move and get of $(echo "$studies" | grep -c .) studies from Orthanc, data sets as sent" \
  "($identical identical, $reencoded the same content re-encoded)"
identical=0 reencoded=0
orthanc_stop

# 4. Orthanc as the C-MOVE destination of dicomkit serve (a fresh Orthanc that knows ARCHIVE).
orthanc_start "$work/orthanc2" ARCHIVE=127.0.0.1:1 || { echo "FAIL: Orthanc did not start"; exit 1; }
"$dk" serve --bind 127.0.0.1 --port 0 --data "$work/var" --aet ARCHIVE --peer DKSCU=127.0.0.1:1 \
  --peer ORTHANC=127.0.0.1:"$ORTHANC_DICOM_PORT" --no-fsync > "$work/serve.out" 2> "$work/serve.err" &
pids+=($!)
sport=$(wait_port "$work/serve.err")
[ -n "$sport" ] || { echo "FAIL: dicomkit serve did not start"; cat "$work/serve.err"; exit 1; }
timeout 120 "$dk" send 127.0.0.1 "$sport" --aet DKSCU --aec ARCHIVE "$work/in" > "$work/send2.out" 2>&1 \
  || { failed "dicomkit send -> serve"; cat "$work/send2.out"; }
moved=0
for study in $studies; do
  n=$(study_sops "$study" | grep -c .)
  if ! timeout 120 "$dk" move 127.0.0.1 "$sport" --aet DKSCU --aec ARCHIVE --dest ORTHANC \
    -k StudyInstanceUID="$study" > "$work/move2.out" 2>&1 \
    || ! grep -q "^final: remaining=0 completed=$n failed=0" "$work/move2.out"; then
    failed "serve -> Orthanc C-MOVE, study $study (want $n completed)"; cat "$work/move2.out"; continue
  fi
  got=$($py "$here/orthanc_check.py" rest-sops "$ORTHANC_URL" "$study" | sort)
  [ "$got" = "$(study_sops "$study")" ] || { failed "Orthanc lists [$got] for $study, want [$(study_sops "$study")]"; continue; }
  bad=0
  for sop in $got; do
    $py "$here/orthanc_check.py" rest-file "$ORTHANC_URL" "$sop" "$work/from_orthanc.dcm" \
      && same_as_sent "$work/from_orthanc.dcm" "$sop" || bad=1
  done
  [ $bad = 0 ] && moved=$((moved + 1)) || failed "serve -> Orthanc, study $study: data sets differ"
done
got=$($py "$here/orthanc_check.py" rest-sops "$ORTHANC_URL" | sort)
[ "$got" = "$want_all" ] || failed "after every move Orthanc holds [$got], want [$want_all]"
[ $fail = 0 ] && echo "ok: serve moved $moved studies to Orthanc; its REST API lists them, data sets as sent" \
  "($identical identical, $reencoded the same content re-encoded)"
exit $fail
