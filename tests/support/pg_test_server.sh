#!/usr/bin/env bash
# A throw-away PostgreSQL server for tests: Debian's server binaries (/usr/lib/postgresql/VER/bin),
# a new cluster in a temporary folder, listening on 127.0.0.1 only, at a free port, with a random
# password; database "dicomkit" is created in it.
#
# usage: pg_test_server.sh start STATE_DIR   prints the conninfo (key=value) of database postgres
#                                            and writes STATE_DIR/conninfo and STATE_DIR/url
#                                            (postgresql://... of database dicomkit)
#        pg_test_server.sh stop STATE_DIR    stops the server and removes the cluster
#
# Run as root, the server runs as the system user postgres (PostgreSQL refuses root). Starting
# again with the same STATE_DIR stops the server left there first. A server whose stop never
# comes stops itself, and removes its cluster, after DICOMKIT_PG_MAX_SECONDS (default 7200).
# The binaries are the newest /usr/lib/postgresql/VER/bin, or DICOMKIT_PG_BIN. Exits 1, saying
# why, when they are not installed (scripts/bootstrap.sh installs them).
set -euo pipefail
cmd=${1:-}
state=${2:-}
[ -n "$state" ] && { [ "$cmd" = start ] || [ "$cmd" = stop ]; } || {
  echo "usage: $0 start|stop STATE_DIR" >&2
  exit 2
}
max_seconds=${DICOMKIT_PG_MAX_SECONDS:-7200}

bin=${DICOMKIT_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -1)}

owner=()  # runs a command as the cluster's owner
[ "$(id -u)" = 0 ] && owner=(runuser -u postgres --)

stop() {
  [ -f "$state/cluster" ] || return 0
  local cluster pid
  cluster=$(cat "$state/cluster")
  if [ -f "$state/watchdog" ]; then
    kill -- -"$(cat "$state/watchdog")" 2> /dev/null || true  # its process group: bash and sleep
  fi
  if [ -f "$cluster/data/postmaster.pid" ]; then
    pid=$(head -1 "$cluster/data/postmaster.pid")
    timeout 40 "${owner[@]}" "$bin/pg_ctl" stop -D "$cluster/data" -m fast -w -t 30 > /dev/null 2>&1 ||
      kill -9 "$pid" 2> /dev/null || true
  fi
  case $cluster in /tmp/dicomkit-pg.*) rm -rf "$cluster" ;; esac
  rm -f "$state/cluster" "$state/conninfo" "$state/url" "$state/watchdog"
}

if [ "$cmd" = stop ]; then
  stop
  exit 0
fi

if [ -z "$bin" ] || [ ! -x "$bin/initdb" ] || [ ! -x "$bin/pg_ctl" ]; then
  echo "E: PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb, pg_ctl):" \
    "install the Debian package postgresql (scripts/bootstrap.sh does)" >&2
  exit 1
fi
if [ "$(id -u)" = 0 ] && ! id postgres > /dev/null 2>&1; then
  echo "E: running as root, but there is no system user postgres to run the server as" >&2
  exit 1
fi

mkdir -p "$state"
stop
cluster=$(mktemp -d /tmp/dicomkit-pg.XXXXXX)
echo "$cluster" > "$state/cluster"
fail() {
  echo "E: $*" >&2
  [ -f "$cluster/log" ] && tail -20 "$cluster/log" >&2
  stop
  exit 1
}
password=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$password" > "$cluster/pwfile"
[ "$(id -u)" = 0 ] && chown -R postgres: "$cluster"
chmod 700 "$cluster"
timeout 120 "${owner[@]}" "$bin/initdb" -D "$cluster/data" -U dicomkit --pwfile="$cluster/pwfile" -E UTF8 --no-locale \
  --auth-local=trust --auth-host=scram-sha-256 --no-sync > "$cluster/initdb.log" 2>&1 ||
  { cat "$cluster/initdb.log" >&2; fail "initdb failed"; }
rm -f "$cluster/pwfile"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port=
for _ in 1 2 3 4 5; do
  p=$(free_port)
  # -F: no fsync (a throw-away cluster); the socket folder is the cluster's, not /run/postgresql.
  if timeout 60 "${owner[@]}" "$bin/pg_ctl" start -D "$cluster/data" -l "$cluster/log" -w -t 30 \
    -o "-F -c listen_addresses=127.0.0.1 -p $p -k $cluster -c max_connections=200 -c shared_buffers=32MB" \
    > /dev/null 2>&1; then
    port=$p
    break
  fi
  grep -qi "address already in use\|could not bind" "$cluster/log" 2> /dev/null || fail "pg_ctl start failed"
done
[ -n "$port" ] || fail "no free port for PostgreSQL"

# The watchdog: bounded lifetime even if nobody calls stop.
setsid bash -c "sleep $max_seconds; ${owner[*]} '$bin/pg_ctl' stop -D '$cluster/data' -m immediate -w -t 30; rm -rf '$cluster'" \
  < /dev/null > /dev/null 2>&1 &
echo $! > "$state/watchdog"

conninfo="host=127.0.0.1 port=$port user=dicomkit password=$password dbname=postgres"
PGCONNECT_TIMEOUT=10 timeout 30 "$bin/psql" -X -q -v ON_ERROR_STOP=1 -d "$conninfo" -c "CREATE DATABASE dicomkit" \
  > /dev/null 2>&1 || fail "cannot create database dicomkit"
echo "$conninfo" > "$state/conninfo"
echo "postgresql://dicomkit:$password@127.0.0.1:$port/dicomkit" > "$state/url"
echo "$conninfo"
