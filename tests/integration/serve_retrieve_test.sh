#!/usr/bin/env bash
# dicomkit serve C-MOVE / C-GET on 127.0.0.1: store the samples (tests/data/interop), then
# `dicomkit move` each study to a `dicomkit receive` peer and `dicomkit get` it into a folder,
# checking that exactly the study's instances arrive; an unknown destination gives 0xA801.
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
"$dk" serve --bind 127.0.0.1 --port 0 --data "$work/var" --aet ARCHIVE --peer USER=127.0.0.1:1 \
  --peer DEST=127.0.0.1:"$rport" --no-fsync > "$work/serve.out" 2> "$work/serve.err" &
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
exit $fail
