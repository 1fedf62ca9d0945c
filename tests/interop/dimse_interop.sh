#!/usr/bin/env bash
# DIMSE interop with DCMTK, plain and TLS, on 127.0.0.1 only:
#  1. echoscu and storescu -> dicomkit receive; 2. dicomkit echo and send -> storescp.
# Each received file's data set must dump (dcmdump) the same as the sent file's when both are in
# the same transfer syntax; the meta header is left out (implementation fields differ by design).
# usage: dimse_interop.sh DICOMKIT DATA_DIR ; exits 77 (skip) without DCMTK or openssl.
set -uo pipefail
dk=$1
data=$2
for t in echoscu storescu storescp dcmdump openssl; do command -v $t > /dev/null || exit 77; done
# shellcheck source=../support/serve_common.sh
source "$(dirname "$0")/../support/serve_common.sh"
test_workspace
export TCP_NODELAY=1
check() {  # check NAME COMMAND...: runs a step, records a failure
  local name=$1
  shift
  local run=(timeout 60)
  if declare -F "$1" > /dev/null; then run=(); fi  # shell functions bound their own steps
  if "${run[@]}" "$@" > "$work/$name.out" 2>&1; then echo "ok: $name"; else
    echo "FAIL: $name"; sed 's/^/    /' "$work/$name.out" | tail -20; fail=1
  fi
}

# The sample instances (damaged files left out) and their SOP Instance UIDs.
: > "$work/sent.tsv"
while read -r f; do
  uid=$(dcmdump -q +P 0008,0018 "$f" 2> /dev/null | sed -n 's/.*\[\(.*\)\].*/\1/p' | head -1)
  [ -n "$uid" ] && printf '%s\t%s\n' "$uid" "$f" >> "$work/sent.tsv"
done < <(find "$data" -name '*.dcm' -not -path '*/malformed/*' | sort)
mkdir -p "$work/files"
cut -f2 "$work/sent.tsv" | while read -r f; do cp "$f" "$work/files/"; done

body() {  # the data set part of a dcmdump, without the meta header and the syntax line
  dcmdump -q +L "$1" 2> /dev/null | awk '/^# Dicom-Data-Set/{on=1; next} on && !/^# Used TransferSyntax/'
}
syntax() { dcmdump -q +P 0002,0010 "$1" 2> /dev/null | awk '{print $3}'; }
# The data set without what an encoding change alters: lengths, sequence/item length kinds,
# delimitation items, group lengths. For files that arrive in another transfer syntax, or that
# the sender re-encoded (storescu recomputes group lengths and sequence lengths).
content() {
  body "$1" | grep -v '(fffe,e00d)\|(fffe,e0dd)\|^ *([0-9a-f]\{4\},0000)' |
    sed -E 's/\((Sequence|Item) with (explicit|undefined) length #=[0-9]+\)/(\1)/; s/#.*//; s/ +$//'
}

compare_folder() {  # compare_folder NAME DIR: every received file against the sent one by UID
  local name=$1 dir=$2 n=0 same=0 converted=0 bad=0
  for r in "$dir"/*; do
    [ -f "$r" ] || continue
    n=$((n + 1))
    uid=$(dcmdump -q +P 0008,0018 "$r" 2> /dev/null | sed -n 's/.*\[\(.*\)\].*/\1/p' | head -1)
    # Several samples may share a UID (the folder then keeps one): any of them may match.
    mapfile -t cands < <(awk -F'\t' -v u="$uid" '$1 == u {print $2}' "$work/sent.tsv")
    if [ "${#cands[@]}" -eq 0 ]; then echo "    $name: $r: unknown instance $uid"; bad=$((bad + 1)); continue; fi
    matched=0 conv=0
    for s in "${cands[@]}"; do
      if [ "$(syntax "$r")" = "$(syntax "$s")" ]; then
        diff <(body "$s") <(body "$r") > "$work/diff.txt" && { matched=1; break; }
        diff <(content "$s") <(content "$r") > /dev/null && { matched=1; conv=1; break; }
      else
        diff <(content "$s") <(content "$r") > "$work/diff.txt" && { matched=1; conv=1; break; }
      fi
    done
    if [ $matched -eq 1 ] && [ $conv -eq 0 ]; then same=$((same + 1)); elif [ $matched -eq 1 ]; then
      converted=$((converted + 1)); else
      echo "    $name: $r differs from ${cands[*]}:"; head -10 "$work/diff.txt" | sed 's/^/      /'; bad=$((bad + 1))
    fi
  done
  echo "compare $name: $n received, $same identical, $converted same content re-encoded, $bad different"
  [ "$n" -gt 0 ] && [ "$bad" -eq 0 ] && [ "$same" -gt 0 ] || fail=1
}

