#!/usr/bin/env bash
# dicomkit serve's import job (POST /api/jobs {"type":"import","path":...}): a medium written by
# dicomkit dicomdir create (its README left alone), one written by DCMTK's dcmgpdir whose names
# are all lower case (a CD mounted without Rock Ridge), a folder without DICOMDIR (its text file
# skipped, said in the job's note), each stored as received instances are (GET /api/stats, C-FIND).
# Paths outside [storage] import_roots, also through a symbolic link, and a DICOMDIR whose File ID
# leaves the medium are refused; a referenced file that is missing fails the job, naming it.
# usage: serve_import_test.sh DICOMKIT DATA_DIR
set -uo pipefail
dk=$1
data=$2
# shellcheck source=../support/serve_common.sh
source "$(dirname "$0")/../support/serve_common.sh"
test_workspace
token=import-test-token-0123456789
fail() { echo "FAIL: $*"; fail=1; }

media=$work/media
mkdir -p "$media" "$work/outside"
# Medium 1: the 8 CT slices of the RT set (General Purpose media: Explicit VR Little Endian).
mkdir -p "$media/cd1/PAT1/CT"
for i in 1 2 3 4 5 6 7 8; do
  "$dk" convert --ts explicit "$data/rt_set/CT.0$i.dcm" "$media/cd1/PAT1/CT/IM00000$i" > /dev/null || fail "convert CT.0$i"
done
"$dk" dicomdir create "$media/cd1" --fileset-id CD1 > /dev/null || fail "dicomdir create"
echo "not DICOM" > "$media/cd1/README.TXT"

# Medium 2 (with DCMTK): the plan, structure set and dose, DICOMDIR by dcmgpdir, names lower-cased.
have_dcmtk=0
if command -v dcmgpdir > /dev/null; then
  have_dcmtk=1
  mkdir -p "$work/cd2/RT"
  n=0
  for f in RS.Z3S1 RP.Z3S1Vmat RD.Z3S1Vmat; do
    n=$((n + 1))
    "$dk" convert --ts explicit "$data/rt_set/$f.dcm" "$work/cd2/RT/OBJ0000$n" > /dev/null || fail "convert $f"
  done
  (cd "$work/cd2" && dcmgpdir -q +r +I RT > "$work/gpdir.log" 2>&1) || { cat "$work/gpdir.log"; fail "dcmgpdir"; }
  mkdir -p "$media/cd2/rt"
  for f in "$work"/cd2/RT/*; do cp "$f" "$media/cd2/rt/$(basename "$f" | tr 'A-Z' 'a-z')"; done
  cp "$work/cd2/DICOMDIR" "$media/cd2/dicomdir"
fi

# A folder without DICOMDIR: two files and a text file.
mkdir -p "$media/loose/sub"
cp "$data/pixel/CT_small.dcm" "$media/loose/a.dcm"
cp "$data/pixel/MR_small_RLE.dcm" "$media/loose/sub/b"
echo "notes" > "$media/loose/notes.txt"

# Refusals: outside the roots, a link out of them, a File ID out of the medium, a missing file.
cp "$data/pixel/CT_small.dcm" "$work/outside/x.dcm"
ln -s "$work/outside" "$media/escape"
mkdir -p "$media/cd3/A"
cp "$media/cd1/PAT1/CT/IM000001" "$media/cd3/A/IM1"
cp "$media/cd1/PAT1/CT/IM000002" "$media/cd3/A/IM2"
"$dk" dicomdir create "$media/cd3" > /dev/null || fail "dicomdir create cd3"
rm "$media/cd3/A/IM2"

cat > "$work/serve.toml" << EOF
[server]
data = "$work/data"
accept_unknown = true
[storage]
import_roots = ["$media"]
[audit]
file = "$work/audit.log"
EOF
"$dk" serve -c "$work/serve.toml" --bind 127.0.0.1 --port 0 --http-port 0 --http-token "$token" --no-fsync \
  > "$work/serve.out" 2> "$work/serve.err" &
pids+=($!)
port=$(wait_port "$work/serve.err")
http=
for _ in $(seq 1 150); do
  http=$(sed -n 's/^[^ ]* I: port \([0-9]*\): HTTP.*/\1/p' "$work/serve.err" | tail -1)
  [ -n "$http" ] && break
  sleep 0.1
done
[ -n "$port" ] && [ -n "$http" ] || { cat "$work/serve.err"; echo "FAIL: serve did not start"; exit 1; }

