#!/bin/sh
# Refresh the vendored browser libraries of the overview map from npm, at the pinned versions.
# Each tarball is checked against the sha512 pinned here and the one npm publishes, then the
# built file and its licence are copied beside this script. Run from anywhere:
#   sh graphkit/view/vendor/refresh.sh
# To move to a new version, change the pin and its integrity (npm view NAME@VERSION dist.integrity).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# name  version  integrity (sha512, base64)  file in the package  vendored as
PINS="
sigma 3.0.3 sha512-5H0zFlx6/NTQpqBg4Rm569ZOpnBOXMaS25UQThIWMU3XyzI5AhmorK/gnl87BvJBLhQd0tW4C0LIp3enWzMoNw== dist/sigma.min.js sigma.min.js
graphology 0.26.0 sha512-8SSImzgUUYC89Z042s+0r/vMibY7GX/Emz4LDO5e7jYXhuoWfHISPFJYjpRLUSJGq6UQ6xlenvX1p/hJdfXuXg== dist/graphology.umd.min.js graphology.umd.min.js
"

echo "$PINS" | while read -r name version pinned file target; do
  [ -n "$name" ] || continue
  published=$(npm view "$name@$version" dist.integrity)
  if [ "$published" != "$pinned" ]; then
    echo "error: $name@$version: npm publishes integrity $published, pinned $pinned" >&2
    exit 1
  fi
  tarball=$(cd "$WORK" && npm pack --silent "$name@$version")
  actual="sha512-$(openssl dgst -sha512 -binary "$WORK/$tarball" | base64 -w0)"
  if [ "$actual" != "$pinned" ]; then
    echo "error: $name@$version: the tarball has integrity $actual, pinned $pinned" >&2
    exit 1
  fi
  mkdir -p "$WORK/$name"
  tar -xzf "$WORK/$tarball" -C "$WORK/$name"
  cp "$WORK/$name/package/$file" "$HERE/$target"
  cp "$WORK/$name/package/LICENSE"* "$HERE/$name.LICENSE"
  echo "$name@$version -> $target ($pinned)"
done
