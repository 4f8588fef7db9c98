#!/usr/bin/env bash
# Run the conformance suites (core NATS; optionally JetStream) against one server binary.
#
#   tests/conformance/run.sh SERVER_BINARY [test files / node --test args ...]
#
# (test files: relative to this directory or to the caller's; default: the files
# of the suites in CONFORMANCE_SUITES, see below; ./*.test.mjs for "core")
#
# Picks two free 127.0.0.1 ports, starts `SERVER -a 127.0.0.1 -p PORT -m MPORT`
# in a fresh temp dir (log in that dir), waits (bounded, 10 s) until the port
# answers with a line starting with "INFO ", runs `node --test` with NATS_URL,
# NATS_MONITOR_URL (http://127.0.0.1:MPORT) and NATS_SERVER_BIN (the absolute
# path of SERVER, for tests that start instances of their own) exported, then
# stops exactly the PID it started (TERM, then KILL after 5 s), prints the tail
# of the server log if anything failed, removes the temp dir and exits with
# node's status.
# CONFORMANCE_TRANSPORT (default "tcp"): "ws" runs the clients' connections
# over WebSocket (transport/ws-preload.mjs: `nats` becomes nats.ws,
# @nats-io/transport-node's connect becomes wsconnect); the "core" suite is
# then the two client files (wire and monitoring tests are TCP/HTTP only).
# With "ws" or the "websocket" suite the server also gets `-c WORK/server.conf`
# with `websocket { host: 127.0.0.1, port: WSPORT, no_tls: true }` and
# NATS_WS_URL=ws://127.0.0.1:WSPORT is exported.
# Env knobs: KEEP_LOGS=1 keeps the temp dir; SUITE_TIMEOUT (s, default 240,
# 600 when the jetstream or kv suite is selected).
# CONFORMANCE_SUITES (default "core"): which suites to run, separated by spaces
# or commas: "core" = ./*.test.mjs, "jetstream" = ./jetstream/*.test.mjs,
# "kv" = ./kv/*.test.mjs (Key-Value and Object store), "websocket" =
# ./websocket/*.test.mjs, "browser" = ./browser/*.test.mjs (nats.ws in headless
# Chromium, with JetStream). With "jetstream" or "kv"
# the server also gets `-js -sd WORK/jetstream` (a store dir inside the temp
# dir, removed with it). Test files given as arguments replace the
# default file list; the server flags still follow CONFORMANCE_SUITES, e.g.
#   CONFORMANCE_SUITES=jetstream tests/conformance/run.sh SERVER jetstream/pull.test.mjs
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 SERVER_BINARY [node --test args / test files...]" >&2
  exit 2
