# Shell helpers for the tests that run dicomkit serve/receive (sourced, not run).

# wait_port LOGFILE: prints the port a dicomkit process logged ("I: listening on ADDRESS:PORT ...")
# within 15 s, nothing when it did not.
wait_port() {
  local port=
  for _ in $(seq 1 150); do
    port=$(sed -n 's/^[^ ]* I: listening on [0-9.]*:\([0-9]*\) .*/\1/p' "$1")
    [ -n "$port" ] && break
    sleep 0.1
  done
  echo "$port"
}

# wait_tls_port LOGFILE: prints the TLS port (beside the plain one) a dicomkit serve logged
# ("I: port PORT: DICOM over TLS ...") within 15 s, nothing when it did not.
wait_tls_port() {
  local port=
  for _ in $(seq 1 150); do
    port=$(sed -n 's/^[^ ]* I: port \([0-9]*\): DICOM over TLS.*/\1/p' "$1" | tail -1)
    [ -n "$port" ] && break
    sleep 0.1
  done
  echo "$port"
}

# test_workspace [CLEANUP_COMMAND...]: sets work (a new temporary folder), pids (the processes a
# test starts; append to it) and fail=0; at exit, kills pids, runs CLEANUP_COMMAND (e.g. a
# function that stops a database), waits and removes work.
test_workspace() {
  work=$(mktemp -d)
  pids=()
  fail=0
  test_workspace_cleanup=("$@")
  trap test_workspace_end EXIT
}
test_workspace_end() {
  for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done
  [ ${#test_workspace_cleanup[@]} -eq 0 ] || "${test_workspace_cleanup[@]}"
  wait 2> /dev/null
  rm -rf "$work"
}
