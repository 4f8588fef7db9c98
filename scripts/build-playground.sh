#!/usr/bin/env bash
# Builds the browser playground into web/dist/: the page (web/index.html,
# web/css, web/js) plus its libraries in web/dist/lib/: natrium-wasm
# (wasm/natrium.mjs and the built wasm/dist/natrium-module.mjs) and nats.ws's
# ES module (web/node_modules, from `npm ci` in web/). natrium-server embeds
# web/dist when it is built afterwards (cmake/embed_playground.cmake).
# Usage: scripts/build-playground.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
web="$root/web"
dist="$web/dist"

fail() { echo "build-playground: $*" >&2; exit 1; }

module="$root/wasm/dist/natrium-module.mjs"
[ -f "$module" ] || fail "the WebAssembly module is not built ($module is missing).
Build it with:  cmake --preset wasm && cmake --build --preset wasm -j2"
natsws="$web/node_modules/nats.ws/esm/nats.js"
[ -f "$natsws" ] || fail "nats.ws is not installed ($natsws is missing).
Install web/'s packages with:  (cd web && npm ci)   or   scripts/install-deps.sh"
[ -f "$root/wasm/natrium.mjs" ] || fail "wasm/natrium.mjs is missing"

# Build in a temporary directory, then swap it in, so web/dist is never half-written
# (a server build running at the same time embeds either the old or the new one).
tmp=$(mktemp -d "$web/.dist-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/lib/dist" "$tmp/css" "$tmp/js"
cp "$web/index.html" "$tmp/"
cp "$web"/css/*.css "$tmp/css/"
cp "$web"/js/*.js "$tmp/js/"
cp "$root/wasm/natrium.mjs" "$tmp/lib/natrium.mjs"       # imports ./dist/natrium-module.mjs
cp "$module" "$tmp/lib/dist/natrium-module.mjs"
cp "$natsws" "$tmp/lib/nats.js"
chmod -R a+rX "$tmp"

rm -rf "$dist.old"
[ -d "$dist" ] && mv "$dist" "$dist.old"
mv "$tmp" "$dist"
rm -rf "$dist.old"
trap - EXIT

count=$(find "$dist" -type f | wc -l)
size=$(du -sk "$dist" | cut -f1)
echo "build-playground: web/dist ready ($count files, ${size} KiB); rebuild natrium-server to embed it"
