#!/usr/bin/env bash
# bench/archive/ab.sh: storescu -> serve ingest rate of two builds of dicomkit, interleaved run by run
# on 127.0.0.1 (A, B, A, B ...), so that a slower or faster machine or disk moves both alike. Use it to
# tell a change of the code from a change of the machine when run.sh's absolute figures move.
# usage: bench/archive/ab.sh BUILD_A BUILD_B   environment: N=2000 ROUNDS=3 FSYNC="fsync nofsync"
#   SENDER=storescu (one association, TCP_NODELAY=1) or dicomkit (B's send --parallel 4, for both)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
a=$1/apps/dicomkit/dicomkit
b=$2/apps/dicomkit/dicomkit
gen=$2/bench/bench_archive_gen
N=${N:-2000}
ROUNDS=${ROUNDS:-3}
FSYNC=${FSYNC:-fsync nofsync}
SENDER=${SENDER:-storescu}
TEMPLATE=${TEMPLATE:-$root/tests/data/interop/implicit_vr/MR_small_implicit.dcm}
work=$(mktemp -d)
srv=
trap '[ -n "$srv" ] && kill "$srv" 2> /dev/null; wait 2> /dev/null; rm -rf "$work"' EXIT
export TCP_NODELAY=1
"$gen" files "$TEMPLATE" "$work/in" "$N" > /dev/null
cat "$work"/in/* > /dev/null  # in the page cache
run() {  # run BINARY MODE DIR: prints instances/s
  local flags=() port=
  [ "$2" = nofsync ] && flags=(--no-fsync)
  sync  # the previous run's files are written back first, not during this one
  "$1" serve --bind 127.0.0.1 --port 0 --data "$3" --aet ARCHIVE --peer STORESCU=127.0.0.1:1 \
    --peer BENCH=127.0.0.1:1 "${flags[@]}" \
    > "$3.out" 2> "$3.err" &
  srv=$!
  for _ in $(seq 1 200); do
    port=$(sed -n 's/^\([^ ]* \)\{0,1\}I: listening on [0-9.]*:\([0-9]*\) .*/\2/p' "$3.err" "$3.out" 2> /dev/null | head -1)
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || { echo "serve did not start: $(cat "$3.err")" >&2; exit 1; }
  local t0 t1
  t0=$(date +%s.%N)
  case $SENDER in
    storescu) storescu -aet STORESCU -aec ARCHIVE +sd 127.0.0.1 "$port" "$work/in" > /dev/null 2>&1 ;;
    dicomkit) "$b" send 127.0.0.1 "$port" --aet BENCH --aec ARCHIVE --parallel 4 "$work/in" > /dev/null 2>&1 ;;
  esac
  t1=$(date +%s.%N)
  kill "$srv"; wait "$srv" 2> /dev/null || true; srv=
  local got
  got=$(find "$3/storage" -name '*.dcm' | wc -l)
  [ "$got" -eq "$N" ] || { echo "stored $got of $N" >&2; exit 1; }
  awk -v n="$N" -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", n/(b-a)}'
}
for mode in $FSYNC; do
  ra=() rb=()
  for r in $(seq 1 "$ROUNDS"); do
    ra+=("$(run "$a" "$mode" "$work/a-$mode-$r")")
    rb+=("$(run "$b" "$mode" "$work/b-$mode-$r")")
  done
  best() { printf '%s\n' "$@" | sort -g | tail -1; }
  echo "$SENDER -> serve ($mode): A ${ra[*]} | B ${rb[*]} instances/s"
  echo "ratio: $(awk -v x="$(best "${rb[@]}")" -v y="$(best "${ra[@]}")" 'BEGIN{printf "%.2f", x/y}') (B / A, best of $ROUNDS, $mode)"
done
