#!/usr/bin/env bash
# Run the conformance suite against the reference server and then against BINARY.
#
#   tests/conformance/run-both.sh [BINARY] [test files / node --test args ...]
#
# BINARY defaults to build/release/native/natrium-server (from the repo root).
# The reference is $NATS_REFERENCE_SERVER, default /usr/sbin/nats-server.
# Both runs always happen (at the same time); exits non-zero if either fails.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
REFERENCE=${NATS_REFERENCE_SERVER:-/usr/sbin/nats-server}
BINARY=${1:-$ROOT/build/release/native/natrium-server}
[ $# -gt 0 ] && shift

if [ ! -x "$REFERENCE" ]; then
  echo "run-both: reference server not found: $REFERENCE" >&2
  exit 2
fi
if [[ "$BINARY" == */* ]] && [ ! -x "$BINARY" ]; then
  echo "run-both: not an executable file: $BINARY" >&2
  exit 2
fi

# Both runs go at once (each has its own server, ports and temp dir; the suites
# mostly wait on the network and timers), their outputs printed one after the
# other. RUN_BOTH_SEQUENTIAL=1 runs them one at a time with live output.
if [ -n "${RUN_BOTH_SEQUENTIAL:-}" ]; then
  echo "===== conformance against the reference: $REFERENCE =====" >&2
  bash "$HERE/run.sh" "$REFERENCE" "$@"
  ref_rc=$?
  echo "===== conformance against: $BINARY =====" >&2
  bash "$HERE/run.sh" "$BINARY" "$@"
  bin_rc=$?
else
  OUT=$(mktemp -d "${TMPDIR:-/tmp}/natrium-run-both.XXXXXX")
  trap 'rm -rf "$OUT"' EXIT
  bash "$HERE/run.sh" "$REFERENCE" "$@" >"$OUT/ref.log" 2>&1 &
  ref_pid=$!
  # run.sh picks free ports, releases them and starts its server on them: the
  # second run starts once the first one's server holds its ports (or after
  # 20 s, or once the first run ended), so they cannot pick the same ones.
  for _ in $(seq 1 200); do
    grep -q "ready on 127.0.0.1" "$OUT/ref.log" 2>/dev/null && break
    kill -0 "$ref_pid" 2>/dev/null || break
    sleep 0.1
  done
  bash "$HERE/run.sh" "$BINARY" "$@" >"$OUT/bin.log" 2>&1 &
  bin_pid=$!
  wait "$ref_pid"; ref_rc=$?
  wait "$bin_pid"; bin_rc=$?
  echo "===== conformance against the reference: $REFERENCE =====" >&2
  cat "$OUT/ref.log"
  echo "===== conformance against: $BINARY =====" >&2
  cat "$OUT/bin.log"
fi
echo "run-both: reference exit $ref_rc, $(basename "$BINARY") exit $bin_rc" >&2
if [ "$ref_rc" -ne 0 ] || [ "$bin_rc" -ne 0 ]; then
  exit 1
fi
exit 0
