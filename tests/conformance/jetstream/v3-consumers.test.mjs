// JetStream consumers through the v3 clients (@nats-io/transport-node +
// @nats-io/jetstream 3.4.0): consumer management, fetch / next / consume with
// ack, nak, term and working, and ordered consumers (including their reset
// after the server-side consumer is deleted).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AckPolicy, DeliverPolicy, ReplayPolicy, JetStreamApiError, JetStreamApiCodes,
} from '@nats-io/jetstream';
import { T, setup, enc, publishN, drain, within, sleep, until } from './v3-helpers.mjs';

const NS = 1_000_000; // ns per ms

const isConsumerNotFound = (e) => e instanceof JetStreamApiError && e.name === 'ConsumerNotFoundError'
  && e.code === JetStreamApiCodes.ConsumerNotFound && e.message === 'consumer not found';

/** `[seq, data]` of JsMsgs. */
const seqData = (ms) => ms.map((m) => [m.seq, m.string()]);
const range = (from, to, prefix = 'm') => Array.from({ length: to - from + 1 }, (_, i) => [from + i, `${prefix}${from + i}`]);

/**
 * Run a consume() iterator in the background: `got` collects the messages,
 * `each(m)` runs for every one; `wait(n)` resolves once n arrived.
 */
function background(iter, each = (m) => m.ack()) {
  const c = { got: [], error: null };
  c.done = (async () => {
    try {
      for await (const m of iter) {
        c.got.push(m);
        await each(m);
      }
    } catch (err) { c.error = err; }
  })();
  c.wait = (n, ms = 8000) => until(() => c.got.length >= n || c.error, ms, `${n} consumed messages (got ${c.got.length})`)
    .then(() => { if (c.error) throw c.error; return c.got; });
  return c;
}

test('v3 consumers: add/info/list/delete a durable pull consumer', T, async (t) => {
  const { js, jsm, name, s } = await setup(t);
  await publishN(js, 3, (i) => `${s}.${i}`);
  const ci = await jsm.consumers.add(name, { durable_name: 'D', ack_policy: AckPolicy.Explicit });
  assert.equal(ci.name, 'D');
  assert.equal(ci.stream_name, name);
  assert.equal(ci.config.durable_name, 'D');
  assert.equal(ci.config.ack_policy, 'explicit');
  assert.equal(ci.config.deliver_policy, 'all');
  assert.equal(ci.config.replay_policy, ReplayPolicy.Instant);
  assert.equal(ci.config.ack_wait, 30_000 * NS);
  assert.equal(ci.config.max_deliver, -1);
  assert.equal(ci.config.max_ack_pending, 1000);
  assert.equal(ci.config.max_waiting, 512);
  assert.equal(ci.config.deliver_subject, undefined);
  assert.deepEqual([ci.num_pending, ci.num_ack_pending, ci.num_waiting, ci.delivered.stream_seq], [3, 0, 0, 0]);
  const info = await jsm.consumers.info(name, 'D');
  assert.deepEqual([info.name, info.num_pending], ['D', 3]);
  await jsm.consumers.add(name, { durable_name: 'E', ack_policy: AckPolicy.None });
  const listed = [];
  for await (const c of jsm.consumers.list(name)) listed.push(c.name);
  assert.deepEqual(listed.sort(), ['D', 'E']);
  assert.equal((await jsm.streams.info(name)).state.consumer_count, 2);
  assert.equal(await jsm.consumers.delete(name, 'D'), true);
  await assert.rejects(jsm.consumers.info(name, 'D'), isConsumerNotFound);
  await assert.rejects(jsm.consumers.delete(name, 'D'), isConsumerNotFound);
  const after = [];
  for await (const c of jsm.consumers.list(name)) after.push(c.name);
  assert.deepEqual(after, ['E']);
});

