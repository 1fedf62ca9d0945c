#!/usr/bin/env bash
# bench/archive: the archive (dicomkit serve) against Orthanc and storescp, in one run, on
# 127.0.0.1, with generated instances (bench_archive_gen: one template, distinct UIDs, patients,
# names, dates):
#  (i)  ingest: N instances into serve (SQLite index; fsync, and --no-fsync), storescp
#       (TCP_NODELAY=1) and Orthanc (its defaults, which fsync), each fed by storescu (TCP_NODELAY=1,
#       one association) and by dicomkit send --parallel 4; a fresh receiver per run, best of
#       REPEAT runs; instances/s, "ratio:" lines, each receiver's peak memory;
#  (ii) C-FIND latency (p50/p95 on one association: dicomkit find --repeat) of three Study Root
#       queries on serve at each size of FIND_SCALES (the index generated in bulk through
#       Index::add, no network) and on Orthanc loaded with ORTHANC_FIND_N instances through its
#       DICOM port; serve's peak memory at each size.
# Writes the "archive" section of docs/benchmarks.md (DOCS=0: do not).
# usage: bench/archive/run.sh [BUILD_DIR]
# environment: N=2000 REPEAT=3 FIND_SCALES="100000 1000000" ORTHANC_FIND_N=100000 QUERIES=200
#   TEMPLATE=tests/data/interop/implicit_vr/MR_small_implicit.dcm WORK=(a temporary folder)
# A quick run: N=500 REPEAT=1 FIND_SCALES=20000 ORTHANC_FIND_N=5000 DOCS=0 bench/archive/run.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
dk=$build/apps/dicomkit/dicomkit
gen=$build/bench/bench_archive_gen
for b in "$dk" "$gen"; do [ -x "$b" ] || { echo "missing $b: cmake --build $build --target dicomkit bench_archive_gen"; exit 1; }; done
for t in storescu storescp echoscu curl /usr/bin/python3 /usr/bin/time; do command -v $t > /dev/null || { echo "missing $t (scripts/bootstrap.sh)"; exit 1; }; done
source "$root/tests/support/orthanc.sh"
[ -n "$(orthanc_binary)" ] || { echo "missing Orthanc (scripts/bootstrap.sh)"; exit 1; }

