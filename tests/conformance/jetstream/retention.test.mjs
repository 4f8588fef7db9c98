// Retention policies: interest (kept until every consumer acked; not stored
// without consumers) and workqueue (removed on ack; consumer restrictions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  T, uname, subj, conn, api, addStream, addConsumer, streamInfo, publish, publishMany, pull,
} from './helpers.mjs';

const CREATE = 'io.nats.jetstream.api.v1.consumer_create_response';

async function stream(t, nc, retention) {
  const name = uname();
  const s = subj(name);
  await addStream(t, nc, { name, subjects: [`${s}.*`], retention });
  return { name, s };
}

const pick = async (nc, name) => {
  const { messages, first_seq: first, last_seq: last, consumer_count: consumers } = (await streamInfo(nc, name)).state;
  return { messages, first, last, consumers };
};

/** Pull one message and ack it with an AckAck round trip (so the ack is processed before we look). */
async function pullAck(nc, name, consumer) {
  const [m] = await pull(nc, name, consumer, 1, 1);
  await nc.request(m.reply, new TextEncoder().encode('+ACK'), { timeout: 3000 });
  return m;
}

test('interest: with no consumers a message gets a sequence but is not kept', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await stream(t, nc, 'interest');
  assert.deepEqual(await publish(nc, `${s}.a`), { stream: name, seq: 1 });
  assert.deepEqual(await pick(nc, name), { messages: 0, first: 2, last: 1, consumers: 0 });
  assert.equal((await api(nc, `$JS.API.STREAM.MSG.GET.${name}`, { seq: 1 })).error.err_code, 10037);
});

test('interest: kept until every consumer has acked it', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await stream(t, nc, 'interest');
  await addConsumer(nc, name, { durable_name: 'A', ack_policy: 'explicit' });
  await addConsumer(nc, name, { durable_name: 'B', ack_policy: 'explicit' });
  await publishMany(nc, [`${s}.a`, `${s}.a`]);
  assert.deepEqual(await pick(nc, name), { messages: 2, first: 1, last: 2, consumers: 2 });
  await pullAck(nc, name, 'A');
  assert.deepEqual(await pick(nc, name), { messages: 2, first: 1, last: 2, consumers: 2 }, 'B has not acked');
  await pullAck(nc, name, 'B');
  assert.deepEqual(await pick(nc, name), { messages: 1, first: 2, last: 2, consumers: 2 });
});

test('interest: a message no consumer filter matches is not kept', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await stream(t, nc, 'interest');
  await addConsumer(nc, name, { durable_name: 'A', ack_policy: 'explicit', filter_subject: `${s}.a` });
  await publishMany(nc, [`${s}.a`, `${s}.b`, `${s}.a`]);
  assert.deepEqual(await pick(nc, name), { messages: 2, first: 1, last: 3, consumers: 1 });
  assert.equal((await api(nc, `$JS.API.STREAM.MSG.GET.${name}`, { seq: 2 })).error.err_code, 10037);
});

test('workqueue: a message is removed when acked', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await stream(t, nc, 'workqueue');
  await addConsumer(nc, name, { durable_name: 'W', ack_policy: 'explicit' });
  await publishMany(nc, [`${s}.a`, `${s}.b`, `${s}.a`]);
  const m = await pullAck(nc, name, 'W');
  assert.equal(m.subject, `${s}.a`);
  assert.deepEqual(await pick(nc, name), { messages: 2, first: 2, last: 3, consumers: 1 });
  assert.equal((await api(nc, `$JS.API.STREAM.MSG.GET.${name}`, { seq: 1 })).error.err_code, 10037);
});