test('v3 consumers: named consumer with a filter subject; ephemeral with generated name', T, async (t) => {
  const { js, jsm, name, s } = await setup(t);
  await publishN(js, 6, (i) => `${s}.${i % 2 ? 'odd' : 'even'}`);
  const named = await jsm.consumers.add(name, { name: 'N', filter_subject: `${s}.odd`, ack_policy: AckPolicy.Explicit });
  assert.equal(named.name, 'N');
  assert.equal(named.config.filter_subject, `${s}.odd`);
  assert.equal(named.num_pending, 3);
  const eph = await jsm.consumers.add(name, { ack_policy: AckPolicy.Explicit, inactive_threshold: 60_000 * NS });
  assert.equal(typeof eph.name, 'string');
  assert.ok(eph.name.length > 0);
  assert.equal(eph.config.durable_name, undefined);
  assert.equal(eph.config.inactive_threshold, 60_000 * NS);
  assert.equal(eph.num_pending, 6);
  const c = await js.consumers.get(name, 'N');
  const got = await drain(await c.fetch({ max_messages: 3, expires: 2000 }), (m) => m.ack());
  assert.deepEqual(got.map((m) => [m.seq, m.subject]), [[1, `${s}.odd`], [3, `${s}.odd`], [5, `${s}.odd`]]);
});

test('v3 consumers: update changes what may change and refuses the rest', T, async (t) => {
  const { jsm, name } = await setup(t);
  await jsm.consumers.add(name, { durable_name: 'U', ack_policy: AckPolicy.Explicit, ack_wait: 10_000 * NS });
  const up = await jsm.consumers.update(name, 'U', { ack_wait: 20_000 * NS, description: 'updated', max_ack_pending: 7 });
  assert.equal(up.config.ack_wait, 20_000 * NS);
  assert.equal(up.config.description, 'updated');
  assert.equal(up.config.max_ack_pending, 7);
  const ci = await jsm.consumers.info(name, 'U');
  assert.equal(ci.config.max_ack_pending, 7);
  await assert.rejects(jsm.consumers.update(name, 'U', { deliver_policy: DeliverPolicy.New }),
    (e) => e instanceof JetStreamApiError && e.code === 10012 && e.message === 'deliver policy can not be updated');
  await assert.rejects(jsm.consumers.update(name, 'MISSING', { ack_wait: NS }), isConsumerNotFound);
});

test('v3 consumers: fetch + ack gives delivery info; consumer counters follow', T, async (t) => {
  const { js, jsm, name, s } = await setup(t);
  await publishN(js, 5, () => `${s}.a`);
  await jsm.consumers.add(name, { durable_name: 'F', ack_policy: AckPolicy.Explicit });
  const c = await js.consumers.get(name, 'F');
  const iter = await c.fetch({ max_messages: 3, expires: 2000 });
  const seen = [];
  for await (const m of iter) {
    const i = m.info;
    seen.push([m.seq, m.string(), i.stream, i.consumer, i.deliveryCount, i.streamSequence, i.deliverySequence, i.pending, i.redelivered]);
    assert.equal(await m.ackAck(), true);
  }
  assert.deepEqual(seen, [
    [1, 'm1', name, 'F', 1, 1, 1, 4, false],
    [2, 'm2', name, 'F', 1, 2, 2, 3, false],
    [3, 'm3', name, 'F', 1, 3, 3, 2, false],
  ]);
  const ci = await c.info();
  assert.deepEqual([ci.delivered.stream_seq, ci.delivered.consumer_seq, ci.ack_floor.stream_seq, ci.num_ack_pending, ci.num_pending],
    [3, 3, 3, 0, 2]);
});

test('v3 consumers: fetch ends at expiry with fewer messages than asked; empty fetch yields none', T, async (t) => {
  const { js, jsm, name, s } = await setup(t);
  await publishN(js, 2, () => `${s}.a`);
  await jsm.consumers.add(name, { durable_name: 'X', ack_policy: AckPolicy.Explicit });
  const c = await js.consumers.get(name, 'X');
  const got = await within(drain(await c.fetch({ max_messages: 10, expires: 1000 }), (m) => m.ack()), 6000, 'fetch to end');
  assert.deepEqual(seqData(got), range(1, 2));
  const t0 = Date.now();
  const none = await within(drain(await c.fetch({ max_messages: 5, expires: 1000 })), 6000, 'empty fetch to end');
  assert.equal(none.length, 0);
  assert.ok(Date.now() - t0 >= 900, 'an empty fetch waits for its expiry');
});

