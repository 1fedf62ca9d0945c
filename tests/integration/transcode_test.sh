#!/usr/bin/env bash
# Transcoding with the codecs of this build (each lossless syntax it encodes, found by trying):
# `dicomkit convert` between every pair, pixel-exact after decoding (mono 16-bit, 10-frame
# multi-frame, 2-frame RGB, frame-parallel); lossy targets refused without --allow-lossy and marked
# Lossy Image Compression with it. Then, with DCMTK: `dicomkit send` of a compressed file to
# storescp (uncompressed only) and of a native one to a storescp taking only the compressed syntax, serve's C-MOVE (movescu) and C-GET (getscu) of it, and serve with
# --ingest-transfer-syntax storing storescu's native files compressed, retrieved pixel-exact.
# usage: transcode_test.sh DICOMKIT TEST_DATA_DIR ; exits 77 when no lossless syntax is encodable.
set -uo pipefail
dk=$1
data=$2
py=/usr/bin/python3
# shellcheck source=../support/serve_common.sh
source "$(dirname "$0")/../support/serve_common.sh"
test_workspace
$py -c 'import pydicom' 2> /dev/null || { echo "skip: no pydicom"; exit 77; }
# One pydicom process answers every pixel comparison and attribute look-up (same_pixels.py --serve):
# some 300 of them, each a python start-up otherwise.
coproc PYDICOM { exec $py "$(dirname "$0")/../support/same_pixels.py" --serve; }
pids+=("$PYDICOM_PID")
# ask REQUEST...: sends one request; its answer's status is returned, its text is in $answer.
ask() {
  local IFS=$'\t' rc
  answer=
  printf '%s\n' "$*" >&"${PYDICOM[1]}" && read -r rc answer <&"${PYDICOM[0]}" \
    || { answer="the pydicom helper ended"; return 1; }
  return "$rc"
}
# same A B: A and B have the same pixels (prints the difference otherwise).
same() {
  ask same "$1" "$2" && return 0
  echo "$answer"; return 1
}
# attr FILE NAME: sets $answer to the value of attribute NAME in FILE.
attr() {
  ask get "$1" "$2" && return 0
  echo "cannot read $2 of $1: $answer"; return 1
}

mono=$data/interop/implicit_vr/MR_small_implicit.dcm
multi=$data/pixel/emri_small.dcm
rgb=$data/pixel/SC_rgb_2frame.dcm
candidates="rle jpeg-ls j2k htj2k htj2k-rpcl jpeg-lossless jpeg-lossless-14 jpegxl-lossless deflated-frame encapsulated"
available=    # lossless syntaxes some test image can be encoded in
mono_ok=      # those that take the 16-bit signed mono image (the network part uses the first)
for name in $candidates; do
  for src in mono multi; do
    "$dk" convert "${!src}" "$work/probe.$name" --ts "$name" 2> "$work/err.$name"
    rc=$?
    [ $rc = 3 ] && break
    if [ $rc != 0 ] && grep -q "cannot encode" "$work/err.$name"; then
      echo "note: $name does not take $src: $(cat "$work/err.$name")"; continue
    fi
    if [ $rc != 0 ]; then echo "FAIL: convert $src to $name: $(cat "$work/err.$name")"; fail=1; break; fi
    available="$available $name"
    [ $src = mono ] && mono_ok="$mono_ok $name"
    break
  done
done
[ -n "$available" ] || { echo "skip: no lossless syntax is encodable in this build"; exit 77; }
echo "lossless syntaxes encoded:$available"

