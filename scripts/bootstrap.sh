#!/usr/bin/env bash
# Installs the Debian packages dicomkit needs to build and test, if any are missing, and keeps the
# system Orthanc service (installed as a test and benchmark peer) stopped and disabled.
set -euo pipefail
PKGS=(
  cmake ninja-build g++ clang libclang-rt-14-dev make pkg-config
  libgtest-dev libgmock-dev libbenchmark-dev
  libexpected-dev libfmt-dev libcli11-dev nlohmann-json3-dev libtomlplusplus-dev
  zlib1g-dev libicu-dev libboost-dev libssl-dev openssl libsqlite3-dev libpq-dev postgresql
  libxml2-dev libpng-dev libturbojpeg0-dev libjpeg62-turbo-dev libcharls-dev libopenjp2-7-dev libopenjph-dev libjxl-dev
  libgdcm-tools
  dcmtk dicom3tools python3 python3-pydicom python3-numpy python3-hl7
  orthanc orthanc-dicomweb wrk curl
  chromium
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm run dcmjs-dimse, a peer of the corpus test, and playwright-core, which drives
# Debian's Chromium in the web page's test (tests/support/node/); a Node.js that is there already
# (with its own npm) is kept.
command -v node > /dev/null || missing+=(nodejs)
command -v npm > /dev/null || missing+=(npm)
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Debian's orthanc package enables (and, where services may start, starts) a system Orthanc on
# ports 4242 and 8042; 8042 is kept free for dicomkit's HTTP port, and tests and benchmarks start
# Orthancs of their own (tests/support/orthanc.sh). Stop the service and disable it, with systemd
# or without; nothing is done when it is stopped and disabled already. The init script's "stop"
# also ends every other process running /usr/sbin/Orthanc, so without systemd the service's own
# process is stopped through its pid file.
quiet_orthanc_service() {
  dpkg-query -W -f='${Status}' orthanc 2> /dev/null | grep -q "install ok installed" || return 0
  if [ -d /run/systemd/system ] && command -v systemctl > /dev/null; then
    if systemctl is-active --quiet orthanc; then $SUDO systemctl stop orthanc; fi
    if systemctl is-enabled --quiet orthanc 2> /dev/null; then $SUDO systemctl disable --quiet orthanc; fi
  fi
  local pidfile=/run/orthanc.pid
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2> /dev/null; then
    echo "bootstrap: stopping the system Orthanc service (pid $(cat "$pidfile"))"
    $SUDO start-stop-daemon --stop --quiet --retry=TERM/30/KILL/5 --pidfile "$pidfile" --name Orthanc || true
    $SUDO rm -f "$pidfile"
  fi
  if ls /etc/rc[2345].d/S[0-9][0-9]orthanc > /dev/null 2>&1; then
    echo "bootstrap: disabling the system Orthanc service"
    $SUDO update-rc.d orthanc disable > /dev/null 2>&1 || true
  fi
}

if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
quiet_orthanc_service

# The npm packages of the test peers, as pinned in tests/support/node/package-lock.json; again
# only when the lock file changed since the last install.
node_dir="$(cd "$(dirname "$0")/.." && pwd)/tests/support/node"
if [ -f "$node_dir/package-lock.json" ] && ! cmp -s "$node_dir/package-lock.json" "$node_dir/node_modules/.installed-lock"; then
  echo "bootstrap: npm ci in tests/support/node"
  (cd "$node_dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
  cp "$node_dir/package-lock.json" "$node_dir/node_modules/.installed-lock"
fi

# The OHIF viewer that serve hands out at /viewer: its built dist/ from the npm package @ohif/app
# (only the package's own files: its dependencies are bundled in dist/), unpacked into viewer/dist.
# Not committed. Without it (no network), serve offers its built-in viewer instead.
bash "$(dirname "$0")/install_viewer.sh" || echo "bootstrap: the OHIF viewer could not be installed; serve uses its built-in viewer"
