#!/usr/bin/env bash
# dicomkit serve with TLS on 127.0.0.1, with a throw-away CA and certificates made by openssl:
#  - a plain port and a TLS port ([server] tls_port) from a TOML file: dicomkit echo/send/find over
#    TLS, the sent instances indexed; a plain connection to the TLS port and a TLS client without
#    a certificate (required by default) fail; a peer with tls = true is refused on the plain port;
#  - C-MOVE to a peer with tls = true, a `dicomkit receive --tls` that requires our certificate:
#    the files arrive and parse;
#  - flags over the file: --tls on the main port with --no-require-client-cert;
#  - --check-config says which ports are TLS, and names the file, line and column of a missing
#    certificate; serve refuses to start with it (exit 1, no crash).
# Mode "dcmtk": DCMTK's echoscu and storescu (+tls) against the TLS port instead.
# usage: serve_tls_test.sh DICOMKIT DATA_DIR [MODE] ; exits 77 (skip) in dcmtk mode without DCMTK.
set -uo pipefail
dk=$1
data=$2
mode=${3:-dicomkit}
command -v openssl > /dev/null || { echo "FAIL: openssl is missing (scripts/bootstrap.sh installs it)"; exit 1; }
if [ "$mode" = dcmtk ]; then for t in echoscu storescu; do command -v $t > /dev/null || exit 77; done; fi
export TCP_NODELAY=1
# shellcheck source=../support/serve_common.sh
source "$(dirname "$0")/../support/serve_common.sh"
test_workspace

ok() { echo "ok: $1"; }
bad() {  # bad NAME [FILE]: records a failure, showing FILE's end
  echo "FAIL: $1"
  [ -n "${2:-}" ] && sed 's/^/    /' "$2" | tail -20
  fail=1
}
expect_ok() {  # expect_ok NAME COMMAND...
  local name=$1
  shift
  if timeout 60 "$@" > "$work/$name.out" 2>&1; then ok "$name"; else bad "$name" "$work/$name.out"; fi
}
expect_fail() {  # expect_fail NAME COMMAND...: must fail, and within the time limit
  local name=$1
  shift
  timeout 60 "$@" > "$work/$name.out" 2>&1
  local rc=$?
  if [ $rc -ne 0 ] && [ $rc -ne 124 ]; then ok "$name (refused)"; else bad "$name: rc=$rc" "$work/$name.out"; fi
}

# A CA, the server's certificate, a client's; and a client whose certificate another CA signed.
cert() {  # cert NAME CA: NAME.key and NAME.pem signed by CA
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$1" -keyout "$work/$1.key" -out "$work/$1.csr" &&
    openssl x509 -req -in "$work/$1.csr" -CA "$work/$2.pem" -CAkey "$work/$2.key" -CAcreateserial -days 1 \
      -out "$work/$1.pem"
}
{
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=dicomkit-test-ca -keyout "$work/ca.key" \
    -out "$work/ca.pem" &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=other-ca -keyout "$work/other_ca.key" \
      -out "$work/other_ca.pem" &&
    cert localhost ca && cert client ca && cert stranger other_ca
} > "$work/openssl.out" 2>&1 || { bad "openssl" "$work/openssl.out"; exit 1; }
tls_client=(--tls --cert "$work/client.pem" --key "$work/client.key" --ca "$work/ca.pem")

mkdir -p "$work/in"
for f in rt/rtplan.dcm implicit_vr/MR_small_implicit.dcm charset/chrH31.dcm; do
  cp "$data/$f" "$work/in/"
done

# The move destination: a TLS storage SCP that requires a client certificate from our CA.
"$dk" receive 0 --bind 127.0.0.1 --out "$work/moved" --aet DEST --no-fsync --tls --cert "$work/client.pem" \
  --key "$work/client.key" --ca "$work/ca.pem" > "$work/recv.out" 2> "$work/recv.err" &
pids+=($!)
rport=$(wait_port "$work/recv.err")
[ -n "$rport" ] || { bad "receive did not start" "$work/recv.err"; exit 1; }

cat > "$work/serve.toml" << EOF
[server]
ae_title = "ARCHIVE"
port = 0
tls_port = 0
data = "$work/var"

[tls]
certificate = "$work/localhost.pem"
private_key = "$work/localhost.key"
ca = "$work/ca.pem"

[[peers]]
ae_title = "USER"
host = "127.0.0.1"
allow = ["store", "query", "retrieve"]

[[peers]]
ae_title = "TLSUSER"
host = "127.0.0.1"
allow = ["store", "query", "retrieve"]
tls = true

[[peers]]
ae_title = "DEST"
host = "127.0.0.1"
port = $rport
allow = ["move-destination"]
tls = true
EOF

"$dk" serve --config "$work/serve.toml" --check-config > "$work/check.out" 2>&1 || bad "check-config" "$work/check.out"
grep -q "^[^ ]* I: port 0: DICOM (plain, no TLS)" "$work/check.out" &&
  grep -q "^[^ ]* I: port 0: DICOM over TLS (certificate $work/localhost.pem, key $work/localhost.key; client certificates required" \
    "$work/check.out" && ok "check-config names the TLS port" || bad "check-config output" "$work/check.out"

