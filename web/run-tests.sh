#!/usr/bin/env bash
# The playground's browser test (web/test/playground.test.mjs): builds what it
# needs, or says what is missing, then runs it with node --test.
#   - web/'s npm packages (npm ci), Debian's chromium
#   - the WebAssembly module (cmake --preset wasm), web/dist (scripts/build-playground.sh)
#   - natrium-server with web/dist embedded: the release preset, unless
#     NATRIUM_SERVER_BIN names a server (then it is used as it is)
# Environment: NATRIUM_SERVER_BIN, CHROMIUM_BIN, PLAYGROUND_SCREENSHOTS=0 (no
# docs/images/playground-*.png), PLAYGROUND_WS_REFERENCE=1 (see the test).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

missing() { echo "web/run-tests.sh: $*" >&2; exit 1; }

command -v node >/dev/null || missing "node is not installed (scripts/install-deps.sh)"
[ -x "${CHROMIUM_BIN:-/usr/bin/chromium}" ] || missing "no Chromium at ${CHROMIUM_BIN:-/usr/bin/chromium}: apt-get install chromium (or scripts/install-deps.sh)"
if [ ! -d web/node_modules/playwright-core ] || [ ! -d web/node_modules/nats.ws ]; then
  (cd web && npm ci --no-audit --no-fund --loglevel=error) || missing "npm ci in web/ failed"
fi
if [ ! -f wasm/dist/natrium-module.mjs ]; then
  command -v emcc >/dev/null || missing "the WebAssembly module is not built and emscripten is not installed (scripts/install-deps.sh)"
  cmake --preset wasm >/dev/null && cmake --build --preset wasm -j2
fi
bash scripts/build-playground.sh
if [ -z "${NATRIUM_SERVER_BIN:-}" ]; then
  cmake --preset release >/dev/null
  cmake --build --preset release -j2 --target natrium-server   # embeds the web/dist just built
  export NATRIUM_SERVER_BIN="$root/build/release/native/natrium-server"
fi
[ -x "$NATRIUM_SERVER_BIN" ] || missing "no natrium-server at $NATRIUM_SERVER_BIN"
cd web
exec timeout 180 node --test --test-timeout=90000 test/
