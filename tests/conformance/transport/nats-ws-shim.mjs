// `nats` (v2) as seen by the tests under ws-preload.mjs: everything nats.ws
// exports (the same nats-base-client API), with connect() going over
// WebSocket to the server under test and over TCP (the real `nats`) elsewhere.
import { connect as wsConnect } from 'nats.ws';
import { connect as tcpConnect } from 'nats';
import { isServerUnderTest, WS_URL } from './ws-servers.mjs';

export * from 'nats.ws';

export function connect(opts = {}) {
  if (!isServerUnderTest(opts.servers)) return tcpConnect(opts);
  return wsConnect({ ...opts, servers: WS_URL });
}
