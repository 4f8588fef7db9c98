#!/usr/bin/env bash
# Builds the WASM target with the `wasm` preset (if needed) and runs the Node
# tests in wasm/test/. Usage: wasm/run-tests.sh [--rebuild]
# Needs: emscripten (Debian), cmake, ninja, node >= 18. nats.ws (devDependency)
# is installed from package-lock.json with `npm ci` when missing; without it the
# nats.ws tests are skipped, not failed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
cd "$root"

export NODE_PATH=/usr/share/nodejs   # emcc's JS optimizer needs Debian's acorn
if [[ "${1:-}" == "--rebuild" || ! -f build/wasm/build.ninja ]]; then
  cmake --preset wasm
fi
# Always run the build: it is a no-op when nothing changed, and it refreshes
# wasm/dist/natrium-module.mjs, which natrium.mjs imports.
cmake --build --preset wasm -j2

if [[ ! -d "$here/node_modules/nats.ws" ]]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) ||
    echo "run-tests.sh: npm ci failed; the nats.ws tests will be skipped" >&2
fi

node --test "$here"/test/*.test.mjs
