#!/usr/bin/env bash
# Installs what is missing, builds the release preset and runs natrium-server
# with JetStream flags, data in ./data and monitoring on 8222. Extra arguments
# go to the server (e.g. -p 4333).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/install-deps.sh --no-npm
cmake --preset release >/dev/null
cmake --build --preset release -j2
mkdir -p data
exec build/release/native/natrium-server -js -sd "$root/data" -m 8222 "$@"
