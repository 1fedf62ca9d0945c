#!/usr/bin/env bash
# dicomkit serve's Upper Layer under attack on 127.0.0.1, and its called AE title check:
# - the Called AE Title must be serve's (--aet) or one of [server] called_ae_titles; another is
#   rejected (A-ASSOCIATE-RJ reason 7) and logged, unless --accept-any-called-ae;
# - duplicate presentation context IDs get an A-ASSOCIATE-RJ, garbage an A-ABORT, both logged
#   (with the offset), and a CR/LF in a peer's AE title cannot forge a log line;
# - 35 malformed PDUs (unknown types, bad and huge lengths, truncated items, P-DATA before the
#   association, a second A-ASSOCIATE-RQ, 200 contexts, ...) each get their answer, 20 rounds of
#   them leave serve's VmRSS flat, and an echo gets through afterwards;
# - a PDU-header flood (130 connections announcing 64 MiB) leaves serve's VmRSS far below that;
# - slowloris (64 idle, 64 trickling sockets, a reconnecting loop): 20 echoes each get through
#   within 2 s.
# usage: serve_ul_test.sh DICOMKIT
set -uo pipefail
dk=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../support/serve_common.sh"
test_workspace
export TCP_NODELAY=1
py=python3
attack() { timeout 60 "$py" "$here/serve_ul_attack.py" "$@"; }
ok() { echo "ok: $1"; }
bad() {
  echo "FAIL: $1"
  [ -n "${2:-}" ] && tail -5 "$2"
  fail=1
}

cat > "$work/serve.toml" << EOF
[server]
ae_title = "ARCHIVE"
called_ae_titles = ["ALIAS"]
EOF
"$dk" serve --config "$work/serve.toml" --bind 127.0.0.1 --port 0 --data "$work/var" --peer USER=127.0.0.1:1 \
  --no-fsync > "$work/serve.out" 2> "$work/serve.err" &
spid=$!
pids+=($spid)
port=$(wait_port "$work/serve.err")
[ -n "$port" ] || { bad "serve did not start" "$work/serve.err"; exit 1; }
grep -q "^[^ ]* I: called AE titles accepted: ARCHIVE, ALIAS (others are rejected)" "$work/serve.err" &&
  ok "the called AE titles are announced" || bad "no called AE titles line" "$work/serve.err"

# The called AE title.
echo_as() { timeout 30 "$dk" echo 127.0.0.1 "$1" --aet USER --aec "$2" --timeout 5; }
echo_as "$port" ARCHIVE > "$work/e1.out" 2>&1 && ok "echo to ARCHIVE" || bad "echo to ARCHIVE" "$work/e1.out"
echo_as "$port" ALIAS > "$work/e2.out" 2>&1 && ok "echo to ALIAS (called_ae_titles)" || bad "echo to ALIAS" "$work/e2.out"
if echo_as "$port" OTHER > "$work/e3.out" 2>&1; then
  bad "echo to OTHER was accepted"
elif grep -q "called-AE-title-not-recognized" "$work/e3.out"; then
  ok "echo to OTHER rejected (reason 7)"
else
  bad "echo to OTHER: unexpected failure" "$work/e3.out"
fi
if command -v echoscu > /dev/null; then
  timeout 30 echoscu -aet USER -aec WRONG 127.0.0.1 "$port" > "$work/e4.out" 2>&1 &&
    bad "echoscu -aec WRONG was accepted" || ok "echoscu -aec WRONG rejected"
fi
sleep 0.3
grep -q "^[^ ]* W: association from 127.0.0.1:[0-9]* refused: association USER->OTHER: rejected: .*called-AE-title-not-recognized" \
  "$work/serve.out" && ok "the called AE refusal is logged" || bad "no log line for the called AE refusal" "$work/serve.out"

# Malformed requests before the association: answered and logged.
[ "$(attack rq "$port" USER ARCHIVE 1)" = "RJ 1 2 1" ] && ok "duplicate context IDs: A-ASSOCIATE-RJ (1, 2, 1)" ||
  bad "duplicate context IDs not answered with A-ASSOCIATE-RJ"
[ "$(attack garbage "$port")" = "ABORT" ] && ok "garbage: A-ABORT" || bad "garbage not answered with A-ABORT"
[ "$(attack rq "$port" $'EVIL\r\nW: FORGED' ARCHIVE 0)" = "RJ 1 1 3" ] && ok "unknown calling AE: RJ reason 3" ||
  bad "unknown calling AE with CR/LF not rejected"
sleep 0.3
grep -q "refused: .*presentation context ID 1 is used twice" "$work/serve.out" &&
  ok "the duplicate ID is logged" || bad "no log line for the duplicate ID" "$work/serve.out"
grep -q "refused: .*unrecognized PDU type 47H" "$work/serve.out" &&
  ok "the garbage is logged" || bad "no log line for the garbage" "$work/serve.out"
grep -q 'EVIL\\x0d\\x0aW: FORGED' "$work/serve.out" && ! grep -q "^W: FORGED" "$work/serve.out" &&
  ok "a CR/LF in an AE title is escaped in the log" || bad "CR/LF in an AE title" "$work/serve.out"

