#!/usr/bin/env bash
# dicomkit serve's HTTP port on 127.0.0.1, driven with curl: authentication (none, Bearer, Basic,
# the login cookie, roles), paths that try to climb out, STOW-RS (Part 10 parts, a part that is
# not DICOM, the study of the path), QIDO-RS, WADO-RS (metadata, frames equal to pydicom's pixel
# bytes, rendered PNG/JPEG, 406), WADO-URI, body limits, CORS, removal and statistics, and the
# first admin made and kept across a restart.
# usage: serve_web_test.sh DICOMKIT PIXEL_DATA_DIR
set -uo pipefail
dk=$1
data=$2
ct=$data/CT_small.dcm
mr=$data/MR_small_RLE.dcm
mf=$data/SC_rgb_2frame.dcm
for f in "$ct" "$mr" "$mf"; do [ -f "$f" ] || { echo "FAIL: $f missing"; exit 1; }; done
command -v curl > /dev/null || { echo "FAIL: curl is needed"; exit 1; }
# shellcheck source=../support/serve_common.sh
source "$(dirname "$0")/../support/serve_common.sh"
test_workspace
token=web-test-token-0123456789
cat > "$work/serve.toml" << EOF
[http]
cors_origins = ["http://allowed.example"]
max_upload_mb = 1
[[http.tokens]]
name = "reader"
token = "reader-token-0123456789"
role = "read"
[[http.tokens]]
name = "writer"
token = "writer-token-0123456789"
role = "write"
EOF

start_serve() {  # start_serve LOG [ARGS...]: sets port, http, base
  local log=$1
  shift
  "$dk" serve --bind 127.0.0.1 --port 0 --data "$work/var" --aet ARCH --accept-unknown --no-fsync \
    --http-token "$token" "$@" > "$log.out" 2> "$log" &
  pids+=($!)
  port=$(wait_port "$log")
  [ -n "$port" ] || { echo "FAIL: serve did not start"; cat "$log"; exit 1; }
  http=$(sed -n 's/^[^ ]* I: port \([0-9]*\): HTTP.*/\1/p' "$log" | head -1)
  [ -n "$http" ] || { echo "FAIL: no HTTP port logged"; cat "$log"; exit 1; }
  base=http://127.0.0.1:$http
}
check() {  # check WHAT EXPECTED ACTUAL
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1: expected $2, got $3"
    fail=1
  fi
}
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
A=(-H "Authorization: Bearer $token")

start_serve "$work/serve1.err" --config "$work/serve.toml"
# The first admin: made once, its password logged once, its hash kept.
grep -q 'made user "admin" with password' "$work/serve1.err.out" || { echo "FAIL: no first admin logged"; fail=1; }
admin_pw=$(sed -n 's/.*made user "admin" with password \([0-9a-f]*\) .*/\1/p' "$work/serve1.err.out")
[ -f "$work/var/http-admin" ] || { echo "FAIL: DATA/http-admin missing"; fail=1; }

# Authentication and roles.
check "no credentials" 401 "$(code "$base/dicom-web/studies")"
check "wrong token" 401 "$(code -H 'Authorization: Bearer nope-nope-nope-nope' "$base/dicom-web/studies")"
check "token" 200 "$(code "${A[@]}" "$base/dicom-web/studies")"
check "Basic admin" 200 "$(code -u "admin:$admin_pw" "$base/dicom-web/studies")"
check "Basic wrong password" 401 "$(code -u admin:wrong "$base/dicom-web/studies")"
R=(-H "Authorization: Bearer reader-token-0123456789")
check "reader may search" 200 "$(code "${R[@]}" "$base/dicom-web/studies")"
check "reader may not store" 403 "$(code "${R[@]}" -X POST -H 'Content-Type: multipart/related; boundary=x' "$base/dicom-web/studies")"
check "reader may not delete" 403 "$(code "${R[@]}" -X DELETE "$base/api/studies/1.2.3")"
check "login wrong" 401 "$(code -X POST -H 'Content-Type: application/json' -d '{"user":"admin","password":"x"}' "$base/api/login")"
curl -s -c "$work/cookies" -X POST -H 'Content-Type: application/json' \
  -d "{\"user\":\"admin\",\"password\":\"$admin_pw\"}" "$base/api/login" -D "$work/login.h" -o "$work/login.json"
