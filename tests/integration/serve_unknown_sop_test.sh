#!/usr/bin/env bash
# dicomkit serve and SOP classes the dictionary does not know (a private class, 1.3.46.670589.5.0.1.1,
# and a 2.25 UID), sent with dicomkit send and with DCMTK storescu (when installed): refused by
# default (no storage context accepted, nothing stored), then with --promiscuous accepted, stored,
# found (C-FIND, SOPClassUID returned), moved (C-MOVE to a dicomkit receive --promiscuous) and got
# (C-GET) back with their data sets byte-identical to what was sent. Also `receive`: --promiscuous
# stores them, without it they are refused.
# usage: serve_unknown_sop_test.sh DICOMKIT PRIVATE_DATA_DIR
set -uo pipefail
dk=$1
data=$2
# shellcheck source=../support/serve_common.sh
source "$(dirname "$0")/../support/serve_common.sh"
test_workspace
private=$data/private_sop.dcm
uuid=$data/uuid_sop.dcm
[ -f "$private" ] && [ -f "$uuid" ] || { echo "FAIL: test data missing"; exit 1; }
have_storescu=0
command -v storescu > /dev/null && have_storescu=1
# storescu proposes only the storage classes it knows, unless a profile lists others.
cat > "$work/storescu.cfg" << 'CFG'
[[TransferSyntaxes]]
[Uncompressed]
TransferSyntax1 = LocalEndianExplicit
TransferSyntax2 = LittleEndianImplicit

[[PresentationContexts]]
[Unknown]
PresentationContext1 = 1.3.46.670589.5.0.1.1\Uncompressed
PresentationContext2 = 2.25.329800735698586629295641978511506172918\Uncompressed

[[Profiles]]
[Unknown]
PresentationContexts = Unknown
CFG
storescu_unknown=(storescu -xf "$work/storescu.cfg" Unknown -aet USER -aec ARCHIVE)

# The data set of a Part 10 file: what follows the meta group (its length from (0002,0000)).
dataset_bytes() {
  python3 -c '
import struct, sys
b = open(sys.argv[1], "rb").read()
assert b[128:132] == b"DICM"
assert b[132:136] == b"\x02\x00\x00\x00"
n = struct.unpack("<I", b[140:144])[0]
sys.stdout.buffer.write(b[144 + n:])' "$1"
}
same_dataset() {  # same_dataset A B: the two files' data sets are byte-identical
  cmp <(dataset_bytes "$1") <(dataset_bytes "$2") > /dev/null
}
start_serve() {  # start_serve NAME ARGS...: sets port
  local name=$1; shift
  "$dk" serve --bind 127.0.0.1 --port 0 --data "$work/var_$name" --aet ARCHIVE --peer USER=127.0.0.1:1 \
    --peer DEST=127.0.0.1:"$rport" --no-fsync "$@" > "$work/serve_$name.out" 2> "$work/serve_$name.err" &
  serve_pid=$!
  pids+=($serve_pid)
  port=$(wait_port "$work/serve_$name.err")
  [ -n "$port" ] || { echo "FAIL: serve $name did not start"; cat "$work/serve_$name.err"; exit 1; }
}
stored_count() { find "$work/var_$1/storage" -name '*.dcm' 2> /dev/null | wc -l; }

"$dk" receive 0 --bind 127.0.0.1 --out "$work/moved" --aet DEST --no-fsync --promiscuous \
  > "$work/recv.out" 2> "$work/recv.err" &
pids+=($!)
rport=$(wait_port "$work/recv.err")
[ -n "$rport" ] || { echo "FAIL: receive did not start"; exit 1; }

# 1. Default: known storage classes only.
start_serve default
if timeout 60 "$dk" send 127.0.0.1 "$port" "$private" "$uuid" --aet USER --aec ARCHIVE > "$work/send0.out" 2>&1; then
  echo "FAIL: send of unknown SOP classes succeeded by default"; cat "$work/send0.out"; fail=1
fi
if [ $have_storescu = 1 ] && timeout 60 "${storescu_unknown[@]}" 127.0.0.1 "$port" "$private" > "$work/storescu0.out" 2>&1; then
  echo "FAIL: storescu of a private SOP class succeeded by default"; cat "$work/storescu0.out"; fail=1
fi
grep -q 'no accepted presentation context for 1.3.46.670589.5.0.1.1' "$work/send0.out" \
  || { echo "FAIL: send's refusal does not name the context"; cat "$work/send0.out"; fail=1; }
[ $have_storescu = 0 ] || grep -q 'No Acceptable Presentation Contexts' "$work/storescu0.out" \
  || { echo "FAIL: storescu was not refused at negotiation"; cat "$work/storescu0.out"; fail=1; }
[ "$(stored_count default)" -eq 0 ] || { echo "FAIL: unknown SOP classes stored by default"; fail=1; }
kill "$serve_pid"; wait "$serve_pid" 2> /dev/null

# 2. --promiscuous (and the same through the config key, below).
start_serve promiscuous --promiscuous
grep -q 'SOP classes the dictionary does not know are accepted' "$work/serve_promiscuous.err" \
  || { echo "FAIL: serve does not say it accepts unknown SOP classes"; fail=1; }
timeout 60 "$dk" send 127.0.0.1 "$port" "$private" --aet USER --aec ARCHIVE > "$work/send1.out" 2>&1 \
  || { echo "FAIL: send of a private SOP class with --promiscuous"; cat "$work/send1.out"; fail=1; }
