#!/usr/bin/env bash
# dicomkit serve's [validation] on_ingest: a CT that matches its IOD and one without Modality
# (type 1 in General Series), sent with DCMTK's storescu (status shown) or dicomkit send.
# quarantine: the bad one answered 0xB007 (warning), not in the archive, listed by GET
# /api/quarantine with the missing tag, removed by DELETE; reject: refused (0xA900), nothing
# stored; warn: stored, a line says what is wrong; accept: stored without a word.
# usage: serve_validation_test.sh DICOMKIT DATA_DIR
set -uo pipefail
dk=$1
data=$2
export TCP_NODELAY=1
# shellcheck source=../support/serve_common.sh
source "$(dirname "$0")/../support/serve_common.sh"
test_workspace
token=validation-test-token-0123456789
fail() { echo "FAIL: $*"; fail=1; }
py=/usr/bin/python3

cp "$data/rt_set/CT.01.dcm" "$work/good.dcm"
cp "$data/rt_set/CT.02.dcm" "$work/bad.dcm"
"$dk" modify -e Modality "$work/bad.dcm" > /dev/null || fail "modify"
"$dk" validate "$work/good.dcm" > /dev/null || fail "the good file does not validate"
if "$dk" validate "$work/bad.dcm" > "$work/bad.txt"; then fail "the bad file validates"; fi
grep -q "(0008,0060)" "$work/bad.txt" || fail "validate does not name Modality"

serve_pid=
http=
port=
start() {  # MODE
  rm -rf "$work/data"
  cat > "$work/serve.toml" << EOF
[server]
data = "$work/data"
accept_unknown = true
[validation]
on_ingest = "$1"
EOF
  "$dk" serve -c "$work/serve.toml" --bind 127.0.0.1 --port 0 --http-port 0 --http-token "$token" --no-fsync \
    > "$work/$1.out" 2> "$work/$1.err" &
  serve_pid=$!
  pids+=($serve_pid)
  port=$(wait_port "$work/$1.err")
  http=
  for _ in $(seq 1 150); do
    http=$(sed -n 's/^[^ ]* I: port \([0-9]*\): HTTP.*/\1/p' "$work/$1.err" | tail -1)
    [ -n "$http" ] && break
    sleep 0.1
  done
  [ -n "$port" ] && [ -n "$http" ] || { cat "$work/$1.err"; echo "FAIL: serve ($1) did not start"; exit 1; }
}
stop() { kill "$serve_pid" 2> /dev/null; wait "$serve_pid" 2> /dev/null; }
api() {  # METHOD PATH > body, then the status on a line of its own
  curl -s -m 30 -X "$1" -H "Authorization: Bearer $token" -w '\n%{http_code}\n' "http://127.0.0.1:$http$2"
}
instances() { api GET /api/stats | head -1 | $py -c 'import json,sys; print(json.load(sys.stdin)["instances"])'; }
# store FILE: the status storescu saw (DCMTK), else dicomkit send's exit status
store() {
  if command -v storescu > /dev/null; then
    storescu -v -aec DICOMKIT 127.0.0.1 "$port" "$1" 2>&1 | sed -n 's/.*Received Store Response (\(.*\))/\1/p' | head -1
  else
    "$dk" send --aec DICOMKIT 127.0.0.1 "$port" "$1" > /dev/null 2>&1 && echo sent || echo refused
  fi
}

start quarantine
s=$(store "$work/good.dcm"); echo "quarantine, good: $s"
s=$(store "$work/bad.dcm"); echo "quarantine, bad: $s"
command -v storescu > /dev/null && { echo "$s" | grep -qi "warning" || fail "the quarantined store is not a warning: $s"; }
[ "$(instances)" = 1 ] || fail "1 instance expected in the archive, $(instances)"
q=$(api GET /api/quarantine)
echo "$q" | head -1 | cut -c1-300
[ "$(echo "$q" | tail -1)" = 200 ] || fail "GET /api/quarantine"
name=$(echo "$q" | head -1 | $py -c '
import json,sys
items = json.load(sys.stdin)
assert len(items) == 1, items
it = items[0]
assert it["errors"] >= 1 and it["iod"], it
assert any(f["tag"] == "00080060" and f["kind"].startswith("missing-type1") for f in it["findings"]), it["findings"]
print(it["name"])') || fail "the quarantine does not list the instance with its missing Modality"
[ -f "$work/data/quarantine/ingest/$name.dcm" ] || fail "no quarantined file $name.dcm"
"$dk" dump "$work/data/quarantine/ingest/$name.dcm" > /dev/null || fail "the quarantined file does not read"
# What is kept is the data set as it arrived, byte for byte (after the File Meta, which the receiver
# writes), when it arrived in the file's own transfer syntax.
$py - "$work/bad.dcm" "$work/data/quarantine/ingest/$name.dcm" << 'PY' || fail "the quarantined data set is not the one sent"
import struct, sys
def split(path):
    b = open(path, "rb").read()
    assert b[128:132] == b"DICM", path
    glen = struct.unpack("<I", b[132 + 8:132 + 12])[0]  # (0002,0000) UL, explicit VR
    end = 132 + 12 + glen
    meta = b[132:end]
    i = meta.find(b"\x02\x00\x10\x00")
    n = struct.unpack("<H", meta[i + 6:i + 8])[0]
    return meta[i + 8:i + 8 + n].rstrip(b"\0 "), b[end:]
ts_sent, sent = split(sys.argv[1])
ts_kept, kept = split(sys.argv[2])
if ts_sent != ts_kept:
    print(f"received in {ts_kept!r}, sent from {ts_sent!r}: not compared")
    sys.exit(0)
sys.exit(0 if sent == kept else 1)
PY
grep -q "kept in quarantine as $name.dcm" "$work/quarantine.err" "$work/quarantine.out" || fail "no log line"
[ "$(api DELETE "/api/quarantine/$name" | tail -1)" = 200 ] || fail "DELETE"
[ "$(api DELETE "/api/quarantine/$name" | tail -1)" = 404 ] || fail "a second DELETE is not 404"
[ "$(api DELETE "/api/quarantine/..%2Findex.db" | tail -1)" != 200 ] || fail "a name outside the folder deleted"
[ "$(api GET /api/quarantine | head -1)" = "[]" ] || fail "the quarantine is not empty after DELETE"
stop

start reject
s=$(store "$work/bad.dcm"); echo "reject, bad: $s"
command -v storescu > /dev/null && { echo "$s" | grep -qi "error\|failed\|a900" || fail "the rejected store is not an error: $s"; }
[ "$(instances)" = 0 ] || fail "nothing expected in the archive after reject"
stop

start warn
s=$(store "$work/bad.dcm"); echo "warn, bad: $s"
[ "$(instances)" = 1 ] || fail "warn stores the instance"
grep -q "stored though it does not match its IOD" "$work/warn.err" "$work/warn.out" || fail "no warning line"
stop

start accept
s=$(store "$work/bad.dcm"); echo "accept, bad: $s"
[ "$(instances)" = 1 ] || fail "accept stores the instance"
if grep -q "validation:" "$work/accept.err" "$work/accept.out"; then fail "accept validated"; fi
stop

[ $fail = 0 ] && echo PASS
exit $fail
