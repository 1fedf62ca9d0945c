#!/usr/bin/env bash
# dicomkit serve under many parallel senders on 127.0.0.1: 100 dicomkit send processes, started
# at once, store 20 distinct instances each (2000, made from one sample by changing its SOP
# Instance UID); every store must be answered Success (a sender turned away as transient above
# serve's association limit, PS3.8 9.3.4, tries again, a bounded number of times), and one
# relational IMAGE-level C-FIND afterwards finds exactly the 2000 instances. Serve's log shows
# 2000 C-STOREs answered 0x0000 Success and no other status.
# usage: serve_parallel_senders_test.sh DICOMKIT DATA_DIR
set -uo pipefail
dk=$1
src=$2/implicit_vr/MR_small_implicit.dcm
[ -f "$src" ] || { echo "FAIL: $src missing"; exit 1; }
command -v perl > /dev/null || { echo "FAIL: perl is needed to make the instances"; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../support/serve_common.sh"
test_workspace
export TCP_NODELAY=1
senders=100
per_sender=20
total=$((senders * per_sender))

tag_value() {  # tag_value KEYWORD FILE
  "$dk" dump -t "$1" "$2" | sed -n 's/^([0-9A-F,]*) [A-Z][A-Z] \[\([^]]*\)\].*/\1/p' | head -1
}

# The instances: the sample's SOP Instance UID ends in a 4-digit component; copies get
# 1000..2999 there (same length, so nothing else in the file moves), 20 to a sender's folder.
uid=$(tag_value SOPInstanceUID "$src")
prefix=${uid%.*}
[ ${#uid} -eq $((${#prefix} + 5)) ] || { echo "FAIL: unexpected sample UID $uid"; exit 1; }
OLD=$uid PREFIX=$prefix OUT=$work/in N=$senders PER=$per_sender perl -0777 -e '
  local $/; open(my $f, "<:raw", $ARGV[0]) or die; my $src = <$f>; close $f;
  for my $s (0 .. $ENV{N} - 1) {
    my $d = "$ENV{OUT}/$s"; mkdir $ENV{OUT}; mkdir $d or die "$d: $!";
    for my $i (0 .. $ENV{PER} - 1) {
      my $n = 1000 + $s * $ENV{PER} + $i; (my $b = $src) =~ s/\Q$ENV{OLD}\E/$ENV{PREFIX}.$n/g;
      open(my $o, ">:raw", "$d/$n.dcm") or die; print $o $b; close $o;
      print "$ENV{PREFIX}.$n\n";
    }
  }' "$src" | sort > "$work/want" || { echo "FAIL: cannot make instances"; exit 1; }
[ "$(tag_value SOPInstanceUID "$work/in/99/2999.dcm")" = "$prefix.2999" ] || { echo "FAIL: cannot make instances"; exit 1; }

"$dk" serve --bind 127.0.0.1 --port 0 --data "$work/var" --aet ARCHIVE --accept-unknown --no-fsync \
  > "$work/serve.out" 2> "$work/serve.err" &
spid=$!
pids+=($spid)
port=$(wait_port "$work/serve.err")
[ -n "$port" ] || { echo "FAIL: serve did not start"; cat "$work/serve.err"; exit 1; }

send_one() {  # send_one K: sender K's folder, tried again (at most 20 times) while turned away
  local k=$1
  for _ in $(seq 1 20); do
    timeout 60 "$dk" send 127.0.0.1 "$port" "$work/in/$k" --aet "S$k" --aec ARCHIVE > "$work/send$k.out" 2>&1 && return 0
    grep -qi "transient" "$work/send$k.out" || return 1
    echo "$k" >> "$work/retried"
    sleep 0.$((RANDOM % 9 + 1))
  done
  return 1
}
start=$(date +%s.%N)
spids=()
for k in $(seq 0 $((senders - 1))); do
  send_one "$k" &
  spids+=($!)
done
failed=0
for k in $(seq 0 $((senders - 1))); do
  wait "${spids[$k]}" || { echo "FAIL: sender $k:"; tail -3 "$work/send$k.out"; failed=$((failed + 1)); }
done
end=$(date +%s.%N)
[ $failed -eq 0 ] || fail=1
for k in $(seq 0 $((senders - 1))); do
  grep -q "^sent $per_sender of $per_sender files" "$work/send$k.out" || { echo "FAIL: sender $k:"; tail -2 "$work/send$k.out"; fail=1; }
done
sleep 0.5  # the last lines of serve's log
successes=$(grep -c " C-STORE .*: 0x0000 Success$" "$work/serve.out")
others=$(grep " C-STORE " "$work/serve.out" | grep -vc ": 0x0000 Success$")
echo "serve answered $successes C-STOREs Success, $others otherwise"
[ "$successes" -eq $total ] && [ "$others" -eq 0 ] || { echo "FAIL: want $total Success and nothing else"; fail=1; }
retries=$( [ -f "$work/retried" ] && wc -l < "$work/retried" || echo 0)
echo "sent: $senders senders x $per_sender instances in $(echo "$end - $start" | bc) s ($retries retries after a transient refusal, $failed senders failed)"

timeout 60 "$dk" find 127.0.0.1 "$port" --aet USER --aec ARCHIVE -S --relational --level IMAGE -k SOPInstanceUID= \
  --format csv > "$work/find.csv" 2> "$work/find.err" || { echo "FAIL: find"; cat "$work/find.err"; fail=1; }
head -1 "$work/find.csv" | grep -q SOPInstanceUID || { echo "FAIL: find: no header"; head -3 "$work/find.csv"; fail=1; }
col=$(head -1 "$work/find.csv" | tr ',' '\n' | grep -n '^SOPInstanceUID$' | cut -d: -f1)
tail -n +2 "$work/find.csv" | cut -d, -f"${col:-1}" | tr -d '"' | sort > "$work/found"
missing=$(comm -23 "$work/want" "$work/found" | wc -l)
extra=$(comm -13 "$work/want" "$work/found" | wc -l)
echo "found: $(wc -l < "$work/found") of $total instances ($missing missing, $extra not sent)"
[ "$missing" -eq 0 ] && [ "$extra" -eq 0 ] || { comm -3 "$work/want" "$work/found" | head -5; fail=1; }
stored=$(ls "$work/var/storage" | grep -c '\.dcm$')
[ "$stored" -eq $total ] || { echo "FAIL: $stored files in storage, want $total"; fail=1; }
kill -0 $spid 2> /dev/null || { echo "FAIL: serve died"; tail -5 "$work/serve.err"; fail=1; }
grep -E "^(E|F):" "$work/serve.out" "$work/serve.err" | head -5
[ $fail -eq 0 ] && echo "PASS" || echo "FAIL"
exit $fail
