#!/usr/bin/env bash
# dicomkit serve on a full disk, on 127.0.0.1, with a small tmpfs mounted by the test (root; the
# test is skipped, exit 77, where mounting is not permitted): stores until serve refuses them
# (free space below [storage] min_free_mb): each refusal is 0xA700 with the figures, and every
# store answered Success is found. Then the disk is filled up: serve killed (-9) with a file in
# storage that the index lacks comes up read-only (its reconciliation cannot write the index),
# answers C-FIND and refuses stores with a reason; started with room it reconciles; stopped
# cleanly and started again on a full disk, it serves read-only too, and once the file system
# is grown it takes stores again without a restart.
# usage: serve_disk_full_test.sh DICOMKIT DATA_DIR
set -uo pipefail
dk=$1
data=$2
src=$data/implicit_vr/MR_small_implicit.dcm
[ -f "$src" ] || { echo "FAIL: $src missing"; exit 1; }
command -v perl > /dev/null || { echo "FAIL: perl is needed to make the instances"; exit 1; }
export TCP_NODELAY=1

# shellcheck source=../support/serve_common.sh
source "$(dirname "$0")/../support/serve_common.sh"
unmount() { mountpoint -q "$work/mnt" && umount -l "$work/mnt"; }
test_workspace unmount
mkdir -p "$work/mnt"
mount -t tmpfs -o size=12m tmpfs "$work/mnt" 2> "$work/mount.err" \
  || { echo "SKIP: cannot mount a tmpfs: $(cat "$work/mount.err")"; exit 77; }
var=$work/mnt/var
serve_pid=

