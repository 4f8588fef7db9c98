#!/usr/bin/env bash
# Runs the in-process conformance in both modes (raw TCP through listen(), and
# nats.ws through the WebSocket look-alike) at the same time, prints their
# outputs one after the other, and fails if either fails. Arguments go to both.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$(mktemp -d "${TMPDIR:-/tmp}/natrium-wasm-conf.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
bash "$HERE/run.sh" raw "$@" >"$OUT/raw.log" 2>&1 &
raw_pid=$!
bash "$HERE/run.sh" ws "$@" >"$OUT/ws.log" 2>&1 &
ws_pid=$!
wait "$raw_pid"; raw_rc=$?
wait "$ws_pid"; ws_rc=$?
echo "===== in-process conformance, raw TCP through listen() ====="
cat "$OUT/raw.log"
echo "===== in-process conformance, nats.ws through the WebSocket look-alike ====="
cat "$OUT/ws.log"
echo "run-both-modes: raw exit $raw_rc, ws exit $ws_rc"
[ "$raw_rc" -eq 0 ] && [ "$ws_rc" -eq 0 ]