fi
SERVER_ARG=$1
shift
if [[ "$SERVER_ARG" == */* ]]; then # a path: make it absolute (we cd below)
  if [ ! -f "$SERVER_ARG" ] || [ ! -x "$SERVER_ARG" ]; then
    echo "conformance: not an executable file: $SERVER_ARG" >&2
    exit 2
  fi
  SERVER="$(cd "$(dirname "$SERVER_ARG")" && pwd)/$(basename "$SERVER_ARG")"
elif ! SERVER=$(command -v "$SERVER_ARG"); then
  echo "conformance: server binary not found on PATH: $SERVER_ARG" >&2
  exit 2
fi

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SUITE_GLOBS=()
SERVER_EXTRA=()
WANT_JS=""
WANT_WS=""
NODE_IMPORT=()
case "${CONFORMANCE_TRANSPORT:-tcp}" in
  tcp) ;;
  ws) WANT_WS=1; NODE_IMPORT=(--import "$HERE/transport/ws-preload.mjs") ;;
  *) echo "conformance: unknown CONFORMANCE_TRANSPORT: $CONFORMANCE_TRANSPORT (known: tcp ws)" >&2; exit 2 ;;
esac
for suite in ${CONFORMANCE_SUITES:-core}; do
  for s in ${suite//,/ }; do
    case "$s" in
      core) if [ "${CONFORMANCE_TRANSPORT:-tcp}" = ws ]; then
              SUITE_GLOBS+=(./client-v2.test.mjs ./client-v3.test.mjs) # the client flows; wire/monitor tests are TCP/HTTP
            else SUITE_GLOBS+=("./*.test.mjs"); fi ;;
      jetstream) SUITE_GLOBS+=("./jetstream/*.test.mjs"); WANT_JS=1 ;;
      kv) SUITE_GLOBS+=("./kv/*.test.mjs"); WANT_JS=1 ;;
      websocket) SUITE_GLOBS+=("./websocket/*.test.mjs"); WANT_WS=1 ;;
      browser) SUITE_GLOBS+=("./browser/*.test.mjs"); WANT_WS=1; WANT_JS=1 ;;
      *) echo "conformance: unknown suite in CONFORMANCE_SUITES: $s (known: core jetstream kv websocket browser)" >&2; exit 2 ;;
    esac
  done
done
# Test files given relative to the caller's directory keep working after the cd below.
ARGS=()
for a in "$@"; do
  if [[ "$a" != -* ]] && [ -f "$a" ] && [ ! -f "$HERE/$a" ]; then a="$(cd "$(dirname "$a")" && pwd)/$(basename "$a")"; fi
  ARGS+=("$a")
done
set -- ${ARGS[@]+"${ARGS[@]}"}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/natrium-conformance.XXXXXX")
LOG="$WORK/server.log"
PID=""
STARTED=$(date +%s)

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$PID" ]; then
    kill -TERM "$PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
  if [ "$rc" -ne 0 ] && [ -f "$LOG" ]; then
    echo "----- last lines of the server log ($SERVER) -----" >&2
    tail -n 30 "$LOG" >&2 || true
  fi
  if [ -n "${KEEP_LOGS:-}" ]; then
    echo "conformance: kept $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  echo "conformance: $SERVER: exit $rc, wall time $(($(date +%s) - STARTED))s" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cd "$HERE"
if [ ! -f node_modules/nats/package.json ] || [ ! -f node_modules/@nats-io/transport-node/package.json ] \
  || [ ! -f node_modules/@nats-io/jetstream/package.json ] || [ ! -f node_modules/@nats-io/kv/package.json ] \
  || [ ! -f node_modules/@nats-io/obj/package.json ]; then
  if [ ! -w "$HERE" ]; then # read-only copy of the suite: install and run from a scratch copy
    mkdir -p "$WORK/suite" && cp "$HERE"/*.mjs "$HERE"/package.json "$HERE"/package-lock.json "$WORK/suite/"
    if [ -d "$HERE/jetstream" ]; then cp -r "$HERE/jetstream" "$WORK/suite/"; fi
    if [ -d "$HERE/kv" ]; then cp -r "$HERE/kv" "$WORK/suite/"; fi
    cd "$WORK/suite"
  fi
  echo "conformance: installing test dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
fi

# Picks three distinct free loopback ports (client, monitoring, websocket; all
# held open while choosing, then closed), starts the server and waits for it.
# Returns 3 if the server exited during startup.
start_server() {
read -r PORT MPORT WSPORT < <(node -e '
  const net = require("net");
  const ss = [net.createServer(), net.createServer(), net.createServer()];
  Promise.all(ss.map((s) => new Promise((r) => s.listen(0, "127.0.0.1", () => r(s.address().port)))))
    .then((ports) => { console.log(ports.join(" ")); ss.forEach((s) => s.close()); });
')

# Started from the temp dir so anything the server writes lands there.
SERVER_EXTRA=()
if [ -n "$WANT_JS" ]; then SERVER_EXTRA+=(-js -sd "$WORK/jetstream"); fi
if [ -n "$WANT_WS" ]; then # nats-server has no websocket flag: a config file
  printf 'websocket {\n  host: 127.0.0.1\n  port: %s\n  no_tls: true\n}\n' "$WSPORT" >"$WORK/server.conf"
  SERVER_EXTRA+=(-c "$WORK/server.conf")
fi
(cd "$WORK" && exec "$SERVER" -a 127.0.0.1 -p "$PORT" -m "$MPORT" ${SERVER_EXTRA[@]+"${SERVER_EXTRA[@]}"}) >"$LOG" 2>&1 &
PID=$!

# Ready = a TCP connection to the port receives a line starting with "INFO ".
# Bounded to 10 s; fails at once if the server process exits.
node - "$PID" "$PORT" <<'EOF'
const net = require('net');
const [pid, port] = process.argv.slice(2).map(Number);
const deadline = Date.now() + 10_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const info = () => new Promise((resolve) => {
  const s = net.connect(port, '127.0.0.1');
  let buf = '';
  const done = (v) => { s.destroy(); resolve(v); };
  s.setTimeout(1000, () => done(false));
  s.on('data', (d) => {
    buf += d.toString('latin1');
    if (buf.includes('\n') || buf.length >= 5) done(buf.startsWith('INFO '));
  });
  s.on('error', () => done(false));
  s.on('close', () => done(false));
});
(async () => {
  while (Date.now() < deadline) {
    try { process.kill(pid, 0); } catch {
      console.error(`conformance: server (pid ${pid}) exited during startup`);
      process.exit(3);
    }
    if (await info()) return;
    await sleep(100);
  }
  console.error(`conformance: port ${port} did not send INFO within 10s`);
  process.exit(1);
})();
EOF
}
# Another process can take a chosen port between choosing and binding (both
# servers start side by side in run-both.sh): then again, with new ports.
for attempt in 1 2 3; do
  rc=0
  start_server || rc=$?
  [ "$rc" -eq 0 ] && break
  if [ "$rc" -eq 3 ] && [ "$attempt" -lt 3 ] && grep -qi "address already in use" "$LOG"; then
    echo "conformance: a chosen port was taken meanwhile; starting again with new ports" >&2
    wait "$PID" 2>/dev/null || true
    continue
  fi
  exit "$rc"
done
if [ -n "$WANT_WS" ]; then # and the websocket port accepts connections (bounded, 5 s)
  node -e '
    const net = require("net"); const port = Number(process.argv[1]); const deadline = Date.now() + 5000;
    const tryOnce = () => { const s = net.connect(port, "127.0.0.1");
      s.on("connect", () => { s.destroy(); process.exit(0); });
      s.on("error", () => { if (Date.now() > deadline) { console.error(`conformance: websocket port ${port} not listening after 5s`); process.exit(1); } setTimeout(tryOnce, 100); }); };
    tryOnce();' "$WSPORT"
fi
echo "conformance: $SERVER ${SERVER_EXTRA[*]+${SERVER_EXTRA[*]} }ready on 127.0.0.1:$PORT, monitoring :$MPORT (pid $PID) in $(($(date +%s) - STARTED))s" >&2

export NATS_URL="nats://127.0.0.1:$PORT"
export NATS_MONITOR_URL="http://127.0.0.1:$MPORT"
export NATS_SERVER_BIN="$SERVER"
if [ -n "$WANT_WS" ]; then export NATS_WS_URL="ws://127.0.0.1:$WSPORT"; fi

# Without test files (no arguments, or only node flags) run the selected suites' files.
HAVE_FILES=""
for a in "$@"; do
  if [[ "$a" != -* ]] && { [[ "$a" == *.mjs ]] || [ -e "$a" ]; }; then HAVE_FILES=1; fi
done
if [ -z "$HAVE_FILES" ]; then set -- "$@" ${SUITE_GLOBS[@]}; fi
DEFAULT_TIMEOUT=240
if [ -n "$WANT_JS" ]; then DEFAULT_TIMEOUT=600; fi
set +e
timeout --kill-after=5 "${SUITE_TIMEOUT:-$DEFAULT_TIMEOUT}" node ${NODE_IMPORT[@]+"${NODE_IMPORT[@]}"} --test --test-timeout=60000 "$@"
rc=$?
set -e
# The server must have survived the whole suite.
if ! kill -0 "$PID" 2>/dev/null; then
  echo "conformance: the server (pid $PID) is no longer running after the suite" >&2
  [ "$rc" -ne 0 ] || rc=1
fi
exit "$rc"
