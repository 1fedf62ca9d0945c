#!/usr/bin/env bash
# The web page (ui/) in Chromium, driven by playwright-core (tests/support/node/web_page_check.js):
# login, search, a study's series and instances with thumbnails, an instance's attributes, the
# built-in viewer (scrolling, window, zoom), upload through the file input, administration,
# logout. A CT series of 5 slices (made from tests/data/pixel/CT_small.dcm) is stored first; the
# page uploads tests/data/pixel/emri_small.dcm. Screenshots go to OUT_DIR.
#   serve: against dicomkit serve's HTTP port (a temporary data folder, an admin user);
#   stub:  against tests/support/node/web_stub.js, a stand-in for serve's HTTP API
#          (docs/web-api.md) serving the page's files as compiled in (dk_ui_export).
# Chromium, playwright-core, Node.js and pydicom are installed by scripts/bootstrap.sh: missing
# ones fail.
# usage: web_ui.sh serve|stub DICOMKIT OUT_DIR [DK_UI_EXPORT]
set -uo pipefail
mode=$1 dk=$2 out=$3 export_tool=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
node_dir=$repo/tests/support/node
py=/usr/bin/python3
for t in node /usr/bin/chromium $py; do command -v $t > /dev/null || { echo "FAIL: $t is missing (run scripts/bootstrap.sh)"; exit 1; }; done
[ -d "$node_dir/node_modules/playwright-core" ] || { echo "FAIL: playwright-core is missing in $node_dir (run scripts/bootstrap.sh)"; exit 1; }
# shellcheck source=../support/serve_common.sh
source "$here/../support/serve_common.sh"
test_workspace
rm -rf "$out" && mkdir -p "$out"
user=admin password="pw-$RANDOM$RANDOM"

mkdir -p "$work/ct"
$py "$here/make_ct_series.py" "$repo/tests/data/pixel/CT_small.dcm" "$work/ct" 5 "Webtest^Ct" || { echo "FAIL: making the CT series"; exit 1; }

# wait_line FILE SED_EXPRESSION: the first match printed by sed -n within 15 s.
wait_line() {
  local v=
  for _ in $(seq 1 150); do
    v=$(sed -n "$2" "$1" | head -1)
    [ -n "$v" ] && break
    sleep 0.1
  done
  echo "$v"
}

case $mode in
  stub)
    [ -x "$export_tool" ] || { echo "FAIL: dk_ui_export not given"; exit 1; }
    "$export_tool" "$work/page" || { echo "FAIL: dk_ui_export"; exit 1; }
    mkdir -p "$work/data" && cp "$work"/ct/*.dcm "$work/data/"
    node "$node_dir/web_stub.js" "$dk" "$work/page" "$work/data" "$user" "$password" > "$work/stub.out" 2>&1 &
    pids+=($!)
    port=$(wait_line "$work/stub.out" 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p')
    [ -n "$port" ] || { echo "FAIL: the stand-in server did not start"; cat "$work/stub.out"; exit 1; }
    ;;
  serve)
    hash=$("$dk" serve --hash-password "$password") || { echo "FAIL: dicomkit serve --hash-password"; exit 1; }
    cat > "$work/serve.toml" <<TOML
[[http.users]]
name = "$user"
password_hash = "$hash"
role = "admin"
TOML
    # --port 0: any free DICOM port, and any free HTTP port.
    "$dk" serve --config "$work/serve.toml" --bind 127.0.0.1 --port 0 --data "$work/var" --aet ARCHIVE \
      --accept-unknown --no-fsync > "$work/serve.out" 2> "$work/serve.err" &
    pids+=($!)
    dport=$(wait_port "$work/serve.err")
    port=$(wait_line "$work/serve.err" 's/^[^ ]* I: port \([0-9]*\): HTTP.*/\1/p')
    [ -n "$dport" ] && [ -n "$port" ] || { echo "FAIL: dicomkit serve did not start"; cat "$work/serve.err"; exit 1; }
    "$dk" send --aet WEBTEST --aec ARCHIVE 127.0.0.1 "$dport" "$work"/ct/*.dcm > "$work/send.out" 2>&1 \
      || { echo "FAIL: dicomkit send of the CT series"; cat "$work/send.out"; exit 1; }
    ;;
  *) echo "usage: web_ui.sh serve|stub DICOMKIT OUT_DIR [DK_UI_EXPORT]"; exit 2 ;;
esac

echo "page at http://127.0.0.1:$port/ ($mode)"
(cd "$node_dir" && timeout 300 node web_page_check.js "http://127.0.0.1:$port" "$user" "$password" "$out" \
  "Webtest^Ct" 5 "$repo/tests/data/pixel/emri_small.dcm") || fail=1
ls "$out"/*.png > /dev/null 2>&1 || { echo "FAIL: no screenshots in $out"; fail=1; }
[ $fail = 0 ] && echo "ok: the page works ($mode); screenshots in $out"
exit $fail
