#!/usr/bin/env bash
# dicomkit serve C-MOVE / C-GET on 127.0.0.1: store the samples (tests/data/interop), then
# `dicomkit move` each study to a `dicomkit receive` peer and `dicomkit get` it into a folder,
# checking that exactly the study's instances arrive; an unknown destination gives 0xA801. Then
# get of every study over many SOP classes and syntaxes (with ../shared/data/dicom when present),
# split over associations (--max-contexts), with uncompressed syntaxes only (compressed instances
# decoded when this build has their codec; the others fail, named by both sides, exit status 1),
# move to an uncompressed-only storescp, and serve's event lines.
# Mode "dcmtk" uses DCMTK movescu and getscu instead (getscu proposes the uncompressed syntaxes
# only, so a study with compressed instances must come back partly, never with other files).
# usage: serve_retrieve_test.sh DICOMKIT DATA_DIR [MODE] ; exits 77 (skip) in dcmtk mode without DCMTK.
set -uo pipefail
dk=$1
data=$2
mode=${3:-dicomkit}
if [ "$mode" = dcmtk ]; then for t in movescu getscu; do command -v $t > /dev/null || exit 77; done; fi
export TCP_NODELAY=1
full_gets=0
# shellcheck source=../support/serve_common.sh
source "$(dirname "$0")/../support/serve_common.sh"
test_workspace

"$dk" receive 0 --bind 127.0.0.1 --out "$work/moved" --aet DEST --no-fsync > "$work/recv.out" 2> "$work/recv.err" &
pids+=($!)
rport=$(wait_port "$work/recv.err")
[ -n "$rport" ] || { echo "FAIL: receive did not start"; exit 1; }
# DCMTK storescp accepts the uncompressed syntaxes only (no +xa): a Move Destination that cannot
# take a compressed instance. Optional: without DCMTK that part is skipped.
sport=
if [ "$mode" = dicomkit ] && command -v storescp > /dev/null && command -v echoscu > /dev/null; then
  sport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  mkdir -p "$work/scp"
  storescp -aet UNCOMP -od "$work/scp" "$sport" > "$work/storescp.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do echoscu -to 1 127.0.0.1 "$sport" > /dev/null 2>&1 && break; sleep 0.05; done
fi
# RONLY may retrieve but not query.
printf '[[peers]]\nae_title = "RONLY"\nhost = "127.0.0.1"\nport = 1\nallow = ["retrieve"]\n' > "$work/peers.toml"
"$dk" serve --config "$work/peers.toml" --bind 127.0.0.1 --port 0 --data "$work/var" --aet ARCHIVE \
  --peer USER=127.0.0.1:1 --peer DEST=127.0.0.1:"$rport" ${sport:+--peer UNCOMP=127.0.0.1:$sport} --no-fsync \
  > "$work/serve.out" 2> "$work/serve.err" &
pids+=($!)
port=$(wait_port "$work/serve.err")
[ -n "$port" ] || { echo "FAIL: serve did not start"; cat "$work/serve.err"; exit 1; }

mkdir -p "$work/in"
find "$data" -name '*.dcm' -not -path '*/malformed/*' -exec cp {} "$work/in/" \;
timeout 60 "$dk" send 127.0.0.1 "$port" "$work/in" --aet USER --aec ARCHIVE > "$work/store.out" 2>&1
n=$(ls "$work/var/storage" | grep -c '\.dcm$')
[ "$n" -ge 8 ] || { echo "FAIL: only $n files stored"; fail=1; }

studies=$(timeout 60 "$dk" find 127.0.0.1 "$port" --aet USER --aec ARCHIVE -S --level STUDY \
  -k StudyInstanceUID= --format csv | tail -n +2 | sort -u)
