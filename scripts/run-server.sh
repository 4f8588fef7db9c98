#!/usr/bin/env bash
# Installs what is missing, builds the WebAssembly module and the playground
# (web/dist), builds the release preset (which embeds the playground), prints
# the playground's URL and runs natrium-server with JetStream, data in ./data
# and monitoring (and the playground) on 8222. Extra arguments go to the
# server (e.g. -p 4333).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/install-deps.sh            # Debian packages, and npm ci (web/ included)
cmake --preset wasm >/dev/null
cmake --build --preset wasm -j2         # wasm/dist/natrium-module.mjs
bash scripts/build-playground.sh        # web/dist
cmake --preset release >/dev/null
cmake --build --preset release -j2
mkdir -p data
echo
echo "  Playground: http://127.0.0.1:8222/playground/"
echo "  Monitoring: http://127.0.0.1:8222/"
echo
exec build/release/native/natrium-server -js -sd "$root/data" -m 8222 "$@"