start_serve() {  # start_serve NAME: serve on $var with a 2 MiB reserve, sets $port and $serve_pid
  "$dk" serve --bind 127.0.0.1 --port 0 --data "$var" --aet ARCHIVE --peer USER=127.0.0.1:1 --min-free-mb 2 \
    > "$work/$1.out" 2> "$work/$1.err" &
  serve_pid=$!
  pids+=("$serve_pid")
  port=$(wait_port "$work/$1.err")
  [ -n "$port" ] || { echo "FAIL: serve did not start ($1) on a full disk"; cat "$work/$1.err" "$work/$1.out"; exit 1; }
}
stop_serve() {  # stop_serve SIGNAL
  kill "-$1" "$serve_pid"
  wait "$serve_pid" 2> /dev/null
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
free_kib() { df -k --output=avail "$work/mnt" | tail -1 | tr -d ' '; }
fill_up() { dd if=/dev/zero of="$work/mnt/filler" bs=4k 2> /dev/null; }  # until the disk is full

uid=$(tag_value SOPInstanceUID "$src")
study=$(tag_value StudyInstanceUID "$src")
series=$(tag_value SeriesInstanceUID "$src")
prefix=${uid%.*}
[ ${#uid} -eq $((${#prefix} + 5)) ] || { echo "FAIL: unexpected sample UID $uid"; exit 1; }
mkdir -p "$work/in" "$work/late"
# One perl for the 1000 copies (same UID length, so nothing else in the file moves).
OLD=$uid PREFIX=$prefix OUT=$work/in perl -0777 -ne '
  for my $i (1000 .. 1999) {
    (my $c = $_) =~ s/\Q$ENV{OLD}\E/$ENV{PREFIX}.$i/g;
    open(my $o, ">", "$ENV{OUT}/$i.dcm") or die; binmode $o; print $o $c; close $o;
  }' "$src"
[ "$(tag_value SOPInstanceUID "$work/in/1999.dcm")" = "$prefix.1999" ] || { echo "FAIL: cannot make instances"; exit 1; }
OLD=$uid NEW=$prefix.2000 perl -0777 -pe 's/\Q$ENV{OLD}\E/$ENV{NEW}/g' "$src" > "$work/late/2000.dcm"

# 1. Stores until refused: 1000 instances of 12 KiB on tmpfs do not fit in 12 MiB.
start_serve serve0
grep -q "refused while less than 2 MiB are free" "$work/serve0.err" || { echo "FAIL: the reserve is not logged"; fail=1; }
timeout 120 "$dk" send 127.0.0.1 "$port" "$work/in" --aet USER --aec ARCHIVE > "$work/send.out" 2>&1
for f in "$work"/in/*.dcm; do
  grep -qF "FAILED $f:" "$work/send.out" || echo "$prefix.$(basename "$f" .dcm)"
done | sort > "$work/acked"
refused=$(grep -c '^FAILED ' "$work/send.out")
acked=$(grep -c . "$work/acked")
echo "sent 1000: $acked answered Success, $refused refused, $(free_kib) KiB left"
[ "$refused" -gt 0 ] && [ "$acked" -gt 100 ] || { echo "FAIL: expected both stored and refused"; tail -3 "$work/send.out"; fail=1; }
bad=$(grep '^FAILED ' "$work/send.out" | grep -v ': 0xA700 .*MiB free in the data folder, below the reserve of 2 MiB' | head -3)
[ -z "$bad" ] || { echo "FAIL: refusals without the reserve's reason:"; echo "$bad"; fail=1; }
grep -q "C-STORE .* 0xA700 .*below the reserve of 2 MiB" "$work/serve0.out" || { echo "FAIL: refusals not logged"; fail=1; }
find_uids "$work/found0"
missing=$(comm -23 "$work/acked" "$work/found0" | head -5)
[ -z "$missing" ] || { echo "FAIL: answered Success and not found:" $missing; fail=1; }

# 2. The disk full to the last byte, and a crash after which storage holds a file the index
# lacks: the start comes up (reconciliation cannot write the index: read-only), finds, refuses
# stores.
stop_serve 9
cp "$work/late/2000.dcm" "$var/storage/$prefix.2000.dcm"
fill_up
start_serve serve1
grep -E "^[^ ]* (W|E|I: reconcile)" "$work/serve1.out" | sed 's/^/  /'
grep -q "^[^ ]* W: $var is full ([0-9]* MiB free): serving read-only" "$work/serve1.out" \
  || { echo "FAIL: a start whose reconciliation cannot write the index does not say it serves read-only"; fail=1; }
[ -f "$var/storage/$prefix.2000.dcm" ] || { echo "FAIL: the file the index lacks is not left for the next start"; fail=1; }
find_uids "$work/found1"
missing=$(comm -23 "$work/acked" "$work/found1" | head -5)
[ -z "$missing" ] || { echo "FAIL: after kill -9 on a full disk, not found:" $missing; fail=1; }
timeout 60 "$dk" send 127.0.0.1 "$port" "$work/late" --aet USER --aec ARCHIVE > "$work/send1.out" 2>&1
grep -q "^FAILED .*: 0xA700 .*(.*)" "$work/send1.out" \
  || { echo "FAIL: a store on a full disk is not refused 0xA700 with a reason"; cat "$work/send1.out"; fail=1; }
echo "full disk after kill -9: started, $(grep -c . "$work/found1") found; store: $(grep '^FAILED' "$work/send1.out")"

# 3. A start with room reconciles (indexes the file left in 2.); a clean stop (the WAL
# checkpointed into the database file), then the disk fills up while serve is down: the start
# serves read-only and says so.
rm -f "$work/mnt/filler"
stop_serve TERM
start_serve serve2
grep -q "^[^ ]* I: reconcile: .* 1 files indexed" "$work/serve2.out" \
  || { echo "FAIL: the start with room does not reconcile"; grep reconcile "$work/serve2.out"; fail=1; }
stop_serve TERM
[ -f "$var/clean" ] || { echo "FAIL: no clean mark"; fail=1; }
fill_up
start_serve serve3
grep -E "^[^ ]* (W|E|I: reconcile)" "$work/serve3.out" | sed 's/^/  /'
grep -q "^[^ ]* W: $var is full ([0-9]* MiB free): serving read-only" "$work/serve3.out" \
  || { echo "FAIL: the start on a full disk does not say it serves read-only"; cat "$work/serve3.out"; fail=1; }
grep -q "^[^ ]* I: index: sqlite .*(read-only)" "$work/serve3.err" || { echo "FAIL: the index is not logged read-only"; fail=1; }
find_uids "$work/found3"
missing=$(comm -23 "$work/acked" "$work/found3" | head -5)
[ -z "$missing" ] || { echo "FAIL: read-only, not found:" $missing; fail=1; }
rm -rf "$work/got"
mkdir -p "$work/got"
timeout 60 "$dk" get 127.0.0.1 "$port" --aet USER --aec ARCHIVE --out "$work/got" -k StudyInstanceUID="$study" \
  -k SeriesInstanceUID="$series" -k SOPInstanceUID="$(head -1 "$work/acked")" --level IMAGE > "$work/get.out" 2>&1
grep -q "^final: remaining=0 completed=1 failed=0" "$work/get.out" || { echo "FAIL: read-only C-GET"; tail -3 "$work/get.out"; fail=1; }
rm -f "$work/mnt/filler"  # room for the temporary file: the store reaches the index's refusal
timeout 60 "$dk" send 127.0.0.1 "$port" "$work/late" --aet USER --aec ARCHIVE > "$work/send3.out" 2>&1
grep -q "^FAILED .*: 0xA700 .*(read-only: " "$work/send3.out" \
  || { echo "FAIL: a store to the read-only archive is not refused 0xA700 read-only"; cat "$work/send3.out"; fail=1; }
echo "read-only start: $(grep -c . "$work/found3") found, retrieved; store: $(grep '^FAILED' "$work/send3.out")"
# Space freed (the file system grown): serve sees it within seconds and takes stores again.
mount -o remount,size=24m "$work/mnt" || { echo "FAIL: cannot grow the tmpfs"; fail=1; }
for _ in $(seq 1 200); do grep -q "has room again" "$work/serve3.out" && break; sleep 0.1; done
grep -q "^[^ ]* I: $var has room again ([0-9]* MiB free): the index is writable and reconciled; stores are taken again" \
  "$work/serve3.out" || { echo "FAIL: serve does not leave read-only once there is room"; tail -3 "$work/serve3.out"; fail=1; }
timeout 60 "$dk" send 127.0.0.1 "$port" "$work/late" --aet USER --aec ARCHIVE > "$work/send3b.out" 2>&1
grep -q "^sent 1 of 1" "$work/send3b.out" || { echo "FAIL: a store after leaving read-only"; cat "$work/send3b.out"; fail=1; }
find_uids "$work/found3b"
grep -qx "$prefix.2000" "$work/found3b" || { echo "FAIL: the store after leaving read-only is not found"; fail=1; }
stop_serve TERM
[ -f "$var/clean" ] || { echo "FAIL: no clean mark after leaving read-only and a clean stop"; fail=1; }

# 4. The next start takes stores as usual.
start_serve serve4
grep -q "read-only" "$work/serve4.out" && { echo "FAIL: still read-only with space"; cat "$work/serve4.out"; fail=1; }
timeout 60 "$dk" send 127.0.0.1 "$port" "$work/late" --aet USER --aec ARCHIVE > "$work/send4.out" 2>&1
grep -q "^sent 1 of 1" "$work/send4.out" || { echo "FAIL: a store after space was freed"; cat "$work/send4.out"; fail=1; }
find_uids "$work/found4"
grep -qx "$prefix.2000" "$work/found4" || { echo "FAIL: the store after space was freed is not found"; fail=1; }
stop_serve TERM
[ "$fail" = 0 ] && echo "ok: reserve refusals with figures, every Success found, full-disk starts, read-only, recovery"
exit $fail