[ "$(echo "$studies" | grep -c .)" -ge 2 ] || { echo "FAIL: fewer than 2 studies: $studies"; fail=1; }
checked=0
first_n=0
for study in $studies; do
  want=$(for series in $(timeout 60 "$dk" find 127.0.0.1 "$port" --aet USER --aec ARCHIVE -S --level SERIES \
    -k StudyInstanceUID="$study" -k SeriesInstanceUID= --format csv | tail -n +2 | cut -d, -f2); do
    timeout 60 "$dk" find 127.0.0.1 "$port" --aet USER --aec ARCHIVE -S --level IMAGE -k StudyInstanceUID="$study" \
      -k SeriesInstanceUID="$series" -k SOPInstanceUID= --format csv | tail -n +2 | cut -d, -f3
  done | sort)
  [ -n "$want" ] || { echo "FAIL: no instances found for $study"; fail=1; }
  rm -rf "$work/moved"/* "$work/got"
  if [ "$mode" = dcmtk ]; then
    timeout 120 movescu -aet USER -aec ARCHIVE -aem DEST -S -k QueryRetrieveLevel=STUDY \
      -k StudyInstanceUID="$study" 127.0.0.1 "$port" > "$work/move.out" 2>&1 \
      || { echo "FAIL: movescu $study"; cat "$work/move.out"; fail=1; }
  elif ! timeout 120 "$dk" move 127.0.0.1 "$port" --aet USER --aec ARCHIVE --dest DEST -k StudyInstanceUID="$study" \
    > "$work/move.out" 2>&1; then
    echo "FAIL: move $study"; cat "$work/move.out"; fail=1
  elif ! grep -q "^final: remaining=0 completed=$(echo "$want" | grep -c .) failed=0" "$work/move.out"; then
    echo "FAIL: move counts"; cat "$work/move.out"; fail=1
  fi
  got=$(ls "$work/moved" | grep '\.dcm$' | sed 's/\.dcm$//' | sort)
  [ "$got" = "$want" ] || { echo "FAIL: move $study: got [$got] want [$want]"; fail=1; }
  mkdir -p "$work/got"
  if [ "$mode" = dcmtk ]; then
    timeout 120 getscu -aet USER -aec ARCHIVE -S -k QueryRetrieveLevel=STUDY -k StudyInstanceUID="$study" \
      -od "$work/got" 127.0.0.1 "$port" > "$work/get.out" 2>&1
    got=$(ls "$work/got" | sed 's/^[A-Za-z]*\.//' | sort)
    extra=$(comm -13 <(echo "$want") <(echo "$got") | grep .)
    [ -z "$extra" ] || { echo "FAIL: getscu $study: files not in the study: $extra"; fail=1; }
    [ "$got" = "$want" ] && full_gets=$((full_gets + 1))
  else
    if ! timeout 120 "$dk" get 127.0.0.1 "$port" --aet USER --aec ARCHIVE --out "$work/got" \
      -k StudyInstanceUID="$study" > "$work/get.out" 2>&1; then
      echo "FAIL: get $study"; cat "$work/get.out"; fail=1
    fi
    got=$(ls "$work/got" 2> /dev/null | grep '\.dcm$' | sed 's/\.dcm$//' | sort)
    [ "$got" = "$want" ] || { echo "FAIL: get $study: got [$got] want [$want]"; fail=1; }
  fi
  [ "$checked" = 0 ] && first_n=$(echo "$want" | grep -c .)
  checked=$((checked + 1))
done
[ "$checked" -ge 2 ] || { echo "FAIL: no study checked"; fail=1; }
if [ "$mode" = dcmtk ]; then
  [ "$full_gets" -ge 4 ] || { echo "FAIL: getscu received only $full_gets studies whole"; fail=1; }
fi
echo "ok: move and get of $checked studies"

study=$(echo "$studies" | head -1)
[ "$mode" = dcmtk ] && exit $fail
# Relational retrieve (PS3.4 C.4.3.2.2): one series by its UID alone, refused without --relational.
series=$(timeout 60 "$dk" find 127.0.0.1 "$port" --aet USER --aec ARCHIVE -S --level SERIES \
  -k StudyInstanceUID="$study" -k SeriesInstanceUID= --format csv | tail -n +2 | head -1 | cut -d, -f2)
want=$(timeout 60 "$dk" find 127.0.0.1 "$port" --aet USER --aec ARCHIVE -S --level IMAGE -k StudyInstanceUID="$study" \
  -k SeriesInstanceUID="$series" -k SOPInstanceUID= --format csv | tail -n +2 | cut -d, -f3 | sort)
rm -rf "$work/got"
if timeout 60 "$dk" get 127.0.0.1 "$port" --aet USER --aec ARCHIVE --out "$work/got" --level SERIES \
  -k SeriesInstanceUID="$series" > "$work/hier_get.out" 2>&1; then
  echo "FAIL: a SERIES get without the Study Instance UID succeeded without --relational"; fail=1
else echo "ok: hierarchical get without the study UID refused"; fi
rm -rf "$work/got"
if ! timeout 60 "$dk" get 127.0.0.1 "$port" --aet USER --aec ARCHIVE --out "$work/got" --level SERIES --relational \
  -k SeriesInstanceUID="$series" > "$work/rel_get.out" 2>&1; then
  echo "FAIL: relational get"; cat "$work/rel_get.out"; fail=1
fi
got=$(ls "$work/got" 2> /dev/null | grep '\.dcm$' | sed 's/\.dcm$//' | sort)
if [ -n "$want" ] && [ "$got" = "$want" ]; then echo "ok: relational get of series $series"; else
  echo "FAIL: relational get: got [$got] want [$want]"; cat "$work/rel_get.out"; fail=1
fi
if timeout 60 "$dk" move 127.0.0.1 "$port" --aet USER --aec ARCHIVE --dest NOBODY -k StudyInstanceUID="$study" \
  > "$work/unknown.out" 2>&1; then
  echo "FAIL: move to an unknown destination succeeded"; fail=1
fi
grep -qi "a801" "$work/unknown.out" || { echo "FAIL: no 0xA801"; cat "$work/unknown.out"; fail=1; }
[ "$fail" = 0 ] && echo "ok: unknown destination -> A801"
# USER is a known destination that does not listen (port 1): every sub-operation fails.
n=$first_n
if timeout 60 "$dk" move 127.0.0.1 "$port" --aet USER --aec ARCHIVE --dest USER -k StudyInstanceUID="$study" \
  > "$work/down.out" 2>&1; then
  echo "FAIL: move to a destination that is down succeeded"; fail=1
fi
grep -q "^final: remaining=0 completed=0 failed=$n warning=0" "$work/down.out" && grep -qi "a702" "$work/down.out" \
  || { echo "FAIL: destination down: want A702 with $n failed"; cat "$work/down.out"; fail=1; }
[ "$(grep -c '^FAILED ' "$work/down.out")" = "$n" ] || { echo "FAIL: destination down: not every UID named"; fail=1; }

# A peer whose C-FIND is refused (0x0124): get proposes common classes and syntaxes instead.
mr_study=$("$dk" dump "$data/implicit_vr/MR_small_implicit.dcm" | sed -n 's/^(0020,000D) UI \[\([^]]*\)\].*/\1/p')
mr_n=$(timeout 60 "$dk" find 127.0.0.1 "$port" --aet USER --aec ARCHIVE --level STUDY -k StudyInstanceUID="$mr_study" \
  -k NumberOfStudyRelatedInstances= --format csv | tail -n +2 | cut -d, -f2)
