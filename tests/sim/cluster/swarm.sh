#!/usr/bin/env bash
# A long swarm of the cluster simulator, for use before releases (hours):
#   tests/sim/cluster/swarm.sh [FIRST_SEED] [COUNT] [JOBS] [SIM]
# Runs COUNT seeds from FIRST_SEED (default 100001, 100000 seeds) split over
# JOBS processes (default: the number of cores) at low priority, each printing
# its running totals every 1000 seeds into swarm-N.log in the current
# directory, stops all at the first failure, and prints the combined totals.
set -uo pipefail
FIRST=${1:-100001}
COUNT=${2:-100000}
JOBS=${3:-$(nproc)}
SIM=${4:-build/release/tests/sim/natrium-sim}
[ -x "$SIM" ] || { echo "swarm: no simulator at $SIM (cmake --build --preset release)" >&2; exit 2; }
per=$(( (COUNT + JOBS - 1) / JOBS ))
pids=()
for j in $(seq 0 $((JOBS - 1))); do
  lo=$((FIRST + j * per)); hi=$((lo + per - 1)); last=$((FIRST + COUNT - 1))
  [ "$hi" -gt "$last" ] && hi=$last
  [ "$lo" -gt "$hi" ] && break
  nice -n 19 "$SIM" --cluster --seeds="$lo..$hi" --quiet --progress=1000 >"swarm-$j.log" 2>&1 &
  pids+=($!)
  echo "swarm: job $j seeds $lo..$hi (pid $!), log swarm-$j.log"
done
rc=0
for p in "${pids[@]}"; do
  if ! wait "$p"; then rc=1; kill "${pids[@]}" 2>/dev/null; fi
done
grep -h "FAILED\|replay:" swarm-*.log
# Combined totals from each job's last summary/progress line.
for f in swarm-*.log; do grep -h "^summary:\|^progress:" "$f" | tail -1; done | tr -d '()' | awk '
  { seeds += $2; sub(/s$/, "", $4); secs += $4; events += $8; faults += $10; ops += $17; acked += $21 }
  END { printf "swarm total: %d seeds, %.1f simulated hours, %.0f events, %.0f faults injected, %.0f client ops checked (%.0f acknowledged)\n", seeds, secs / 3600, events, faults, ops, acked }'
exit $rc
