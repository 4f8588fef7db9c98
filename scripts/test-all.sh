#!/usr/bin/env bash
# Installs what is missing, builds every preset and runs every test layer:
# unit + sim + tidy + fuzz corpora (release, then dev with ASan/UBSan), bounded
# libFuzzer runs, the wasm build and its Node tests, the playground in Chromium,
# the conformance suites against nats-server and natrium-server (over TCP and
# WebSocket, and nats.ws in Chromium), and the acceptance examples.
# Env: FUZZ_SECONDS (default 60 per target), SKIP_WASM=1, SKIP_FUZZ=1, SKIP_DEV=1.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}

bash scripts/install-deps.sh || { echo "test-all: installing dependencies failed"; exit 1; }

passed=0; failed=0; failures=()
step() { # step NAME COMMAND...
  local name=$1; shift
  local t0=$(date +%s)
  echo; echo "=== test-all: $name"
  if "$@"; then passed=$((passed + 1)); echo "=== test-all: $name ok ($(( $(date +%s) - t0 ))s)"
  else failed=$((failed + 1)); failures+=("$name"); echo "=== test-all: $name FAILED ($(( $(date +%s) - t0 ))s)"; fi
}

build() { cmake --preset "$1" >/dev/null && cmake --build --preset "$1" -j2; }

step "release build" build release
step "release ctest" ctest --preset release -j2
if [ -z "${SKIP_DEV:-}" ]; then
  step "dev build (ASan+UBSan)" build dev
  step "dev ctest (ASan+UBSan)" ctest --preset dev -j2
fi
if [ -z "${SKIP_FUZZ:-}" ]; then
  step "fuzz build (clang libFuzzer)" build fuzz
  step "fuzz runs (${FUZZ_SECONDS:-60}s each)" bash tests/fuzz/run-fuzzers.sh build/fuzz/tests/fuzz "${FUZZ_SECONDS:-60}"
fi
if [ -z "${SKIP_WASM:-}" ] && [ -x wasm/run-tests.sh ]; then
  step "wasm build + node tests" bash wasm/run-tests.sh
fi
if [ -z "${SKIP_WASM:-}" ] && [ -x wasm/test/pack-check.sh ]; then
  step "wasm package as a web project gets it (npm pack, install, node --test, tsc --strict)" bash wasm/test/pack-check.sh
fi
if [ -z "${SKIP_WASM:-}" ] && [ -x wasm/test/conformance/run-both-modes.sh ]; then
  step "core, JetStream and KV conformance against the in-process wasm server (TCP and nats.ws)" \
    bash wasm/test/conformance/run-both-modes.sh
fi
if [ -z "${SKIP_WASM:-}" ] && [ -x web/run-tests.sh ]; then
  # Builds web/dist and relinks natrium-server with the playground embedded.
  step "playground (Chromium, Playwright)" env PLAYGROUND_SCREENSHOTS=0 bash web/run-tests.sh
fi
step "conformance (nats-server and natrium-server)" bash tests/conformance/run-both.sh build/release/native/natrium-server
step "JetStream conformance (nats-server and natrium-server)" env CONFORMANCE_SUITES=jetstream \
  bash tests/conformance/run-both.sh build/release/native/natrium-server
step "KV and object store conformance (nats-server and natrium-server)" env CONFORMANCE_SUITES=kv \
  bash tests/conformance/run-both.sh build/release/native/natrium-server
step "WebSocket listener and nats.ws in Chromium (nats-server and natrium-server)" env CONFORMANCE_SUITES="websocket browser" \
  bash tests/conformance/run-both.sh build/release/native/natrium-server
step "core and JetStream conformance over WebSocket (nats-server and natrium-server)" env CONFORMANCE_TRANSPORT=ws \
  CONFORMANCE_SUITES="core jetstream" bash tests/conformance/run-both.sh build/release/native/natrium-server
acc="$root/../shared/acceptance/run-against.sh"
if [ -f "$acc" ]; then
  step "acceptance (core, request-reply, jetstream, consumers, workqueue, monitoring, kv)" env NO_CLUSTER=1 \
    bash "$acc" "$root/build/release/native/natrium-server" ./core.test.mjs ./request-reply.test.mjs \
    ./jetstream.test.mjs ./consumers.test.mjs ./workqueue.test.mjs ./monitoring.test.mjs ./kv.test.mjs
else
  echo "test-all: no ../shared/acceptance here; skipping the acceptance examples"
fi

echo
for f in "${failures[@]}"; do echo "test-all: FAILED: $f"; done
echo "test-all: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
