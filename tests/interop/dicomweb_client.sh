#!/usr/bin/env bash
# dicomweb-client (npm, the DICOMweb client of OHIF) against dicomkit serve's DICOMweb, on
# 127.0.0.1 only: STOW-RS of a few files (CT, PR, multi-frame MR, RGB, RLE, JPEG Baseline), then
# QIDO-RS at every level, WADO-RS metadata (BulkDataURIs fetched), instances, frames, rendered,
# thumbnails, and error answers, each checked against what pydicom reads from the files
# (dicomweb_expect.py). The same calls go to Orthanc with its DICOMweb plugin when it starts, for
# a table of the differences; Orthanc's answers never fail the test.
# node, the npm packages (tests/support/node), pydicom and curl come from scripts/bootstrap.sh:
# missing ones fail.
# usage: dicomweb_client.sh DICOMKIT DATA_DIR NODE_DIR
set -uo pipefail
dk=$1
data=$2
node_dir=$(cd "$3" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
node=$(command -v node || command -v nodejs) || { echo "FAIL: node is missing (run scripts/bootstrap.sh)"; exit 1; }
for m in dicomweb-client xhr2 dcmjs; do
  [ -f "$node_dir/node_modules/$m/package.json" ] || { echo "FAIL: npm package $m is not in $node_dir (run scripts/bootstrap.sh)"; exit 1; }
done
$py -c 'import pydicom, numpy' 2> /dev/null || { echo "FAIL: python3-pydicom or numpy is missing (run scripts/bootstrap.sh)"; exit 1; }
# shellcheck source=../support/orthanc.sh
source "$here/../support/orthanc.sh"
# shellcheck source=../support/serve_common.sh
source "$here/../support/serve_common.sh"
test_workspace orthanc_stop

files=()
for f in CT_small.dcm CT_small_gsps.dcm emri_small.dcm SC_rgb_2frame.dcm MR_small_RLE.dcm jpeg/examples_ybr_color.dcm; do
  files+=("$(cd "$data" && pwd)/$f")
done
$py "$here/dicomweb_expect.py" "${files[@]}" > "$work/expect.json" || { echo "FAIL: reading the files with pydicom"; exit 1; }

token=dicomweb-client-$RANDOM$RANDOM-token
"$dk" serve --bind 127.0.0.1 --port 0 --data "$work/archive" --aet ARCH --accept-unknown --no-fsync \
  --http-token "$token" > "$work/serve.out" 2> "$work/serve.err" &
pids+=($!)
port=
for _ in $(seq 1 150); do
  port=$(sed -n 's/^[^ ]* I: port \([0-9]*\): HTTP.*/\1/p' "$work/serve.out" "$work/serve.err" | tail -1)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "FAIL: dicomkit serve did not start"; cat "$work/serve.out" "$work/serve.err"; exit 1; }
servers=("dicomkit=http://127.0.0.1:$port/dicom-web,$token")

# Orthanc with the DICOMweb plugin (Debian's orthanc-dicomweb), when both are there and it starts.
plugin=
for p in /usr/share/orthanc/plugins/libOrthancDicomWeb.so /usr/lib/orthanc/libOrthancDicomWeb.so*; do
  [ -f "$p" ] && { plugin=$p; break; }
done
if [ -z "$plugin" ] || [ -z "$(orthanc_binary)" ]; then
  echo "note: Orthanc or its DICOMweb plugin is not installed: dicomkit only"
elif ORTHANC_START_TIMEOUT=15 ORTHANC_EXTRA="{\"Plugins\": [\"$plugin\"], \"DicomWeb\": {\"Enable\": true, \"Root\": \"/dicom-web/\", \"EnableWado\": true, \"WadoRoot\": \"/wado\"}}" \
    orthanc_start "$work/orthanc"; then
  servers+=("orthanc=$ORTHANC_URL/dicom-web")
else
  echo "note: Orthanc did not start: dicomkit only"
fi

timeout 40 "$node" "$here/dicomweb_client_test.mjs" "$node_dir" "$work/expect.json" "${servers[@]}"
rc=$?
if [ $rc -ne 0 ]; then
  echo "FAIL: dicomweb-client checks against dicomkit (exit $rc); the server's log:"
  tail -20 "$work/serve.err"
  exit 1
fi
echo "PASS"
