#!/usr/bin/env bash
# The Modality Worklist end to end on 127.0.0.1: items added to serve with `dicomkit worklist add`
# (the REST admin), queried with DCMTK findscu -W and with `dicomkit find --worklist`; then
# `dicomkit find --worklist` against DCMTK's wlmscpfs over a folder of .wl files made by dump2dcm.
# usage: serve_worklist_test.sh DICOMKIT ; exits 77 (skip) without DCMTK.
set -uo pipefail
dk=$1
for t in findscu wlmscpfs dump2dcm dcmdump; do command -v $t > /dev/null || exit 77; done
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done
  wait 2> /dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail=0
token=worklist-test-token-0123456789

"$dk" serve --bind 127.0.0.1 --port 0 --data "$work/var" --aet ARCHIVE --peer MODALITY=127.0.0.1:1 \
  --no-fsync --http-token "$token" > "$work/serve.out" 2> "$work/serve.err" &
pids+=($!)
port= http=
for _ in $(seq 1 100); do
  port=$(sed -n 's/^[^ ]* I: listening on 127.0.0.1:\([0-9]*\) .*/\1/p' "$work/serve.err")
  http=$(sed -n 's/^[^ ]* I: port \([0-9]*\): HTTP.*/\1/p' "$work/serve.err" | head -1)
  [ -n "$port" ] && [ -n "$http" ] && break
  sleep 0.1
done
[ -n "$port" ] && [ -n "$http" ] || { echo "FAIL: serve did not start"; cat "$work/serve.err"; exit 1; }
url=http://127.0.0.1:$http

expect() {  # expect NAME EXPECTED ACTUAL (lines compared sorted)
  local want got
  want=$(printf '%s\n' "$2" | sort)
  got=$(printf '%s\n' "$3" | sort)
  if [ "$want" = "$got" ]; then echo "ok: $1"; else
    echo "FAIL: $1"; echo "  expected: $want"; echo "  got:      $got"; fail=1
  fi
}

# item PID NAME MODALITY AE DATE TIME STATUS: a worklist item as DICOM JSON.
item() {
  cat <<JSON
{"00100020": {"vr": "LO", "Value": ["$1"]}, "00100010": {"vr": "PN", "Value": [{"Alphabetic": "$2"}]},
 "00100030": {"vr": "DA", "Value": ["19700101"]}, "00100040": {"vr": "CS", "Value": ["O"]},
 "00080050": {"vr": "SH", "Value": ["ACC$1"]}, "00401001": {"vr": "SH", "Value": ["RP$1"]},
 "00321060": {"vr": "LO", "Value": ["Procedure of $1"]},
 "00400100": {"vr": "SQ", "Value": [{
   "00080060": {"vr": "CS", "Value": ["$3"]}, "00400001": {"vr": "AE", "Value": ["$4"]},
   "00400002": {"vr": "DA", "Value": ["$5"]}, "00400003": {"vr": "TM", "Value": ["$6"]},
   "00400006": {"vr": "PN", "Value": [{"Alphabetic": "Smith^Ann"}]},
   "00400007": {"vr": "LO", "Value": ["Step of $1"]}, "00400009": {"vr": "SH", "Value": ["SPS$1"]},
   "00400020": {"vr": "CS", "Value": ["$7"]}}]}}
JSON
}
item P1 "Doe^John" CT CT1 20261206 080000 SCHEDULED > "$work/p1.json"
item P2 "Doe^Jane" MR MR1 20261206 143000 SCHEDULED > "$work/p2.json"
item P3 "Roe^Rich" CT CT1 20261207 090000 SCHEDULED > "$work/p3.json"
item P4 "Poe^Edgar" CT CT1 20261206 100000 COMPLETED > "$work/p4.json"
for p in 1 2 3 4; do
  "$dk" worklist add --json "$work/p$p.json" --order-key "ORD$p" --url "$url" --token "$token" > "$work/add$p.out" 2>&1 ||
    { echo "FAIL: worklist add p$p"; cat "$work/add$p.out"; fail=1; }
