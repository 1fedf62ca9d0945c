#!/usr/bin/env bash
# The logger through the CLI, on 127.0.0.1: serve --help names every service; serve's text lines
# carry an ISO-8601 UTC timestamp; --log-format json gives one parseable object a line (events
# with their fields); --log-file takes every line and is reopened on SIGHUP; [log] in the config;
# another tool's diagnostics through the same logger, its stdout unchanged.
# usage: cli_log_test.sh DICOMKIT PYTHON3
set -uo pipefail
dk=$1
py=${2:-python3}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../support/serve_common.sh"
test_workspace
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; [ -n "${2:-}" ] && cat "$2"; fail=1; }

# Every line of FILE a JSON object with time (ISO 8601 UTC, ms), level and message.
json_lines() {
  "$py" - "$1" << 'PY'
import json, re, sys
lines = open(sys.argv[1], encoding="ascii").read().splitlines()
assert lines, "no lines"
for line in lines:
    o = json.loads(line)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", o["time"]), o
    assert o["level"] in ("debug", "info", "warn", "error"), o
    assert isinstance(o["message"], str), o
PY
}

# 1. --help lists the services.
help=$("$dk" serve --help)
for want in C-ECHO C-STORE C-FIND C-MOVE C-GET "Patient Root" "Study Root" "Hanging Protocol" "Color Palette" \
  "Implant Template Group" "Defined Procedure" "TLS" "--log-format" "--log-file"; do
  grep -qF -- "$want" <<< "$help" || bad "serve --help does not name $want"
done
! grep -q "store, query and verify" <<< "$help" || bad "serve --help still says store, query and verify"
ok "serve --help names every service"

# 2. Text: the timestamp, then the words of today.
"$dk" serve --bind 127.0.0.1 --port 0 --data "$work/var" --aet ARCHIVE --accept-unknown --no-fsync \
  > "$work/serve.out" 2> "$work/serve.err" &
pids+=($!)
port=$(wait_port "$work/serve.err")
[ -n "$port" ] || { bad "serve did not start" "$work/serve.err"; exit 1; }
timeout 30 "$dk" echo 127.0.0.1 "$port" --aet ECHOER --aec ARCHIVE > /dev/null 2>&1 || bad "echo"
for _ in $(seq 1 50); do grep -q "association released" "$work/serve.out" && break; sleep 0.1; done
ts='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z'
grep -qE "^$ts I: listening on 127.0.0.1:$port as ARCHIVE" "$work/serve.err" &&
  grep -qE "^$ts I: ECHOER@127.0.0.1:[0-9]+ C-ECHO: 0x0000 Success" "$work/serve.out" &&
  grep -qE "^$ts I: ECHOER@127.0.0.1:[0-9]+ association released after 1 request \(C-ECHO 1\)" "$work/serve.out" &&
  ok "text lines: timestamp, level, today's words (events on stdout, the rest on stderr)" ||
  bad "text lines" "$work/serve.out"
kill "${pids[0]}"; wait "${pids[0]}" 2> /dev/null

# 3. JSON into a file, reopened on SIGHUP after a rename.
"$dk" serve --bind 127.0.0.1 --port 0 --data "$work/var" --aet ARCHIVE --accept-unknown --no-fsync \
  --log-format json --log-file "$work/serve.log" > "$work/serve2.out" 2> "$work/serve2.err" &
spid=$!
pids+=($spid)
port=
for _ in $(seq 1 150); do
  port=$(sed -n 's/.*"message":"listening on 127.0.0.1:\([0-9]*\) .*/\1/p' "$work/serve.log" 2> /dev/null)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { bad "serve --log-file did not log its port" "$work/serve2.err"; exit 1; }
timeout 30 "$dk" echo 127.0.0.1 "$port" --aet 'JSON"AE' --aec ARCHIVE > /dev/null 2>&1 || bad "echo (json)"
for _ in $(seq 1 50); do grep -q '"event":"association"' "$work/serve.log" && break; sleep 0.1; done
[ ! -s "$work/serve2.out" ] && [ ! -s "$work/serve2.err" ] && ok "--log-file takes every line" ||
  bad "lines outside --log-file" "$work/serve2.out"
