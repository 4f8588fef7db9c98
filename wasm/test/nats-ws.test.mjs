// The real nats.ws client (devDependency) against the in-process server.
// Skipped when nats.ws is not installed (npm ci in wasm/ installs it).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createServer } from '../natrium.mjs';

let nats = null;
try {
  nats = await import('nats.ws');
} catch {
  nats = null;
}
const skip = nats === null ? 'nats.ws is not installed (run npm ci in wasm/)' : false;

test('nats.ws over wsFactory: publish, subscribe, request-reply', { skip }, async () => {
  const { connect, StringCodec } = nats;
  const sc = StringCodec();
  const server = await createServer({ name: 'natrium-wsf' });
  const nc = await connect({ servers: 'ws://natrium.invalid', wsFactory: server.wsFactory });
  assert.equal(nc.info.server_name, 'natrium-wsf');

  const sub = nc.subscribe('greet.*', { max: 2 });
  const got = (async () => {
    const out = [];
    for await (const m of sub) out.push(`${m.subject}:${sc.decode(m.data)}`);
    return out;
  })();
  nc.publish('greet.a', sc.encode('hello'));
  nc.publish('greet.b', sc.encode('world'));
  assert.deepEqual(await got, ['greet.a:hello', 'greet.b:world']);

  const svc = nc.subscribe('svc.echo');
  (async () => {
    for await (const m of svc) m.respond(sc.encode(`echo ${sc.decode(m.data)}`));
  })();
  const reply = await nc.request('svc.echo', sc.encode('ping'), { timeout: 2000 });
  assert.equal(sc.decode(reply.data), 'echo ping');

  await nc.flush();
  const rtt = await nc.rtt();
  assert.ok(rtt >= 0);
  await nc.drain();
  assert.equal(server.stats().connections, 0);
  await server.close();
});

test('nats.ws with globalThis.WebSocket = server.WebSocket, headers and no-responders', { skip }, async () => {
  const { connect, StringCodec, headers, ErrorCode } = nats;
  const sc = StringCodec();
  const server = await createServer();
  const saved = globalThis.WebSocket;
  globalThis.WebSocket = server.WebSocket;
  try {
    const nc = await connect({ servers: 'ws://localhost:8080' });
    const sub = nc.subscribe('h', { max: 1 });
    const got = (async () => {
      for await (const m of sub) return m;
    })();
    const h = headers();
    h.set('X-Test', 'yes');
    nc.publish('h', sc.encode('with headers'), { headers: h });
    const m = await got;
    assert.equal(sc.decode(m.data), 'with headers');
    assert.equal(m.headers.get('X-Test'), 'yes');

    await assert.rejects(nc.request('nobody.home', sc.encode(''), { timeout: 1000 }),
      (err) => err.code === ErrorCode.NoResponders);
    await nc.close();
  } finally {
    globalThis.WebSocket = saved;
  }
  await server.close();
});
