#!/usr/bin/env bash
# dicomkit serve on 127.0.0.1 refuses, with a status and a reason, what it could not keep
# findable, and keeps the rest: files crafted with pydicom (a data set cut inside its pixel data,
# one followed by garbage, hostile or invalid UIDs, an image without Study Instance UID) are
# refused; a Color Palette and a retired Ultrasound Image are stored (DCMTK storescu) and found;
# a query-only peer's store gets 0x0124; no log line is forged; serve starts again after SIGTERM
# and after kill -9. dicomkit receive refuses the invalid UIDs too, or keeps them under
# --lenient-uids.
# usage: serve_store_refusals_test.sh DICOMKIT DATA_DIR ; exits 77 (skip) without DCMTK or pydicom.
set -uo pipefail
dk=$1
data=$2
py=/usr/bin/python3
for t in storescu findscu; do command -v $t > /dev/null || exit 77; done
$py -c 'import pydicom' 2> /dev/null || exit 77
work=$(mktemp -d)
pid=
rpid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2> /dev/null
  [ -n "$rpid" ] && kill "$rpid" 2> /dev/null
  wait 2> /dev/null
  rm -rf "$work"
}
trap cleanup EXIT
export TCP_NODELAY=1
fail=0

cat > "$work/serve.toml" << TOML
[server]
ae_title = "ARCHIVE"
port = 0
data = "$work/var"
[[peers]]
ae_title = "STORER"
host = "127.0.0.1"
port = 1
allow = ["store", "query", "retrieve"]
[[peers]]
ae_title = "LOOKER"
host = "127.0.0.1"
port = 2
allow = ["query"]
TOML
start_serve() {
  : > "$work/serve.err"
  "$dk" serve --config "$work/serve.toml" --bind 127.0.0.1 --no-fsync >> "$work/serve.out" 2> "$work/serve.err" &
  pid=$!
  port=
  for _ in $(seq 1 100); do
    port=$(sed -n 's/^[^ ]* I: listening on 127.0.0.1:\([0-9]*\) .*/\1/p' "$work/serve.err")
    [ -n "$port" ] && break
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.1
  done
  [ -n "$port" ] || { echo "FAIL: serve did not start"; cat "$work/serve.err"; return 1; }
}
start_serve || exit 1

mkdir -p "$work/in"
$py - "$work/in" "$data/non_patient/pet.dcm" << 'PYEOF' || { echo "FAIL: crafting the files"; exit 1; }
import sys, shutil
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian
out, palette = sys.argv[1], sys.argv[2]

def write(name, uid, sop_class="1.2.840.10008.5.1.4.1.1.7", study="1.2.9", pixels=4096, tail=b"", cut=0):
    ds = Dataset()
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = uid
    ds.PatientID = "P1"
    ds.Modality = "OT"
    if study:
        ds.StudyInstanceUID = study
    ds.SeriesInstanceUID = "1.2.9.1"
    ds.Rows, ds.Columns, ds.BitsAllocated, ds.BitsStored, ds.HighBit = 64, 64, 8, 8, 7
    ds.SamplesPerPixel, ds.PixelRepresentation, ds.PhotometricInterpretation = 1, 0, "MONOCHROME2"
    ds.PixelData = bytes(pixels)
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = sop_class
    ds.file_meta.MediaStorageSOPInstanceUID = uid
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    path = f"{out}/{name}.dcm"
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.save_as(path, write_like_original=False)
    data = open(path, "rb").read()
    if cut:
        data = data[:-cut]
    open(path, "wb").write(data + tail)

write("good", "1.2.9.1.1")
write("truncated", "1.2.9.1.2", cut=1000)
write("garbage", "1.2.9.1.3", tail=b"GARBAGE AFTER THE DATA SET")
write("nostudy", "1.2.9.1.4", study=None)
write("retired_us", "1.2.9.1.5", sop_class="1.2.840.10008.5.1.4.1.1.6")
write("leading_zero", "1.2.09.1.6")
write("traversal", "../../etc/x")
write("long", "1." + "2" * 198)
write("newline", "1.2.9\r\nI: forged line")
shutil.copy(palette, f"{out}/palette.dcm")
PYEOF

