#!/bin/sh
# Refresh the vendored Oxigraph (its WebAssembly build, from npm) of the SPARQL page, at the pinned version.
# The tarball is checked against the sha512 pinned here and the one npm publishes; each file taken
# from it must then have the sha256 pinned here (tests/test_sparql_page.py checks the committed
# files against the same pins). Run from anywhere:
#   sh graphkit/sparqlpage/vendor/refresh.sh
# To move to a new version, change VERSION and INTEGRITY (npm view oxigraph@VERSION dist.integrity),
# run the script, and pin the sha256 it reports for each file.
#
# The npm package holds no licence file: it declares "MIT OR Apache-2.0" (checked below), and
# both texts, copied from the Oxigraph repository (LICENSE-MIT, LICENSE-APACHE, unchanged since
# 2019), are kept beside this script under their own pins.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

NAME=oxigraph
VERSION=0.5.11
INTEGRITY=sha512-zKdgmp1tsrutGzC1lCCywwZRPpLJKaJnKSDWoY2hIhMiwiCRRXNN1DU7WUyTInBvgPKT8Y5N+RgwTL8qKXpLng==
LICENSE="MIT OR Apache-2.0"
# file in the package  vendored as  sha256
FILES="
web.js oxigraph.js 2fcfdcadc79c9146cee98028a273aebc93df3282eb0299c248595bc529deca41
web_bg.wasm oxigraph_bg.wasm b95b15accb6b789667b8d8b0b8f139d5de588e572499672ff37ce9ba01c4a428
"
# licence texts kept beside: file  sha256
LICENSES="
oxigraph.LICENSE-MIT 1f4f6736adc52ebfda18bb84947e0ef492bd86a408c0e83872efb75ed5e02838
oxigraph.LICENSE-APACHE a60eea817514531668d7e00765731449fe14d059d3249e0bc93b36de45f759f2
"

sha256() { openssl dgst -sha256 -r "$1" | cut -d' ' -f1; }

published=$(npm view "$NAME@$VERSION" dist.integrity)
if [ "$published" != "$INTEGRITY" ]; then
  echo "error: $NAME@$VERSION: npm publishes integrity $published, pinned $INTEGRITY" >&2
  exit 1
fi
tarball=$(cd "$WORK" && npm pack --silent "$NAME@$VERSION")
actual="sha512-$(openssl dgst -sha512 -binary "$WORK/$tarball" | base64 -w0)"
if [ "$actual" != "$INTEGRITY" ]; then
  echo "error: $NAME@$VERSION: the tarball has integrity $actual, pinned $INTEGRITY" >&2
  exit 1
fi
tar -xzf "$WORK/$tarball" -C "$WORK"
declared=$(node -p "require('$WORK/package/package.json').license")
if [ "$declared" != "$LICENSE" ]; then
  echo "error: $NAME@$VERSION declares the licence '$declared', not '$LICENSE': check the licence texts kept here" >&2
  exit 1
fi

echo "$FILES" | while read -r file target pinned; do
  [ -n "$file" ] || continue
  got=$(sha256 "$WORK/package/$file")
  cp "$WORK/package/$file" "$HERE/$target"
  if [ "$got" != "$pinned" ]; then
    echo "error: $target is copied but has sha256 $got, pinned $pinned (pin it anew after checking the change)" >&2
    exit 1
  fi
  echo "$NAME@$VERSION $file -> $target ($got)"
done
echo "$LICENSES" | while read -r file pinned; do
  [ -n "$file" ] || continue
  got=$(sha256 "$HERE/$file")
  if [ "$got" != "$pinned" ]; then
    echo "error: $file has sha256 $got, pinned $pinned" >&2
    exit 1
  fi
done