test('workqueue: messages are kept without consumers, and stay until acked', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await stream(t, nc, 'workqueue');
  await publishMany(nc, [`${s}.a`, `${s}.a`]);
  assert.deepEqual(await pick(nc, name), { messages: 2, first: 1, last: 2, consumers: 0 });
  await addConsumer(nc, name, { durable_name: 'W', ack_policy: 'explicit' });
  const [m] = await pull(nc, name, 'W', 1, 1);
  assert.equal(m.subject, `${s}.a`);
  assert.deepEqual(await pick(nc, name), { messages: 2, first: 1, last: 2, consumers: 1 }, 'delivered but not acked');
});

test('workqueue: a second unfiltered consumer -> 400/10099', T, async (t) => {
  const nc = await conn(t);
  const { name } = await stream(t, nc, 'workqueue');
  await addConsumer(nc, name, { durable_name: 'A', ack_policy: 'explicit' });
  assert.deepEqual(await api(nc, `$JS.API.CONSUMER.CREATE.${name}.B`, { stream_name: name, config: { durable_name: 'B', ack_policy: 'explicit' } }),
    { type: CREATE, error: { code: 400, err_code: 10099, description: 'multiple non-filtered consumers not allowed on workqueue stream' } });
});

test('workqueue: overlapping consumer filters -> 400/10100; disjoint filters are fine', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await stream(t, nc, 'workqueue');
  await addConsumer(nc, name, { durable_name: 'A', ack_policy: 'explicit', filter_subject: `${s}.a` });
  const want = { type: CREATE, error: { code: 400, err_code: 10100, description: 'filtered consumer not unique on workqueue stream' } };
  assert.deepEqual(await api(nc, `$JS.API.CONSUMER.CREATE.${name}.B`,
    { stream_name: name, config: { durable_name: 'B', ack_policy: 'explicit', filter_subject: `${s}.*` } }), want);
  assert.deepEqual(await api(nc, `$JS.API.CONSUMER.CREATE.${name}.C`,
    { stream_name: name, config: { durable_name: 'C', ack_policy: 'explicit', filter_subject: `${s}.a` } }), want);
  const unfiltered = await api(nc, `$JS.API.CONSUMER.CREATE.${name}.D`, { stream_name: name, config: { durable_name: 'D', ack_policy: 'explicit' } });
  assert.deepEqual(unfiltered, {
    type: CREATE, error: { code: 400, err_code: 10099, description: 'multiple non-filtered consumers not allowed on workqueue stream' },
  }, 'an unfiltered consumer next to a filtered one gets the non-filtered error');
  await addConsumer(nc, name, { durable_name: 'E', ack_policy: 'explicit', filter_subject: `${s}.b` });
  assert.deepEqual((await api(nc, `$JS.API.CONSUMER.NAMES.${name}`)).consumers, ['A', 'E']);
});

test('workqueue: consumers must deliver all -> 400/10101; pull consumers need an ack policy -> 400/10084', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await stream(t, nc, 'workqueue');
  for (const deliver_policy of ['last', 'new']) {
    assert.deepEqual(await api(nc, `$JS.API.CONSUMER.CREATE.${name}.X`,
      { stream_name: name, config: { durable_name: 'X', ack_policy: 'explicit', deliver_policy } }),
    { type: CREATE, error: { code: 400, err_code: 10101, description: 'consumer must be deliver all on workqueue stream' } }, deliver_policy);
  }
  assert.deepEqual(await api(nc, `$JS.API.CONSUMER.CREATE.${name}.X`,
    { stream_name: name, config: { durable_name: 'X', ack_policy: 'none', filter_subject: `${s}.a` } }),
  { type: CREATE, error: { code: 400, err_code: 10084, description: 'consumer in pull mode requires ack policy' } });
});

test('limits retention: acking does not remove messages', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await stream(t, nc, 'limits');
  await addConsumer(nc, name, { durable_name: 'A', ack_policy: 'explicit' });
  await publishMany(nc, [`${s}.a`]);
  await pullAck(nc, name, 'A');
  assert.deepEqual(await pick(nc, name), { messages: 1, first: 1, last: 1, consumers: 1 });
});