test('v3 consumers: next() returns messages in order, then null after expiry', T, async (t) => {
  const { js, jsm, name, s } = await setup(t);
  await publishN(js, 2, () => `${s}.a`);
  await jsm.consumers.add(name, { durable_name: 'N', ack_policy: AckPolicy.Explicit });
  const c = await js.consumers.get(name, 'N');
  const m1 = await c.next({ expires: 2000 });
  m1.ack();
  const m2 = await c.next({ expires: 2000 });
  await m2.ackAck();
  assert.deepEqual(seqData([m1, m2]), range(1, 2));
  const t0 = Date.now();
  assert.equal(await within(c.next({ expires: 1000 }), 6000, 'next() to give up'), null);
  assert.ok(Date.now() - t0 >= 900);
});

test('v3 consumers: nak redelivers at once; nak(delay) redelivers later', T, async (t) => {
  const { js, jsm, name, s } = await setup(t);
  await publishN(js, 1, () => `${s}.a`);
  await jsm.consumers.add(name, { durable_name: 'K', ack_policy: AckPolicy.Explicit });
  const c = await js.consumers.get(name, 'K');
  const first = await c.next({ expires: 2000 });
  assert.deepEqual([first.seq, first.info.deliveryCount, first.redelivered], [1, 1, false]);
  first.nak();
  const second = await c.next({ expires: 2000 });
  assert.deepEqual([second.seq, second.info.deliveryCount, second.redelivered, second.info.deliverySequence], [1, 2, true, 2]);
  const t0 = Date.now();
  second.nak(1500);
  assert.equal(await c.next({ expires: 1000 }), null, 'not redelivered before the nak delay');
  const third = await c.next({ expires: 3000 });
  assert.ok(Date.now() - t0 >= 1400, `redelivered after ${Date.now() - t0} ms`);
  assert.deepEqual([third.seq, third.info.deliveryCount], [1, 3]);
  await third.ackAck();
  const ci = await c.info();
  assert.deepEqual([ci.num_ack_pending, ci.num_redelivered, ci.ack_floor.stream_seq], [0, 0, 1]);
});

test('v3 consumers: term() stops redelivery; a term with a reason is not one on 2.9', T, async (t) => {
  const { js, jsm, name, s } = await setup(t);
  await publishN(js, 3, () => `${s}.a`);
  await jsm.consumers.add(name, { durable_name: 'TM', ack_policy: AckPolicy.Explicit, ack_wait: 1000 * NS });
  const c = await js.consumers.get(name, 'TM');
  const m1 = await c.next({ expires: 2000 });
  m1.term();
  const m2 = await c.next({ expires: 2000 });
  // The client sends `+TERM bad payload`; nats-server 2.9.10 only knows the
  // exact `+TERM` (reasons came with 2.10) and ignores it: redelivered after ack_wait.
  m2.term('bad payload');
  const m3 = await c.next({ expires: 2000 });
  await m3.ackAck();
  assert.deepEqual(seqData([m1, m2, m3]), range(1, 3));
  const back = await c.next({ expires: 3000 });
  assert.deepEqual([back.seq, back.info.deliveryCount, back.redelivered], [2, 2, true]);
  back.term();
  // Past ack_wait again: nothing comes back.
  assert.equal(await c.next({ expires: 1500 }), null);
  const ci = await c.info();
  assert.deepEqual([ci.num_ack_pending, ci.num_redelivered, ci.ack_floor.stream_seq, ci.delivered.consumer_seq], [0, 0, 3, 4]);
});

test('v3 consumers: working() holds a message past ack_wait; unacked messages come back', T, async (t) => {
  const { js, jsm, name, s } = await setup(t);
  await publishN(js, 2, () => `${s}.a`);
  await jsm.consumers.add(name, { durable_name: 'W', ack_policy: AckPolicy.Explicit, ack_wait: 1000 * NS, max_ack_pending: 1 });
  const c = await js.consumers.get(name, 'W');
  const m = await c.next({ expires: 2000 });
  for (let i = 0; i < 4; i++) {
    await sleep(400);
    m.working();
  }
  // 1.6 s after delivery with a 1 s ack_wait: still pending, not redelivered.
  let ci = await c.info();
  assert.deepEqual([ci.num_ack_pending, ci.num_redelivered, ci.delivered.consumer_seq], [1, 0, 1]);
  assert.equal(await m.ackAck(), true);
  // The second message is left unacked and is redelivered after ack_wait.
  const m2 = await c.next({ expires: 2000 });
  assert.deepEqual([m2.seq, m2.info.deliveryCount], [2, 1]);
  const again = await c.next({ expires: 3000 });
  assert.deepEqual([again.seq, again.info.deliveryCount, again.redelivered], [2, 2, true]);
  again.ack();
  await sleep(100);
  ci = await c.info();
  assert.deepEqual([ci.num_ack_pending, ci.ack_floor.stream_seq], [0, 2]);
});

