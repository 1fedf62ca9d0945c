#!/usr/bin/env bash
# bench/store: C-STORE throughput, dicomkit send -> dicomkit receive vs storescu -> storescp, in
# one run, on 127.0.0.1: small instances (~0.5 MB CT) and large ones (~20 MB multi-frame), over one
# and four associations. Prints instances/s, MB/s, "ratio:" lines and each receiver's peak memory,
# and writes the "store" section of docs/benchmarks.md.
# usage: bench/store/run.sh [BUILD_DIR]   (SMALL=200 LARGE=12 instances by default)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
dk=$build/apps/dicomkit/dicomkit
[ -x "$dk" ] || { echo "build first (make build)"; exit 1; }
for t in storescu storescp /usr/bin/python3 /usr/bin/time; do command -v $t > /dev/null || { echo "missing $t"; exit 1; }; done
SMALL=${SMALL:-200}
LARGE=${LARGE:-12}
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done; wait 2> /dev/null || true; rm -rf "$work"' EXIT
export TCP_NODELAY=1

mkdir -p "$work/small" "$work/large"
/usr/bin/python3 "$root/bench/store/make_instances.py" "$work/small" small "$SMALL"
/usr/bin/python3 "$root/bench/store/make_instances.py" "$work/large" large "$LARGE"
cat "$work"/small/* "$work"/large/* > /dev/null  # resident in the page cache

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }

# storescp does not fsync what it stores; for a like-for-like figure dicomkit receive runs with
# --no-fsync here, and one extra run below shows its default (fsync before acknowledging).
start_receivers() {  # dicomkit receive and storescp, each under /usr/bin/time for its peak RSS
  dk_port=$(free_port); dc_port=$(free_port)
  rm -rf "$work/out_dk" "$work/out_dc"; mkdir -p "$work/out_dk" "$work/out_dc"
  /usr/bin/time -f "%M" -o "$work/mem_dk" "$dk" receive "$dk_port" --bind 127.0.0.1 --out "$work/out_dk" -q \
    ${DK_RECEIVE_FLAGS---no-fsync} > /dev/null 2>&1 &
  dk_pid=$!; pids+=($dk_pid)
  /usr/bin/time -f "%M" -o "$work/mem_dc" storescp -od "$work/out_dc" "$dc_port" > /dev/null 2>&1 &
  dc_pid=$!; pids+=($dc_pid)
  for _ in $(seq 1 100); do
    "$dk" echo 127.0.0.1 "$dk_port" --timeout 1 > /dev/null 2>&1 && echoscu 127.0.0.1 "$dc_port" > /dev/null 2>&1 && return
    sleep 0.05
  done
  echo "receivers did not start"; exit 1
}
stop_receivers() {  # SIGTERM both (through /usr/bin/time's child) and read their peak RSS (KiB)
  pkill -TERM -P "$dk_pid" 2> /dev/null || true
  pkill -TERM -P "$dc_pid" 2> /dev/null || true
  wait "$dk_pid" 2> /dev/null || true
  wait "$dc_pid" 2> /dev/null || true
  mem_dk=$(tail -1 "$work/mem_dk"); mem_dc=$(tail -1 "$work/mem_dc")
}

run_dk() {  # run_dk KIND N_ASSOC -> seconds
  local t0 t1
  t0=$(now)
  "$dk" send 127.0.0.1 "$dk_port" "$work/$1" --parallel "$2" > "$work/dk_send.log" 2>&1 || { cat "$work/dk_send.log"; exit 1; }
  t1=$(now)
  awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}'
}
run_dc() {  # run_dc KIND N_ASSOC -> seconds (N storescu processes, each with its share of files)
  local t0 t1 i
  ls "$work/$1"/*.dcm > "$work/list"
  split -n "r/$2" "$work/list" "$work/part."
  t0=$(now)
  for p in "$work"/part.*; do xargs -a "$p" storescu 127.0.0.1 "$dc_port" > /dev/null 2>&1 & done
  wait $(jobs -p | grep -v -e "^$dk_pid\$" -e "^$dc_pid\$") 2> /dev/null || true
  t1=$(now)
  rm -f "$work"/part.*
  awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}'
}

rows=()
for kind in small large; do
  n=$(ls "$work/$kind" | wc -l)
  mb=$(du -sm --apparent-size "$work/$kind" | cut -f1)
  start_receivers
  for assoc in 1 4; do
    # Best of three runs for each pair (the first run into a fresh folder is often the slowest).
    t_dk=999999; t_dc=999999
    for _ in 1 2 3; do
      t=$(run_dk "$kind" "$assoc"); t_dk=$(awk -v a="$t_dk" -v b="$t" 'BEGIN{print (b<a)?b:a}')
      got=$(ls "$work/out_dk" | wc -l); [ "$got" -eq "$n" ] || { echo "dicomkit receive stored $got of $n"; exit 1; }
      t=$(run_dc "$kind" "$assoc"); t_dc=$(awk -v a="$t_dc" -v b="$t" 'BEGIN{print (b<a)?b:a}')
      got=$(ls "$work/out_dc" | wc -l); [ "$got" -ge "$n" ] || { echo "storescp stored $got of $n"; exit 1; }
      rm -rf "$work"/out_dk/* "$work"/out_dc/*
    done
    line=$(awk -v n="$n" -v mb="$mb" -v a="$t_dk" -v b="$t_dc" 'BEGIN{printf "%.1f inst/s %.1f MB/s | %.1f inst/s %.1f MB/s | %.2f", n/a, mb/a, n/b, mb/b, b/a}')
    echo "$kind x$n, $assoc association(s): dicomkit $(echo "$line" | cut -d'|' -f1)| DCMTK $(echo "$line" | cut -d'|' -f2)"
    ratio=$(echo "$line" | cut -d'|' -f3 | tr -d ' ')
    echo "ratio: $ratio ($kind, $assoc association(s): dicomkit send->receive throughput / storescu->storescp)"
    rows+=("| $kind ($n x $(awk -v m="$mb" -v n="$n" 'BEGIN{printf "%.1f", m/n}') MB), $assoc assoc. | $(echo "$line" | cut -d'|' -f2 | xargs) | $(echo "$line" | cut -d'|' -f1 | xargs) | **${ratio} x** |")
  done
  stop_receivers
  echo "receiver peak memory ($kind): dicomkit receive $mem_dk KiB, storescp $mem_dc KiB"
  rows+=("| receiver peak memory, $kind run | storescp: $mem_dc KiB | dicomkit receive: $mem_dk KiB | |")
done

# dicomkit receive's default: every file fsynced (and its folder) before the C-STORE-RSP.
DK_RECEIVE_FLAGS="" start_receivers
n=$(ls "$work/small" | wc -l)
t_durable=$(run_dk small 1); rm -rf "$work"/out_dk/*
t_durable4=$(run_dk small 4)
stop_receivers
durable=$(awk -v n="$n" -v a="$t_durable" 'BEGIN{printf "%.1f inst/s", n/a}')
durable4=$(awk -v n="$n" -v a="$t_durable4" 'BEGIN{printf "%.1f inst/s", n/a}')
echo "dicomkit receive with fsync (default), small: 1 association $durable, 4 associations $durable4"
rows+=("| small, dicomkit receive with fsync (its default), 1 / 4 assoc. | (storescp never fsyncs) | $durable / $durable4 | |")

out="$root/docs/benchmarks.md"
tmp="$work/bench.md"
{
  if [ -f "$out" ]; then awk '/^## store/{skip=1;next} /^## /{skip=0} !skip' "$out"; else echo "# Benchmarks"; echo; fi
  echo "## store"
  echo
  echo "\`bench/store/run.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores, 127.0.0.1, wall time (best of 3 per tool); DCMTK with TCP_NODELAY=1,"
  echo "four associations = four storescu processes each sending a quarter of the files. Receivers write every file to disk;"
  echo "as storescp does not fsync, dicomkit receive runs with --no-fsync in the compared rows (its default row is last)."
  echo
  echo "| run | storescu -> storescp | dicomkit send -> receive | ratio |"
  echo "|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
} > "$tmp"
mv "$tmp" "$out"
echo "wrote $out"
