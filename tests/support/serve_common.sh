# Shell helpers for the tests that run dicomkit serve/receive (sourced, not run).

# wait_port LOGFILE: prints the port a dicomkit process logged ("I: listening on ADDRESS:PORT ...")
# within 15 s, nothing when it did not.
wait_port() {
  local port=
  for _ in $(seq 1 150); do
    port=$(sed -n 's/^I: listening on [0-9.]*:\([0-9]*\) .*/\1/p' "$1")
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
    port=$(sed -n 's/^I: port \([0-9]*\): DICOM over TLS.*/\1/p' "$1" | tail -1)
    [ -n "$port" ] && break
    sleep 0.1
  done
  echo "$port"
}
