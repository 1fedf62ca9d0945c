#!/usr/bin/env bash
# dicomkit serve streams a large instance on 127.0.0.1: one instance of 300 MiB OW Pixel Data
# (a small header written by pydicom, the pixel data appended byte by byte) is stored with
# dicomkit send and retrieved with dicomkit get; the retrieved data set is byte-identical to the
# one sent, and the peak resident memory (VmHWM) of serve, of the sender and of the retriever
# stays below 64 MiB. Skipped (77) without pydicom or with less than 1.5 GB free.
# usage: serve_large_instance_test.sh DICOMKIT
set -uo pipefail
dk=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../support/serve_common.sh"
py=${DICOMKIT_DEBIAN_PYTHON:-/usr/bin/python3}
"$py" -c "import pydicom" 2> /dev/null || { echo "SKIP: pydicom is not installed for $py"; exit 77; }
test_workspace
export TCP_NODELAY=1
limit_kib=$((64 * 1024))
free_kib=$(df -Pk "$work" | awk 'NR == 2 { print $4 }')
[ "${free_kib:-0}" -ge $((1500 * 1024)) ] || { echo "SKIP: $((free_kib / 1024)) MiB free in $work, 1500 wanted"; exit 77; }

# 600 frames of 512 x 512 16-bit pixels: 314572800 bytes of pixel data, undefined-length free.
"$py" - "$work/big.dcm" << 'PY' || { echo "FAIL: cannot make the instance"; exit 1; }
import struct, sys
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian
rows, cols, frames = 512, 512, 600
meta = FileMetaDataset()
meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7.2"  # Multi-frame Grayscale Word SC
meta.MediaStorageSOPInstanceUID = "1.2.826.0.1.3680043.10.543.77.1.1.1"
meta.TransferSyntaxUID = ExplicitVRLittleEndian
ds = Dataset()
ds.file_meta = meta
ds.is_little_endian, ds.is_implicit_VR = True, False
ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
ds.PatientName, ds.PatientID = "Large^Instance", "LARGE1"
ds.StudyInstanceUID = "1.2.826.0.1.3680043.10.543.77.1"
ds.SeriesInstanceUID = "1.2.826.0.1.3680043.10.543.77.1.1"
ds.Modality, ds.ConversionType = "OT", "WSD"
ds.StudyDate, ds.StudyTime, ds.StudyID, ds.SeriesNumber, ds.InstanceNumber = "20240101", "120000", "1", 1, 1
ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
ds.NumberOfFrames, ds.Rows, ds.Columns = frames, rows, cols
ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
ds.save_as(sys.argv[1], write_like_original=False)
n = rows * cols * frames * 2
frame = bytes((i * 7) & 0xFF for i in range(rows * cols * 2))
with open(sys.argv[1], "ab") as f:
    f.write(struct.pack("<HH2sHI", 0x7FE0, 0x0010, b"OW", 0, n))
    for k in range(frames):
        f.write(frame[k % 251:] + frame[:k % 251])  # every frame different
PY
size=$(stat -c %s "$work/big.dcm")
echo "made: $size bytes"

hwm() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }
"$dk" serve --bind 127.0.0.1 --port 0 --data "$work/var" --aet ARCHIVE --accept-unknown --no-fsync \
  > "$work/serve.out" 2> "$work/serve.err" &
spid=$!
pids+=($spid)
port=$(wait_port "$work/serve.err")
[ -n "$port" ] || { echo "FAIL: serve did not start"; cat "$work/serve.err"; exit 1; }
echo "serve VmHWM at start: $(hwm $spid) kB"

/usr/bin/time -f "maxrss %M" -o "$work/send.time" timeout 120 "$dk" send 127.0.0.1 "$port" "$work/big.dcm" \
  --aet USER --aec ARCHIVE > "$work/send.out" 2>&1 || { echo "FAIL: send"; tail -3 "$work/send.out"; fail=1; }
cat "$work/send.out"
grep -q " C-STORE .*: 0x0000 Success$" "$work/serve.out" || { echo "FAIL: no Success for the store"; tail -3 "$work/serve.out"; fail=1; }
/usr/bin/time -f "maxrss %M" -o "$work/get.time" timeout 120 "$dk" get 127.0.0.1 "$port" --aet USER --aec ARCHIVE \
  --out "$work/got" -k StudyInstanceUID=1.2.826.0.1.3680043.10.543.77.1 > "$work/get.out" 2>&1 \
  || { echo "FAIL: get"; tail -3 "$work/get.out"; fail=1; }
serve_hwm=$(hwm $spid)
send_hwm=$(sed -n 's/^maxrss //p' "$work/send.time")
get_hwm=$(sed -n 's/^maxrss //p' "$work/get.time")
echo "peak RSS: serve $serve_hwm kB, send $send_hwm kB, get $get_hwm kB (limit $limit_kib kB)"
for v in "serve:$serve_hwm" "send:$send_hwm" "get:$get_hwm"; do
  [ -n "${v#*:}" ] && [ "${v#*:}" -lt $limit_kib ] || { echo "FAIL: ${v%%:*} peak RSS ${v#*:} kB"; fail=1; }
done

# The data sets (after the File Meta Information, whose group length follows 'DICM') must match.
dataset_offset() {  # dataset_offset FILE: the first byte after group 0002
  local gl
  gl=$(od -An -tu4 -j140 -N4 "$1" | tr -d ' ')
  echo $((144 + gl))
}
got=$(find "$work/got" -type f | head -2)
if [ "$(echo "$got" | grep -c .)" -ne 1 ]; then
  echo "FAIL: want one retrieved file, got: $got"; fail=1
else
  a=$(dataset_offset "$work/big.dcm"); b=$(dataset_offset "$got")
  ts_a=$("$dk" dump -t TransferSyntaxUID "$work/big.dcm" | head -1); ts_b=$("$dk" dump -t TransferSyntaxUID "$got" | head -1)
  [ "$ts_a" = "$ts_b" ] || { echo "FAIL: transfer syntax: sent $ts_a, got $ts_b"; fail=1; }
  if cmp <(tail -c +$((a + 1)) "$work/big.dcm") <(tail -c +$((b + 1)) "$got"); then
    echo "ok: the retrieved data set is byte-identical ($((size - a)) bytes)"
  else
    echo "FAIL: the retrieved data set differs"; fail=1
  fi
fi
kill -0 $spid 2> /dev/null || { echo "FAIL: serve died"; tail -5 "$work/serve.err"; fail=1; }
[ $fail -eq 0 ] && echo "PASS" || echo "FAIL"
exit $fail
