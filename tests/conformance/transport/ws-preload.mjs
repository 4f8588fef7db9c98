// `node --import ./transport/ws-preload.mjs --test ...` runs the conformance
// suites' client connections over WebSocket instead of TCP, without editing a
// test: imports of `nats` resolve to nats-ws-shim.mjs (nats.ws 1.30.3) and
// imports of `@nats-io/transport-node` to transport-node-ws-shim.mjs
// (`wsconnect` of @nats-io/nats-core). Connections to the server under test
// (NATS_URL's host:port) go to NATS_WS_URL; connections to any other server
// (the private servers some tests start) stay on TCP. Raw-protocol helpers
// (raw.mjs) are untouched: they keep speaking TCP, which also checks that
// WebSocket and TCP clients see each other's messages.
//
// If globalThis.WebSocket is already set (the in-process wasm server sets its
// WebSocket look-alike), it is used; otherwise the `ws` package's.
import { register } from 'node:module';

if (!process.env.NATS_WS_URL) {
  throw new Error('ws-preload: NATS_WS_URL is not set (ws://host:port of the server under test)');
}
if (!globalThis.WebSocket) {
  const { WebSocket } = await import('ws');
  globalThis.WebSocket = WebSocket;
}
register(new URL('./ws-hooks.mjs', import.meta.url));