"$dk" serve --config "$work/serve.toml" --bind 127.0.0.1 --no-fsync > "$work/serve.out" 2> "$work/serve.err" &
pids+=($!)
port=$(wait_port "$work/serve.err")
tport=$(wait_tls_port "$work/serve.err")
[ -n "$port" ] && [ -n "$tport" ] || { bad "serve did not start" "$work/serve.err"; exit 1; }
grep -q "^[^ ]* I: port $port: DICOM (plain, no TLS)" "$work/serve.err" || bad "the log does not say port $port is plain" "$work/serve.err"

uids() { ls "$work/var/storage" | grep '\.dcm$' | sed 's/\.dcm$//' | sort; }
# list_instances HOST PORT ARGS...: the SOP Instance UIDs that C-FIND finds, study by study, series by series.
list_instances() {
  local f=(timeout 60 "$dk" find "$@" --aec ARCHIVE -S --format csv) study series
  for study in $("${f[@]}" --level STUDY -k StudyInstanceUID= | tail -n +2); do
    for series in $("${f[@]}" --level SERIES -k StudyInstanceUID="$study" -k SeriesInstanceUID= | tail -n +2 |
      cut -d, -f2); do
      "${f[@]}" --level IMAGE -k StudyInstanceUID="$study" -k SeriesInstanceUID="$series" -k SOPInstanceUID= |
        tail -n +2 | cut -d, -f3
    done
  done | sort
}

if [ "$mode" = dcmtk ]; then
  expect_ok echoscu_tls echoscu -aet TLSUSER -aec ARCHIVE +tls "$work/client.key" "$work/client.pem" +cf "$work/ca.pem" \
    127.0.0.1 "$tport"
  expect_ok storescu_tls storescu -aet TLSUSER -aec ARCHIVE +tls "$work/client.key" "$work/client.pem" \
    +cf "$work/ca.pem" 127.0.0.1 "$tport" "$work/in/rtplan.dcm"
  expect_fail echoscu_tls_without_client_cert echoscu -aet TLSUSER -aec ARCHIVE +tla +cf "$work/ca.pem" \
    127.0.0.1 "$tport"
  expect_fail echoscu_tls_client_cert_of_another_ca echoscu -aet TLSUSER -aec ARCHIVE +tls "$work/stranger.key" \
    "$work/stranger.pem" +cf "$work/ca.pem" 127.0.0.1 "$tport"
  expect_fail echoscu_plain_to_tls_port echoscu -to 5 -ta 5 -aet USER -aec ARCHIVE 127.0.0.1 "$tport"
  # The stored instance is indexed: found over the plain port.
  found=$(list_instances 127.0.0.1 "$port" --aet USER 2> "$work/find_dcmtk.err")
  [ -n "$found" ] && [ "$found" = "$(uids)" ] && ok "storescu's instance is indexed" ||
    bad "find after storescu: got [$found] want [$(uids)]" "$work/find_dcmtk.err"
  [ $fail = 0 ] && echo "PASS" || echo "FAILED"
  exit $fail
fi

# TLS clients with a certificate from our CA.
expect_ok echo_tls "$dk" echo 127.0.0.1 "$tport" --aet TLSUSER --aec ARCHIVE "${tls_client[@]}"
expect_ok send_tls "$dk" send 127.0.0.1 "$tport" "$work/in" --aet TLSUSER --aec ARCHIVE "${tls_client[@]}"
[ "$(uids | grep -c .)" = 3 ] || bad "stored $(uids | grep -c .) of 3 instances"
found=$(list_instances 127.0.0.1 "$tport" --aet TLSUSER "${tls_client[@]}" 2> "$work/find_tls.err")
[ -n "$found" ] && [ "$found" = "$(uids)" ] && ok "find over TLS: the instances sent over TLS are indexed" ||
  bad "find over TLS: got [$found] want [$(uids)]" "$work/find_tls.err"
found=$(list_instances 127.0.0.1 "$port" --aet USER 2> "$work/find_plain.err")
[ "$found" = "$(uids)" ] && ok "find over the plain port: the same" ||
  bad "find over the plain port: got [$found] want [$(uids)]" "$work/find_plain.err"

# What the TLS port refuses.
expect_fail echo_plain_to_tls_port "$dk" echo 127.0.0.1 "$tport" --aet USER --aec ARCHIVE --timeout 5
expect_fail echo_tls_without_client_cert "$dk" echo 127.0.0.1 "$tport" --aet TLSUSER --aec ARCHIVE --tls --ca "$work/ca.pem"
expect_fail echo_tls_other_ca_client_cert "$dk" echo 127.0.0.1 "$tport" --aet TLSUSER --aec ARCHIVE --tls \
  --cert "$work/stranger.pem" --key "$work/stranger.key" --ca "$work/ca.pem"
