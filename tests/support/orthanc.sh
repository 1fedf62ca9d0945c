# Starts and stops a private Orthanc for tests and benchmarks: a generated JSON configuration in a
# folder of the caller's, loopback only, free DICOM and HTTP ports, no authentication, its storage
# and index in that folder; ready once its REST API answers. Never the system service.
#
#   source tests/support/orthanc.sh
#   orthanc_start DIR [AE=HOST:PORT ...]  # the AEs Orthanc knows (DicomModalities): the only calling
#                                         # AEs it accepts, from HOST only, and its C-MOVE destinations
#   ... $ORTHANC_DICOM_PORT $ORTHANC_HTTP_PORT $ORTHANC_URL $ORTHANC_AET $ORTHANC_PID ...
#   orthanc_stop                          # SIGTERM, then SIGKILL after ORTHANC_STOP_TIMEOUT seconds
#
# Environment: ORTHANC_AET (default ORTHANC); ORTHANC_EXTRA (a JSON object merged into the
# configuration, e.g. '{"SyncStorageArea": false}'); ORTHANC_WRAP (a command put before Orthanc,
# e.g. "/usr/bin/time -f %M -o FILE"); ORTHANC_START_TIMEOUT (seconds, default 60).
# orthanc_start returns 1 (with the log's tail on standard error) when Orthanc is missing or does
# not come up. Both functions work under `set -e`.

ORTHANC_PID=
ORTHANC_WRAPPER_PID=

orthanc_free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

orthanc_binary() {
  command -v Orthanc 2> /dev/null || { [ -x /usr/sbin/Orthanc ] && echo /usr/sbin/Orthanc; }
}

orthanc_start() {
  local dir=$1
  shift
  local bin
  bin=$(orthanc_binary) || true
  if [ -z "$bin" ]; then
    echo "orthanc.sh: Orthanc is not installed (scripts/bootstrap.sh installs it)" >&2
    return 1
  fi
  command -v curl > /dev/null || { echo "orthanc.sh: curl is missing" >&2; return 1; }
  mkdir -p "$dir/storage" "$dir/index"
  ORTHANC_AET=${ORTHANC_AET:-ORTHANC}
  local attempt extra=${ORTHANC_EXTRA:-}
  [ -n "$extra" ] || extra='{}'
  for attempt in 1 2 3; do  # a free port may be taken between choosing and binding it
    ORTHANC_DICOM_PORT=$(orthanc_free_port)
    ORTHANC_HTTP_PORT=$(orthanc_free_port)
    ORTHANC_URL=http://127.0.0.1:$ORTHANC_HTTP_PORT
    /usr/bin/python3 - "$dir" "$ORTHANC_AET" "$ORTHANC_DICOM_PORT" "$ORTHANC_HTTP_PORT" "$extra" "$@" \
      > "$dir/orthanc.json" << 'PY' || return 1
import json, sys
d, aet, dicom_port, http_port, extra = sys.argv[1:6]
modalities = {}
for spec in sys.argv[6:]:
    ae, hostport = spec.split("=", 1)
    host, port = hostport.rsplit(":", 1)
    modalities[ae] = [ae, host, int(port)]
config = {
    "Name": "dicomkit-test-" + aet,
    "StorageDirectory": d + "/storage",
    "IndexDirectory": d + "/index",
    "Plugins": [],
    "LuaScripts": [],
    "HttpServerEnabled": True,
    "HttpPort": int(http_port),
    "RemoteAccessAllowed": False,
    "AuthenticationEnabled": False,
    "SslEnabled": False,
    "WebDavEnabled": False,
    "DicomServerEnabled": True,
    "DicomAet": aet,
    "DicomPort": int(dicom_port),
    "DicomCheckCalledAet": False,
    # Only the AEs given, from the addresses given, may use the DICOM port.
    "DicomAlwaysAllowEcho": False,
    "DicomAlwaysAllowStore": False,
    "DicomAlwaysAllowFind": False,
    "DicomAlwaysAllowGet": False,
    "DicomAlwaysAllowMove": False,
    "DicomCheckModalityHost": True,
    "DicomModalities": modalities,
    "DicomModalitiesInDatabase": False,
    "OrthancPeers": {},
    "SaveJobs": False,
    # C-FIND answers in UTF-8: with its default (Latin-1) Orthanc drops what Latin-1 cannot hold.
    "DefaultEncoding": "Utf8",
}
config.update(json.loads(extra))
json.dump(config, sys.stdout, indent=2)
PY
    # Orthanc 1.10 binds every interface (it has no bind-address option): RemoteAccessAllowed=false
    # makes its HTTP side answer loopback clients only, and its DICOM side accepts the listed AEs
    # from their listed (loopback) addresses only.
    ${ORTHANC_WRAP:-} "$bin" "$dir/orthanc.json" > "$dir/orthanc.log" 2>&1 &
    ORTHANC_WRAPPER_PID=$!
    ORTHANC_PID=$ORTHANC_WRAPPER_PID
    local waited=0 limit=$((${ORTHANC_START_TIMEOUT:-60} * 10))
    while [ $waited -lt $limit ]; do
      if [ -n "${ORTHANC_WRAP:-}" ] && [ "$ORTHANC_PID" = "$ORTHANC_WRAPPER_PID" ]; then
        ORTHANC_PID=$(pgrep -P "$ORTHANC_WRAPPER_PID" | head -1)
        [ -n "$ORTHANC_PID" ] || ORTHANC_PID=$ORTHANC_WRAPPER_PID
      fi
      if curl -sf --noproxy "*" --max-time 2 "$ORTHANC_URL/system" > /dev/null 2>&1; then return 0; fi
      kill -0 "$ORTHANC_WRAPPER_PID" 2> /dev/null || break
      sleep 0.1
      waited=$((waited + 1))
    done
    orthanc_stop
    if ! grep -qi "address already in use\|cannot bind\|port.*use" "$dir/orthanc.log"; then break; fi
  done
  echo "orthanc.sh: Orthanc did not start (attempt $attempt); its log:" >&2
  tail -20 "$dir/orthanc.log" >&2
  return 1
}

orthanc_stop() {
  [ -n "${ORTHANC_WRAPPER_PID:-}" ] || return 0
  if kill -0 "$ORTHANC_WRAPPER_PID" 2> /dev/null; then
    kill -TERM "$ORTHANC_PID" 2> /dev/null || true
    local i
    for i in $(seq 1 $((${ORTHANC_STOP_TIMEOUT:-30} * 10))); do
      kill -0 "$ORTHANC_WRAPPER_PID" 2> /dev/null || break
      sleep 0.1
    done
    kill -KILL "$ORTHANC_PID" 2> /dev/null || true
  fi
  wait "$ORTHANC_WRAPPER_PID" 2> /dev/null || true
  ORTHANC_PID=
  ORTHANC_WRAPPER_PID=
  return 0
}
