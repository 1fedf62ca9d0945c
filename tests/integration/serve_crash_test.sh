#!/usr/bin/env bash
# dicomkit serve under kill -9 on 127.0.0.1: 300 distinct instances (made from one sample by
# changing its SOP Instance UID) are sent over two associations while the server is killed after
# a random number of stores; restarted on the same data folder it reconciles, and then every
# instance the sender was told succeeded is indexed, every index entry has its file (a C-GET of
# the study returns them all), every file is indexed, parses and holds the UID it is named by, no
# instance has two files and no temporary file is left. Three rounds on the same folder (from the
# second on, stored instances come again and are replaced, so replacements are interrupted too),
# then a clean stop, after which the start skips reconciliation.
# usage: serve_crash_test.sh DICOMKIT DATA_DIR
set -uo pipefail
dk=$1
data=$2
src=$data/implicit_vr/MR_small_implicit.dcm
[ -f "$src" ] || { echo "FAIL: $src missing"; exit 1; }
command -v perl > /dev/null || { echo "FAIL: perl is needed to make the instances"; exit 1; }
export TCP_NODELAY=1
work=$(mktemp -d)
serve_pid=
send_pid=
cleanup() {
  for p in $serve_pid $send_pid; do kill -9 "$p" 2> /dev/null; done
  wait 2> /dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail=0
var=$work/var
n_files=300

# shellcheck source=../support/serve_common.sh
source "$(dirname "$0")/../support/serve_common.sh"

start_serve() {  # start_serve NAME: serve on $var (fsync on, the default), sets $port and $serve_pid
  touch "$work/started"  # what is older in storage/.incoming was left by an earlier run
  "$dk" serve --bind 127.0.0.1 --port 0 --data "$var" --aet ARCHIVE --peer USER=127.0.0.1:1 \
    > "$work/$1.out" 2> "$work/$1.err" &
  serve_pid=$!
  port=$(wait_port "$work/$1.err")
  [ -n "$port" ] || { echo "FAIL: serve did not start"; cat "$work/$1.err"; exit 1; }
}

tag_value() {  # tag_value KEYWORD FILE
  "$dk" dump -t "$1" "$2" | sed -n 's/^([0-9A-F,]*) [A-Z][A-Z] \[\([^]]*\)\].*/\1/p' | head -1
}

# The instances: the sample's SOP Instance UID ends in a 4-digit component; copies get 1000..1299
# there (same length, so nothing else in the file moves).
uid=$(tag_value SOPInstanceUID "$src")
study=$(tag_value StudyInstanceUID "$src")
series=$(tag_value SeriesInstanceUID "$src")
prefix=${uid%.*}
[ ${#uid} -eq $((${#prefix} + 5)) ] || { echo "FAIL: unexpected sample UID $uid"; exit 1; }
mkdir -p "$work/in"
for i in $(seq 1000 $((1000 + n_files - 1))); do
  OLD=$uid NEW=$prefix.$i perl -0777 -pe 's/\Q$ENV{OLD}\E/$ENV{NEW}/g' "$src" > "$work/in/$i.dcm"
done
[ "$(tag_value SOPInstanceUID "$work/in/1000.dcm")" = "$prefix.1000" ] \
  || { echo "FAIL: cannot make instances"; exit 1; }
: > "$work/acked"

check_archive() {  # check_archive ROUND: the archive on $port and in $var is consistent
  local r=$1 bad=0
  timeout 60 "$dk" find 127.0.0.1 "$port" --aet USER --aec ARCHIVE -S --level IMAGE -k StudyInstanceUID="$study" \
    -k SeriesInstanceUID="$series" -k SOPInstanceUID= --format csv > "$work/find.csv" 2> "$work/find.err" \
    || { echo "FAIL: round $r: find"; cat "$work/find.err"; fail=1; return; }
  tail -n +2 "$work/find.csv" | cut -d, -f3 | sort > "$work/indexed"
  local missing
  missing=$(comm -23 <(sort -u "$work/acked") "$work/indexed")
  [ -z "$missing" ] || { echo "FAIL: round $r: acknowledged but not indexed:" $missing; bad=1; }
  local temps
  # Stores write their temporary files in storage/.incoming: nothing may be left there either,
  # but for the empty ones this run of serve made ahead for the next stores.
  temps=$(ls -A "$var/storage" | grep -v '\.dcm$' | grep -vx '\.incoming'
    find "$var/storage/.incoming" -type f \( -size +0 -o ! -newer "$work/started" \) -printf '.incoming/%f\n')
  [ -z "$temps" ] || { echo "FAIL: round $r: left in storage:" $temps; bad=1; }
  # File name -> UID ("<uid>.dcm" or "<uid>_2.dcm"); one file per instance, and the same set as the index.
  ls "$var/storage" | grep '\.dcm$' | sed 's/\(_2\)\{0,1\}\.dcm$//' | sort > "$work/stored"
  local twice
  twice=$(uniq -d "$work/stored")
  [ -z "$twice" ] || { echo "FAIL: round $r: two files for" $twice; bad=1; }
  diff <(sort -u "$work/stored") "$work/indexed" > "$work/diff" \
    || { echo "FAIL: round $r: storage (<) and index (>) differ"; head "$work/diff"; bad=1; }
  # Every file parses and holds the instance it is named by.
  (cd "$var/storage" && "$dk" dump ./*.dcm -t SOPInstanceUID) > "$work/dump.txt" 2> "$work/dump.err" \
    || { echo "FAIL: round $r: a stored file does not parse"; head -3 "$work/dump.err"; bad=1; }
  local wrong
  wrong=$(awk '/^# File:/ { f = $3; sub(/^\.\//, "", f); sub(/(_2)?\.dcm$/, "", f) }
               /^\(0008,0018\)/ { u = $3; gsub(/[][]/, "", u); if (u != f) print f }' "$work/dump.txt")
  [ -z "$wrong" ] || { echo "FAIL: round $r: files holding another UID:" $wrong; bad=1; }
  # Every index entry's file is there and readable: C-GET of the study returns them all.
  local n
  n=$(grep -c . "$work/indexed")
  rm -rf "$work/got"
  mkdir -p "$work/got"
  timeout 120 "$dk" get 127.0.0.1 "$port" --aet USER --aec ARCHIVE --out "$work/got" \
    -k StudyInstanceUID="$study" > "$work/get.out" 2>&1
  grep -q "^final: remaining=0 completed=$n failed=0" "$work/get.out" && [ "$(ls "$work/got" | grep -c .)" -eq "$n" ] \
    || { echo "FAIL: round $r: C-GET of the $n indexed instances"; tail -3 "$work/get.out"; bad=1; }
  [ "$bad" = 0 ] && echo "ok: round $r: $n indexed, $(sort -u "$work/acked" | grep -c .) acknowledged, consistent"
  [ "$bad" = 0 ] || fail=1
}

start_serve serve0
for r in 1 2 3; do
  kill_at=$((20 + RANDOM % 240))
  timeout 120 "$dk" send 127.0.0.1 "$port" "$work/in" -j 2 --aet USER --aec ARCHIVE > "$work/send$r.out" 2>&1 &
  send_pid=$!
  for _ in $(seq 1 3000); do
    [ "$(grep -c ' C-STORE ' "$work/serve$((r - 1)).out")" -ge "$kill_at" ] && break
    kill -0 "$send_pid" 2> /dev/null || break
    sleep 0.01
  done
  kill -9 "$serve_pid"
  wait "$serve_pid" 2> /dev/null
  serve_pid=
  wait "$send_pid"
  send_pid=
  stores=$(grep -c ' C-STORE ' "$work/serve$((r - 1)).out")
  # Acknowledged: every file the sender does not list as FAILED.
  for f in "$work"/in/*.dcm; do
    grep -qF "FAILED $f:" "$work/send$r.out" || echo "$prefix.$(basename "$f" .dcm)"
  done > "$work/acked$r"
  ok=$(sed -n 's/^sent \([0-9]*\) of.*/\1/p' "$work/send$r.out")
  [ "$ok" = "$(grep -c . "$work/acked$r")" ] \
    || { echo "FAIL: round $r: send says $ok sent"; head -3 "$work/send$r.out"; fail=1; }
  cat "$work/acked$r" >> "$work/acked"
  echo "round $r: killed after $stores stores (aimed at $kill_at), sender was told $ok succeeded"
  start_serve "serve$r"
  grep "^[^ ]* I: reconcile:" "$work/serve$r.out" | sed 's/^/  /'
  grep -q "^[^ ]* I: reconcile: .*the last stop was not clean" "$work/serve$r.out" \
    || { echo "FAIL: round $r: no reconciliation after kill -9"; cat "$work/serve$r.out"; fail=1; }
  check_archive "$r"
done

# A clean stop marks the folder; the next start trusts it and skips the scan.
kill -TERM "$serve_pid"
wait "$serve_pid"
serve_pid=
[ -f "$var/clean" ] || { echo "FAIL: no clean mark after SIGTERM"; fail=1; }
# ... and removes the temporary files it had made ahead (the next start does not look for them).
[ -z "$(ls -A "$var/storage/.incoming")" ] || { echo "FAIL: temporary files left after a clean stop"; fail=1; }
start_serve serve_clean
grep -q "^[^ ]* I: reconcile: skipped" "$work/serve_clean.out" \
  || { echo "FAIL: reconciled after a clean stop"; cat "$work/serve_clean.out"; fail=1; }
check_archive clean
exit $fail
