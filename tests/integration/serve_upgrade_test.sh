#!/usr/bin/env bash
# dicomkit serve on a data folder written by an earlier version (tests/data/upgrade: an index that
# keeps file paths, schema 4): it must open, migrate the index on its first start and serve every
# instance: C-FIND finds each study and instance (and the Color Palette, a non-patient object), C-GET and C-MOVE
# bring each back with the data set bytes of the original file, and the index keeps
# storage ids, not paths; a second start serves them all again.
# usage: serve_upgrade_test.sh DICOMKIT DATA_DIR
set -uo pipefail
dk=$1
data=$2
export TCP_NODELAY=1
py=/usr/bin/python3
# shellcheck source=../support/serve_common.sh
source "$(dirname "$0")/../support/serve_common.sh"
test_workspace

tar -xzf "$data/upgrade/serve_data_before_blob_ids.tar.gz" -C "$work" || { echo "FAIL: untar"; exit 1; }
# The originals: the archive's own files as the earlier version stored them, by SOP Instance UID.
mkdir -p "$work/orig"
cp "$work"/var/storage/*.dcm "$work/orig/"

"$dk" receive 0 --bind 127.0.0.1 --out "$work/moved" --aet DEST --no-fsync > "$work/recv.out" 2> "$work/recv.err" &
pids+=($!)
rport=$(wait_port "$work/recv.err")
[ -n "$rport" ] || { echo "FAIL: receive did not start"; exit 1; }

start_serve() {
  "$dk" serve --bind 127.0.0.1 --port 0 --data "$work/var" --aet ARCHIVE --accept-unknown --min-free-mb 0 \
    --peer DEST=127.0.0.1:"$rport" --no-fsync > "$work/serve.out" 2> "$work/serve.err" &
  serve_pid=$!
  pids+=($serve_pid)
  port=$(wait_port "$work/serve.err")
  [ -n "$port" ] || { echo "FAIL: serve did not start"; cat "$work/serve.err"; exit 1; }
}
stop_serve() {
  kill "$serve_pid"
  for _ in $(seq 1 100); do kill -0 "$serve_pid" 2> /dev/null || break; sleep 0.1; done
}

# compare GOT_DIR: each file there must carry the data set of the original of its SOP Instance
# UID: byte for byte when it came in the stored transfer syntax (the File Meta Information is the
# receiver's own), element for element when the sender converted it (e.g. Implicit VR to
# Explicit VR Little Endian, for a peer that prefers it).
compare() {
  $py - "$work/orig" "$1" << 'PYEOF'
import os, struct, sys
def dataset(path):
    b = open(path, "rb").read()
    assert b[128:132] == b"DICM", path
    # (0002,0000) File Meta Information Group Length, UL, explicit VR little endian
    assert b[132:136] == b"\x02\x00\x00\x00", path
    n = struct.unpack("<I", b[140:144])[0]
    return b[144 + n:]
import pydicom
def info(path):
    d = pydicom.dcmread(path)
    return str(d.SOPInstanceUID), str(d.file_meta.TransferSyntaxUID), d, dataset(path)
orig = {}
for f in os.listdir(sys.argv[1]):
    u, ts, d, b = info(os.path.join(sys.argv[1], f))
    orig[u] = (ts, d, b)
bad = 0
for f in sorted(os.listdir(sys.argv[2])):
    u, ts, d, b = info(os.path.join(sys.argv[2], f))
    if u not in orig:
        print("unexpected", f); bad = 1
        continue
    ots, od, ob = orig[u]
    if ts == ots:
        same = b == ob
    else:
        same = len(d) == len(od) and all(e.tag in od and od[e.tag].value == e.value for e in d)
    if not same:
        print("data set differs:", u, ots, "->", ts); bad = 1
sys.exit(bad)
PYEOF
}

check_all() {  # $1: what this round is; every original instance must be found and retrieved
  local studies want got n
  studies=$(timeout 60 "$dk" find 127.0.0.1 "$port" --aet USER --aec ARCHIVE -S --level STUDY \
    -k StudyInstanceUID= --format csv | tail -n +2 | sort -u)
  n=$(echo "$studies" | grep -c .)
  [ "$n" -eq 5 ] || { echo "FAIL ($1): $n studies found, 5 expected: $studies"; fail=1; }
  rm -rf "$work/got" "$work/moved"/*
  mkdir -p "$work/got"
  all=
  for study in $studies; do
    want=$(for series in $(timeout 60 "$dk" find 127.0.0.1 "$port" --aet USER --aec ARCHIVE -S --level SERIES \
      -k StudyInstanceUID="$study" -k SeriesInstanceUID= --format csv | tail -n +2 | cut -d, -f2); do
      timeout 60 "$dk" find 127.0.0.1 "$port" --aet USER --aec ARCHIVE -S --level IMAGE -k StudyInstanceUID="$study" \
        -k SeriesInstanceUID="$series" -k SOPInstanceUID= --format csv | tail -n +2 | cut -d, -f3
    done)
    [ -n "$want" ] || { echo "FAIL ($1): no instance found in $study"; fail=1; }
    all=$(printf '%s\n%s' "$all" "$want")
    timeout 120 "$dk" get 127.0.0.1 "$port" --aet USER --aec ARCHIVE -S -k StudyInstanceUID="$study" \
      -o "$work/got" > "$work/get.out" 2>&1 || { echo "FAIL ($1): get $study"; cat "$work/get.out"; fail=1; }
    timeout 120 "$dk" move 127.0.0.1 "$port" --aet USER --aec ARCHIVE --dest DEST -k StudyInstanceUID="$study" \
      > "$work/move.out" 2>&1 || { echo "FAIL ($1): move $study"; cat "$work/move.out"; fail=1; }
  done
  # The Color Palette (a non-patient object): found and retrieved in its own model.
  cp=1.2.840.10008.1.5.2
  got=$(timeout 60 "$dk" find 127.0.0.1 "$port" --aet USER --aec ARCHIVE --model color-palette \
    -k SOPInstanceUID= --format csv | tail -n +2 | tr -d '\r')
  [ "$got" = "$cp" ] || { echo "FAIL ($1): color palette not found: $got"; fail=1; }
  timeout 60 "$dk" get 127.0.0.1 "$port" --aet USER --aec ARCHIVE --model color-palette -k SOPInstanceUID="$cp" \
    -o "$work/got" > "$work/get.out" 2>&1 || { echo "FAIL ($1): get color palette"; cat "$work/get.out"; fail=1; }
  n=$(ls "$work/got" | grep -c .)
  [ "$n" -eq 6 ] || { echo "FAIL ($1): $n files got, 6 expected"; ls "$work/got"; fail=1; }
  n=$(echo "$all" | grep -c .)
  [ "$n" -eq 5 ] || { echo "FAIL ($1): $n instances found, 5 expected"; fail=1; }
  compare "$work/got" || { echo "FAIL ($1): C-GET data sets differ"; fail=1; }
  n=$(ls "$work/moved" | grep -c '\.dcm$')
  [ "$n" -eq 5 ] || { echo "FAIL ($1): $n files moved, 5 expected"; ls "$work/moved"; fail=1; }
  compare "$work/moved" || { echo "FAIL ($1): C-MOVE data sets differ"; fail=1; }
}

[ "$(sqlite3 "$work/var/index.db" 'PRAGMA user_version')" = 4 ] || { echo "FAIL: the fixture is not at schema 4"; exit 1; }
start_serve
check_all "first start"
# The index names each instance by its id in storage: no path of the earlier version is left.
left=$(sqlite3 "$work/var/index.db" "SELECT path FROM instance UNION ALL SELECT path FROM object" | grep -c '/')
[ "$left" -eq 0 ] || { echo "FAIL: $left entries still keep a path"; fail=1; }
stop_serve
start_serve
check_all "second start"
# Nothing the earlier version stored was lost or moved aside.
[ -z "$(ls -A "$work/var/quarantine" 2> /dev/null)" ] || { echo "FAIL: quarantined:"; ls "$work/var/quarantine"; fail=1; }
stop_serve

[ "$fail" -eq 0 ] && echo "PASS: serve upgrade"
exit "$fail"
