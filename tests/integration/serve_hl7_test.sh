#!/usr/bin/env bash
# dicomkit serve's HL7 port on 127.0.0.1: `dicomkit hl7 send` of the sample orders and ADT
# messages (AA each, one event line per message), a broken message (AR/AE with the reason), an
# oversize frame (AR, the connection goes on), bytes outside a frame, `dicomkit hl7 parse`.
# usage: serve_hl7_test.sh DICOMKIT DATA_DIR(tests/data/hl7)
set -uo pipefail
dk=$1
data=$2
work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2> /dev/null
  wait 2> /dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail=0

printf '[hl7]\nmax_message_bytes = 4096\n' > "$work/serve.toml"
"$dk" serve --bind 127.0.0.1 --port 0 --no-http --hl7-port 0 --config "$work/serve.toml" \
  --data "$work/var" --no-fsync > "$work/serve.out" 2> "$work/serve.err" &
pid=$!
port=
for _ in $(seq 1 100); do
  port=$(sed -n 's/^[^ ]* I: port \([0-9]*\): HL7 v2 over MLLP.*/\1/p' "$work/serve.err" 2> /dev/null)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "FAIL: serve did not start an HL7 port"; cat "$work/serve.err"; exit 1; }
grep -q "messages up to 4096 bytes" "$work/serve.err" || { echo "FAIL: [hl7] max_message_bytes not taken"; fail=1; }

# The samples: all accepted, one ACK line each, exit 0.
out=$("$dk" hl7 send 127.0.0.1 "$port" "$data/orm_o01_nw.hl7" "$data/omi_o23_nw.hl7" "$data/orm_o01_ca.hl7" \
  "$data/adt_a08.hl7" "$data/adt_a40.hl7" 2>&1)
rc=$?
[ $rc -eq 0 ] || { echo "FAIL: hl7 send of the samples exited $rc"; echo "$out"; fail=1; }
[ "$(echo "$out" | grep -c ': AA ')" -eq 5 ] || { echo "FAIL: not five AA"; echo "$out"; fail=1; }
echo "$out" | grep -q "orm_o01_nw.hl7: AA MSG00001" || { echo "FAIL: no AA for MSG00001"; echo "$out"; fail=1; }

# Two messages in one file (separated by a blank line, LF line ends): two ACKs.
{ tr '\r' '\n' < "$data/adt_a08.hl7"; echo; tr '\r' '\n' < "$data/adt_a40.hl7"; } > "$work/two.hl7"
out=$("$dk" hl7 send 127.0.0.1 "$port" "$work/two.hl7" 2>&1)
[ "$(echo "$out" | grep -c ': AA ')" -eq 2 ] || { echo "FAIL: two messages in a file"; echo "$out"; fail=1; }

# A message without a patient ID: AE naming PID-3; an unsupported type: AR; exit code 1.
printf 'MSH|^~\\&|RIS|H|DK|R|20261206||ADT^A08|BAD1|P|2.5\rPID|1||\r' > "$work/nopid.hl7"
printf 'MSH|^~\\&|RIS|H|DK|R|20261206||ORU^R01|BAD2|P|2.5\rPID|1||X\r' > "$work/oru.hl7"
printf 'MSH|^~\\&|RIS|H|DK|R|20261206||ORM^O01|BAD3|P|2.5\rpid|1\r' > "$work/broken.hl7"
out=$("$dk" hl7 send 127.0.0.1 "$port" "$work/nopid.hl7" "$work/oru.hl7" "$work/broken.hl7" 2>&1)
rc=$?
[ $rc -eq 1 ] || { echo "FAIL: hl7 send of bad messages exited $rc (expected 1)"; fail=1; }
echo "$out" | grep -q "nopid.hl7: AE BAD1 PID-3" || { echo "FAIL: no AE for PID-3"; echo "$out"; fail=1; }
echo "$out" | grep -q "oru.hl7: AR BAD2" || { echo "FAIL: no AR for ORU"; echo "$out"; fail=1; }
echo "$out" | grep -q "broken.hl7: AE BAD3 segment 2" || { echo "FAIL: no AE for the broken segment"; echo "$out"; fail=1; }