if timeout 60 "$dk" get 127.0.0.1 "$port" --aet RONLY --aec ARCHIVE --out "$work/ronly" -k StudyInstanceUID="$mr_study" \
  > "$work/ronly.out" 2>&1 && grep -q "^[^ ]* W: C-FIND for the instances to receive failed" "$work/ronly.out" \
  && [ -n "$mr_n" ] && [ "$(ls "$work/ronly" | grep -c '\.dcm$')" = "$mr_n" ]; then
  echo "ok: get without C-FIND rights: common classes proposed, $mr_n instances"
else
  echo "FAIL: get by a peer that may not query (want $mr_n)"; cat "$work/ronly.out"; fail=1
fi
grep -q "^[^ ]* W: RONLY@.* C-FIND .*0x0124" "$work/serve.out" || { echo "FAIL: the 0x0124 refusal was not logged"; fail=1; }

# Many SOP classes and transfer syntaxes: the samples, and a selection of ../shared/data/dicom
# (beside the repository) when it is there.
root=$(cd "$(dirname "$0")/../.." && pwd)
shared="$root/../shared/data/dicom"
if [ -d "$shared" ]; then
  mkdir -p "$work/shared"
  for d in big_endian color compressed deflate implicit_vr mr multiframe other_modality rt rt_set sr_seg_pmap \
    waveform; do
    [ -d "$shared/$d" ] && cp -r "$shared/$d" "$work/shared/"
  done
  ls "$shared"/ct/*.dcm 2> /dev/null | head -5 | xargs -r cp -t "$work/shared/"
  timeout 120 "$dk" send 127.0.0.1 "$port" "$work/shared" --aet USER --aec ARCHIVE > "$work/shared_send.out" 2>&1
  echo "ok: shared corpus: $(head -1 "$work/shared_send.out")"
else
  echo "skip: $shared not found: the samples only"
fi
studies=$(timeout 60 "$dk" find 127.0.0.1 "$port" --aet USER --aec ARCHIVE --level STUDY -k StudyInstanceUID= \
  -k NumberOfStudyRelatedInstances= --format csv | tail -n +2 | sort -u)
list=$(echo "$studies" | cut -d, -f1 | paste -sd'\\')
total=$(($(echo "$studies" | cut -d, -f2 | paste -sd+)))
classes=$(timeout 60 "$dk" find 127.0.0.1 "$port" --aet USER --aec ARCHIVE --level STUDY -k StudyInstanceUID= \
  -k SOPClassesInStudy= --format csv | tail -n +2 | cut -d, -f2- | tr '\\",' '\n\n\n' | grep . | sort -u | wc -l)
[ "$total" -ge 9 ] || { echo "FAIL: only $total instances indexed"; fail=1; }
get_all() {  # get_all NAME ARGS...: C-GET of every study into $work/NAME; output in $work/NAME.out
  local name=$1
  shift
  rm -rf "${work:?}/$name"
  timeout 240 "$dk" get 127.0.0.1 "$port" --aet USER --aec ARCHIVE --out "$work/$name" \
    -k StudyInstanceUID="$list" "$@" > "$work/$name.out" 2>&1
}
if get_all all && grep -q "^total: completed=$total failed=0 warning=0" "$work/all.out" \
  && [ "$(ls "$work/all" | grep -c '\.dcm$')" = "$total" ]; then
  echo "ok: get of $total instances ($classes SOP classes over the studies) in every stored syntax"
else
  echo "FAIL: get of every study (want $total)"; grep -v '^pending' "$work/all.out" | tail -20; fail=1
fi
# The same, at most 4 contexts per association: several associations, each its classes' instances.
if get_all split --max-contexts 4 && grep -q "^association 2 of" "$work/split.out" \
  && grep -q "^total: completed=$total failed=0 warning=0" "$work/split.out" \
  && [ "$(ls "$work/split" | grep -c '\.dcm$')" = "$total" ]; then
  echo "ok: get split over $(grep -c '^association ' "$work/split.out") associations"
else
  echo "FAIL: split get"; grep -v '^pending' "$work/split.out" | tail -20; fail=1
fi
# Only Explicit VR Little Endian proposed: the compressed instances whose syntax this build decodes
# are decoded for it; the others fail, each named by both sides.
get_all uncompressed --ts 1.2.840.10008.1.2.1
get_rc=$?
nfailed=$(grep -c '^FAILED ' "$work/uncompressed.out")
if [ "$nfailed" = 0 ]; then
  if [ "$get_rc" = 0 ] && grep -q "^total: completed=$total failed=0 warning=0" "$work/uncompressed.out" \
    && [ "$(ls "$work/uncompressed" | grep -c '\.dcm$')" = "$total" ]; then
    echo "ok: get with uncompressed syntaxes only: every compressed instance decoded for it"
  else
    echo "FAIL: uncompressed-only get"; grep -v '^pending' "$work/uncompressed.out" | tail -20; fail=1
  fi
elif [ "$get_rc" = 0 ]; then
  echo "FAIL: a get with failed sub-operations exited 0"; fail=1
elif grep -q "failed=$nfailed warning=0" "$work/uncompressed.out" \
  && grep -q "no accepted context for" "$work/uncompressed.out"; then
  echo "ok: get with uncompressed syntaxes only: $nfailed compressed instances without a decoder failed and named"
else
  echo "FAIL: uncompressed-only get"; grep -v '^pending' "$work/uncompressed.out" | tail -20; fail=1
fi
for uid in $(sed -n 's/^FAILED \([^:]*\):.*/\1/p' "$work/uncompressed.out"); do
  # No context for a syntax without a decoder, or the decoder's error for data it cannot decode.
  grep -q "^[^ ]* W: USER@.* C-GET sub-operation $uid failed: " "$work/serve.out" \
    || { echo "FAIL: serve did not log the failed sub-operation $uid"; fail=1; }