N=${N:-2000}
REPEAT=${REPEAT:-3}
FIND_SCALES=${FIND_SCALES:-100000 1000000}
ORTHANC_FIND_N=${ORTHANC_FIND_N:-100000}
QUERIES=${QUERIES:-200}
TEMPLATE=${TEMPLATE:-$root/tests/data/interop/implicit_vr/MR_small_implicit.dcm}
DOCS=${DOCS:-1}
if [ -n "${WORK:-}" ]; then work=$WORK; mkdir -p "$work"; else work=$(mktemp -d); fi
pids=()
cleanup() {
  orthanc_stop
  for p in "${pids[@]}"; do pkill -TERM -P "$p" 2> /dev/null || true; kill "$p" 2> /dev/null || true; done
  wait 2> /dev/null || true
  [ -n "${WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
export TCP_NODELAY=1
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.3f", b-a}'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
free_port() { orthanc_free_port; }
log_port() {  # log_port LOGFILE: the port a dicomkit server logged
  local port=
  for _ in $(seq 1 200); do
    port=$(sed -n 's/^[^ ]* I: listening on [0-9.]*:\([0-9]*\) .*/\1/p' "$1" 2> /dev/null)
    [ -n "$port" ] && break
    sleep 0.05
  done
  echo "$port"
}

# --- receivers, each under /usr/bin/time for its peak RSS (KiB) ---
# start_receiver KIND DIR: KIND serve | serve-nofsync | storescp | orthanc; sets rx_port, rx_aet,
# rx_pid (the /usr/bin/time process). DIR is new: nothing is deleted until the end, as deleting many
# files slows the creation of new ones on some file systems (ext4 without a journal skips recently
# freed inodes), which would make the later runs slower than the earlier ones.
start_receiver() {
  local kind=$1 dir=$2
  mkdir -p "$dir"
  case $kind in
    serve | serve-nofsync)
      local flags=()
      [ "$kind" = serve-nofsync ] && flags=(--no-fsync)
      /usr/bin/time -f %M -o "$dir.mem" "$dk" serve --bind 127.0.0.1 --port 0 --data "$dir" --aet ARCHIVE \
        --peer BENCH=127.0.0.1:1 --peer STORESCU=127.0.0.1:1 "${flags[@]}" > "$dir.log" 2> "$dir.err" &
      rx_pid=$!
      pids+=($rx_pid)
      rx_port=$(log_port "$dir.err")
      rx_aet=ARCHIVE
      [ -n "$rx_port" ] || { echo "serve did not start"; cat "$dir.err"; exit 1; }
      ;;
    storescp)
      rx_port=$(free_port)
      rx_aet=STORESCP
      /usr/bin/time -f %M -o "$dir.mem" storescp -aet STORESCP -od "$dir" "$rx_port" > "$dir.log" 2>&1 &
      rx_pid=$!
      pids+=($rx_pid)
      for _ in $(seq 1 200); do echoscu -aec STORESCP 127.0.0.1 "$rx_port" > /dev/null 2>&1 && break; sleep 0.05; done
      ;;
    orthanc)
      ORTHANC_WRAP="/usr/bin/time -f %M -o $dir.mem" orthanc_start "$dir" BENCH=127.0.0.1:1 STORESCU=127.0.0.1:1 \
        || { echo "Orthanc did not start"; exit 1; }
      rx_port=$ORTHANC_DICOM_PORT
      rx_aet=$ORTHANC_AET
      rx_pid=$ORTHANC_WRAPPER_PID
      ;;
  esac
}
stored_count() {  # stored_count KIND DIR
  case $1 in
    serve | serve-nofsync) find "$2/storage" -name '*.dcm' | wc -l ;;
    storescp) find "$2" -type f | wc -l ;;
    orthanc) curl -s --noproxy '*' "$ORTHANC_URL/statistics" | sed -n 's/.*"CountInstances" : \([0-9]*\).*/\1/p' ;;
  esac
}
stop_receiver() {  # stop_receiver KIND: SIGTERM (through /usr/bin/time) and wait; sets rx_mem
  if [ "$1" = orthanc ]; then orthanc_stop; else
    pkill -TERM -P "$rx_pid" 2> /dev/null || true
    wait "$rx_pid" 2> /dev/null || true
  fi
  rx_mem=$(tail -1 "$rx_dir.mem")
}
send_with() {  # send_with SENDER DIR: runs the sender against rx_port/rx_aet; prints its seconds
  local t0
  t0=$(now)
  case $1 in
    storescu) storescu -aet STORESCU -aec "$rx_aet" +sd 127.0.0.1 "$rx_port" "$2" > "$work/send.log" 2>&1 ;;
    dicomkit) "$dk" send 127.0.0.1 "$rx_port" --aet BENCH --aec "$rx_aet" --parallel 4 "$2" > "$work/send.log" 2>&1 ;;
  esac || { echo "$1 -> $rx_aet failed:"; tail -5 "$work/send.log"; exit 1; }
  elapsed "$t0"
}

