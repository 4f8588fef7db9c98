#!/usr/bin/env bash
# Installs what is missing, builds the WebAssembly module and the playground
# (web/dist), builds the release preset (which embeds the playground), prints
# the playground's URL and runs natrium-server with JetStream, data in ./data,
# monitoring (and the playground) on 8222 and, unless a config file is given
# or port 8080 is taken, a WebSocket listener on 8080 for the playground's
# "native server" switch. Extra arguments go to the server (e.g. -p 4333).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/install-deps.sh            # Debian packages, and npm ci (web/ included)
cmake --preset wasm >/dev/null
cmake --build --preset wasm -j2         # wasm/dist/natrium-module.mjs
bash scripts/build-playground.sh        # web/dist
cmake --preset release >/dev/null
cmake --build --preset release -j2      # embeds web/dist
mkdir -p data

ws_args=()
ws_note="(no WebSocket listener: pass a config file with a websocket block for the playground's native-server switch)"
has_config=false
for a in "$@"; do
  case "$a" in -c|--c|-config|--config|-c=*|--c=*|-config=*|--config=*) has_config=true ;; esac
done
if ! $has_config && ! (exec 3<>/dev/tcp/127.0.0.1/8080) 2>/dev/null; then
  printf 'websocket {\n  port: 8080\n  no_tls: true\n}\n' > data/run-server.conf
  ws_args=(-c "$root/data/run-server.conf")
  ws_note="WebSocket:  ws://127.0.0.1:8080 (the playground's \"native server over WebSocket\")"
fi

echo
echo "  Playground: http://127.0.0.1:8222/playground/"
echo "  Monitoring: http://127.0.0.1:8222/"
echo "  $ws_note"
echo
exec build/release/native/natrium-server "${ws_args[@]}" -js -sd "$root/data" -m 8222 "$@"
