#!/usr/bin/env bash
# dicomkit serve with a peer that gets de-identified data ([[peers]] deidentify = "recipe.toml"):
# the DICOM-RT set is stored, then C-MOVEd twice to a `dicomkit receive` peer, fetched with C-GET by
# that peer, and sent to it by a send job of the REST admin; a JPEG 2000 instance goes decoded to a
# de-identifying DCMTK storescp that takes uncompressed syntaxes only. serve_deidentify_check.py (pydicom)
# checks each copy: no original patient name, ID or UID, no identity value of PHI.txt, references
# (RTSTRUCT -> CT, RTPLAN -> RTSTRUCT, RTDOSE -> RTPLAN) resolve, the same UIDs every time. The
# stored files must not change. Then an instance that cannot be read fails its sub-operation (counted
# and logged) and its original is not sent; a bad recipe stops serve from starting, naming it.
# usage: serve_deidentify_test.sh DICOMKIT RT_SET_DIR PYTHON
set -uo pipefail
dk=$1
data=$2
py=${3:-/usr/bin/python3}
"$py" -c 'import pydicom' 2> /dev/null || { echo "skip: no pydicom"; exit 77; }
export TCP_NODELAY=1
# shellcheck source=../support/serve_common.sh
source "$(dirname "$0")/../support/serve_common.sh"
test_workspace
token=deid-test-token-0123456789
check="$(dirname "$0")/serve_deidentify_check.py"

"$dk" receive 0 --bind 127.0.0.1 --out "$work/recv" --aet RESEARCH --no-fsync > "$work/recv.out" 2> "$work/recv.err" &
pids+=($!)
rport=$(wait_port "$work/recv.err")
[ -n "$rport" ] || { echo "FAIL: receive did not start"; exit 1; }

mkdir -p "$work/conf"
cat > "$work/conf/research.toml" << 'TOML'
method = "serve deidentify test"
[patient]
prefix = "RS-"
digits = 6
TOML
cat > "$work/conf/serve.toml" << TOML
[[peers]]
ae_title = "RESEARCH"
host = "127.0.0.1"
port = $rport
allow = ["move-destination", "retrieve"]
deidentify = "research.toml"
TOML
# DCMTK storescp takes the uncompressed syntaxes only (no +xa): a de-identifying peer that gets a
# JPEG 2000 instance decoded (the transcoding decision made on the de-identified copy). Optional.
sport=
if command -v storescp > /dev/null && command -v echoscu > /dev/null; then
  sport=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  mkdir -p "$work/scp"
  storescp -aet UNCOMP -od "$work/scp" "$sport" > "$work/storescp.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do echoscu -to 1 127.0.0.1 "$sport" > /dev/null 2>&1 && break; sleep 0.05; done
  printf '[[peers]]\nae_title = "UNCOMP"\nhost = "127.0.0.1"\nport = %s\nallow = ["move-destination"]\ndeidentify = "research.toml"\n' \
    "$sport" >> "$work/conf/serve.toml"
fi
"$dk" serve --config "$work/conf/serve.toml" --bind 127.0.0.1 --port 0 --http-port 0 --http-token "$token" \
  --data "$work/var" --aet ARCHIVE --peer USER=127.0.0.1:1 --no-fsync > "$work/serve.out" 2> "$work/serve.err" &
pids+=($!)
port=$(wait_port "$work/serve.err")
http=
for _ in $(seq 1 150); do
  http=$(sed -n 's/^[^ ]* I: port \([0-9]*\): HTTP.*/\1/p' "$work/serve.err" | tail -1)
  [ -n "$http" ] && break
  sleep 0.1
done
[ -n "$port" ] && [ -n "$http" ] || { echo "FAIL: serve did not start"; cat "$work/serve.err"; exit 1; }
[ -s "$work/var/deid.key" ] || { echo "FAIL: no DATA/deid.key made"; fail=1; }