# Oversize (over the 4096 bytes of [hl7]): AR with the control ID salvaged.
{ printf 'MSH|^~\\&|RIS|H|DK|R|20261206||ADT^A08|BIG1|P|2.5\rPID|1||P1\rNTE|1||'; head -c 10000 /dev/zero | tr '\0' x; printf '\r'; } > "$work/big.hl7"
out=$("$dk" hl7 send 127.0.0.1 "$port" "$work/big.hl7" "$data/adt_a08.hl7" 2>&1)
echo "$out" | grep -q "big.hl7: AR BIG1 .*over the limit" || { echo "FAIL: oversize not AR"; echo "$out"; fail=1; }
echo "$out" | grep -q "adt_a08.hl7: AA" || { echo "FAIL: no AA after the oversize message"; echo "$out"; fail=1; }

# Bytes outside a frame and a raw frame by hand (python), then a normal message on that connection.
/usr/bin/python3 - "$port" "$data/adt_a08.hl7" > "$work/raw.out" 2>&1 << 'PY' || { echo "FAIL: raw MLLP"; cat "$work/raw.out"; fail=1; }
import socket, sys
port, path = int(sys.argv[1]), sys.argv[2]
msg = open(path, 'rb').read()
s = socket.create_connection(('127.0.0.1', port), timeout=10)
s.sendall(b'GET / HTTP/1.0\r\n\r\n' + b'\x0b' + msg[:20])
s.sendall(msg[20:] + b'\x1c\x0d')
buf = b''
while not buf.endswith(b'\x1c\x0d'):
    chunk = s.recv(4096)
    if not chunk: break
    buf += chunk
assert buf.startswith(b'\x0b') and b'MSA|AA|MSG00004' in buf, buf
print('raw ok')
PY

sleep 0.3
grep -q "I: HL7 127.0.0.1:[0-9]* ORM^O01 MSG00001: AA" "$work/serve.out" || { echo "FAIL: no event line for MSG00001"; cat "$work/serve.out"; fail=1; }
grep -q "I: HL7 order NW ORD778899^RIS patient PAT12345 accession ACC2026120601 modality CT" "$work/serve.out" ||
  { echo "FAIL: no order event line"; cat "$work/serve.out"; fail=1; }
grep -q "W: HL7 .* ADT^A08 BAD1: AE PID-3" "$work/serve.out" || { echo "FAIL: no AE event line"; cat "$work/serve.out"; fail=1; }
grep -q "W: HL7 .* (over the size limit) BIG1: AR" "$work/serve.out" || { echo "FAIL: no oversize event line"; cat "$work/serve.out"; fail=1; }
grep -q "bytes outside an MLLP frame dropped" "$work/serve.out" || { echo "FAIL: skipped bytes not logged"; cat "$work/serve.out"; fail=1; }
kill -0 "$pid" 2> /dev/null || { echo "FAIL: serve died"; fail=1; }

# hl7 parse: the order as DICOM JSON.
"$dk" hl7 parse "$data/omi_o23_nw.hl7" > "$work/parse.json" 2> "$work/parse.err" || { echo "FAIL: hl7 parse"; cat "$work/parse.err"; fail=1; }
/usr/bin/python3 - "$work/parse.json" << 'PY' || fail=1
import json, sys
ev = json.load(open(sys.argv[1]))
assert len(ev) == 1 and ev[0]["event"] == "order" and ev[0]["control"] == "NW", ev
item = ev[0]["item"]
assert item["00080050"]["Value"] == ["ACC1001"], item["00080050"]
assert item["0020000D"]["Value"] == ["1.2.826.0.1.3680043.2.1125.1.1001"]
sps = item["00400100"]["Value"][0]
assert sps["00400001"]["Value"] == ["MR_AE_1"] and sps["00400020"]["Value"] == ["SCHEDULED"], sps
assert item["00100010"]["Value"][0]["Alphabetic"] == "\u5c71\u7530^\u592a\u90ce", item["00100010"]
PY

[ $fail -eq 0 ] && echo "serve_hl7_test: ok"
exit $fail