grep -qi 'set-cookie: dk_session=.*HttpOnly.*SameSite=Strict' "$work/login.h" || { echo "FAIL: session cookie"; cat "$work/login.h"; fail=1; }
check "cookie session" '{"user":"admin","role":"admin"}' "$(curl -s -b "$work/cookies" "$base/api/me")"

# Paths that climb out are refused before any lookup, whatever their encoding.
for p in '/studies/../../etc/passwd' '/dicom-web/studies/%2e%2e/%2e%2e/etc/passwd' '/viewer/..%2f..%2fetc%2fpasswd' \
         '/%2e%2e/etc/passwd' '/dicom-web/studies/a%00b' '/ui/%5c..%5cx'; do
  check "path $p" 400 "$(code --path-as-is "${A[@]}" "$base$p")"
done

# STOW-RS: two DICOM parts and one that is not DICOM -> 202, one failure.
b=BOUNDARYxyz
{ printf -- '--%s\r\nContent-Type: application/dicom\r\n\r\n' $b; cat "$ct"
  printf -- '\r\n--%s\r\nContent-Type: application/dicom\r\n\r\n' $b; cat "$mf"
  printf -- '\r\n--%s\r\nContent-Type: application/dicom\r\n\r\nnot dicom' $b
  printf -- '\r\n--%s--\r\n' $b; } > "$work/stow.body"
st=$(curl -s -o "$work/stow.json" -w '%{http_code}' -H "Authorization: Bearer writer-token-0123456789" -X POST \
  -H "Content-Type: multipart/related; type=\"application/dicom\"; boundary=$b" --data-binary @"$work/stow.body" "$base/dicom-web/studies")
check "STOW status" 202 "$st"
/usr/bin/python3 - "$work/stow.json" << 'EOF' || fail=1
import json, sys
r = json.load(open(sys.argv[1]))
ok = r.get("00081199", {}).get("Value", [])
bad = r.get("00081198", {}).get("Value", [])
assert len(ok) == 2 and len(bad) == 1, r
assert bad[0]["00081197"]["Value"] == [0xC000], bad
EOF
# STOW to another study's path: refused (409, A900).
mr_study=$("$dk" dump "$mr" -t StudyInstanceUID | sed -n 's/.*\[\(.*\)\].*/\1/p' | head -1)
{ printf -- '--%s\r\nContent-Type: application/dicom\r\n\r\n' $b; cat "$mr"; printf -- '\r\n--%s--\r\n' $b; } > "$work/stow2.body"
check "STOW to another study" 409 "$(code "${A[@]}" -X POST -H "Content-Type: multipart/related; type=\"application/dicom\"; boundary=$b" \
  --data-binary @"$work/stow2.body" "$base/dicom-web/studies/1.2.3.4")"
check "STOW of the MR" 200 "$(code "${A[@]}" -X POST -H "Content-Type: multipart/related; type=\"application/dicom\"; boundary=$b" \
  --data-binary @"$work/stow2.body" "$base/dicom-web/studies/$mr_study")"
head -c 2000000 /dev/zero > "$work/big.body"
check "upload over max_upload_mb" 413 "$(code "${A[@]}" -X POST -H "Content-Type: multipart/related; type=\"application/dicom\"; boundary=$b" \
  --data-binary @"$work/big.body" "$base/dicom-web/studies")"
check "unsupported media type" 415 "$(code "${A[@]}" -X POST -H 'Content-Type: application/json' -d '{}' "$base/dicom-web/studies")"