echo "== generating $N instances from $(basename "$TEMPLATE")"
"$gen" files "$TEMPLATE" "$work/ingest" "$N"
cat "$work"/ingest/* > /dev/null  # in the page cache
size_kb=$(du -sk --apparent-size "$work/ingest" | cut -f1)

# --- (i) ingest ---
declare -A rate mem
receivers=(serve serve-nofsync storescp orthanc)
senders=(storescu dicomkit)
for sender in "${senders[@]}"; do
  for kind in "${receivers[@]}"; do
    best=
    for r in $(seq 1 "$REPEAT"); do
      rx_dir=$work/rx_${kind}_${sender}_$r
      sync  # the previous run's files are written back first, not during this one
      start_receiver "$kind" "$rx_dir"
      t=$(send_with "$sender" "$work/ingest")
      got=$(stored_count "$kind" "$rx_dir")
      stop_receiver "$kind"
      [ "$got" -eq "$N" ] || { echo "$kind stored $got of $N"; exit 1; }
      best=$(awk -v a="${best:-1e9}" -v b="$t" 'BEGIN{print (b<a)?b:a}')
      m=${mem[$kind]:-0}
      [ "$rx_mem" -gt "$m" ] && mem[$kind]=$rx_mem
    done
    rate[$sender,$kind]=$(awk -v n="$N" -v s="$best" 'BEGIN{printf "%.1f", n/s}')
    echo "ingest $sender -> $kind: ${rate[$sender,$kind]} instances/s (best of $REPEAT, $N instances)"
  done
  for kind in serve serve-nofsync; do
    echo "ratio: $(div "${rate[$sender,$kind]}" "${rate[$sender,orthanc]}") (ingest, $sender -> dicomkit $kind / Orthanc)"
    echo "ratio: $(div "${rate[$sender,$kind]}" "${rate[$sender,storescp]}") (ingest, $sender -> dicomkit $kind / storescp)"
  done
done
for kind in "${receivers[@]}"; do echo "peak memory $kind: ${mem[$kind]} KiB"; done

# --- (ii) C-FIND latency on one association ---
study_keys=(StudyInstanceUID= PatientName= PatientID= StudyDate= AccessionNumber= StudyDescription= ModalitiesInStudy=
            NumberOfStudyRelatedInstances=)
query_names=("PatientID=PAT0001234" "PatientName=DOE^J*" "StudyDate=20200101-20200107")
declare -A p50 p95 matches
find_latency() {  # find_latency LABEL: the three queries, QUERIES times each, on rx_port/rx_aet
  local q line k keys
  for q in "${query_names[@]}"; do
    keys=()  # the return keys, less the one this query matches on
    for k in "${study_keys[@]}"; do [ "$k" = "${q%%=*}=" ] || keys+=(-k "$k"); done
    "$dk" find 127.0.0.1 "$rx_port" --aet BENCH --aec "$rx_aet" -S --level STUDY -k "$q" "${keys[@]}" \
      --repeat "$QUERIES" --format csv > "$work/find.out" 2> "$work/find.err" || { cat "$work/find.err"; exit 1; }
    line=$(grep '^latency:' "$work/find.err")
    p50[$1,$q]=$(echo "$line" | sed -n 's/.* p50 \([0-9.]*\) .*/\1/p')
    p95[$1,$q]=$(echo "$line" | sed -n 's/.* p95 \([0-9.]*\) .*/\1/p')
    matches[$1,$q]=$(echo "$line" | sed -n 's/.*queries, \([0-9]*\) matches.*/\1/p')
    echo "C-FIND $1 $q: p50 ${p50[$1,$q]} ms, p95 ${p95[$1,$q]} ms, ${matches[$1,$q]} matches ($QUERIES queries)"
  done
}

declare -A serve_mem gen_rate
load_find=$(cut -d' ' -f1 /proc/loadavg)  # the latencies depend on what else the machine runs
have=0
rx_dir=$work/serve_find
for scale in $FIND_SCALES; do
  echo "== dicomkit serve index: $have -> $scale instances through Index::add"
  out=$("$gen" index "$TEMPLATE" "$rx_dir" $((scale - have)) "$have")
  echo "$out"
  gen_rate[$scale]=$(echo "$out" | sed -n 's/.*(\([0-9]*\) instances\/s).*/\1/p')
  have=$scale
  /usr/bin/time -f %M -o "$rx_dir.mem" "$dk" serve --bind 127.0.0.1 --port 0 --data "$rx_dir" --aet ARCHIVE \
    --peer BENCH=127.0.0.1:1 > "$rx_dir.log" 2> "$rx_dir.err" &
  rx_pid=$!
  pids+=($rx_pid)
  rx_port=$(log_port "$rx_dir.err")
  rx_aet=ARCHIVE
  find_latency "serve-$scale"
  stop_receiver serve
  serve_mem[$scale]=$rx_mem
  echo "serve peak memory with $scale instances: $rx_mem KiB"
