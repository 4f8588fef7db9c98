#!/usr/bin/env bash
# Runs the project's conformance suites (tests/conformance, unedited) against an
# in-process natrium-wasm server, inside each test file's Node process.
#
#   wasm/test/conformance/run.sh [raw|ws] [core|jetstream|kv ...]   (default: raw, all three)
#   wasm/test/conformance/run.sh raw jetstream/pull.test.mjs        (files relative to tests/conformance)
#
# raw: the clients' own TCP transports (nats 2.29.3, @nats-io/transport-node
#      3.4.0, raw node:net) talk to the server through server.listen().
# ws:  nats.ws 1.30.3 and @nats-io/nats-core's wsconnect talk to it through the
#      in-process WebSocket look-alike (no network); see preload.mjs. As in
#      tests/conformance/run.sh's ws transport, "core" is then the two client
#      files (the wire tests are raw TCP either way).
# NATS_SERVER_BIN is server-bin.mjs (a private in-process server in a child
# process, over TCP). Builds the wasm if wasm/dist is missing and runs npm ci
# in tests/conformance if its node_modules is missing.
# Env: SUITE_TIMEOUT (s, default 900).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
CONF="$ROOT/tests/conformance"

MODE=raw
if [ $# -gt 0 ] && { [ "$1" = raw ] || [ "$1" = ws ]; }; then MODE=$1; shift; fi
[ $# -gt 0 ] || set -- core jetstream kv

# Files that cannot apply to an in-process server, with the reason. Everything
# else must pass.
SKIP=(
  # Monitoring HTTP API (varz/connz/healthz/metrics, JSONP) on NATS_MONITOR_URL,
  # and servers started with -m: natrium-wasm has no HTTP monitoring.
  ./monitor.test.mjs
  # Also monitoring: stalled HTTP clients on the monitoring port.
  ./monitor-slow-client.test.mjs
  # Restarts a server process on the same store dir and expects file-storage
  # buckets back: natrium-wasm keeps streams in memory only.
  ./kv/kv-restart.test.mjs
)

FILES=()
for a in "$@"; do
  case "$a" in
    core)
      if [ "$MODE" = ws ]; then FILES+=(./client-v2.test.mjs ./client-v3.test.mjs)
      else for f in "$CONF"/*.test.mjs; do FILES+=("./$(basename "$f")"); done; fi ;;
    jetstream) for f in "$CONF"/jetstream/*.test.mjs; do FILES+=("./jetstream/$(basename "$f")"); done ;;
    kv) for f in "$CONF"/kv/*.test.mjs; do FILES+=("./kv/$(basename "$f")"); done ;;
    -*) FILES+=("$a") ;;  # node --test flags (e.g. --test-name-pattern=...)
    *) if [ -f "$CONF/$a" ]; then FILES+=("./${a#./}");
       else echo "run.sh: not a suite (core jetstream kv) or a file under tests/conformance: $a" >&2; exit 2; fi ;;
  esac
done
RUN=()
SKIPPED=()
for f in "${FILES[@]}"; do
  skip=""
  for s in "${SKIP[@]}"; do [ "$f" = "$s" ] && skip=1; done
  if [ -n "$skip" ]; then SKIPPED+=("$f"); else RUN+=("$f"); fi
done
[ ${#SKIPPED[@]} -eq 0 ] || echo "natrium-wasm conformance: skipping ${SKIPPED[*]} (see SKIP in $0)" >&2

if [ ! -f "$ROOT/wasm/dist/natrium-module.mjs" ]; then
  echo "natrium-wasm conformance: building the wasm (wasm/dist/natrium-module.mjs is missing)" >&2
  (cd "$ROOT" && export NODE_PATH=/usr/share/nodejs && { [ -f build/wasm/build.ninja ] || cmake --preset wasm; } \
    && cmake --build --preset wasm -j2) >&2
fi
cd "$CONF"
if [ ! -f node_modules/nats/package.json ] || [ ! -f node_modules/nats.ws/package.json ] \
  || [ ! -f node_modules/@nats-io/transport-node/package.json ] || [ ! -f node_modules/@nats-io/kv/package.json ] \
  || [ ! -f node_modules/@nats-io/obj/package.json ] || [ ! -f node_modules/@nats-io/jetstream/package.json ]; then
  echo "natrium-wasm conformance: installing test dependencies (npm ci in tests/conformance)" >&2
  npm ci --no-audit --no-fund >&2
fi

unset NATS_MONITOR_URL
export NATRIUM_WASM_MODE=$MODE
export NATS_SERVER_BIN="$HERE/server-bin.mjs"
STARTED=$(date +%s)
set +e
timeout --kill-after=5 "${SUITE_TIMEOUT:-900}" \
  node --import "$HERE/preload.mjs" --test --test-timeout=60000 "${RUN[@]}"
rc=$?
set -e
echo "natrium-wasm conformance ($MODE): exit $rc, ${#RUN[@]} files, ${#SKIPPED[@]} skipped, wall time $(($(date +%s) - STARTED))s" >&2
exit "$rc"