api() {  # METHOD PATH [BODY] > body, then the status on a line of its own
  local body=()
  [ $# -ge 3 ] && body=(--data "$3")
  curl -s -m 30 -X "$1" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    "${body[@]}" -w '\n%{http_code}\n' "http://127.0.0.1:$http$2"
}
field() { /usr/bin/python3 -c 'import json,sys; v=json.loads(sys.stdin.read())'"$1"'; print("" if v is None else v)'; }
poll() {  # ID: the job's JSON once it has ended (at most 60 s)
  local j=
  for _ in $(seq 1 300); do
    j=$(api GET "/api/jobs/$1" | head -1)
    case $(echo "$j" | field '["state"]') in done | failed) break ;; esac
    sleep 0.2
  done
  echo "$j"
}
# import PATH: the job's JSON once ended.
import() {
  local r id
  r=$(api POST /api/jobs "{\"type\":\"import\",\"path\":\"$1\"}")
  [ "$(echo "$r" | tail -1)" = 202 ] || { echo "$r" >&2; return 1; }
  id=$(echo "$r" | head -1 | field '["id"]')
  poll "$id"
}
instances() { api GET /api/stats | head -1 | field '["instances"]'; }

j=$(import "$media/cd1/DICOMDIR") || fail "import cd1 refused"
echo "cd1: $j"
[ "$(echo "$j" | field '["state"]')" = done ] || fail "cd1 import not done"
[ "$(echo "$j" | field '["done"]')" = 8 ] && [ "$(echo "$j" | field '["total"]')" = 8 ] || fail "cd1: 8 of 8 expected"
[ "$(instances)" = 8 ] || fail "8 instances expected after cd1, got $(instances)"

if [ $have_dcmtk = 1 ]; then
  j=$(import "$media/cd2") || fail "import cd2 refused"
  echo "cd2 (dcmgpdir, lower case): $j"
  [ "$(echo "$j" | field '["state"]')" = done ] && [ "$(echo "$j" | field '["done"]')" = 3 ] || fail "cd2: 3 done expected"
  [ "$(instances)" = 11 ] || fail "11 instances expected after cd2, got $(instances)"
  # C-FIND finds the RT study.
  study=$("$dk" dump "$media/cd2/rt/obj00001" --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["0020000D"]["Value"][0])')
  timeout 60 "$dk" find 127.0.0.1 "$port" --aec DICOMKIT --level STUDY -k StudyInstanceUID="$study" \
    -k NumberOfStudyRelatedInstances= --format csv > "$work/find.csv" 2> "$work/find.err" || { cat "$work/find.err"; fail "find"; }
  grep -q "$study" "$work/find.csv" || { cat "$work/find.csv"; fail "the imported RT study is not found by C-FIND"; }
fi
before=$(instances)

j=$(import "$media/loose") || fail "import loose refused"
echo "loose folder: $j"
[ "$(echo "$j" | field '["state"]')" = done ] || fail "loose import not done"
echo "$j" | field '["note"]' | grep -q "1 files that are not DICOM" || fail "the text file is not reported as left alone"
[ "$(instances)" = $((before + 2)) ] || fail "2 more instances expected after the folder"

for bad in "$work/outside" "$work/outside/x.dcm" "$media/escape/x.dcm" "$media/nothing" "relative/path"; do
  r=$(api POST /api/jobs "{\"type\":\"import\",\"path\":\"$bad\"}")
  code=$(echo "$r" | tail -1)
  [ "$code" = 400 ] || [ "$code" = 404 ] || fail "import of $bad answered $code"
  echo "refused $bad: $(echo "$r" | head -1)"
done
r=$(api POST /api/jobs '{"type":"import","path":"/media","peer":"X"}')
[ "$(echo "$r" | tail -1)" = 400 ] || fail "an import with a peer accepted"

j=$(import "$media/cd3") || fail "import cd3 refused"
echo "cd3 (a file missing): $j"
[ "$(echo "$j" | field '["state"]')" = failed ] || fail "cd3 import did not fail"
echo "$j" | field '["error"]' | grep -q "IM2" || fail "the missing file is not named"
[ "$(echo "$j" | field '["done"]')" = 1 ] || fail "cd3: the file that is there is stored (the same instance as cd1's)"

# The audit trail: the medium's study came from Source Media (110155) named by its path.
for _ in $(seq 1 50); do grep -q "110155" "$work/audit.log" 2> /dev/null && break; sleep 0.1; done
grep "110104" "$work/audit.log" | grep "110155" | grep -q "$media/cd1/DICOMDIR" ||
  fail "no DICOM Instances Transferred from the medium in the audit trail"
cat "$work/serve.out" "$work/serve.err" | grep -q "job 1 done: import $media/cd1/DICOMDIR: 8 of 8" || fail "the job's end is not logged"
[ $fail = 0 ] && echo "PASS"
exit $fail