done

echo "== Orthanc: loading $ORTHANC_FIND_N instances through its DICOM port (dicomkit send --parallel 4)"
"$gen" files "$TEMPLATE" "$work/orthanc_load" "$ORTHANC_FIND_N"
rx_dir=$work/orthanc_find
ORTHANC_WRAP="/usr/bin/time -f %M -o $rx_dir.mem" orthanc_start "$rx_dir" BENCH=127.0.0.1:1 || { echo "Orthanc did not start"; exit 1; }
rx_port=$ORTHANC_DICOM_PORT
rx_aet=$ORTHANC_AET
t0=$(now)
"$dk" send 127.0.0.1 "$rx_port" --aet BENCH --aec "$rx_aet" --parallel 4 "$work/orthanc_load" > "$work/load.log" 2>&1 \
  || { tail -5 "$work/load.log"; exit 1; }
orthanc_load_s=$(elapsed "$t0")
got=$(stored_count orthanc "$rx_dir")
[ "$got" -eq "$ORTHANC_FIND_N" ] || { echo "Orthanc holds $got of $ORTHANC_FIND_N"; exit 1; }
echo "Orthanc loaded $got instances in $orthanc_load_s s ($(awk -v n="$got" -v s="$orthanc_load_s" 'BEGIN{printf "%.1f", n/s}') instances/s)"
find_latency "orthanc-$ORTHANC_FIND_N"
stop_receiver orthanc
orthanc_find_mem=$rx_mem
load_find="$load_find to $(cut -d' ' -f1 /proc/loadavg)"
echo "Orthanc peak memory with $ORTHANC_FIND_N instances: $orthanc_find_mem KiB"
# Orthanc's fastest C-FIND mode (it answers from its index only, never reading the stored files);
# its default, "Always", reads them. Same storage, restarted.
ORTHANC_EXTRA='{"StorageAccessOnFind": "Never"}' ORTHANC_WRAP="/usr/bin/time -f %M -o $rx_dir.mem" \
  orthanc_start "$rx_dir" BENCH=127.0.0.1:1 || { echo "Orthanc did not start"; exit 1; }
rx_port=$ORTHANC_DICOM_PORT
find_latency "orthanc-never-$ORTHANC_FIND_N"
stop_receiver orthanc

for q in "${query_names[@]}"; do
  for scale in $FIND_SCALES; do
    [ "$scale" = "$ORTHANC_FIND_N" ] || continue
    [ "${matches[serve-$scale,$q]}" = "${matches[orthanc-$scale,$q]}" ] \
      || echo "W: $q: serve answered ${matches[serve-$scale,$q]} matches, Orthanc ${matches[orthanc-$scale,$q]}"
    echo "ratio: $(div "${p95[orthanc-$scale,$q]}" "${p95[serve-$scale,$q]}") (C-FIND p95 $q, $scale instances: Orthanc / dicomkit serve)"
    echo "ratio: $(div "${p95[orthanc-never-$scale,$q]}" "${p95[serve-$scale,$q]}") (C-FIND p95 $q, $scale instances: Orthanc StorageAccessOnFind=Never / dicomkit serve)"
  done
done
# The targets: ingest at least 5x Orthanc's and no slower than storescp while indexing; C-FIND p95
# under 20 ms at the largest size; memory flat in archive size.
last=$(echo $FIND_SCALES | awk '{print $NF}')
verdict() { awk -v a="$1" -v b="$2" 'BEGIN{exit !(a >= b)}' && echo met || echo MISSED; }
targets=()
for s in "${senders[@]}"; do
  for kind in serve serve-nofsync; do
    x=$(div "${rate[$s,$kind]}" "${rate[$s,orthanc]}")
    y=$(div "${rate[$s,$kind]}" "${rate[$s,storescp]}")
    targets+=("ingest $kind, $s: $x x Orthanc (>= 5: $(verdict "$x" 5)), $y x storescp (>= 1: $(verdict "$y" 1))")
  done