done
grep -q '"id"' "$work/add1.out" || { echo "FAIL: worklist add prints no id"; cat "$work/add1.out"; fail=1; }
echo '{"00100020": {"vr": "LO", "Value": ["X"]}}' > "$work/bad.json"
if "$dk" worklist add --json "$work/bad.json" --url "$url" --token "$token" > "$work/bad.out" 2>&1; then
  echo "FAIL: an item without a Scheduled Procedure Step Sequence was added"; fail=1
else
  grep -q "HTTP 400" "$work/bad.out" || { echo "FAIL: bad item: $(cat "$work/bad.out")"; fail=1; }
fi
if "$dk" worklist add --json "$work/p1.json" --url "$url" > /dev/null 2>&1; then
  echo "FAIL: worklist add without credentials succeeded"; fail=1
fi
"$dk" worklist list --url "$url" --token "$token" > "$work/list.out" 2>&1 || { echo "FAIL: worklist list"; fail=1; }
expect "worklist list: the items not completed" "P1
P2
P3" "$(tail -n +2 "$work/list.out" | awk '{print $3}')"
expect "worklist list status=all" "4" \
  "$("$dk" worklist list status=all --url "$url" --token "$token" | tail -n +2 | wc -l)"

# findscu -W KEY=VALUE...: one line per response, the values of the keys joined with '|'.
findscu_w() {
  local args=() keys=()
  for k in "$@"; do
    args+=(-k "$k")
    keys+=("${k%%=*}")
  done
  rm -rf "$work/rsp"
  mkdir -p "$work/rsp"
  timeout 60 findscu -W -aet MODALITY -aec ARCHIVE "${args[@]}" -X --output-directory "$work/rsp" \
    127.0.0.1 "$port" > "$work/find.out" 2>&1 || { cat "$work/find.out" >&2; return 1; }
  for f in "$work"/rsp/rsp*.dcm; do
    [ -f "$f" ] || continue
    local line=
    for key in "${keys[@]}"; do
      # A key of the step's item: dcmdump +P finds it inside the sequence.
      local path=${key##*.}
      v=$(dcmdump -q -Un +P "$path" "$f" 2> /dev/null | sed -n 's/^[^[]*\[\(.*\)\].*/\1/p' | head -1)
      line+="${line:+|}$v"
    done
    echo "$line"
  done
}
# dk_w KEY=VALUE...: the same with dicomkit find --worklist (csv, header dropped).
dk_w() {
  local args=()
  for k in "$@"; do args+=(-k "$k"); done
  timeout 60 "$dk" find --worklist 127.0.0.1 "$port" --aet MODALITY --aec ARCHIVE "${args[@]}" --format csv \
    2> "$work/dkfind.err" | tail -n +2 | tr ',' '|' | tr -d '"'
}
S=ScheduledProcedureStepSequence[0]
for tool in findscu_w dk_w; do
  expect "$tool: modality CT (completed left out)" "P1|CT
P3|CT" "$($tool PatientID= "$S.Modality=CT")"
  expect "$tool: start date" "P1|20261206
P2|20261206" "$($tool PatientID= "$S.ScheduledProcedureStepStartDate=20261206")"
  expect "$tool: modality and date range" "P1|CT|20261206
P3|CT|20261207" "$($tool PatientID= "$S.Modality=CT" "$S.ScheduledProcedureStepStartDate=20261201-20261231")"
  expect "$tool: date and time as one range" "P2|143000|20261206
P3|090000|20261207" "$($tool PatientID= "$S.ScheduledProcedureStepStartTime=1200-0930" \
    "$S.ScheduledProcedureStepStartDate=20261206-20261207")"
  expect "$tool: patient name wild card, any case" "P1|Doe^John
P2|Doe^Jane" "$($tool PatientID= PatientName=doe*)"
  expect "$tool: station AE title" "P2|MR1" "$($tool PatientID= "$S.ScheduledStationAETitle=MR1")"
  expect "$tool: performing physician" "3" "$($tool PatientID= "$S.ScheduledPerformingPhysicianName=SMITH*" | wc -l)"
  expect "$tool: accession" "P3|ACCP3|RPP3" "$($tool PatientID= AccessionNumber=ACCP3 RequestedProcedureID=)"
  expect "$tool: status asked for" "P4|COMPLETED" "$($tool PatientID= "$S.ScheduledProcedureStepStatus=COMPLETED")"
  expect "$tool: no match" "" "$($tool PatientID= "$S.Modality=US")"
  expect "$tool: return keys of the step" "P2|Step of P2|SPSP2|Smith^Ann" \
    "$($tool PatientID=P2 "$S.ScheduledProcedureStepDescription=" "$S.ScheduledProcedureStepID=" \
      "$S.ScheduledPerformingPhysicianName=")"
done

# Removal through the REST admin.
id=$(sed -n 's/.*"id":"\([0-9]*\)".*/\1/p' "$work/add2.out")
"$dk" worklist remove "$id" --url "$url" --token "$token" || { echo "FAIL: worklist remove"; fail=1; }
expect "removed item no longer found" "" "$(dk_w PatientID=P2)"

# dicomkit as the SCU of DCMTK's wlmscpfs: a folder per called AE title of .wl files.
mkdir -p "$work/wl/WLAE"
touch "$work/wl/WLAE/lockfile"
wl() {  # wl FILE PID NAME MODALITY DATE
  cat > "$work/$1.txt" <<DUMP
(0008,0005) CS [ISO_IR 100]
(0008,0050) SH [ACC$2]
(0010,0010) PN [$3]
(0010,0020) LO [$2]
(0010,0030) DA [19700101]
(0010,0040) CS [O]
(0020,000d) UI [1.2.826.0.1.3680043.2.1545.$2]
(0032,1032) PN [Referring^Rita]
(0032,1060) LO [Exam of $2]
(0040,0100) SQ (Sequence with explicit length #=1)
  (fffe,e000) na (Item with explicit length #=9)
    (0008,0060) CS [$4]
    (0040,0001) AE [STATION1]
    (0040,0002) DA [$5]
    (0040,0003) TM [0800]
    (0040,0006) PN [Tech^Tom]
    (0040,0007) LO [Step of $2]
    (0040,0009) SH [S$2]
    (0040,0010) SH [STN1]
    (0040,0011) SH [ROOM1]
  (fffe,e00d) na (ItemDelimitationItem for re-encoding)
(fffe,e0dd) na (SequenceDelimitationItem for re-encoding)
(0040,1001) SH [R$2]
(0040,1003) SH [LOW]
DUMP
  dump2dcm -q "$work/$1.txt" "$work/wl/WLAE/$1.wl" || { echo "FAIL: dump2dcm $1"; fail=1; }
}
wl a W1 "Alpha^Ann" CT 20261206
wl b W2 "Beta^Bob" MR 20261206
wl c W3 "Gamma^Gus" CT 20261208
wlport=$((20000 + RANDOM % 20000))
wlmscpfs -dfp "$work/wl" "$wlport" > "$work/wlm.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do
  "$dk" echo 127.0.0.1 "$wlport" --aec WLAE > /dev/null 2>&1 && break
  sleep 0.1
done
wlfind() {
  local args=()
  for k in "$@"; do args+=(-k "$k"); done
  timeout 60 "$dk" find --worklist 127.0.0.1 "$wlport" --aet MODALITY --aec WLAE "${args[@]}" --format csv \
    2> "$work/wlfind.err" | tail -n +2 | tr ',' '|' | tr -d '"'
}
expect "wlmscpfs: modality CT" "W1|Alpha^Ann|CT
W3|Gamma^Gus|CT" "$(wlfind PatientID= PatientName= "$S.Modality=CT")"
expect "wlmscpfs: date and modality" "W1|CT|20261206" \
  "$(wlfind PatientID= "$S.Modality=CT" "$S.ScheduledProcedureStepStartDate=20261206")"
expect "wlmscpfs: name wild card" "W2|Beta^Bob|RW2" "$(wlfind PatientID= PatientName=Beta* RequestedProcedureID=)"
[ $fail = 0 ] && echo "serve_worklist_test: all ok"
exit $fail
