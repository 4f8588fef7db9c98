#!/usr/bin/env bash
# Checks the npm package as users get it: `npm pack` of wasm/, installed with
# nats.ws 1.30.3 into a fresh project in a temp dir, then a node --test file
# there (request-reply through nats.ws over the in-process WebSocket, a TCP
# client through listen()) and, unless --no-tsc, the TypeScript declarations
# (tsc 5.6.3, wasm/'s pinned devDependency, strict, on a .ts example).
#   wasm/test/pack-check.sh [--no-tsc]
# Needs the npm registry for nats.ws (the test app's install); builds the wasm if
# wasm/dist is missing. Removes its temp dir unless KEEP=1.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PKG=$(dirname "$HERE")
ROOT=$(dirname "$PKG")
TSC=1
[ "${1:-}" = --no-tsc ] && TSC=""

if [ ! -f "$PKG/dist/natrium-module.mjs" ]; then
  (cd "$ROOT" && export NODE_PATH=/usr/share/nodejs && { [ -f build/wasm/build.ninja ] || cmake --preset wasm; } \
    && cmake --build --preset wasm -j2)
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/natrium-pack-check.XXXXXX")
cleanup() { if [ -n "${KEEP:-}" ]; then echo "pack-check: kept $WORK" >&2; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

TGZ=$(cd "$PKG" && npm pack --silent --pack-destination "$WORK" | tail -n 1)
CONTENTS=$(tar -tzf "$WORK/$TGZ" | sed 's|^package/||' | sort)
echo "pack-check: $TGZ ($(du -k "$WORK/$TGZ" | cut -f1) KiB):" $CONTENTS
for f in natrium.mjs listen.mjs natrium.d.ts dist/natrium-module.mjs README.md package.json; do
  grep -qx "$f" <<<"$CONTENTS" || { echo "pack-check: $f is missing from the package" >&2; exit 1; }
done

mkdir "$WORK/app"
cd "$WORK/app"
npm init -y >/dev/null
npm pkg set type=module >/dev/null
npm install --no-audit --no-fund --loglevel=error "$WORK/$TGZ" nats.ws@1.30.3

cat > app.test.mjs <<'JS'
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { connect, StringCodec } from 'nats.ws';
import { createServer } from 'natrium-wasm';

test('the installed package: request-reply through nats.ws, in process', async () => {
  const server = await createServer({ jetstream: true });
  const nc = await connect({ servers: 'ws://natrium', wsFactory: server.wsFactory });
  const sc = StringCodec();
  const sub = nc.subscribe('echo');
  (async () => { for await (const m of sub) m.respond(sc.encode(`re: ${sc.decode(m.data)}`)); })();
  const reply = await nc.request('echo', sc.encode('hi'), { timeout: 2000 });
  assert.equal(sc.decode(reply.data), 're: hi');
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name: 'S', subjects: ['s.>'] });
  const ack = await nc.jetstream().publish('s.1', sc.encode('x'));
  assert.equal(ack.seq, 1);
  await nc.close();
  await server.close();
});

test('the installed package: listen() for a TCP client', async () => {
  const server = await createServer();
  const l = await server.listen();
  const got = await new Promise((resolve, reject) => {
    const s = net.connect(l.port, '127.0.0.1');
    let text = '';
    s.setEncoding('latin1');
    s.on('error', reject);
    s.on('data', (d) => {
      text += d;
      if (text.includes('PONG\r\n')) { s.destroy(); resolve(text); }
    });
    s.write('CONNECT {"verbose":false}\r\nSUB a 1\r\nPUB a 2\r\nok\r\nPING\r\n');
  });
  assert.match(got, /^INFO .*\r\nMSG a 1 2\r\nok\r\nPONG\r\n$/s);
  await server.close();
});
JS
node --test app.test.mjs

if [ -n "$TSC" ]; then
  # natrium.d.ts with every lib check on; nats.ws 1.30.3's own declarations need
  # TypeScript >= 5.7 (generic Uint8Array), so the interop file is checked with
  # skipLibCheck.
  cat > check.ts <<'TS'
import { createServer, NatriumServer, type ServerOptions, type Listener, type Connection, type CloseInfo } from 'natrium-wasm';

const options: ServerOptions = {
  name: 'ts', seed: 2n, jetstream: true, debug: false, trace: false,
  log: (level, text) => { if (level === 'error') console.error(text); },
  maxPayload: 1 << 20, maxControlLine: 4096, maxConnections: 100, maxSubscriptions: 0,
  maxPending: 64 << 20, pingIntervalMs: 120_000, pingMaxOut: 2, writeDeadlineMs: 10_000, host: '127.0.0.1', port: 4222,
};
const server: NatriumServer = await createServer(options);
const conn: Connection = server.connect();
conn.ondata = (chunk: Uint8Array) => { void chunk.length; };
conn.onclose = (info: CloseInfo) => { const by: 'server' | 'client' | 'shutdown' | 'error' = info.by; void by; };
conn.on('data', (chunk) => { void chunk.byteLength; }).on('close', (info) => { void info.flushed; });
conn.write('PING\r\n');
conn.close();
const l: Listener = await server.listen({ port: 0, host: '127.0.0.1', websocket: false });
const url: string = l.url;
l.unref().ref();
await l.close();
const ws = new server.WebSocket('ws://natrium');
ws.binaryType = 'arraybuffer';
ws.onmessage = (ev: MessageEvent) => { void ev.data; };
ws.onclose = (ev) => { void ev.code; };
ws.close(1000);
const state: 0 | 1 | 2 | 3 = server.WebSocket.OPEN;
(globalThis as any).WebSocket = server.WebSocket;
const made = await server.wsFactory('ws://natrium');
void made.encrypted;
const stats = server.stats();
const n: number = stats.inMsgs + stats.slowConsumers + state;
await server.close();
console.log(url, n, server.closed);
TS
  cat > interop.ts <<'TS'
import { createServer } from 'natrium-wasm';
import { connect } from 'nats.ws';

const server = await createServer();
const opts = { servers: 'ws://natrium', wsFactory: server.wsFactory };
const nc = await connect(opts);
await nc.close();
await server.close();
TS
  base='"target": "es2022", "module": "nodenext", "moduleResolution": "nodenext", "strict": true, "noEmit": true, "lib": ["es2022", "dom"], "types": []'
  echo "{ \"compilerOptions\": { $base, \"skipLibCheck\": false }, \"files\": [\"check.ts\"] }" > tsconfig.json
  echo "{ \"compilerOptions\": { $base, \"skipLibCheck\": true }, \"files\": [\"interop.ts\"] }" > tsconfig.interop.json
  # typescript 5.6.3 is a devDependency of wasm/ (pinned in its lockfile).
  tsc="$PKG/node_modules/.bin/tsc"
  if [ ! -x "$tsc" ]; then (cd "$PKG" && npm ci --no-audit --no-fund --loglevel=error); fi
  "$tsc" -p tsconfig.json
  "$tsc" -p tsconfig.interop.json
  echo "pack-check: tsc 5.6.3 --strict: the declarations check"
fi
echo "pack-check: ok"
