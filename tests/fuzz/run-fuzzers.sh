#!/usr/bin/env bash
# Runs every libFuzzer target in DIR for SECONDS each, starting from its seed
# corpus (copied to a scratch dir so the repo corpus is not modified). The
# targets run side by side (one process each), so the step takes SECONDS.
set -uo pipefail
dir=${1:?usage: run-fuzzers.sh BUILD_DIR SECONDS}
secs=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

run_one() {  # run_one BIN: fuzz it, leave its exit code in $scratch/NAME.rc
  local bin=$1 name work
  name=$(basename "$bin")
  work="$scratch/$name"
  mkdir -p "$work"
  [ -d "$here/corpus/$name" ] && cp -r "$here/corpus/$name/." "$work/"
  "$bin" -max_total_time="$secs" -print_final_stats=0 -artifact_prefix="$work/" "$work" >"$work.log" 2>&1
  echo $? >"$work.rc"
}

names=()
for bin in "$dir"/fuzz_*; do
  [ -x "$bin" ] || continue
  names+=("$(basename "$bin")")
  echo "fuzz: $(basename "$bin") for ${secs}s"
  run_one "$bin" &
done
wait
if [ "${#names[@]}" -eq 0 ]; then echo "fuzz: no fuzz_* binaries in $dir"; exit 1; fi
status=0
for name in "${names[@]}"; do
  work="$scratch/$name"
  if [ "$(cat "$work.rc")" != 0 ]; then
    echo "fuzz: $name FAILED; last lines:"; tail -n 40 "$work.log"
    for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do [ -f "$a" ] && { echo "artifact: $a"; xxd "$a" | head -20; }; done
    status=1
  else
    echo "fuzz: $name: $(grep -E 'Done [0-9]+ runs' "$work.log" | tail -n 1)"
  fi
done
exit $status