if [ $have_storescu = 1 ]; then
  timeout 60 "${storescu_unknown[@]}" 127.0.0.1 "$port" "$uuid" > "$work/storescu1.out" 2>&1 \
    || { echo "FAIL: storescu of a 2.25 SOP class with --promiscuous"; cat "$work/storescu1.out"; fail=1; }
else
  timeout 60 "$dk" send 127.0.0.1 "$port" "$uuid" --aet USER --aec ARCHIVE > "$work/send2.out" 2>&1 \
    || { echo "FAIL: send of a 2.25 SOP class with --promiscuous"; cat "$work/send2.out"; fail=1; }
fi
[ "$(stored_count promiscuous)" -eq 2 ] || { echo "FAIL: $(stored_count promiscuous) stored, want 2"; fail=1; }

# Found, moved and got back (data sets byte-identical to what was sent).
for f in "$private" "$uuid"; do
  iuid=$("$dk" dump -q -t SOPInstanceUID "$f" | sed -n 's/^(0008,0018) UI \[\([^]]*\)\].*/\1/p')
  suid=$("$dk" dump -q -t StudyInstanceUID "$f" | sed -n 's/^(0020,000D) UI \[\([^]]*\)\].*/\1/p')
  [ -n "$iuid" ] && [ -n "$suid" ] || { echo "FAIL: UIDs of $f"; fail=1; continue; }
  sop=$("$dk" dump -q -t SOPClassUID "$f" | sed -n 's/^(0008,0016) UI \[\([^]]*\)\].*/\1/p')
  timeout 60 "$dk" find 127.0.0.1 "$port" --aet USER --aec ARCHIVE -S --level SERIES -k StudyInstanceUID="$suid" \
    -k SeriesInstanceUID= --format csv > "$work/series.csv" 2> "$work/find.err" \
    || { echo "FAIL: find series of $f"; cat "$work/find.err"; fail=1; }
  series=$(tail -n +2 "$work/series.csv" | cut -d, -f2)
  timeout 60 "$dk" find 127.0.0.1 "$port" --aet USER --aec ARCHIVE -S --level IMAGE -k StudyInstanceUID="$suid" \
    -k SeriesInstanceUID="$series" -k SOPInstanceUID= -k SOPClassUID= --format csv > "$work/find.csv" \
    2> "$work/find.err" || { echo "FAIL: find $f"; cat "$work/find.err"; fail=1; }
  grep -q "$iuid,$sop" "$work/find.csv" || { echo "FAIL: find does not return $iuid $sop"; cat "$work/find.csv"; fail=1; }
  rm -rf "$work/moved"/*
  timeout 60 "$dk" move 127.0.0.1 "$port" --aet USER --aec ARCHIVE --dest DEST -k StudyInstanceUID="$suid" \
    > "$work/move.out" 2>&1 || { echo "FAIL: move $f"; cat "$work/move.out"; fail=1; }
  grep -q '^final: remaining=0 completed=1 failed=0' "$work/move.out" \
    || { echo "FAIL: move counts for $f"; cat "$work/move.out"; fail=1; }
  [ -f "$work/moved/$iuid.dcm" ] && same_dataset "$f" "$work/moved/$iuid.dcm" \
    || { echo "FAIL: moved $f is not the same data set"; ls -l "$work/moved"; fail=1; }
  rm -rf "$work/got"; mkdir -p "$work/got"
  timeout 60 "$dk" get 127.0.0.1 "$port" --aet USER --aec ARCHIVE --out "$work/got" -k StudyInstanceUID="$suid" \
    > "$work/get.out" 2>&1 || { echo "FAIL: get $f"; cat "$work/get.out"; fail=1; }
  got=$(find "$work/got" -name '*.dcm' | head -1)
  [ -n "$got" ] && same_dataset "$f" "$got" || { echo "FAIL: got $f is not the same data set"; cat "$work/get.out"; fail=1; }
done
kill "$serve_pid"; wait "$serve_pid" 2> /dev/null

# 3. The config key does the same as the flag.
printf '[storage]\naccept_unknown_sop_classes = true\n' > "$work/promiscuous.toml"
start_serve config --config "$work/promiscuous.toml"
timeout 60 "$dk" send 127.0.0.1 "$port" "$private" "$uuid" --aet USER --aec ARCHIVE > "$work/send3.out" 2>&1 \
  || { echo "FAIL: send with accept_unknown_sop_classes = true"; cat "$work/send3.out"; fail=1; }
[ "$(stored_count config)" -eq 2 ] || { echo "FAIL: config key: $(stored_count config) stored, want 2"; fail=1; }
kill "$serve_pid"; wait "$serve_pid" 2> /dev/null

# 4. receive: without --promiscuous unknown classes are refused, with it stored.
"$dk" receive 0 --bind 127.0.0.1 --out "$work/strict" --aet STRICT --no-fsync > "$work/recv2.out" 2> "$work/recv2.err" &
recv2=$!
pids+=($recv2)
sport=$(wait_port "$work/recv2.err")
if timeout 60 "$dk" send 127.0.0.1 "$sport" "$private" --aec STRICT > "$work/send4.out" 2>&1; then
  echo "FAIL: receive stored a private SOP class without --promiscuous"; fail=1
fi
[ "$(find "$work/strict" -name '*.dcm' | wc -l)" -eq 0 ] || { echo "FAIL: receive wrote a file"; fail=1; }
rm -rf "$work/moved"/*
timeout 60 "$dk" send 127.0.0.1 "$rport" "$private" --aec DEST > "$work/send5.out" 2>&1 \
  || { echo "FAIL: receive --promiscuous refused a private SOP class"; cat "$work/send5.out"; fail=1; }

[ "$fail" -eq 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
exit "$fail"
