#!/usr/bin/env bash
# Fails if core/ brings in I/O, threads, clocks, ambient randomness, Asio, LMDB
# or Emscripten (ARCHITECTURE.md rule 1). Prints each offending line.
set -u
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root" || exit 2
status=0
inc='#\s*include\s*[<"](boost/|asio|lmdb|emscripten|thread|mutex|shared_mutex|condition_variable|future|atomic|fstream|filesystem|iostream|sys/|netinet|arpa/|unistd|fcntl|poll\.h|random>|chrono>|ctime>|time\.h|cstdio>|stdio\.h|csignal|signal\.h)'
bad=$(grep -rnE "$inc" core --include='*.h' --include='*.cpp' | grep -v 'core/base/assert.cpp')
if [ -n "$bad" ]; then echo "core/ includes a banned header:"; echo "$bad"; status=1; fi
tok='steady_clock::now|system_clock::now|high_resolution_clock|random_device|\brand\(|\bsrand\(|getenv|std::thread|\btime\(|printf\(|std::cout|std::cerr|mt19937|uniform_int_distribution'
bad=$(grep -rnE "$tok" core --include='*.h' --include='*.cpp' | grep -v 'core/base/assert.cpp')
if [ -n "$bad" ]; then echo "core/ uses a banned token:"; echo "$bad"; status=1; fi
n=$(find core -name '*.h' -o -name '*.cpp' | wc -l)
if [ "$n" -eq 0 ]; then echo "no core sources found under $root/core"; exit 2; fi
[ $status -eq 0 ] && echo "core purity: $n files checked, no banned header or token"
exit $status
