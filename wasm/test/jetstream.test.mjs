// JetStream in the WASM build: createServer({ jetstream: true }) keeps streams
// in an in-memory store; writes complete at once inside the host.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createServer } from '../natrium.mjs';
import { client, flush } from './helpers.mjs';

// One request on a raw connection: SUB to an inbox, PUB with it as the reply.
async function request(c, sid, subject, body) {
  const inbox = `_INBOX.t${sid}`;
  c.conn.write(`SUB ${inbox} ${sid}\r\nPUB ${subject} ${inbox} ${Buffer.byteLength(body)}\r\n${body}\r\n`);
  const head = await c.r.take(`MSG ${inbox} ${sid} `);
  assert.ok(head.endsWith(`MSG ${inbox} ${sid} `), head);
  const sizeLine = await c.r.take('\r\n');
  const size = Number(sizeLine.trim());
  await c.r.until((t) => t.length >= size + 2, 'reply payload');
  const payload = c.r.text.slice(0, size);
  c.r.text = c.r.text.slice(size + 2);
  return JSON.parse(payload);
}

test('without the option there is no JetStream', async () => {
  const server = await createServer();
  const c = await client(server);
  assert.notEqual(c.info.jetstream, true);
  await flush(c);
  await server.close();
});

test('jetstream: true advertises JetStream and stores what is published', async () => {
  const logs = [];
  const server = await createServer({ jetstream: true, log: (level, text) => logs.push([level, text]) });
  const c = await client(server);
  assert.equal(c.info.jetstream, true);
  const created = await request(c, 1, '$JS.API.STREAM.CREATE.ORDERS',
    JSON.stringify({ name: 'ORDERS', subjects: ['orders.>'], storage: 'file' }));
  assert.equal(created.error, undefined, JSON.stringify(created));
  assert.equal(created.config.name, 'ORDERS');
  const ack1 = await request(c, 2, 'orders.1', 'one');
  assert.deepEqual(ack1, { stream: 'ORDERS', seq: 1 });
  const ack2 = await request(c, 3, 'orders.2', 'two');
  assert.deepEqual(ack2, { stream: 'ORDERS', seq: 2 });
  const info = await request(c, 4, '$JS.API.STREAM.INFO.ORDERS', '');
  assert.equal(info.state.messages, 2);
  assert.equal(info.state.last_seq, 2);
  assert.deepEqual(logs.filter(([level]) => level === 'error'), []);
  await server.close();
});