test('v3 consumers: consume() reads the backlog and later messages with small batches', T, async (t) => {
  const { js, jsm, name, s } = await setup(t);
  await publishN(js, 5, () => `${s}.a`);
  await jsm.consumers.add(name, { durable_name: 'C', ack_policy: AckPolicy.Explicit });
  const c = await js.consumers.get(name, 'C');
  const msgs = await c.consume({ max_messages: 2, expires: 2000 });
  const bg = background(msgs);
  await bg.wait(5);
  for (let i = 6; i <= 9; i++) await js.publish(`${s}.b`, enc(`m${i}`));
  await bg.wait(9);
  await within(msgs.close(), 5000, 'consume to close');
  await bg.done;
  assert.deepEqual(seqData(bg.got), range(1, 9));
  await sleep(100);
  const ci = await c.info();
  assert.deepEqual([ci.num_ack_pending, ci.ack_floor.stream_seq, ci.num_pending], [0, 9, 0]);
});

test('v3 consumers: consume() with a callback', T, async (t) => {
  const { js, jsm, name, s } = await setup(t);
  await jsm.consumers.add(name, { durable_name: 'CB', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.New });
  const c = await js.consumers.get(name, 'CB');
  const got = [];
  const msgs = await c.consume({ max_messages: 10, expires: 2000, callback: (m) => { got.push(m); m.ack(); } });
  await sleep(100);
  await publishN(js, 4, () => `${s}.a`);
  await until(() => got.length >= 4, 5000, `4 callback messages (got ${got.length})`);
  await within(msgs.close(), 5000, 'consume to close');
  assert.deepEqual(seqData(got), range(1, 4));
});

test('v3 ordered: fetch reads the whole stream in order, then only what is new', T, async (t) => {
  const { js, name, s } = await setup(t);
  await publishN(js, 10, (i) => `${s}.${i % 3}`);
  const c = await js.consumers.get(name);
  const first = await drain(await c.fetch({ max_messages: 10, expires: 2000 }));
  assert.deepEqual(seqData(first), range(1, 10));
  const ci = await c.info(true);
  assert.equal(ci.config.ack_policy, 'none');
  assert.equal(ci.config.mem_storage, true);
  assert.equal(ci.config.max_deliver, 1);
  await publishN(js, 3, () => `${s}.x`, 'n');
  const second = await drain(await c.fetch({ max_messages: 10, expires: 1000 }));
  assert.deepEqual(seqData(second), [[11, 'n1'], [12, 'n2'], [13, 'n3']]);
});

test('v3 ordered: next() walks the stream one message at a time', T, async (t) => {
  const { js, name, s } = await setup(t);
  await publishN(js, 4, () => `${s}.a`);
  const c = await js.consumers.get(name);
  const got = [];
  for (let i = 0; i < 4; i++) got.push(await c.next({ expires: 2000 }));
  assert.deepEqual(seqData(got), range(1, 4));
  assert.equal(await c.next({ expires: 1000 }), null);
});