done
worst=0
for q in "${query_names[@]}"; do worst=$(awk -v a="$worst" -v b="${p95[serve-$last,$q]}" 'BEGIN{print (b>a)?b:a}'); done
targets+=("C-FIND p95 at $last instances, slowest of the three queries: $worst ms (< 20 ms: $(verdict 20 "$worst"))")
first=$(echo $FIND_SCALES | awk '{print $1}')
targets+=("serve's peak memory: ${serve_mem[$first]} KiB at $first instances, ${serve_mem[$last]} KiB at $last")
for t in "${targets[@]}"; do echo "target: $t"; done

[ "$DOCS" = 1 ] || exit 0
out="$root/docs/benchmarks.md"
tmp="$work/bench.md"
{
  if [ -f "$out" ]; then awk '/^## archive/{skip=1;next} /^## /{skip=0} !skip' "$out"; else echo "# Benchmarks"; echo; fi
  echo "## archive"
  echo
  echo "\`bench/archive/run.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores, 127.0.0.1; Orthanc $(Orthanc --version 2> /dev/null | head -1 | awk '{print $2}') (Debian) and DCMTK $(storescp --version 2> /dev/null | head -1 | awk '{print $3}')."
  echo "Command: \`N=$N REPEAT=$REPEAT FIND_SCALES=\"$FIND_SCALES\" ORTHANC_FIND_N=$ORTHANC_FIND_N QUERIES=$QUERIES bench/archive/run.sh\`."
  echo
  echo "### ingest"
  echo
  echo "$N generated instances ($(awk -v k="$size_kb" -v n="$N" 'BEGIN{printf "%.1f", k/n}') KiB each: the template $(basename "$TEMPLATE") with distinct UIDs, patients, names and dates;"
  echo "bench_archive_gen \`files\`), wall time of the sender, best of $REPEAT runs, each into a fresh, empty receiver"
  echo "(after a \`sync\`, so that no run pays for writing back the files of the one before)."
  echo "storescu: one association (TCP_NODELAY=1); dicomkit send: four. dicomkit serve stores, indexes (SQLite) and, by"
  echo "default, fsyncs each file before its C-STORE-RSP; Orthanc runs with its defaults (SQLite index, SyncStorageArea: fsync);"
  echo "storescp (TCP_NODELAY=1) writes files only, without fsync."
  echo
  echo "| sender | dicomkit serve | serve --no-fsync | storescp | Orthanc | serve / Orthanc | serve / storescp | serve --no-fsync / storescp |"
  echo "|---|---|---|---|---|---|---|---|"
  for s in "${senders[@]}"; do
    echo "| $s | ${rate[$s,serve]}/s | ${rate[$s,serve-nofsync]}/s | ${rate[$s,storescp]}/s | ${rate[$s,orthanc]}/s |" \
      "**$(div "${rate[$s,serve]}" "${rate[$s,orthanc]}") x** | $(div "${rate[$s,serve]}" "${rate[$s,storescp]}") x |" \
      "$(div "${rate[$s,serve-nofsync]}" "${rate[$s,storescp]}") x |"
  done
  echo "| peak memory (KiB, either sender) | ${mem[serve]} | ${mem[serve-nofsync]} | ${mem[storescp]} | ${mem[orthanc]} | | | |"
  echo
  echo "### C-FIND latency"
  echo
  echo "Study Root, STUDY level, $QUERIES times each on one association (\`dicomkit find --repeat $QUERIES\`: from the C-FIND-RQ to"
  echo "the final response; no process start or association set-up), return keys StudyInstanceUID, PatientName, PatientID,"
  echo "StudyDate, AccessionNumber, StudyDescription, ModalitiesInStudy, NumberOfStudyRelatedInstances. The archives hold the"
  echo "same generated instances (5 per series, 2 series per study, 2 studies per patient; 100 family names x 50 given names;"
  echo "study dates spread over 2015-2024): serve's index is made by \`bench_archive_gen index\` (Index::add with each"
  echo "generated data set and a file entry, as service::Ingest adds a stored file; the files themselves are not written, as"
  echo "C-FIND reads only the index; $(for s in $FIND_SCALES; do printf '%s at %s/s, ' "$s" "${gen_rate[$s]}"; done | sed 's/, $//'));"
  echo "Orthanc's through its DICOM port (dicomkit send --parallel 4, $ORTHANC_FIND_N instances in $(printf '%.0f' "$orthanc_load_s") s)."
  echo "Load average (1 min) from $load_find during this part."
  echo
  head="| query (matches at each size) |"
  sep="|---|"
  for s in $FIND_SCALES; do head="$head serve, $s: p50 / p95 |"; sep="$sep---|"; done
  head="$head Orthanc, $ORTHANC_FIND_N: p50 / p95 | Orthanc (StorageAccessOnFind: Never), $ORTHANC_FIND_N: p50 / p95 | p95 Orthanc / serve, $ORTHANC_FIND_N (default / Never) |"
  sep="$sep---|---|---|"
  echo "$head"
  echo "$sep"
  for q in "${query_names[@]}"; do
    line="| \`$q\` ($(for s in $FIND_SCALES; do printf '%s, ' "${matches[serve-$s,$q]}"; done)Orthanc ${matches[orthanc-$ORTHANC_FIND_N,$q]}) |"
    for s in $FIND_SCALES; do line="$line ${p50[serve-$s,$q]} / ${p95[serve-$s,$q]} ms |"; done
    ratio=
    [ -n "${p95[serve-$ORTHANC_FIND_N,$q]:-}" ] && ratio="**$(div "${p95[orthanc-$ORTHANC_FIND_N,$q]}" "${p95[serve-$ORTHANC_FIND_N,$q]}") x** / $(div "${p95[orthanc-never-$ORTHANC_FIND_N,$q]}" "${p95[serve-$ORTHANC_FIND_N,$q]}") x"
    echo "$line ${p50[orthanc-$ORTHANC_FIND_N,$q]} / ${p95[orthanc-$ORTHANC_FIND_N,$q]} ms | ${p50[orthanc-never-$ORTHANC_FIND_N,$q]} / ${p95[orthanc-never-$ORTHANC_FIND_N,$q]} ms | $ratio |"
  done
  line="| peak memory (KiB) |"
  for s in $FIND_SCALES; do line="$line ${serve_mem[$s]} |"; done
  echo "$line $orthanc_find_mem | | |"
  echo
  echo "### against the targets"
  echo
  for t in "${targets[@]}"; do echo "- $t"; done
  echo
  echo "A durable store costs serve two flushes (the files' data, then their folder after the renames that make them"
  echo "appear whole), Orthanc one per instance (strace: an fdatasync of the file, written in place under its final name;"
  echo "no folder sync, and its SQLite commits are not synced each). serve places the stores that arrive together as one"
  echo "group (one syncfs or an fdatasync each, one folder fsync): on one association without an asynchronous window"
  echo "(storescu), each C-STORE waits for the previous response, so every group is one instance and the figure is bound"
  echo "by the disk's flush latency, whatever the CPU does (a 4 KiB O_DSYNC write takes about 0.5 ms on this disk:"
  echo "\`dd bs=4k count=500 oflag=dsync\`); dicomkit send's four associations with their windows make groups of many."
  echo "The --no-fsync rows compare the work itself (storescp never fsyncs): serve answers each store once its file is"
  echo "placed and indexes it after, on a thread of its own, in groups (up to 128, within 50 ms), while the sender sends"
  echo "the next ones (a query first waits for everything answered), so the index transaction is not in the path of the"
  echo "answer; nor is creating the temporary file (a pool of 16 made ahead by a thread), the costliest step of a store"
  echo "when the file system is slow to allocate inodes (ext4 without a journal, after many deletes), which storescp pays"
  echo "in the path of each answer."
  echo
} > "$tmp"
mv "$tmp" "$out"
echo "wrote $out"