done
# C-MOVE to a destination that takes uncompressed syntaxes only.
if [ -n "$sport" ]; then
  timeout 240 "$dk" move 127.0.0.1 "$port" --aet USER --aec ARCHIVE --dest UNCOMP -k StudyInstanceUID="$list" \
    > "$work/move_uncomp.out" 2>&1
  move_rc=$?
  mfailed=$(grep -c '^FAILED ' "$work/move_uncomp.out")
  if [ "$mfailed" -ge 1 ] && [ "$move_rc" = 0 ]; then echo "FAIL: a move with failed sub-operations exited 0"; fail=1; fi
  if [ "$mfailed" = 0 ] && grep -q "^total: completed=$total failed=0 warning=0" "$work/move_uncomp.out" \
    && [ "$(ls "$work/scp" | wc -l)" = "$total" ]; then
    echo "ok: move to an uncompressed-only destination: every compressed instance decoded for it"
  elif [ "$mfailed" -ge 1 ] && grep -q "^total: completed=$((total - mfailed)) failed=$mfailed warning=0" \
    "$work/move_uncomp.out" && [ "$(ls "$work/scp" | wc -l)" = "$((total - mfailed))" ]; then
    echo "ok: move to an uncompressed-only destination: $mfailed failed and named"
  else
    echo "FAIL: move to UNCOMP"; grep -v '^pending' "$work/move_uncomp.out" | tail -20; fail=1
  fi
  for uid in $(sed -n 's/^FAILED \([^:]*\):.*/\1/p' "$work/move_uncomp.out"); do
    grep -q "^[^ ]* W: USER@.* C-MOVE sub-operation $uid to UNCOMP failed: " "$work/serve.out" \
      || { echo "FAIL: serve did not log the failed move sub-operation $uid"; fail=1; }
  done
