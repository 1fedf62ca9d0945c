#!/usr/bin/env bash
# Scale-out on 127.0.0.1: two `dicomkit serve` nodes share one PostgreSQL index (a throw-away
# server from tests/support/pg_test_server.sh) and one storage folder. Both start at once (they
# migrate the empty database together); different sample files (tests/data/interop) are sent to
# each node in parallel; then `dicomkit find` on both nodes must give the same, complete studies
# and instances, and `dicomkit get` from node B of a study stored through node A must bring the
# whole study.
# usage: serve_scaleout_test.sh DICOMKIT DATA_DIR PG_TEST_SERVER_SCRIPT
set -uo pipefail
dk=$1
data=$2
pg=$3
export TCP_NODELAY=1
# shellcheck source=../support/serve_common.sh
source "$(dirname "$0")/../support/serve_common.sh"
stop_pg() { bash "$pg" stop "$work/pg"; }
test_workspace stop_pg

bash "$pg" start "$work/pg" > /dev/null || { echo "FAIL: the PostgreSQL test server did not start"; exit 1; }
url=$(cat "$work/pg/url")

for node in A B; do
  "$dk" serve --bind 127.0.0.1 --port 0 --data "$work/var" --index-url "$url" --aet "NODE_$node" \
    --peer USER=127.0.0.1:1 --no-fsync > "$work/serve_$node.out" 2> "$work/serve_$node.err" &
  pids+=($!)
done
port_A=$(wait_port "$work/serve_A.err")
port_B=$(wait_port "$work/serve_B.err")
[ -n "$port_A" ] && [ -n "$port_B" ] || { echo "FAIL: a node did not start"; cat "$work"/serve_*.err; exit 1; }
for node in A B; do
  grep -q "^[^ ]* I: index: postgres dicomkit@127.0.0.1:" "$work/serve_$node.err" ||
    { echo "FAIL: node $node does not log its PostgreSQL index"; cat "$work/serve_$node.err"; fail=1; }
done

# Every other sample file to each node, sent at the same time (those with SOP Class and
# Instance UIDs: the others cannot be sent).
mkdir -p "$work/in_A" "$work/in_B"
i=0
while read -r f; do
  [ "$("$dk" dump -q "$f" --tag SOPClassUID --tag SOPInstanceUID < /dev/null | grep -c ' UI ')" = 2 ] || continue
  if [ $((i % 2)) = 0 ]; then node=A; else node=B; fi
  cp "$f" "$work/in_$node/$i.dcm"
  i=$((i + 1))
done < <(find "$data" -name '*.dcm' -not -path '*/malformed/*' | sort)
[ "$i" -ge 8 ] || { echo "FAIL: only $i sample files"; exit 1; }
port_of() { if [ "$1" = A ]; then echo "$port_A"; else echo "$port_B"; fi; }
send_pids=()
for node in A B; do
  timeout 120 "$dk" send 127.0.0.1 "$(port_of $node)" "$work/in_$node" --aet USER --aec "NODE_$node" \
    > "$work/send_$node.out" 2>&1 &
  send_pids+=($!)
done
for p in "${send_pids[@]}"; do wait "$p" || { echo "FAIL: a send failed"; cat "$work"/send_*.out; fail=1; }; done

uids() {  # uids TAG FILES...: the sorted distinct values of TAG in FILES
  local tag=$1
  shift
  "$dk" dump -q "$@" --tag "$tag" | sed -n 's/^([^)]*) UI \[\(.*\)\].*/\1/p' | sort -u
}
want_sops=$(uids SOPInstanceUID "$work"/in_A/*.dcm "$work"/in_B/*.dcm)
want_studies=$(uids StudyInstanceUID "$work"/in_A/*.dcm "$work"/in_B/*.dcm)
studies_via_A=$(uids StudyInstanceUID "$work"/in_A/*.dcm)

find_csv() {  # find_csv NODE LEVEL KEYS...: the matches as CSV without the header
  local node=$1 level=$2
  shift 2
  timeout 60 "$dk" find 127.0.0.1 "$(port_of "$node")" --aet USER --aec "NODE_$node" -S --level "$level" "$@" \
    --format csv | tail -n +2
}
studies_of() { find_csv "$1" STUDY -k StudyInstanceUID= | sort; }
sops_of() {  # every instance the node finds, study by study and series by series
  local study series
  for study in $(studies_of "$1"); do
    for series in $(find_csv "$1" SERIES -k StudyInstanceUID="$study" -k SeriesInstanceUID= | cut -d, -f2); do
      find_csv "$1" IMAGE -k StudyInstanceUID="$study" -k SeriesInstanceUID="$series" -k SOPInstanceUID= | cut -d, -f3
    done
  done | sort
}
expect() {  # expect NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then echo "ok: $1"; else
    echo "FAIL: $1"; echo "  expected: $(echo $2)"; echo "  got:      $(echo $3)"; fail=1
  fi
}
for node in A B; do
  expect "node $node finds every study ($(echo "$want_studies" | grep -c .))" "$want_studies" "$(studies_of $node)"
  expect "node $node finds every instance ($(echo "$want_sops" | grep -c .))" "$want_sops" "$(sops_of $node)"
done
stored_A=$(grep -c "C-STORE .*Success" "$work/serve_A.out")
stored_B=$(grep -c "C-STORE .*Success" "$work/serve_B.out")
[ "$stored_A" -gt 0 ] && [ "$stored_B" -gt 0 ] || { echo "FAIL: stores: A $stored_A, B $stored_B"; fail=1; }
echo "ok: stored through A: $stored_A, through B: $stored_B"

# A study sent to node A, retrieved from node B.
study=$(echo "$studies_via_A" | head -1)
want=$(for series in $(find_csv B SERIES -k StudyInstanceUID="$study" -k SeriesInstanceUID= | cut -d, -f2); do
  find_csv B IMAGE -k StudyInstanceUID="$study" -k SeriesInstanceUID="$series" -k SOPInstanceUID= | cut -d, -f3
done | sort)
if ! timeout 120 "$dk" get 127.0.0.1 "$port_B" --aet USER --aec NODE_B --out "$work/got" -k StudyInstanceUID="$study" \
  > "$work/get.out" 2>&1; then
  echo "FAIL: get $study from node B"; cat "$work/get.out"; fail=1
fi
got=$(ls "$work/got" 2> /dev/null | grep '\.dcm$' | sed 's/\.dcm$//' | sort)
[ -n "$want" ] || { echo "FAIL: node B knows no instance of $study"; fail=1; }
expect "get from node B of study $study stored through node A" "$want" "$got"
exit $fail
