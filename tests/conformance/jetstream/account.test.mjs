// Account-level API and events: $JS.API.INFO on a private server (exact
// numbers), API counters, stream and consumer action advisories, the API
// audit advisory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'nats';
import {
  T, TS_RE, uname, subj, conn, api, ok, addStream, addConsumer, publishMany, rawConn, privateServer, within, norm,
} from './helpers.mjs';

const INFO = 'io.nats.jetstream.api.v1.account_info_response';

async function privateConn(t, srv) {
  const nc = await within(connect({ servers: srv.url, reconnect: false, timeout: 3000 }), 5000, 'connect to the private server');
  t.after(() => nc.close().catch(() => {}));
  return nc;
}

test('$JS.API.INFO on a fresh server: every field, unlimited limits, zero usage', T, async (t) => {
  const srv = await privateServer(t);
  const nc = await privateConn(t, srv);
  const r = await api(nc, '$JS.API.INFO');
  assert.deepEqual(r, {
    type: INFO,
    memory: 0,
    storage: 0,
    streams: 0,
    consumers: 0,
    limits: {
      max_memory: -1, max_storage: -1, max_streams: -1, max_consumers: -1, max_ack_pending: -1,
      memory_max_stream_bytes: -1, storage_max_stream_bytes: -1, max_bytes_required: false,
    },
    api: { total: 0, errors: 0 },
  });
});

test('$JS.API.INFO counts streams, consumers, stored bytes and API calls/errors', T, async (t) => {
  const srv = await privateServer(t);
  const nc = await privateConn(t, srv);
  ok(await api(nc, '$JS.API.STREAM.CREATE.F', { name: 'F', subjects: ['f.>'] }));
  ok(await api(nc, '$JS.API.STREAM.CREATE.M', { name: 'M', subjects: ['m.>'], storage: 'memory' }));
  ok(await api(nc, '$JS.API.CONSUMER.CREATE.F.C', { stream_name: 'F', config: { durable_name: 'C', ack_policy: 'explicit' } }));
  await publishMany(nc, ['f.a', 'f.a', 'm.a']);
  assert.equal((await api(nc, '$JS.API.STREAM.INFO.NOPE')).error.err_code, 10059);
  const r = await api(nc, '$JS.API.INFO');
  assert.equal(r.streams, 2);
  assert.equal(r.consumers, 1);
  // File record: 22 + subject + payload + 8; memory: subject + payload + 16.
  assert.equal(r.storage, 2 * (22 + 3 + 2 + 8));
  assert.equal(r.memory, 3 + 2 + 16);
  assert.deepEqual(r.api, { total: 4, errors: 1 }, 'the four earlier API calls; this INFO is not counted yet');
});

test('$JS.API.STREAM.NAMES / LIST on a server without streams', T, async (t) => {
  const srv = await privateServer(t);
  const nc = await privateConn(t, srv);
  assert.deepEqual(await api(nc, '$JS.API.STREAM.NAMES'),
    { type: 'io.nats.jetstream.api.v1.stream_names_response', total: 0, offset: 0, limit: 1024, streams: null });
  assert.deepEqual(await api(nc, '$JS.API.STREAM.LIST'),
    { type: 'io.nats.jetstream.api.v1.stream_list_response', total: 0, offset: 0, limit: 256, streams: [] });
});

test('advisories: stream created / updated / deleted on $JS.EVENT.ADVISORY.STREAM.<ACTION>.<stream>', T, async (t) => {
  const nc = await conn(t);
  const ev = await rawConn(t);
  const name = uname();
  ev.send(`SUB $JS.EVENT.ADVISORY.STREAM.*.${name} 1\r\n`);
  await ev.sync();
  const c = await addStream(t, nc, { name });
  ok(await api(nc, `$JS.API.STREAM.UPDATE.${name}`, { ...c.config, max_msgs: 5 }));
  ok(await api(nc, `$JS.API.STREAM.DELETE.${name}`));
  for (const [action, word] of [['create', 'CREATED'], ['modify', 'UPDATED'], ['delete', 'DELETED']]) {
    const m = await ev.readMsg();
    assert.equal(norm(m.line), `MSG $JS.EVENT.ADVISORY.STREAM.${word}.${name} 1 ${m.size}\r\n`);
    const b = JSON.parse(m.payload.toString());
    assert.deepEqual(Object.keys(b), ['type', 'id', 'timestamp', 'stream', 'action']);
    assert.equal(b.type, 'io.nats.jetstream.advisory.v1.stream_action');
    assert.match(b.id, /^[A-Za-z0-9]{22}$/);
    assert.match(b.timestamp, TS_RE);
    assert.deepEqual([b.stream, b.action], [name, action]);
  }
});