mkdir -p "$work/orig"
cp "$data"/*.dcm "$work/orig/"
timeout 60 "$dk" send 127.0.0.1 "$port" "$work/orig" --aet USER --aec ARCHIVE > "$work/store.out" 2>&1 \
  || { echo "FAIL: send"; cat "$work/store.out"; fail=1; }
cp "$data/PHI.txt" "$work/orig/"  # the identity values the check looks for in every byte
n=$(ls "$work/orig"/*.dcm | wc -l)
stored_sums() { find "$work/var/storage" -name '*.dcm' -exec sha256sum {} + | sort; }
before=$(stored_sums)
[ "$(echo "$before" | grep -c .)" -eq "$n" ] || { echo "FAIL: $n sent, stored: $before"; fail=1; }
study=$("$py" -c 'import pydicom,sys; print(pydicom.dcmread(sys.argv[1]).StudyInstanceUID)' "$work/orig/CT.01.dcm")

move_to() {  # DIR: C-MOVE of the study to RESEARCH, what arrived moved to DIR
  rm -rf "$work/recv"/* "$1"
  timeout 120 "$dk" move 127.0.0.1 "$port" --aet USER --aec ARCHIVE --dest RESEARCH -k StudyInstanceUID="$study" \
    > "$work/move.out" 2>&1
  local rc=$?
  mkdir -p "$1"
  find "$work/recv" -type f -exec mv {} "$1/" \;
  return $rc
}
move_to "$work/move1" || { echo "FAIL: move 1"; cat "$work/move.out"; fail=1; }
grep -q "^final: remaining=0 completed=$n failed=0" "$work/move.out" || { echo "FAIL: move counts"; cat "$work/move.out"; fail=1; }
move_to "$work/move2" || { echo "FAIL: move 2"; cat "$work/move.out"; fail=1; }

# C-GET by the de-identifying peer itself.
timeout 120 "$dk" get 127.0.0.1 "$port" --aet RESEARCH --aec ARCHIVE --out "$work/get" -k StudyInstanceUID="$study" \
  > "$work/get.out" 2>&1 || { echo "FAIL: get"; cat "$work/get.out"; fail=1; }

# A send job of the REST admin.
rm -rf "$work/recv"/*
out=$(curl -s -m 30 -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  --data '{"type":"send","peer":"RESEARCH","study":"'"$study"'"}' "http://127.0.0.1:$http/api/jobs")
id=$(echo "$out" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2> /dev/null)
[ -n "$id" ] || { echo "FAIL: job not started: $out"; fail=1; }
state=
for _ in $(seq 1 600); do
  j=$(curl -s -m 30 -H "Authorization: Bearer $token" "http://127.0.0.1:$http/api/jobs/$id")
  state=$(echo "$j" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["state"])' 2> /dev/null)
  case $state in done | failed) break ;; esac
  sleep 0.2
done
[ "$state" = done ] || { echo "FAIL: job $state: $j"; fail=1; }
mkdir -p "$work/job"
find "$work/recv" -type f -exec mv {} "$work/job/" \;

"$py" "$check" "$work/orig" "$work/move1" "$work/move2" "$work/get" "$work/job" || fail=1
[ "$(stored_sums)" = "$before" ] || { echo "FAIL: the stored files changed"; fail=1; }

# A JPEG 2000 instance to the uncompressed-only storescp: decoded, de-identified.
j2k="$data/../interop/compressed/jpeg2000/693_J2KI.dcm"
if [ -n "$sport" ] && [ -f "$j2k" ]; then
  mkdir -p "$work/j2k"
  cp "$j2k" "$work/j2k/"
  timeout 60 "$dk" send 127.0.0.1 "$port" "$work/j2k" --aet USER --aec ARCHIVE > "$work/store_j2k.out" 2>&1 \
    || { echo "FAIL: send j2k"; cat "$work/store_j2k.out"; fail=1; }
  j2k_study=$("$py" -c 'import pydicom,sys; print(pydicom.dcmread(sys.argv[1]).StudyInstanceUID)' "$j2k")
  timeout 120 "$dk" move 127.0.0.1 "$port" --aet USER --aec ARCHIVE --dest UNCOMP -k StudyInstanceUID="$j2k_study" \
    > "$work/move_j2k.out" 2>&1 || { echo "FAIL: move j2k"; cat "$work/move_j2k.out"; fail=1; }
  "$py" - "$j2k" "$work/scp" << 'PY' || fail=1
import os, sys
import pydicom
orig = pydicom.dcmread(sys.argv[1])
files = [os.path.join(sys.argv[2], f) for f in os.listdir(sys.argv[2])]
ok = len(files) == 1
if ok:
    d = pydicom.dcmread(files[0])
    checks = {
        "uncompressed": d.file_meta.TransferSyntaxUID in ("1.2.840.10008.1.2", "1.2.840.10008.1.2.1"),
        "new SOP Instance UID": d.SOPInstanceUID != orig.SOPInstanceUID and d.SOPInstanceUID.startswith("2.25."),
        "new Study Instance UID": d.StudyInstanceUID != orig.StudyInstanceUID,
        "patient": str(d.PatientName) != str(orig.PatientName) and d.PatientID != orig.PatientID,
        "identity removed": d.PatientIdentityRemoved == "YES",
        "pixels": len(d.PixelData) == d.Rows * d.Columns * d.SamplesPerPixel * (d.BitsAllocated // 8),
    }
    for what, good in checks.items():
        if not good:
            print("FAIL: j2k to UNCOMP:", what)
            ok = False
else:
    print("FAIL: j2k to UNCOMP: files", files)
sys.exit(0 if ok else 1)
PY
fi

# An instance that cannot be read (its stored file overwritten with bytes that are no DICOM) fails
# its sub-operation; nothing of it is sent, the others are.
victim_uid=$("$py" -c 'import pydicom,sys; print(pydicom.dcmread(sys.argv[1]).SOPInstanceUID)' "$work/orig/CT.02.dcm")
victim=$(find "$work/var/storage" -name "$victim_uid.dcm" | head -1)
[ -n "$victim" ] || { echo "FAIL: $victim_uid.dcm not in storage"; fail=1; victim=/dev/null; }
head -c 5000 /dev/zero | tr '\0' x > "$victim"
move_to "$work/move3"
grep -q "^final: remaining=0 completed=$((n - 1)) failed=1" "$work/move.out" \
  || { echo "FAIL: counts with an unreadable instance"; cat "$work/move.out"; fail=1; }
[ "$(ls "$work/move3" | wc -l)" -eq $((n - 1)) ] || { echo "FAIL: $(ls "$work/move3" | wc -l) files arrived"; fail=1; }
grep -rlq "$victim_uid" "$work/move3" && { echo "FAIL: the unreadable instance's UID was sent"; fail=1; }
grep -q "C-MOVE sub-operation $victim_uid to RESEARCH failed: " "$work/serve.err" "$work/serve.out" \
  || { echo "FAIL: the failed sub-operation is not logged"; grep sub-operation "$work/serve.err" "$work/serve.out"; fail=1; }

# A recipe that does not parse: serve does not start, and says which peer and file.
printf 'bogus = 1\n' > "$work/conf/bad.toml"
sed 's/research.toml/bad.toml/' "$work/conf/serve.toml" > "$work/conf/bad_serve.toml"
if timeout 20 "$dk" serve --config "$work/conf/bad_serve.toml" --bind 127.0.0.1 --port 0 --http-port 0 \
  --http-token "$token" --data "$work/var2" --aet ARCHIVE > "$work/bad.out" 2> "$work/bad.err"; then
  echo "FAIL: serve started with a bad recipe"; fail=1
fi
grep -q "RESEARCH.*bad.toml" "$work/bad.err" || { echo "FAIL: bad recipe error"; cat "$work/bad.err"; fail=1; }
if timeout 20 "$dk" serve --config "$work/conf/bad_serve.toml" --check-config > "$work/check.out" 2>&1; then
  echo "FAIL: --check-config passed a bad recipe"; fail=1
fi
grep -q "serve.toml:6:.*RESEARCH.*bad.toml" "$work/check.out" || { echo "FAIL: --check-config error"; cat "$work/check.out"; fail=1; }
timeout 20 "$dk" serve --config "$work/conf/serve.toml" --check-config > "$work/check.out" 2>&1 \
  || { echo "FAIL: --check-config"; cat "$work/check.out"; fail=1; }
grep -q "peer RESEARCH .*gets de-identified copies" "$work/check.out" || { echo "FAIL: --check-config peers"; cat "$work/check.out"; fail=1; }

[ $fail -eq 0 ] && echo "serve deidentify: ok"
exit $fail
