#!/usr/bin/env bash
# dicomkit serve and files that do not belong in its storage, on 127.0.0.1: instances are stored,
# serve is killed (-9), and storage gets random bytes, a text file, a DICOM file cut short, one
# without a Study Instance UID, a copy under a name serve does not give, a folder, a stray file in
# storage/.incoming, and a stored instance's file is cut short. The next start must come up,
# log each with its path and reason, move each to DATA/quarantine (with a .reason file), drop the
# entry of the cut file, and every other stored instance must still be found and retrieved. Then
# an instance without a Study Instance UID is sent (refused, or answered and not indexable),
# serve stopped with SIGTERM and started again: it must come up, and what it answered must be
# found or be in quarantine.
# usage: serve_quarantine_test.sh DICOMKIT DATA_DIR
set -uo pipefail
dk=$1
data=$2
src=$data/implicit_vr/MR_small_implicit.dcm
[ -f "$src" ] || { echo "FAIL: $src missing"; exit 1; }
command -v perl > /dev/null || { echo "FAIL: perl is needed to make the instances"; exit 1; }
export TCP_NODELAY=1

# shellcheck source=../support/serve_common.sh
source "$(dirname "$0")/../support/serve_common.sh"
test_workspace
var=$work/var
serve_pid=

start_serve() {  # start_serve NAME: serve on $var, sets $port and $serve_pid
  "$dk" serve --bind 127.0.0.1 --port 0 --data "$var" --aet ARCHIVE --peer USER=127.0.0.1:1 \
    > "$work/$1.out" 2> "$work/$1.err" &
  serve_pid=$!
  pids+=("$serve_pid")
  port=$(wait_port "$work/$1.err")
  [ -n "$port" ] || { echo "FAIL: serve did not start ($1)"; cat "$work/$1.err" "$work/$1.out"; exit 1; }
}

tag_value() {  # tag_value KEYWORD FILE
  "$dk" dump -t "$1" "$2" | sed -n 's/^([0-9A-F,]*) [A-Z][A-Z] \[\([^]]*\)\].*/\1/p' | head -1
}

find_uids() {  # find_uids OUT: the SOP Instance UIDs of the sample's series, sorted
  timeout 60 "$dk" find 127.0.0.1 "$port" --aet USER --aec ARCHIVE -S --level IMAGE -k StudyInstanceUID="$study" \
    -k SeriesInstanceUID="$series" -k SOPInstanceUID= --format csv > "$work/find.csv" 2> "$work/find.err" \
    || { echo "FAIL: find"; cat "$work/find.err"; fail=1; }
  tail -n +2 "$work/find.csv" | cut -d, -f3 | sort > "$1"
}

