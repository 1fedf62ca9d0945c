#!/usr/bin/env bash
# dicomkit serve and a second copy of a stored SOP Instance UID, on 127.0.0.1: for each policy
# (keep, replace: --duplicates; reject: [storage] duplicates in the config file) the same
# instance is sent twice, the second time with another Instance Number; then the status the
# sender saw, the copy the index describes, the one file in storage and the log line are checked.
# usage: serve_duplicates_test.sh DICOMKIT DATA_DIR
set -uo pipefail
dk=$1
data=$2
src=$data/implicit_vr/MR_small_implicit.dcm
[ -f "$src" ] || { echo "FAIL: $src missing"; exit 1; }
command -v perl > /dev/null || { echo "FAIL: perl is needed to make the second copy"; exit 1; }
export TCP_NODELAY=1
work=$(mktemp -d)
serve_pid=
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2> /dev/null
  wait 2> /dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail=0

# shellcheck source=../support/serve_common.sh
source "$(dirname "$0")/../support/serve_common.sh"

tag_value() {  # tag_value KEYWORD FILE
  "$dk" dump "$2" -t "$1" | sed -n 's/^([0-9A-F,]*) [A-Z][A-Z] \[\([^]]*\)\].*/\1/p' | head -1
}

uid=$(tag_value SOPInstanceUID "$src")
study=$(tag_value StudyInstanceUID "$src")
series=$(tag_value SeriesInstanceUID "$src")
[ "$(tag_value InstanceNumber "$src")" = 1 ] || { echo "FAIL: the sample's Instance Number is not 1"; exit 1; }
mkdir -p "$work/v1" "$work/v2"
cp "$src" "$work/v1/a.dcm"
# Implicit VR: (0020,0013) length 2 "1 " -> "2 ".
perl -0777 -pe 's/\x20\x00\x13\x00\x02\x00\x00\x001 /\x20\x00\x13\x00\x02\x00\x00\x002 /' "$src" > "$work/v2/a.dcm"
[ "$(tag_value InstanceNumber "$work/v2/a.dcm")" = 2 ] || { echo "FAIL: cannot make the second copy"; exit 1; }
printf '[storage]\nduplicates = "reject"\n' > "$work/reject.toml"

# policy -> the Instance Number that must stay, and whether the second send succeeds
for policy in keep replace reject; do
  case $policy in
    keep) want=1; second_ok=1; args=(--duplicates keep) ;;
    replace) want=2; second_ok=1; args=(--duplicates replace) ;;
    reject) want=1; second_ok=0; args=(--config "$work/reject.toml") ;;
  esac
  var=$work/var-$policy
  "$dk" serve --bind 127.0.0.1 --port 0 --data "$var" --aet ARCHIVE --peer USER=127.0.0.1:1 "${args[@]}" \
    > "$work/$policy.out" 2> "$work/$policy.err" &
  serve_pid=$!
  port=$(wait_port "$work/$policy.err")
  [ -n "$port" ] || { echo "FAIL: $policy: serve did not start"; cat "$work/$policy.err"; exit 1; }
  grep -q "(duplicates = $policy)" "$work/$policy.err" || { echo "FAIL: $policy: not announced"; fail=1; }
  timeout 60 "$dk" send 127.0.0.1 "$port" "$work/v1" --aet USER --aec ARCHIVE > "$work/$policy-1.out" 2>&1 \
    || { echo "FAIL: $policy: first copy"; cat "$work/$policy-1.out"; fail=1; }
  timeout 60 "$dk" send 127.0.0.1 "$port" "$work/v2" --aet USER --aec ARCHIVE > "$work/$policy-2.out" 2>&1
  rc=$?
  if [ "$second_ok" = 1 ]; then
    [ "$rc" = 0 ] || { echo "FAIL: $policy: second copy not answered with success"; cat "$work/$policy-2.out"; fail=1; }
  else
    [ "$rc" != 0 ] && grep -q "FAILED .*0x0124.*duplicate" "$work/$policy-2.out" \
      || { echo "FAIL: $policy: second copy not refused with 0x0124"; cat "$work/$policy-2.out"; fail=1; }
  fi
  got=$(timeout 60 "$dk" find 127.0.0.1 "$port" --aet USER --aec ARCHIVE -S --level IMAGE -k StudyInstanceUID="$study" \
    -k SeriesInstanceUID="$series" -k SOPInstanceUID="$uid" -k InstanceNumber= --format csv | tail -n +2)
  [ "$got" = "$study,$series,$uid,$want" ] \
    || { echo "FAIL: $policy: index has [$got], want Instance Number $want"; fail=1; }
  files=$(ls -A "$var/storage" | grep -vx '\.incoming')
  [ "$(echo "$files" | grep -c .)" = 1 ] || { echo "FAIL: $policy: storage holds [$files]"; fail=1; }
  # (empty ones are those made ahead for the next stores)
  [ -z "$(find "$var/storage/.incoming" -type f -size +0)" ] || { echo "FAIL: $policy: temporary files left"; fail=1; }
  stored=$(tag_value InstanceNumber "$var/storage/$(echo "$files" | head -1)")
  [ "$stored" = "$want" ] || { echo "FAIL: $policy: the stored file has Instance Number $stored, want $want"; fail=1; }
  grep -q "^[^ ]* [IW]: USER@.* C-STORE $uid .*(duplicate: .*duplicates = $policy)" "$work/$policy.out" \
    || { echo "FAIL: $policy: no log line naming the caller and the UID"; cat "$work/$policy.out"; fail=1; }
  kill "$serve_pid"
  wait "$serve_pid"
  serve_pid=
  [ "$fail" = 0 ] && echo "ok: $policy: second copy $([ "$second_ok" = 1 ] && echo succeeded || echo refused)," \
    "Instance Number $want indexed and stored"
done

# A relative --data (as `make serve` gives) stores and indexes like an absolute one.
mkdir -p "$work/rel"
(cd "$work/rel" && exec "$dk" serve --bind 127.0.0.1 --port 0 --data var --aet ARCHIVE --peer USER=127.0.0.1:1 \
  > "$work/rel.out" 2> "$work/rel.err") &
serve_pid=$!
port=$(wait_port "$work/rel.err")
if [ -z "$port" ]; then
  echo "FAIL: serve with a relative --data did not start"; cat "$work/rel.err"; fail=1
else
  timeout 60 "$dk" send 127.0.0.1 "$port" "$work/v1" --aet USER --aec ARCHIVE > "$work/rel-send.out" 2>&1 \
    || { echo "FAIL: relative --data: the store failed"; cat "$work/rel-send.out" "$work/rel.out"; fail=1; }
  [ -f "$work/rel/var/storage/$uid.dcm" ] || { echo "FAIL: relative --data: no $uid.dcm"; ls -R "$work/rel"; fail=1; }
  kill "$serve_pid"
  wait "$serve_pid"
  serve_pid=
  [ "$fail" = 0 ] && echo "ok: relative --data"
fi
exit $fail
