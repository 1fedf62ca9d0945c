#!/usr/bin/env bash
# Installs the Debian packages dicomkit needs to build and test, if any are missing.
set -euo pipefail
PKGS=(
  cmake ninja-build g++ clang libclang-rt-14-dev make pkg-config
  libgtest-dev libgmock-dev libbenchmark-dev
  libexpected-dev libfmt-dev libcli11-dev nlohmann-json3-dev libtomlplusplus-dev
  zlib1g-dev libicu-dev libboost-dev libssl-dev libsqlite3-dev libpq-dev postgresql
  libxml2-dev
  dcmtk dicom3tools python3 python3-pydicom python3-numpy
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "bootstrap: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