start_receive() {  # start_receive NAME ARGS...: dicomkit receive on a free port; sets $port
  local name=$1
  shift
  mkdir -p "$work/$name"
  "$dk" receive 0 --bind 127.0.0.1 --out "$work/$name" "$@" > "$work/$name.log" 2>&1 &
  pids+=($!)
  port=""
  for _ in $(seq 1 100); do
    port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/$name.log")
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || { echo "FAIL: $name did not start"; cat "$work/$name.log"; exit 1; }
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_storescp() {  # start_storescp NAME ARGS...: DCMTK storescp on a free port; sets $port
  local name=$1
  shift
  mkdir -p "$work/$name"
  port=$(free_port)
  storescp +xa +B -od "$work/$name" "$@" "$port" > "$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    echoscu -to 1 127.0.0.1 "$port" > /dev/null 2>&1 && return
    ! [[ " $* " == *" +tls "* ]] || { sleep 0.3; return; }
    sleep 0.05
  done
}

# TLS material: one self-signed certificate per side, each trusting the other's.
for who in server client; do
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
    -keyout "$work/$who.key" -out "$work/$who.crt" > /dev/null 2>&1 || exit 77
done

# 1. DCMTK requestors -> dicomkit receive.
start_receive rcv
check echoscu_to_dk echoscu -aet ECHOSCU -aec DICOMKIT 127.0.0.1 "$port"
storescu_each() {  # storescu_each ARGS...: one storescu run per file, each proposing only its own syntax
  local rc=0
  local f x
  for f in "$work"/files/*; do
    case $(dcmdump -q +P 0002,0010 "$f" 2> /dev/null | sed -n 's/.*\[\(.*\)\].*/\1/p; s/.*=\([A-Za-z0-9]*\).*/\1/p') in
      *4.90|JPEG2000LosslessOnly) x=-xv ;; *4.91|JPEG2000) x=-xw ;; *1.2.5|RLELossless) x=-xr ;;
      *1.2.1.99|DeflatedLittleEndianExplicit) x=-xd ;; *1.2.2|BigEndianExplicit) x=-xb ;;
      *1.2|LittleEndianImplicit) x=-xi ;; *) x=-xe ;;
    esac
    timeout 30 storescu -R $x "$@" "$f" || rc=1
  done
  return $rc
}
check storescu_to_dk storescu_each -aet STORESCU -aec DICOMKIT 127.0.0.1 "$port"
compare_folder storescu_to_dk "$work/rcv"

start_receive rcv_tls --tls --cert "$work/server.crt" --key "$work/server.key" --ca "$work/client.crt"
check echoscu_tls_to_dk echoscu +tls "$work/client.key" "$work/client.crt" +cf "$work/server.crt" 127.0.0.1 "$port"
check storescu_tls_to_dk storescu_each +tls "$work/client.key" "$work/client.crt" +cf "$work/server.crt" \
  127.0.0.1 "$port"
compare_folder storescu_tls_to_dk "$work/rcv_tls"

# 2. dicomkit requestors -> DCMTK storescp.
start_storescp scp
check dk_echo_to_storescp "$dk" echo 127.0.0.1 "$port" -aet DKECHO -aec STORESCP --count 2 --timeout 10
check dk_send_to_storescp "$dk" send 127.0.0.1 "$port" "$work/files" -aet DKSEND -aec STORESCP --parallel 2
compare_folder dk_send_to_storescp "$work/scp"

start_storescp scp_tls +tls "$work/server.key" "$work/server.crt" +cf "$work/client.crt"
check dk_echo_tls_to_storescp "$dk" echo 127.0.0.1 "$port" --tls --cert "$work/client.crt" \
  --key "$work/client.key" --ca "$work/server.crt" --timeout 10
check dk_send_tls_to_storescp "$dk" send 127.0.0.1 "$port" "$work/files" --tls --cert "$work/client.crt" \
  --key "$work/client.key" --ca "$work/server.crt"
compare_folder dk_send_tls_to_storescp "$work/scp_tls"

# A failure is reported: nothing listens on this port.
dead=$(free_port)
if "$dk" echo 127.0.0.1 "$dead" --timeout 5 > "$work/dead.out" 2>&1; then
  echo "FAIL: echo to a closed port succeeded"; fail=1
else
  grep -q "refused" "$work/dead.out" && echo "ok: echo to a closed port says refused" || { cat "$work/dead.out"; fail=1; }
fi
exit $fail
