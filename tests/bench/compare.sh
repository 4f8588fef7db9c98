#!/usr/bin/env bash
# A/B benchmark of natrium-server vs nats-server; see docs/benchmarks.md.
# Usage: tests/bench/compare.sh [--natrium PATH] [--nats PATH] [--rounds N] [--quick]
#        (more: --bench PATH --scenarios pub,pubsub,pubsub1k,queue,reqrep --json FILE --smoke)
set -euo pipefail
exec python3 "$(dirname "${BASH_SOURCE[0]}")/compare.py" "$@"