# dcmtk FILE [AE]: storescu's status for one file (-R: it proposes the file's own class only).
dcmtk() {
  timeout 60 storescu -v -R -aet "${2:-STORER}" -aec ARCHIVE 127.0.0.1 "$port" "$1" > "$work/send.out" 2>&1
  sed -n 's/.*Received Store Response (\(.*\))/\1/p' "$work/send.out" | head -1
}
# dk FILE: dicomkit send's status for one file ("Success", or the status it printed). storescu
# will not send a file it cannot parse, nor a UID with control characters as it is.
dk_send() {
  timeout 60 "$dk" send 127.0.0.1 "$port" "$1" --aet STORER --aec ARCHIVE > "$work/send.out" 2>&1 && echo Success && return
  sed -n 's/^FAILED [^:]*: 0x[0-9A-F]* \(.*\)$/\1/p' "$work/send.out" | head -1
}
# expect TOOL FILE STATUS_PREFIX [AE]
expect() {
  local got
  got=$($1 "$work/in/$2.dcm" "${4:-}")
  case "$got" in "$3"*) ;; *) echo "FAIL: $2: expected $3, got '$got'"; cat "$work/send.out"; fail=1 ;; esac
}
expect dcmtk good Success
expect dcmtk palette Success
expect dcmtk retired_us Success
expect dk_send truncated "Error: cannot understand"
expect dk_send garbage "Error: cannot understand"
expect dcmtk nostudy "Error: DataSetDoesNotMatchSOPClass"
expect dcmtk leading_zero "Error: DataSetDoesNotMatchSOPClass"
expect dk_send traversal "Error: data set does not match SOP class"
expect dk_send long "Error: data set does not match SOP class"
expect dk_send newline "Error: data set does not match SOP class"
expect dcmtk good "Unknown Status: 0x124" LOOKER  # DCMTK 3.6.7 has no name for 0x0124

# The reasons are in serve's log, each on its line; nothing the peer sent starts a line.
for want in "(7FE0,0010) at offset" "garbage after the data set" "no Study Instance UID (0020,000D)" \
  "invalid SOP Instance UID (0008,0018)" "calling AE LOOKER lacks the store permission" '1.2.9\x0d\x0aI: forged line'; do
  grep -qF -- "$want" "$work/serve.out" || { echo "FAIL: serve's log lacks '$want'"; fail=1; }
done
if grep -q "^I: forged" "$work/serve.out" "$work/serve.err"; then echo "FAIL: a forged log line"; fail=1; fi
n=$(ls "$work/var/storage" | grep -c '\.dcm$')
[ "$n" -eq 3 ] || { echo "FAIL: $n files in storage, expected 3 (good, palette, retired_us)"; ls "$work/var/storage"; fail=1; }

# find UID: whether an IMAGE-level Study Root C-FIND finds it.
found() {
  timeout 60 findscu -v -aet STORER -aec ARCHIVE -S -k QueryRetrieveLevel=IMAGE -k StudyInstanceUID=1.2.9 \
    -k SeriesInstanceUID=1.2.9.1 -k "SOPInstanceUID=$1" 127.0.0.1 "$port" > "$work/find.out" 2>&1
  grep -q "Find Response: 1 (Pending)" "$work/find.out"  # -v prints the request's keys too
}
check_all() {
  for uid in 1.2.9.1.1 1.2.9.1.5; do found $uid || { echo "FAIL ($1): $uid not found"; fail=1; }; done
  found 1.2.9.1.2 && { echo "FAIL ($1): the truncated instance was kept"; fail=1; }
}
check_all "after the stores"

# Restarts: after SIGTERM, and after kill -9; each start must succeed and find the same.
kill "$pid"; wait "$pid" 2> /dev/null; pid=
start_serve || fail=1
check_all "after SIGTERM"
kill -9 "$pid"; wait "$pid" 2> /dev/null; pid=
start_serve || fail=1
check_all "after kill -9"
grep -q "reconcile: .*the last stop was not clean" "$work/serve.out" ||
  { echo "FAIL: no reconcile after kill -9"; fail=1; }

# dicomkit receive: the same UID rule; --lenient-uids keeps the file under a hashed name.
for mode in strict lenient; do
  out="$work/recv-$mode"
  flag=
  [ $mode = lenient ] && flag=--lenient-uids
  "$dk" receive 0 --bind 127.0.0.1 -o "$out" --no-fsync $flag > "$work/recv.out" 2> "$work/recv.err" &
  rpid=$!
  rport=
  for _ in $(seq 1 100); do
    rport=$(sed -n 's/^[^ ]* I: listening on 127.0.0.1:\([0-9]*\) .*/\1/p' "$work/recv.err")
    [ -n "$rport" ] && break
    sleep 0.1
  done
  [ -n "$rport" ] || { echo "FAIL: receive did not start"; cat "$work/recv.err"; fail=1; continue; }
  timeout 60 storescu -v -R -aec ANY 127.0.0.1 "$rport" "$work/in/leading_zero.dcm" > "$work/send.out" 2>&1
  got=$(sed -n 's/.*Received Store Response (\(.*\))/\1/p' "$work/send.out" | head -1)
  if [ $mode = strict ]; then
    case "$got" in "Error: DataSetDoesNotMatchSOPClass"*) ;; *) echo "FAIL: receive kept an invalid UID: '$got'"; fail=1 ;; esac
    [ -z "$(ls "$out")" ] || { echo "FAIL: receive left files"; ls "$out"; fail=1; }
  else
    case "$got" in Success*) ;; *) echo "FAIL: receive --lenient-uids: '$got'"; fail=1 ;; esac
    ls "$out" | grep -q '^x[0-9a-f]*\.dcm$' || { echo "FAIL: no hashed file name"; ls "$out"; fail=1; }
  fi
  kill "$rpid"; wait "$rpid" 2> /dev/null; rpid=
done

[ $fail -eq 0 ] && echo "serve store refusals: OK"
exit $fail