expect_fail echo_tls_to_plain_port "$dk" echo 127.0.0.1 "$port" --aet USER --aec ARCHIVE "${tls_client[@]}" --timeout 5
# A peer with tls = true only over TLS; the others on the plain port as before.
expect_fail echo_tls_peer_on_plain_port "$dk" echo 127.0.0.1 "$port" --aet TLSUSER --aec ARCHIVE
grep -q "W: TLSUSER@127.0.0.1:[0-9]* refused on the plain port: peer TLSUSER has tls = true, so it must use the TLS port $tport" \
  "$work/serve.out" && ok "the refusal is logged" || bad "no log line for the refused TLS peer" "$work/serve.out"
expect_ok echo_plain "$dk" echo 127.0.0.1 "$port" --aet USER --aec ARCHIVE

# C-MOVE (asked for on the plain port) to DEST, a peer with tls = true: serve connects with TLS,
# presenting its certificate, which DEST verifies against the CA.
n=$(uids | grep -c .)
completed=0
for study in $(timeout 60 "$dk" find 127.0.0.1 "$port" --aet USER --aec ARCHIVE -S --format csv --level STUDY \
  -k StudyInstanceUID= | tail -n +2); do
  timeout 120 "$dk" move 127.0.0.1 "$port" --aet USER --aec ARCHIVE --dest DEST -k StudyInstanceUID="$study" \
    > "$work/move.out" 2>&1 || bad "move $study" "$work/move.out"
  c=$(sed -n 's/^final: remaining=0 completed=\([0-9]*\) failed=0.*/\1/p' "$work/move.out")
  [ -n "$c" ] || bad "move $study: counts" "$work/move.out"
  completed=$((completed + ${c:-0}))
done
moved=$(ls "$work/moved" 2> /dev/null | grep '\.dcm$' | sed 's/\.dcm$//' | sort)
if [ "$moved" = "$(uids)" ] && [ "$completed" = "$n" ]; then
  ok "C-MOVE over TLS delivered $n instances"
else
  bad "C-MOVE over TLS: $completed completed, got [$moved] want [$(uids)]" "$work/move.out"
  sed 's/^/    serve: /' "$work/serve.out" | tail -5
fi
for f in "$work"/moved/*.dcm; do
  [ -f "$f" ] || continue
  "$dk" dump -q "$f" > /dev/null 2> "$work/dump.err" || bad "moved file does not parse: $f" "$work/dump.err"
done

# Flags over (and without) the file: the main port is TLS, client certificates are not asked for.
"$dk" serve --bind 127.0.0.1 --port 0 --data "$work/var2" --accept-unknown --no-fsync --tls \
  --cert "$work/localhost.pem" --key "$work/localhost.key" --no-require-client-cert \
  > "$work/serve2.out" 2> "$work/serve2.err" &
pids+=($!)
port2=$(wait_port "$work/serve2.err")
[ -n "$port2" ] || { bad "serve --tls did not start" "$work/serve2.err"; exit 1; }
grep -q "^[^ ]* I: listening on 127.0.0.1:$port2 (TLS) as DICOMKIT" "$work/serve2.err" &&
  grep -q "^[^ ]* I: port $port2: DICOM over TLS (.*client certificates not asked for)" "$work/serve2.err" &&
  ok "the log says the main port is TLS" || bad "serve --tls log" "$work/serve2.err"
expect_ok echo_tls_no_client_cert_needed "$dk" echo 127.0.0.1 "$port2" --aec DICOMKIT --tls --ca "$work/ca.pem"
expect_fail echo_plain_to_tls_main_port "$dk" echo 127.0.0.1 "$port2" --timeout 5

# A certificate that is not there: the file's line and column at --check-config and at start.
sed "s|^certificate = .*|certificate = \"$work/missing.pem\"|" "$work/serve.toml" > "$work/bad.toml"
line=$(grep -n '^certificate' "$work/bad.toml" | cut -d: -f1)
want="bad.toml:$line:15: tls.certificate $work/missing.pem: cannot read: No such file or directory"
"$dk" serve --config "$work/bad.toml" --check-config > "$work/bad_check.out" 2>&1
rc=$?
[ $rc = 1 ] && grep -qF "$want" "$work/bad_check.out" && ok "check-config names the missing certificate" ||
  bad "check-config with a missing certificate: rc=$rc" "$work/bad_check.out"
timeout 30 "$dk" serve --config "$work/bad.toml" --data "$work/var3" --bind 127.0.0.1 > "$work/bad_start.out" 2>&1
rc=$?
[ $rc = 1 ] && grep -qF "E: cannot start: " "$work/bad_start.out" && grep -qF "$want" "$work/bad_start.out" &&
  ok "serve does not start without its certificate" || bad "serve with a missing certificate: rc=$rc" "$work/bad_start.out"
# --cert over the file's (missing) certificate: the flag wins.
expect_ok check_config_cert_flag "$dk" serve --config "$work/bad.toml" --cert "$work/localhost.pem" --check-config

[ $fail = 0 ] && echo "PASS" || echo "FAILED"
exit $fail