# Malformed PDUs, each on a connection of its own: the expected answer for every one, then 20
# rounds (700 connections) with serve's VmRSS flat and an echo answered afterwards.
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$spid/status"; }
cat > "$work/malformed.want" << 'WANT'
unknown-type-00 ABORT
unknown-type-08 ABORT
unknown-type-ff ABORT
rq-length-0 ABORT
rq-shorter-than-fixed-fields ABORT
rq-length-4g-then-eof ABORT
rq-truncated-then-eof CLOSED
rq-header-3-bytes-then-eof CLOSED
rq-item-length-past-pdu ABORT
rq-context-item-length-0 ABORT
rq-context-item-truncated ABORT
rq-ts-length-past-context ABORT
rq-max-length-item-2-bytes ABORT
rq-user-info-length-past-pdu ABORT
rq-no-application-context ABORT
rq-no-presentation-context ABORT
rq-protocol-version-0 RJ 1 2 2
rq-blank-calling-ae RJ 1 1 3
rq-200-contexts ABORT
rq-even-context-id RJ 1 2 1
p-data-before-association ABORT
release-rq-before-association ABORT
release-rp-before-association ABORT
ac-sent-to-the-acceptor ABORT
rj-sent-to-the-acceptor ABORT
abort-before-association CLOSED
second-associate-rq ABORT
p-data-pdv-length-0 ABORT
p-data-pdv-length-past-pdu ABORT
p-data-unknown-context-id ABORT
p-data-garbage-command ABORT
p-data-length-4g-then-eof ABORT
unknown-type-after-association ABORT
release-rq-length-10 ABORT
ac-after-association ABORT
WANT
attack malformed "$port" USER ARCHIVE 2 > "$work/malformed1.out" 2>&1
if diff <(sed -n 's/^1 //p' "$work/malformed1.out") "$work/malformed.want" > "$work/malformed.diff"; then
  ok "35 malformed PDUs: each answered as expected"
else
  bad "malformed PDUs: unexpected answers (got <, want >)" "$work/malformed.diff"
fi
before=$(rss)
timeout 120 "$py" "$here/serve_ul_attack.py" malformed "$port" USER ARCHIVE 20 > "$work/malformed2.out" 2>&1
after=$(rss)
n_cases=$(grep -c . "$work/malformed.want")
n_same=$(sed 's/^[0-9]* //' "$work/malformed2.out" | grep -cxFf "$work/malformed.want")
[ "$n_same" = $((20 * n_cases)) ] && ok "20 rounds: all $n_same answers as expected" ||
  bad "20 rounds: $n_same of $((20 * n_cases)) answers as expected" "$work/malformed2.out"
if [ -n "$before" ] && [ -n "$after" ] && [ $((after - before)) -lt 2048 ]; then
  ok "malformed PDUs: serve's VmRSS $before kB -> $after kB after $((20 * n_cases)) connections"
else
  bad "malformed PDUs: serve's VmRSS $before kB -> $after kB"
fi
echo_as "$port" ARCHIVE > "$work/e7.out" 2>&1 && ok "an echo after the malformed PDUs" ||
  bad "echo after the malformed PDUs" "$work/e7.out"

# PDU-header flood: 130 connections announcing 64 MiB (8 GiB in all), then idle.
before=$(rss)
attack flood "$port" 130 4 > "$work/flood.out" 2>&1 &
fpid=$!
sleep 2
flood_echo=0
echo_as "$port" ARCHIVE > "$work/e5.out" 2>&1 && flood_echo=1
during=$(rss)
wait $fpid
[ "$flood_echo" = 1 ] && ok "an echo gets through during the flood" || bad "echo during the flood" "$work/e5.out"
if [ -n "$before" ] && [ -n "$during" ] && [ $((during - before)) -lt 65536 ]; then
  ok "flood: serve's VmRSS $before kB -> $during kB"
else
  bad "flood: serve's VmRSS $before kB -> $during kB"
fi
grep -q "refused: .*max_associate_length" "$work/serve.out" && ok "the oversized requests are logged" ||
  bad "no log line for the oversized requests" "$work/serve.out"

# Slowloris: 64 idle, 64 trickling, a reconnecting loop; 20 echoes each within 2 s.
attack slowloris "$port" 12 > "$work/slow.out" 2>&1 &
apid=$!
sleep 2
n_ok=0
slowest=0
for i in $(seq 1 20); do
  t0=$(date +%s%N)
  echo_as "$port" ARCHIVE > "$work/slow_echo.out" 2>&1 && n_ok=$((n_ok + 1))
  ms=$((($(date +%s%N) - t0) / 1000000))
  [ $ms -gt $slowest ] && slowest=$ms
  [ $ms -lt 2000 ] || bad "slowloris: echo $i took $ms ms"
  sleep 0.2
done
threads=$(sed -n 's/^Threads:[[:space:]]*//p' "/proc/$spid/status")
wait $apid
[ "$n_ok" = 20 ] && ok "slowloris: 20 of 20 echoes, slowest $slowest ms, serve has $threads threads; $(cat "$work/slow.out")" ||
  bad "slowloris: $n_ok of 20 echoes" "$work/slow_echo.out"
grep -q "dropped to make room" "$work/serve.out" && ok "dropped connections are logged" ||
  bad "no log line for dropped connections" "$work/serve.out"

# --accept-any-called-ae.
"$dk" serve --bind 127.0.0.1 --port 0 --data "$work/var2" --aet ARCHIVE --peer USER=127.0.0.1:1 --accept-any-called-ae \
  --no-fsync > "$work/serve2.out" 2> "$work/serve2.err" &
pids+=($!)
port2=$(wait_port "$work/serve2.err")
[ -n "$port2" ] || { bad "serve --accept-any-called-ae did not start" "$work/serve2.err"; exit 1; }
grep -q "^[^ ]* I: any called AE title is accepted" "$work/serve2.err" || bad "--accept-any-called-ae not announced"
echo_as "$port2" ANYTHING > "$work/e6.out" 2>&1 && ok "--accept-any-called-ae: echo to ANYTHING" ||
  bad "--accept-any-called-ae: echo to ANYTHING" "$work/e6.out"

[ $fail = 0 ] && echo "PASS" || echo "FAILED"
exit $fail