uid=$(tag_value SOPInstanceUID "$src")
study=$(tag_value StudyInstanceUID "$src")
series=$(tag_value SeriesInstanceUID "$src")
prefix=${uid%.*}
[ ${#uid} -eq $((${#prefix} + 5)) ] || { echo "FAIL: unexpected sample UID $uid"; exit 1; }
make_instance() {  # make_instance N OUT: the sample as instance $prefix.N (4 digits)
  OLD=$uid NEW=$prefix.$1 perl -0777 -pe 's/\Q$ENV{OLD}\E/$ENV{NEW}/g' "$src" > "$2"
}
mkdir -p "$work/in" "$work/other"
for i in $(seq 1000 1019); do make_instance "$i" "$work/in/$i.dcm"; done

# 20 stored, then a crash.
start_serve serve0
timeout 60 "$dk" send 127.0.0.1 "$port" "$work/in" --aet USER --aec ARCHIVE > "$work/send0.out" 2>&1
grep -q "^sent 20 of 20" "$work/send0.out" || { echo "FAIL: first send"; tail -3 "$work/send0.out"; exit 1; }
find_uids "$work/found0"  # a query indexes what was answered: $prefix.1005 below is an indexed file
[ "$(grep -c . "$work/found0")" = 20 ] || { echo "FAIL: 20 stored, $(grep -c . "$work/found0") found"; exit 1; }
kill -9 "$serve_pid"
wait "$serve_pid" 2> /dev/null
st=$var/storage
[ -f "$st/$prefix.1005.dcm" ] || { echo "FAIL: no $st/$prefix.1005.dcm"; ls "$st" | head; exit 1; }

# What does not belong there.
head -c 5000 /dev/urandom > "$st/random.dcm"
printf 'notes of the night shift\n' > "$st/notes.txt"
make_instance 1100 "$work/other/1100.dcm"
head -c 6000 "$work/other/1100.dcm" > "$st/$prefix.1100.dcm"  # cut in the pixel data
# Implicit VR: Study Instance UID (0020,000D) renamed (0020,000C), which no dictionary knows.
make_instance 1101 "$work/other/1101.dcm"
perl -0777 -pe 's/\x20\x00\x0d\x00/\x20\x00\x0c\x00/' "$work/other/1101.dcm" > "$st/$prefix.1101.dcm"
[ -z "$(tag_value StudyInstanceUID "$st/$prefix.1101.dcm")" ] || { echo "FAIL: cannot make a file without Study UID"; exit 1; }
cp "$work/in/1003.dcm" "$st/copy of 1003.dcm"
mkdir -p "$st/old import"
cp "$work/in/1004.dcm" "$st/old import/x.dcm"
printf 'x' > "$st/.incoming/leftover.txt"
# A stored instance whose file was cut (a file system that lost its tail in the crash).
truncate -s 3000 "$st/$prefix.1005.dcm"

start_serve serve1
grep "reconcile" "$work/serve1.out" | sed 's/^/  /'
grep -q "^[^ ]* I: reconcile: .*the last stop was not clean" "$work/serve1.out" \
  || { echo "FAIL: no reconciliation after kill -9"; fail=1; }
check_quarantined() {  # check_quarantined NAME WHY: logged with its path and reason, moved, .reason written
  local name=$1 why=$2
  grep -qF "W: reconcile: storage/$name: moved to quarantine/$name: " "$work/serve1.out" \
    || { echo "FAIL: no log line for storage/$name"; fail=1; }
  grep -F "storage/$name:" "$work/serve1.out" | grep -qF "$why" \
    || { echo "FAIL: storage/$name: the log does not say '$why'"; grep -F "$name" "$work/serve1.out"; fail=1; }
  [ -e "$var/quarantine/$name" ] || { echo "FAIL: $name not in quarantine"; fail=1; }
  [ ! -e "$st/$name" ] || { echo "FAIL: $name still in storage"; fail=1; }
  grep -qF "reason: " "$var/quarantine/$name.reason" 2> /dev/null && grep -qF "$why" "$var/quarantine/$name.reason" \
    || { echo "FAIL: quarantine/$name.reason"; cat "$var/quarantine/$name.reason"; fail=1; }
}
check_quarantined random.dcm "not a complete DICOM file"
check_quarantined notes.txt "not a complete DICOM file"
check_quarantined "$prefix.1100.dcm" "cut short"
check_quarantined "$prefix.1101.dcm" "the index refuses instance $prefix.1101"
check_quarantined "copy of 1003.dcm" "not a file serve placed"
check_quarantined "old import" "a folder in storage"
grep -qF "W: reconcile: storage/.incoming/leftover.txt: moved to quarantine/leftover.txt" "$work/serve1.out" \
  && [ -f "$var/quarantine/leftover.txt.reason" ] || { echo "FAIL: storage/.incoming/leftover.txt"; fail=1; }
check_quarantined "$prefix.1005.dcm" "indexed as $prefix.1005 but no longer that file"
[ -f "$var/quarantine/old import/x.dcm" ] || { echo "FAIL: the folder's file is not in quarantine"; fail=1; }

# Every stored instance but the cut one is still found, and retrieved.
find_uids "$work/found1"
for i in $(seq 1000 1019); do [ "$i" = 1005 ] || echo "$prefix.$i"; done | sort > "$work/want1"
diff "$work/want1" "$work/found1" > "$work/diff1" || { echo "FAIL: found after the start differs (< want, > found)"; cat "$work/diff1"; fail=1; }
mkdir -p "$work/got"
timeout 60 "$dk" get 127.0.0.1 "$port" --aet USER --aec ARCHIVE --out "$work/got" -k StudyInstanceUID="$study" \
  > "$work/get.out" 2>&1
grep -q "^final: remaining=0 completed=19 failed=0" "$work/get.out" || { echo "FAIL: C-GET of the 19"; tail -3 "$work/get.out"; fail=1; }
[ "$fail" = 0 ] && echo "ok: after kill -9 with 9 foreign files: started, 9 quarantined, 19 found and retrieved"

# An instance without a Study Instance UID sent over the network, then SIGTERM and a start.
mkdir -p "$work/nostudy"
make_instance 1102 "$work/other/1102.dcm"
perl -0777 -pe 's/\x20\x00\x0d\x00/\x20\x00\x0c\x00/' "$work/other/1102.dcm" > "$work/nostudy/1102.dcm"
timeout 60 "$dk" send 127.0.0.1 "$port" "$work/nostudy" --aet USER --aec ARCHIVE > "$work/send2.out" 2>&1
answered=0
grep -q "^sent 1 of 1" "$work/send2.out" && answered=1
kill -TERM "$serve_pid"
wait "$serve_pid" || { echo "FAIL: serve did not stop cleanly"; fail=1; }
start_serve serve2
grep "reconcile" "$work/serve2.out" | sed 's/^/  /'
find_uids "$work/found2"
if [ "$answered" = 1 ]; then
  grep -qx "$prefix.1102" "$work/found2" || ls "$var/quarantine" | grep -qF "$prefix.1102.dcm" \
    || { echo "FAIL: $prefix.1102 was answered Success and is neither found nor in quarantine"; fail=1; }
  echo "ok: the instance without Study UID was answered; after SIGTERM the start came up"
else
  echo "ok: the instance without Study UID was refused: $(grep FAILED "$work/send2.out" | head -1)"
fi
diff "$work/want1" <(grep -vx "$prefix.1102" "$work/found2") > /dev/null || { echo "FAIL: found after SIGTERM differs"; fail=1; }
exit $fail
