// `node --import` preload of the in-process conformance runs (run.sh): inside
// each test-file process, before any test module loads, it starts an
// in-process natrium-wasm server (JetStream on), listens on a free loopback
// port (server.listen()) and points NATS_URL there. NATRIUM_WASM_MODE picks how
// the clients reach it:
//   raw (default): the clients' own TCP transports, through the listener;
//   ws: globalThis.WebSocket becomes the server's in-process WebSocket
//       look-alike, then the suites' own WebSocket transport preload
//       (tests/conformance/transport/ws-preload.mjs) makes `nats` resolve to
//       nats.ws and @nats-io/transport-node's connect to wsconnect; they
//       construct `new WebSocket(NATS_WS_URL)`, i.e. a virtual connection with
//       no network. Raw-protocol helpers (raw.mjs) and private servers stay on TCP.
// NATS_SERVER_BIN (set by run.sh) is server-bin.mjs, which starts the same
// kind of server in a process of its own for tests that want a private server.
import { createServer } from '../../natrium.mjs';

const mode = process.env.NATRIUM_WASM_MODE ?? 'raw';
if (mode !== 'raw' && mode !== 'ws') throw new Error(`NATRIUM_WASM_MODE: raw or ws, not ${mode}`);

const server = await createServer({
  jetstream: true,
  name: 'natrium-wasm',
  log: (level, text) => {
    if (level === 'error' || process.env.NATRIUM_WASM_LOG) console.error(`[natrium-wasm ${level}] ${text}`);
  },
});
// The first listen() of a fresh server also puts its address in INFO.
const listener = await server.listen({ host: '127.0.0.1', port: 0 });
listener.unref();  // the test file's process ends when its tests do
process.env.NATS_URL = `nats://127.0.0.1:${listener.port}`;
globalThis.__natriumWasm = { server, listener, mode };

if (mode === 'ws') {
  globalThis.WebSocket = server.WebSocket;
  // Any ws:// URL: the look-alike ignores it. helpers.mjs's CLIENT_SERVER is its host:port.
  process.env.NATS_WS_URL = `ws://127.0.0.1:${listener.port}`;
  process.env.CONFORMANCE_TRANSPORT = 'ws';
  const suites = process.env.NATRIUM_CONFORMANCE_DIR ?? new URL('../../../tests/conformance/', import.meta.url).pathname;
  await import(new URL('transport/ws-preload.mjs', `file://${suites.endsWith('/') ? suites : suites + '/'}`).href);
}
