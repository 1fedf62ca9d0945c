#!/usr/bin/env bash
# Unpacks the built OHIF viewer (npm package @ohif/app, its dist/ folder) into viewer/dist, where
# `dicomkit serve` finds it. Does nothing when that version is there already.
set -euo pipefail
version="${OHIF_VERSION:-3.13.2}"
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/viewer/dist"
if [ -f "$dest/index.html" ] && [ "$(cat "$root/viewer/.version" 2>/dev/null)" = "$version" ]; then
  exit 0
fi
command -v npm > /dev/null || { echo "install_viewer: npm is missing" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "bootstrap: fetching @ohif/app@$version (the viewer's built files)"
(cd "$tmp" && npm pack --silent "@ohif/app@$version" > /dev/null)
mkdir -p "$tmp/x"
tar xzf "$tmp"/ohif-app-"$version".tgz -C "$tmp/x"
[ -f "$tmp/x/package/dist/index.html" ] || { echo "install_viewer: no dist/index.html in the package" >&2; exit 1; }
rm -rf "$dest"
mkdir -p "$root/viewer"
mv "$tmp/x/package/dist" "$dest"
echo "$version" > "$root/viewer/.version"
