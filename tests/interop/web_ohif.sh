#!/usr/bin/env bash
# The OHIF viewer (npm @ohif/app's built dist/, unpacked into viewer/dist by the bootstrap) as
# dicomkit serve hands it out, in Chromium through playwright-core (tests/support/node/ohif_check.js):
# a CT series of 5 slices (made from tests/data/pixel/CT_small.dcm) is stored with dicomkit send,
# then the viewer logs in through serve's session cookie, opens the study, scrolls and changes the
# window; screenshots go to OUT_DIR and are checked not to be blank.
# usage: web_ohif.sh DICOMKIT OUT_DIR
set -uo pipefail
dk=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
node_dir=$repo/tests/support/node
py=/usr/bin/python3
for t in node /usr/bin/chromium $py; do command -v $t > /dev/null || { echo "FAIL: $t is missing (run scripts/bootstrap.sh)"; exit 1; }; done
[ -d "$node_dir/node_modules/playwright-core" ] || { echo "FAIL: playwright-core is missing in $node_dir (run scripts/bootstrap.sh)"; exit 1; }
[ -f "$repo/viewer/dist/index.html" ] || { echo "FAIL: the OHIF viewer is not in viewer/dist (run scripts/bootstrap.sh)"; exit 1; }
# shellcheck source=../support/serve_common.sh
source "$here/../support/serve_common.sh"
test_workspace
rm -rf "$out" && mkdir -p "$out"
user=admin password="pw-$RANDOM$RANDOM"
mkdir -p "$work/ct"
$py "$here/make_ct_series.py" "$repo/tests/data/pixel/CT_small.dcm" "$work/ct" 5 "Ohif^Ct" || { echo "FAIL: making the CT series"; exit 1; }
study=$("$dk" dump "$work/ct/ct01.dcm" -t StudyInstanceUID | sed -n 's/.*\[\(.*\)\].*/\1/p' | head -1)
hash=$("$dk" serve --hash-password "$password") || { echo "FAIL: dicomkit serve --hash-password"; exit 1; }
printf '[[http.users]]\nname = "%s"\npassword_hash = "%s"\nrole = "admin"\n[http]\nviewer = "%s"\n' \
  "$user" "$hash" "$repo/viewer/dist" > "$work/serve.toml"
"$dk" serve --config "$work/serve.toml" --bind 127.0.0.1 --port 0 --data "$work/var" --aet ARCHIVE \
  --accept-unknown --no-fsync > "$work/serve.out" 2> "$work/serve.err" &
pids+=($!)
dport=$(wait_port "$work/serve.err")
port=
for _ in $(seq 1 150); do
  port=$(sed -n 's/^[^ ]* I: port \([0-9]*\): HTTP.*/\1/p' "$work/serve.err" | head -1)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$dport" ] && [ -n "$port" ] || { echo "FAIL: dicomkit serve did not start"; cat "$work/serve.err"; exit 1; }
"$dk" send --aet WEBTEST --aec ARCHIVE 127.0.0.1 "$dport" "$work"/ct/*.dcm > "$work/send.out" 2>&1 \
  || { echo "FAIL: dicomkit send of the CT series"; cat "$work/send.out"; exit 1; }
(cd "$node_dir" && timeout 240 node ohif_check.js "http://127.0.0.1:$port" "$user" "$password" "$study" "$out") || fail=1
[ $fail = 0 ] && echo "ok: OHIF opened the study from serve; screenshots in $out"
exit $fail
