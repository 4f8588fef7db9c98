#!/usr/bin/env bash
# Runs every libFuzzer target in DIR for SECONDS each, starting from its seed
# corpus (copied to a scratch dir so the repo corpus is not modified).
set -uo pipefail
dir=${1:?usage: run-fuzzers.sh BUILD_DIR SECONDS}
secs=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
status=0
found=0
for bin in "$dir"/fuzz_*; do
  [ -x "$bin" ] || continue
  found=$((found + 1))
  name=$(basename "$bin")
  work=$(mktemp -d)
  [ -d "$here/corpus/$name" ] && cp -r "$here/corpus/$name/." "$work/"
  echo "fuzz: $name for ${secs}s"
  if ! "$bin" -max_total_time="$secs" -print_final_stats=0 -artifact_prefix="$work/" "$work" >"$work.log" 2>&1; then
    echo "fuzz: $name FAILED; last lines:"; tail -n 40 "$work.log"
    for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do [ -f "$a" ] && { echo "artifact: $a"; xxd "$a" | head -20; }; done
    status=1
  else
    grep -E 'Done [0-9]+ runs' "$work.log" | tail -n 1
  fi
  rm -rf "$work" "$work.log"
done
if [ "$found" -eq 0 ]; then echo "fuzz: no fuzz_* binaries in $dir"; exit 1; fi
exit $status
