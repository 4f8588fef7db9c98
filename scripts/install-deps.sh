#!/usr/bin/env bash
# Installs what Natrium needs on Debian 12 and does nothing when all is there:
# Debian packages (apt-get) and the npm packages of the JS test suites (npm ci,
# from their committed lockfiles). Usage: scripts/install-deps.sh [--no-npm]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

pkgs=(cmake ninja-build g++ clang libboost-dev libboost-system-dev liblmdb-dev lmdb-utils
      nlohmann-json3-dev catch2 libssl-dev nats-server libnats-dev libcli11-dev libfmt-dev
      golang-github-nats-io-nats-server-dev emscripten nodejs npm python3 chromium)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# node/npm may come from outside Debian's packages on some machines: accept them if present.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
read -r -a missing <<<"${missing[*]:-}"
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ "${1:-}" != "--no-npm" ]; then
  for dir in tests/conformance wasm web; do
    [ -f "$root/$dir/package-lock.json" ] || continue
    if [ ! -d "$root/$dir/node_modules" ] || [ "$root/$dir/package-lock.json" -nt "$root/$dir/node_modules/.package-lock.json" ]; then
      echo "install-deps: npm ci in $dir" >&2
      (cd "$root/$dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
  done
fi
