#!/usr/bin/env bash
# A/B benchmark of natrium-server vs nats-server; see docs/benchmarks.md.
# Usage: tests/bench/compare.sh [--natrium PATH] [--nats PATH] [--rounds N] [--quick]
#        (more: --bench PATH --scenarios pub,pubsub,pubsub1k,queue,reqrep --json FILE --smoke)
#        tests/bench/compare.sh --js [--rounds N] [--store-root DIR]   (JetStream, file storage:
#        js-pub-async, js-pub-sync, js-consume-pull; store dirs must not be on tmpfs)
#        tests/bench/compare.sh --kv [--rounds N] [--store-root DIR]   (key-value, file storage:
#        kv-put-sync, kv-put-async, kv-get, kv-get-pipe, kv-watch)
set -euo pipefail
exec python3 "$(dirname "${BASH_SOURCE[0]}")/compare.py" "$@"