test('advisories: consumer created / deleted on $JS.EVENT.ADVISORY.CONSUMER.<ACTION>.<stream>.<consumer>', T, async (t) => {
  const nc = await conn(t);
  const ev = await rawConn(t);
  const name = uname();
  await addStream(t, nc, { name });
  ev.send(`SUB $JS.EVENT.ADVISORY.CONSUMER.*.${name}.* 1\r\n`);
  await ev.sync();
  await addConsumer(nc, name, { durable_name: 'C', ack_policy: 'explicit' });
  ok(await api(nc, `$JS.API.CONSUMER.DELETE.${name}.C`));
  for (const [action, word] of [['create', 'CREATED'], ['delete', 'DELETED']]) {
    const m = await ev.readMsg();
    assert.equal(m.subject, `$JS.EVENT.ADVISORY.CONSUMER.${word}.${name}.C`);
    const b = JSON.parse(m.payload.toString());
    assert.deepEqual(Object.keys(b), ['type', 'id', 'timestamp', 'stream', 'consumer', 'action']);
    assert.equal(b.type, 'io.nats.jetstream.advisory.v1.consumer_action');
    assert.deepEqual([b.stream, b.consumer, b.action], [name, 'C', action]);
  }
});

test('advisories: $JS.EVENT.ADVISORY.API audits each request with its request and response', T, async (t) => {
  const srv = await privateServer(t);
  const nc = await privateConn(t, srv);
  const sub = nc.subscribe('$JS.EVENT.ADVISORY.API', { max: 2 });
  const got = [];
  const done = (async () => { for await (const m of sub) got.push(JSON.parse(new TextDecoder().decode(m.data))); })();
  await nc.flush();
  ok(await api(nc, '$JS.API.STREAM.CREATE.A', { name: 'A', subjects: ['a'] }));
  await api(nc, '$JS.API.STREAM.INFO.B');
  await within(done, 3000, 'two audit advisories');
  assert.deepEqual(Object.keys(got[0]), ['type', 'id', 'timestamp', 'server', 'client', 'subject', 'request', 'response']);
  assert.equal(got[0].type, 'io.nats.jetstream.advisory.v1.api_audit');
  assert.equal(got[0].subject, '$JS.API.STREAM.CREATE.A');
  assert.equal(got[0].request, '{"name":"A","subjects":["a"]}');
  assert.equal(JSON.parse(got[0].response).type, 'io.nats.jetstream.api.v1.stream_create_response');
  assert.equal(got[0].client.acc, '$G');
  assert.deepEqual(Object.keys(got[1]), ['type', 'id', 'timestamp', 'server', 'client', 'subject', 'response'], 'no request key for an empty body');
  assert.deepEqual(JSON.parse(got[1].response).error, { code: 404, err_code: 10059, description: 'stream not found' });
});

test('a JetStream API request without a reply subject is still executed (stream created, nothing sent)', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  t.after(() => api(nc, `$JS.API.STREAM.DELETE.${name}`).catch(() => {}));
  nc.publish(`$JS.API.STREAM.CREATE.${name}`, new TextEncoder().encode(JSON.stringify({ name, subjects: [subj(name)] })));
  await nc.flush(); // the server handles API requests from clients inline, before answering the PING
  const info = await api(nc, `$JS.API.STREAM.INFO.${name}`);
  assert.equal(info.error, undefined);
  assert.equal(info.config.name, name);
});