# decoded(FILE OUT): FILE converted to Explicit VR Little Endian.
decoded() { "$dk" convert "$1" "$2" --ts explicit; }
"$dk" convert "$mono" "$work/mono.dcm" --ts explicit || { echo "FAIL: mono to explicit"; exit 1; }
for src in mono multi rgb; do
  in=${!src}
  "$dk" convert "$in" "$work/$src.native.dcm" --ts explicit || { echo "FAIL: $src to explicit"; fail=1; continue; }
  for a in $available; do
    if ! "$dk" convert "$in" "$work/$src.$a" --ts "$a" --threads 4 2> "$work/err"; then
      grep -q "cannot encode" "$work/err" && { echo "note: $a does not take $src: $(cat "$work/err")"; continue; }
      echo "FAIL: convert $src to $a: $(cat "$work/err")"; fail=1; continue
    fi
    if ! attr "$work/$src.$a" TransferSyntaxUID; then
      echo "FAIL: $src.$a is not encapsulated"; fail=1
    else
      case "$answer" in
        1.2.840.10008.1.2|1.2.840.10008.1.2.1|1.2.840.10008.1.2.2|1.2.840.10008.1.2.1.99)
          echo "FAIL: $src.$a is not encapsulated"; fail=1 ;;
      esac
    fi
    decoded "$work/$src.$a" "$work/back.dcm" && same "$work/$src.native.dcm" "$work/back.dcm" \
      || { echo "FAIL: $src -> $a -> explicit differs"; fail=1; continue; }
    for b in $available; do
      [ "$a" = "$b" ] && continue
      if ! "$dk" convert "$work/$src.$a" "$work/ab.dcm" --ts "$b" --threads 2 2> "$work/err"; then
        grep -q "cannot encode" "$work/err" && continue
        echo "FAIL: $src $a -> $b: $(cat "$work/err")"; fail=1; continue
      fi
      decoded "$work/ab.dcm" "$work/back.dcm" && same "$work/$src.native.dcm" "$work/back.dcm" \
        || { echo "FAIL: $src -> $a -> $b -> explicit differs"; fail=1; }
    done
  done
done
[ "$fail" = 0 ] && echo "ok: convert between every pair of:$available, pixel-exact"

# Lossy: refused without --allow-lossy, marked with it.
lossy_ok=
for lossy in jpeg j2k-lossy htj2k-lossy jpeg-ls-near jpegxl; do
  "$dk" convert "$rgb" "$work/lossy.dcm" --ts $lossy 2> "$work/err"
  rc=$?
  [ $rc = 3 ] && continue
  if [ $rc = 0 ]; then echo "FAIL: lossy $lossy without --allow-lossy"; fail=1; continue; fi
  grep -qi "lossy" "$work/err" || { echo "FAIL: $lossy refusal does not say lossy: $(cat "$work/err")"; fail=1; }
  "$dk" convert "$rgb" "$work/lossy.dcm" --ts $lossy --allow-lossy --quality 80 --ratio 8 --near 3 2> "$work/err" \
    || { grep -q "cannot encode" "$work/err" || { echo "FAIL: $lossy --allow-lossy: $(cat "$work/err")"; fail=1; }; continue; }
  $py -c "
import pydicom, sys
d = pydicom.dcmread(sys.argv[1])
ok = d.LossyImageCompression == '01' and 'LossyImageCompressionMethod' in d and 'LossyImageCompressionRatio' in d
sys.exit(0 if ok else 1)" "$work/lossy.dcm" || { echo "FAIL: $lossy: no Lossy Image Compression attributes"; fail=1; }
  decoded "$work/lossy.dcm" "$work/lossy_back.dcm" || { echo "FAIL: decoding $lossy"; fail=1; continue; }
  $py -c "import pydicom,sys; sys.exit(0 if pydicom.dcmread(sys.argv[1]).LossyImageCompression == '01' else 1)" \
    "$work/lossy_back.dcm" || { echo "FAIL: $lossy decoded lost Lossy Image Compression"; fail=1; }
  echo "ok: $lossy refused without --allow-lossy, marked lossy with it"
  lossy_ok=$lossy
done

for t in storescp storescu movescu getscu echoscu; do
  command -v $t > /dev/null || { echo "skip: no DCMTK $t: network part"; exit $fail; }