json_lines "$work/serve.log" && ok "--log-format json: every line parses" || bad "json lines" "$work/serve.log"
"$py" - "$work/serve.log" << 'PY' && ok "json events carry their fields" || bad "json event fields" "$work/serve.log"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
echo = [r for r in rows if r.get("event") == "request" and r.get("command") == "C-ECHO"]
assert echo and echo[0]["calling_ae"] == 'JSON"AE' and echo[0]["status"] == "0x0000", rows
assert echo[0]["level"] == "info" and "C-ECHO: 0x0000 Success" in echo[0]["message"], echo
assoc = [r for r in rows if r.get("event") == "association"]
assert assoc and assoc[0]["end"] == "released" and assoc[0]["requests"] == "1", rows
PY
mv "$work/serve.log" "$work/serve.log.1"
kill -HUP $spid
for _ in $(seq 1 50); do [ -s "$work/serve.log" ] && break; sleep 0.1; done
timeout 30 "$dk" echo 127.0.0.1 "$port" --aet AFTER --aec ARCHIVE > /dev/null 2>&1 || bad "echo after SIGHUP"
for _ in $(seq 1 50); do grep -q '"calling_ae":"AFTER"' "$work/serve.log" 2> /dev/null && break; sleep 0.1; done
grep -q '"calling_ae":"AFTER"' "$work/serve.log" && ! grep -q AFTER "$work/serve.log.1" &&
  grep -q "log file reopened" "$work/serve.log" && json_lines "$work/serve.log" &&
  ok "SIGHUP reopens the log file" || bad "SIGHUP reopen" "$work/serve.log"
kill -0 $spid 2> /dev/null || bad "serve died on SIGHUP"
kill $spid; wait $spid 2> /dev/null

# 4. [log] in the configuration file; a flag overrides it.
cat > "$work/serve.toml" << EOT
[server]
ae_title = "ARCHIVE"
port = 0
data = "$work/var"
[log]
level = "info"
format = "json"
file = "$work/config.log"
EOT
"$dk" serve --config "$work/serve.toml" --check-config > "$work/check.out" 2>&1 || bad "check-config" "$work/check.out"
[ ! -s "$work/check.out" ] && json_lines "$work/config.log" && grep -q '"message":"configuration is valid' \
  "$work/config.log" && ok "[log] format and file" || bad "[log]" "$work/config.log"
"$dk" serve --config "$work/serve.toml" --check-config --log-level warn --log-file "$work/flag.log" > /dev/null 2>&1
[ ! -s "$work/flag.log" ] && ok "--log-level warn over [log]: no info lines" || bad "--log-level" "$work/flag.log"
printf '[log]\nformat = "yaml"\n' > "$work/bad.toml"
"$dk" serve --config "$work/bad.toml" --check-config > "$work/bad.out" 2>&1
grep -q 'log.format: expected "text" or "json"' "$work/bad.out" && ok "[log] format is checked" ||
  bad "[log] bad format" "$work/bad.out"

# 5. Another tool: diagnostics through the logger (JSON here), stdout unchanged.
timeout 30 "$dk" echo 127.0.0.1 1 --log-format json > "$work/echo.out" 2> "$work/echo.err"
[ ! -s "$work/echo.out" ] && json_lines "$work/echo.err" && grep -q '"level":"error"' "$work/echo.err" &&
  ok "echo --log-format json: its error as a JSON line" || bad "echo json" "$work/echo.err"
sample=$(find "$here/../data/interop" -type f -name '*.dcm' | sort | head -1)
"$dk" dump "$sample" > "$work/dump1.out" 2> /dev/null
"$dk" dump --log-format json --log-level debug "$sample" > "$work/dump2.out" 2> /dev/null
[ -s "$work/dump1.out" ] && cmp -s "$work/dump1.out" "$work/dump2.out" && ok "stdout unchanged by the log options" ||
  bad "dump stdout changed" "$work/dump2.out"
exit $fail