test('v3 ordered: filter_subjects / deliver_policy / opt_start_seq', T, async (t) => {
  const { js, name, s } = await setup(t);
  await publishN(js, 8, (i) => `${s}.${i % 2 ? 'odd' : 'even'}`);
  const filtered = await js.consumers.get(name, { filter_subjects: `${s}.even` });
  const evens = await drain(await filtered.fetch({ max_messages: 10, expires: 1000 }));
  assert.deepEqual(evens.map((m) => m.seq), [2, 4, 6, 8]);
  const fromSeq = await js.consumers.get(name, { opt_start_seq: 6 });
  const tail = await drain(await fromSeq.fetch({ max_messages: 10, expires: 1000 }));
  assert.deepEqual(tail.map((m) => m.seq), [6, 7, 8]);
  const lastPer = await js.consumers.get(name, { deliver_policy: DeliverPolicy.LastPerSubject });
  const lasts = await drain(await lastPer.fetch({ max_messages: 10, expires: 1000 }));
  assert.deepEqual(lasts.map((m) => m.seq), [7, 8]);
  const last = await js.consumers.get(name, { deliver_policy: DeliverPolicy.Last });
  const one = await drain(await last.fetch({ max_messages: 10, expires: 1000 }));
  assert.deepEqual(one.map((m) => m.seq), [8]);
});

test('v3 ordered: consume() gets every message in order, including ones published later', T, async (t) => {
  const { js, name, s } = await setup(t);
  await publishN(js, 20, (i) => `${s}.${i % 4}`);
  const c = await js.consumers.get(name);
  const msgs = await c.consume({ max_messages: 7, expires: 2000 });
  const bg = background(msgs, () => {});
  await bg.wait(20);
  await publishN(js, 10, (i) => `${s}.later${i % 2}`);
  await bg.wait(30);
  await within(msgs.close(), 5000, 'consume to close');
  assert.deepEqual(bg.got.map((m) => m.seq), range(1, 30).map(([n]) => n));
  assert.deepEqual(bg.got.map((m) => m.info.deliverySequence), range(1, 30).map(([n]) => n));
});

test('v3 ordered: consume() recreates its consumer after a server-side delete and goes on in order', T, async (t) => {
  const { js, jsm, name, s } = await setup(t);
  await publishN(js, 5, () => `${s}.a`);
  const c = await js.consumers.get(name);
  const msgs = await c.consume({ max_messages: 10, expires: 2000 });
  const events = [];
  (async () => { for await (const n of msgs.status()) events.push(n.type); })();
  const bg = background(msgs, () => {});
  await bg.wait(5);
  const oldName = (await c.info(true)).name;
  assert.equal(await jsm.consumers.delete(name, oldName), true);
  await publishN(js, 5, () => `${s}.b`);
  await bg.wait(10, 15000);
  await publishN(js, 12, () => `${s}.c`);
  await bg.wait(22, 10000);
  await within(msgs.close(), 5000, 'consume to close');
  assert.deepEqual(bg.got.map((m) => m.seq), range(1, 22).map(([n]) => n), 'no gap, no duplicate');
  const newName = (await c.info(true)).name;
  assert.notEqual(newName, oldName);
  assert.ok(events.includes('ordered_consumer_recreated'), `events: ${events.join(',')}`);
  await assert.rejects(jsm.consumers.info(name, oldName), isConsumerNotFound);
  const ci = await jsm.consumers.info(name, newName);
  assert.equal(ci.delivered.stream_seq, 22);
});

test('v3 ordered: fetch after a server-side delete fails with consumer not found, the next fetch recreates it', T, async (t) => {
  const { js, jsm, name, s } = await setup(t);
  await publishN(js, 3, () => `${s}.a`);
  const c = await js.consumers.get(name);
  const first = await drain(await c.fetch({ max_messages: 3, expires: 2000 }));
  assert.deepEqual(seqData(first), range(1, 3));
  const oldName = (await c.info(true)).name;
  assert.equal(await jsm.consumers.delete(name, oldName), true);
  await publishN(js, 3, () => `${s}.b`, 'n');
  // The pull request for the deleted consumer gets no answer at all; after two
  // missed heartbeats (expires / 2 each) the client looks the consumer up.
  await assert.rejects(within(drain(await c.fetch({ max_messages: 3, expires: 2000 })), 8000, 'fetch after delete'),
    isConsumerNotFound);
  const again = await within(drain(await c.fetch({ max_messages: 3, expires: 2000 })), 8000, 'fetch after reset');
  assert.deepEqual(again.map((m) => [m.seq, m.string()]), [[4, 'n1'], [5, 'n2'], [6, 'n3']]);
  assert.notEqual((await c.info(true)).name, oldName);
});