done
L=$(echo $mono_ok | cut -d' ' -f1)
[ -n "$L" ] || { echo "skip: no lossless syntax takes the mono image: network part"; exit $fail; }
comp="$work/mono.$L"
[ -f "$comp" ] || "$dk" convert "$mono" "$comp" --ts "$L"
study=$("$dk" dump "$mono" | sed -n 's/^(0020,000D) UI \[\([^]]*\)\].*/\1/p')
sport=$($py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/scp"
storescp -aet UNCOMP -od "$work/scp" "$sport" > "$work/storescp.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do echoscu -to 1 127.0.0.1 "$sport" > /dev/null 2>&1 && break; sleep 0.05; done
received() {  # received DIR: the one file there
  ls "$1"/* 2> /dev/null | head -1
}
# send: the peer takes no compressed syntax, so the file is decoded for it.
if timeout 60 "$dk" send 127.0.0.1 "$sport" "$comp" --aec UNCOMP > "$work/send.out" 2>&1 \
  && f=$(received "$work/scp") && [ -n "$f" ] && same "$work/mono.dcm" "$f"; then
  echo "ok: send of a $L file to an uncompressed-only storescp, pixel-exact"
else
  echo "FAIL: send $L to storescp"; cat "$work/send.out"; fail=1
fi
rm -f "$work/scp"/*
# send of a native file to a storescp that takes only $L for its class: encoded for it.
attr "$comp" TransferSyntaxUID; Luid=$answer
attr "$mono" SOPClassUID; cls=$answer
printf '[[TransferSyntaxes]]\n[Only]\nTransferSyntax1 = %s\n\n[[PresentationContexts]]\n[OnlyCtx]\nPresentationContext1 = %s\\Only\n\n[[Profiles]]\n[OnlyProfile]\nPresentationContexts = OnlyCtx\n' \
  "$Luid" "$cls" > "$work/only.cfg"
oport=$($py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/only"
storescp -aet ONLY -xf "$work/only.cfg" OnlyProfile -od "$work/only" "$oport" > "$work/only.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do echoscu -to 1 127.0.0.1 "$oport" > /dev/null 2>&1 && break; sleep 0.05; done
f=
timeout 60 "$dk" send 127.0.0.1 "$oport" "$mono" --aec ONLY > "$work/send_only.out" 2>&1 && f=$(received "$work/only")
[ -n "$f" ] && attr "$f" TransferSyntaxUID
if [ -n "$f" ] && [ "$answer" = "$Luid" ] \
  && decoded "$f" "$work/only_back.dcm" && same "$work/mono.dcm" "$work/only_back.dcm"; then
  echo "ok: send of a native file to a storescp that takes only $L: encoded, pixel-exact"
else
  echo "FAIL: send to a $L-only storescp"; cat "$work/send_only.out" "$work/only.log"; fail=1
fi

"$dk" serve --bind 127.0.0.1 --port 0 --data "$work/var" --aet ARCHIVE --peer USER=127.0.0.1:1 \
  --peer UNCOMP=127.0.0.1:"$sport" --no-fsync > "$work/serve.out" 2> "$work/serve.err" &
pids+=($!)
port=$(wait_port "$work/serve.err")
[ -n "$port" ] || { echo "FAIL: serve did not start"; cat "$work/serve.err"; exit 1; }
timeout 60 "$dk" send 127.0.0.1 "$port" "$comp" --aet USER --aec ARCHIVE > "$work/store.out" 2>&1 \
  || { echo "FAIL: storing the $L file"; cat "$work/store.out"; fail=1; }
timeout 60 movescu -aet USER -aec ARCHIVE -aem UNCOMP -S -k QueryRetrieveLevel=STUDY -k StudyInstanceUID="$study" \
  127.0.0.1 "$port" > "$work/move.out" 2>&1
if f=$(received "$work/scp") && [ -n "$f" ] && same "$work/mono.dcm" "$f"; then
  echo "ok: C-MOVE (movescu) of a $L instance to an uncompressed-only storescp, pixel-exact"
else
  echo "FAIL: C-MOVE to storescp"; cat "$work/move.out"; tail -5 "$work/serve.out"; fail=1
fi
mkdir -p "$work/got"
timeout 60 getscu -aet USER -aec ARCHIVE -S -k QueryRetrieveLevel=STUDY -k StudyInstanceUID="$study" \
  -od "$work/got" 127.0.0.1 "$port" > "$work/get.out" 2>&1
if f=$(received "$work/got") && [ -n "$f" ] && same "$work/mono.dcm" "$f"; then
  echo "ok: C-GET (getscu, uncompressed proposed) of a $L instance, pixel-exact"
else
  echo "FAIL: C-GET with getscu"; cat "$work/get.out"; tail -5 "$work/serve.out"; fail=1
fi

# Ingest: native files stored in $L, retrieved as they were.
"$dk" serve --bind 127.0.0.1 --port 0 --data "$work/var2" --aet ARCHIVE --peer USER=127.0.0.1:1 \
  --ingest-transfer-syntax "$L" --no-fsync > "$work/serve2.out" 2> "$work/serve2.err" &
pids+=($!)
port2=$(wait_port "$work/serve2.err")
[ -n "$port2" ] || { echo "FAIL: serve with --ingest-transfer-syntax did not start"; cat "$work/serve2.err"; exit 1; }
timeout 60 storescu -aet USER -aec ARCHIVE 127.0.0.1 "$port2" "$work/mono.native.dcm" "$work/multi.native.dcm" \
  > "$work/storescu.out" 2>&1 || { echo "FAIL: storescu into serve"; cat "$work/storescu.out"; fail=1; }
attr "$comp" TransferSyntaxUID; want_uid=$answer
stored=0
for f in "$work/var2/storage"/*.dcm; do
  attr "$f" TransferSyntaxUID; ts=$answer
  [ "$ts" = "$want_uid" ] || { echo "FAIL: $f stored in $ts, not $want_uid"; fail=1; }
  stored=$((stored + 1))
done
[ "$stored" = 2 ] || { echo "FAIL: $stored files stored, want 2"; fail=1; }
for src in mono multi; do
  s=$("$dk" dump "$work/$src.native.dcm" | sed -n 's/^(0020,000D) UI \[\([^]]*\)\].*/\1/p')
  rm -rf "$work/got2"; mkdir -p "$work/got2"
  timeout 60 getscu -aet USER -aec ARCHIVE -S -k QueryRetrieveLevel=STUDY -k StudyInstanceUID="$s" \
    -od "$work/got2" 127.0.0.1 "$port2" > "$work/get2.out" 2>&1
  if f=$(received "$work/got2") && [ -n "$f" ] && same "$work/$src.native.dcm" "$f"; then
    echo "ok: $src stored in $L on ingest, retrieved pixel-exact"
  else
    echo "FAIL: ingest $src in $L"; cat "$work/get2.out"; tail -5 "$work/serve2.out"; fail=1
  fi
done

# Ingest to a lossy syntax without ingest_allow_lossy: stored as received, and said so.
if [ -n "$lossy_ok" ]; then
  printf '[storage]\ningest_transfer_syntax = "%s"\ningest_allow_lossy = false\n' "$lossy_ok" > "$work/lossy.toml"
  "$dk" serve --config "$work/lossy.toml" --bind 127.0.0.1 --port 0 --data "$work/var3" --aet ARCHIVE \
    --peer USER=127.0.0.1:1 --no-fsync > "$work/serve3.out" 2> "$work/serve3.err" &
  pids+=($!)
  port3=$(wait_port "$work/serve3.err")
  timeout 60 storescu -aet USER -aec ARCHIVE 127.0.0.1 "$port3" "$work/mono.native.dcm" > "$work/storescu3.out" 2>&1 \
    || { echo "FAIL: storescu into the lossy-ingest serve"; fail=1; }
  f=$(ls "$work/var3/storage"/*.dcm 2> /dev/null | head -1)
  if [ -n "$f" ] && same "$work/mono.native.dcm" "$f" && grep -q "kept in .*lossy" "$work/serve3.out" "$work/serve3.err"; then
    echo "ok: ingest to $lossy_ok without ingest_allow_lossy keeps the instance as received, logged"
  else
    echo "FAIL: lossy ingest"; tail -5 "$work/serve3.out" "$work/serve3.err"; fail=1
  fi
fi
exit $fail