# QIDO-RS.
n=$(curl -s "${A[@]}" "$base/dicom-web/studies" | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
check "studies" 3 "$n"
curl -s "${A[@]}" -D "$work/q.h" "$base/dicom-web/studies?limit=1" -o /dev/null
grep -qi '^warning: 299' "$work/q.h" || { echo "FAIL: no Warning header on a truncated search"; fail=1; }
curl -s "${A[@]}" -D "$work/fz.h" "$base/dicom-web/studies?fuzzymatching=true&limit=1" -o /dev/null
[ "$(grep -ci '^warning: 299' "$work/fz.h")" = 2 ] || { echo "FAIL: fuzzymatching and limit: two Warning fields wanted"; cat "$work/fz.h"; fail=1; }
check "empty search" "[]" "$(curl -s "${A[@]}" "$base/dicom-web/studies?PatientID=NOBODY")"
check "unknown key" 400 "$(code "${A[@]}" "$base/dicom-web/studies?NoSuchKeyword=1")"

# WADO-RS: the frames equal pydicom's pixel bytes; the RLE MR's decoded frame too.
mf_s=$("$dk" dump "$mf" -t StudyInstanceUID | sed -n 's/.*\[\(.*\)\].*/\1/p' | head -1)
mf_se=$("$dk" dump "$mf" -t SeriesInstanceUID | sed -n 's/.*\[\(.*\)\].*/\1/p' | head -1)
mf_i=$("$dk" dump "$mf" -t SOPInstanceUID | sed -n 's/.*\[\(.*\)\].*/\1/p' | head -1)
mr_se=$("$dk" dump "$mr" -t SeriesInstanceUID | sed -n 's/.*\[\(.*\)\].*/\1/p' | head -1)
mr_i=$("$dk" dump "$mr" -t SOPInstanceUID | sed -n 's/.*\[\(.*\)\].*/\1/p' | head -1)
curl -s "${A[@]}" -D "$work/f.h" "$base/dicom-web/studies/$mf_s/series/$mf_se/instances/$mf_i/frames/1,2" -o "$work/frames.bin"
curl -s "${A[@]}" -D "$work/r.h" "$base/dicom-web/studies/$mr_study/series/$mr_se/instances/$mr_i/frames/1" -o "$work/rle.bin"
curl -s "${A[@]}" -H 'Accept: multipart/related; type="application/octet-stream"; transfer-syntax=*' -D "$work/rs.h" \
  "$base/dicom-web/studies/$mr_study/series/$mr_se/instances/$mr_i/frames/1" -o "$work/rle_stored.bin"
/usr/bin/python3 - "$work" "$mf" "$mr" << 'EOF' || fail=1
import re, sys, pydicom
work, mf, mr = sys.argv[1:4]
def parts(body_file, head_file):
    head = open(head_file, encoding="latin-1").read()
    b = re.search(r'boundary="?([^";\r\n]+)', head).group(1)
    body = open(body_file, "rb").read()
    out = []
    for seg in body.split(b"--" + b.encode())[1:]:
        if seg.startswith(b"--"): break
        h, _, data = seg.partition(b"\r\n\r\n")
        out.append((h.decode("latin-1"), data[:-2] if data.endswith(b"\r\n") else data))
    return out
d = pydicom.dcmread(mf)
raw = d.PixelData
n = len(raw) // 2
p = parts(f"{work}/frames.bin", f"{work}/f.h")
assert len(p) == 2, len(p)
assert p[0][1] == raw[:n] and p[1][1] == raw[n:], "multi-frame frames differ from the file"
m = pydicom.dcmread(mr)
rle = parts(f"{work}/rle.bin", f"{work}/r.h")
assert rle[0][1] == m.pixel_array.tobytes(), "decoded RLE frame differs from pydicom's"
stored = parts(f"{work}/rle_stored.bin", f"{work}/rs.h")
frag = pydicom.encaps.generate_pixel_data_frame(m.PixelData)
assert stored[0][1] == next(frag), "stored RLE frame differs"
assert "transfer-syntax=1.2.840.10008.1.2.5" in stored[0][0], stored[0][0]
print("frames ok")
EOF
check "frames: impossible Accept" 406 "$(code "${A[@]}" -H 'Accept: image/gif' "$base/dicom-web/studies/$mf_s/series/$mf_se/instances/$mf_i/frames/1")"
check "frame out of range" 404 "$(code "${A[@]}" "$base/dicom-web/studies/$mf_s/series/$mf_se/instances/$mf_i/frames/3")"
curl -s "${A[@]}" -H 'Accept: image/png' "$base/dicom-web/studies/$mr_study/series/$mr_se/instances/$mr_i/rendered?window=600,1600&viewport=32,32" -o "$work/r.png"
check "rendered PNG" "89504e47" "$(head -c 4 "$work/r.png" | od -An -tx1 | tr -d ' \n')"
curl -s "${A[@]}" "$base/dicom-web/studies/$mr_study/thumbnail" -o "$work/t.jpg"
check "thumbnail JPEG" "ffd8ff" "$(head -c 3 "$work/t.jpg" | od -An -tx1 | tr -d ' \n')"
curl -s "${A[@]}" "$base/wado?requestType=WADO&studyUID=$mr_study&seriesUID=$mr_se&objectUID=$mr_i&contentType=application/dicom" -o "$work/w.dcm"
check "WADO-URI DICOM" "$mr_i" "$("$dk" dump "$work/w.dcm" -t SOPInstanceUID | sed -n 's/.*\[\(.*\)\].*/\1/p' | head -1)"
curl -s "${A[@]}" "$base/dicom-web/studies/$mr_study/series/$mr_se/metadata" -o "$work/meta.json"
/usr/bin/python3 - "$work/meta.json" "$token" << 'EOF' || fail=1
import json, sys, urllib.request
meta = json.load(open(sys.argv[1]))
assert meta[0]["00280010"]["Value"] == [64], meta[0].get("00280010")
uri = meta[0]["7FE00010"]["BulkDataURI"]
req = urllib.request.Request(uri, headers={"Authorization": "Bearer " + sys.argv[2]})
with urllib.request.urlopen(req) as r:
    assert r.status == 200 and r.headers["Content-Type"].startswith("multipart/related"), r.headers
EOF

# CORS: only the configured origin.
curl -s "${A[@]}" -H 'Origin: http://allowed.example' -D "$work/c1.h" -o /dev/null "$base/dicom-web/studies"
grep -qi '^access-control-allow-origin: http://allowed.example' "$work/c1.h" || { echo "FAIL: CORS for the allowed origin"; fail=1; }
curl -s "${A[@]}" -H 'Origin: http://evil.example' -D "$work/c2.h" -o /dev/null "$base/dicom-web/studies"
grep -qi '^access-control-allow-origin' "$work/c2.h" && { echo "FAIL: CORS for another origin"; fail=1; }

# The conformance statement of the running archive: JSON, Markdown, HTML; another format is 400.
check "conformance json" ARCH "$(curl -s "${A[@]}" "$base/api/conformance" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["ae_title"])')"
curl -s "${A[@]}" -D "$work/cs.h" -o "$work/cs.html" "$base/api/conformance?format=html"
grep -qi '^content-type: text/html' "$work/cs.h" && grep -q '<h1>DICOM Conformance Statement: dicomkit serve, AE ARCH</h1>' "$work/cs.html" &&
  grep -q '<td>1.2.840.10008.5.1.4.1.2.2.1</td>' "$work/cs.html" || { echo "FAIL: conformance as HTML"; head -c 400 "$work/cs.html"; fail=1; }
curl -s "${A[@]}" -o "$work/cs.md" "$base/api/conformance?format=md"
grep -q '^| CT Image Storage | 1.2.840.10008.5.1.4.1.1.2 |$' "$work/cs.md" ||
  { echo "FAIL: conformance as Markdown"; fail=1; }
check "conformance format" 400 "$(code "${A[@]}" "$base/api/conformance?format=pdf")"

# Removal (admin) and statistics.
check "stats before" 3 "$(curl -s "${A[@]}" "$base/api/stats" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["instances"])')"
check "delete the MR study" '{"deleted":1' "$(curl -s "${A[@]}" -X DELETE "$base/api/studies/$mr_study" | cut -d, -f1)"
check "gone" 404 "$(code "${A[@]}" "$base/dicom-web/studies/$mr_study/metadata")"
check "stats after" 2 "$(curl -s "${A[@]}" "$base/api/stats" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["instances"])')"

# A restart keeps the first admin (no new password) and the data.
kill "${pids[@]}"
wait 2> /dev/null
pids=()
start_serve "$work/serve2.err" --config "$work/serve.toml"
grep -q 'made user' "$work/serve2.err" "$work/serve2.err.out" && { echo "FAIL: a second admin was made"; fail=1; }
check "admin after restart" 200 "$(code -u "admin:$admin_pw" "$base/api/stats")"
check "instances after restart" 2 "$(curl -s "${A[@]}" "$base/api/stats" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["instances"])')"

[ "$fail" = 0 ] && echo "serve web: ok"
exit "$fail"