else
  echo "skip: no DCMTK storescp: no uncompressed-only move destination"
fi

# serve's event lines: echo, find, move, get, the 0xA801 refusal, associations; a value with a
# line feed cannot forge a line.
timeout 30 "$dk" echo 127.0.0.1 "$port" --aet USER --aec ARCHIVE > /dev/null 2>&1
timeout 30 "$dk" find 127.0.0.1 "$port" --aet USER --aec ARCHIVE --level STUDY \
  -k $'PatientName=x\nI: forged' -k StudyInstanceUID= > /dev/null 2>&1
for want in "^[^ ]* I: USER@127.0.0.1:[0-9]* C-ECHO: 0x0000" "^[^ ]* I: USER@.* C-FIND Study Root STUDY .*: 0x0000 Success, [0-9]* matches" \
  "^[^ ]* I: USER@.* C-MOVE Study Root STUDY StudyInstanceUID=.* to DEST: 0x0000 Success, completed" \
  "^[^ ]* I: USER@.* C-GET Study Root STUDY StudyInstanceUID=.*: 0x0000 Success, completed" \
  "^[^ ]* W: USER@.* C-MOVE .* to NOBODY: 0xA801 .*unknown move destination NOBODY" \
  "^[^ ]* I: USER@.* association released after [0-9]* requests\? (C-ECHO 1)"; do
  grep -q -- "$want" "$work/serve.out" || { echo "FAIL: serve's log has no line matching: $want"; fail=1; }
done
if [ "$nfailed" -ge 1 ]; then
  grep -q "^[^ ]* W: USER@.* C-GET Study Root STUDY .*: 0xB000 .*no accepted context for" "$work/serve.out" \
    || { echo "FAIL: serve's log has no 0xB000 line for the failed get"; fail=1; }
fi
grep -qF 'PatientName=x\x0aI: forged' "$work/serve.out" || { echo "FAIL: the line feed was not escaped"; fail=1; }
! grep -q "^I: forged" "$work/serve.out" || { echo "FAIL: a line feed in a key forged a log line"; fail=1; }
[ "$fail" = 0 ] && echo "ok: serve logs echo, find, move, get, refusals and associations"
exit $fail
