#!/usr/bin/env bash
# HL7 v2 over MLLP against python-hl7 (Debian python3-hl7) as the other side, on 127.0.0.1:
# its mllp_send and MLLPClient send the sample messages to serve's HL7 port (AA, its parser reads
# our ACKs), and `dicomkit hl7 send` sends them to its asyncio MLLP server (AA).
# usage: hl7_interop.sh DICOMKIT DATA_DIR(tests/data/hl7); exits 77 (skip) without python3-hl7.
set -uo pipefail
dk=$1
data=$2
py=/usr/bin/python3
[ -x /usr/bin/mllp_send ] && $py -c 'import hl7.mllp' 2> /dev/null || exit 77
work=$(mktemp -d)
pid=
peer=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2> /dev/null
  [ -n "$peer" ] && kill "$peer" 2> /dev/null
  wait 2> /dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail=0

"$dk" serve --bind 127.0.0.1 --port 0 --no-http --hl7-port 0 --data "$work/var" --no-fsync \
  > "$work/serve.out" 2> "$work/serve.err" &
pid=$!
port=
for _ in $(seq 1 100); do
  port=$(sed -n 's/^[^ ]* I: port \([0-9]*\): HL7 v2 over MLLP.*/\1/p' "$work/serve.err" 2> /dev/null)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "FAIL: serve did not start"; cat "$work/serve.err"; exit 1; }

# mllp_send --loose: one message a file, segments on lines.
for f in orm_o01_nw omi_o23_nw orm_o01_ca adt_a08 adt_a40; do
  tr '\r' '\n' < "$data/$f.hl7" > "$work/$f.txt"
  ack=$(timeout 30 /usr/bin/mllp_send --loose --port "$port" --file "$work/$f.txt" 127.0.0.1 2>&1 | tr '\r' '\n')
  echo "$ack" | grep -q '^MSA|AA|MSG0000' || { echo "FAIL: mllp_send $f: $ack"; fail=1; }
done
# MLLPClient: python-hl7 parses our ACK.
$py - "$port" "$data/adt_a08.hl7" << 'PY' || { echo "FAIL: MLLPClient"; fail=1; }
import sys, hl7
from hl7.client import MLLPClient
with MLLPClient('127.0.0.1', int(sys.argv[1])) as c:
    ack = c.send_message(hl7.parse(open(sys.argv[2]).read()))
a = hl7.parse(ack.decode() if isinstance(ack, bytes) else ack)
assert str(a.segment('MSA')[1]) == 'AA' and str(a.segment('MSA')[2]) == 'MSG00004', str(a)
assert str(a.segment('MSH')[3]) == 'DICOMKIT' and str(a.segment('MSH')[5]) == 'RIS', str(a)
PY
n=$(grep -c "I: HL7 127.0.0.1:[0-9]* .*: AA" "$work/serve.out")
[ "$n" -eq 6 ] || { echo "FAIL: $n AA event lines, expected 6"; cat "$work/serve.out"; fail=1; }

# dicomkit hl7 send to python-hl7's MLLP server.
cat > "$work/server.py" << 'PY'
import asyncio, sys, hl7
from hl7.mllp import start_hl7_server
async def handle(reader, writer):
    try:
        while not writer.is_closing():
            msg = await reader.readmessage()
            writer.writemessage(msg.create_ack(ack_code='AA'))
            await writer.drain()
    except asyncio.IncompleteReadError:
        pass
    finally:
        writer.close()
async def main():
    async with await start_hl7_server(handle, host='127.0.0.1', port=0, encoding='latin-1') as s:
        print(s.sockets[0].getsockname()[1], flush=True)
        await asyncio.sleep(60)
asyncio.run(main())
PY
$py "$work/server.py" > "$work/peer.port" 2> "$work/peer.err" &
peer=$!
pport=
for _ in $(seq 1 100); do
  pport=$(head -1 "$work/peer.port" 2> /dev/null)
  [ -n "$pport" ] && break
  sleep 0.1
done
[ -n "$pport" ] || { echo "FAIL: python-hl7 server did not start"; cat "$work/peer.err"; exit 1; }
out=$("$dk" hl7 send 127.0.0.1 "$pport" "$data/adt_a08.hl7" "$data/orm_o01_ca.hl7" 2>&1)
[ $? -eq 0 ] && [ "$(echo "$out" | grep -c ': AA MSG0000')" -eq 2 ] ||
  { echo "FAIL: hl7 send to python-hl7"; echo "$out"; cat "$work/peer.err"; fail=1; }

[ $fail -eq 0 ] && echo "hl7_interop: ok"
exit $fail
