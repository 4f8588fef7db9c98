// `@nats-io/transport-node` (v3) as seen by the tests under ws-preload.mjs:
// everything it exports, with connect() replaced by @nats-io/nats-core's
// wsconnect for the server under test (TCP elsewhere).
import { connect as tcpConnect } from '@nats-io/transport-node';
import { wsconnect } from '@nats-io/nats-core';
import { isServerUnderTest, WS_URL } from './ws-servers.mjs';

export * from '@nats-io/transport-node';

export function connect(opts = {}) {
  if (!isServerUnderTest(opts.servers)) return tcpConnect(opts);
  return wsconnect({ ...opts, servers: WS_URL });
}
