// JetStream through the real `nats` 2.29.3 client API (JetStreamManager,
// JetStreamClient, consumers, KV): what an application sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AckPolicy, DeliverPolicy, StorageType } from 'nats';
import {
  T, NS, uname, subj, conn, addStream, enc, dec, within,
} from './helpers.mjs';

/** A manager-created stream on `<s>.>`, deleted when the test ends. */
async function managed(t, nc, extra = {}) {
  const jsm = await nc.jetstreamManager();
  const name = uname();
  const s = subj(name);
  const si = await jsm.streams.add({ name, subjects: [`${s}.>`], ...extra });
  t.after(async () => { await jsm.streams.delete(name).catch(() => {}); });
  return { jsm, js: nc.jetstream(), name, s, si };
}

test('client: jsm.streams.add/info/update/names/delete round trip', T, async (t) => {
  const nc = await conn(t);
  const { jsm, name, s, si } = await managed(t, nc, { storage: StorageType.Memory, max_msgs: 10 });
  assert.equal(si.config.name, name);
  assert.equal(si.config.storage, 'memory');
  assert.equal(si.config.max_msgs, 10);
  assert.equal(si.state.messages, 0);
  const up = await jsm.streams.update(name, { max_msgs: 20 });
  assert.equal(up.config.max_msgs, 20);
  const names = [];
  for await (const n of jsm.streams.names(`${s}.x`)) names.push(n);
  assert.deepEqual(names, [name]);
  assert.equal(await jsm.streams.delete(name), true);
  await assert.rejects(jsm.streams.info(name), (e) => e.api_error?.err_code === 10059 && e.code === '404');
});

test('client: js.publish returns the PubAck; msgID duplicates are flagged', T, async (t) => {
  const nc = await conn(t);
  const { js, name, s } = await managed(t, nc);
  const a = await js.publish(`${s}.a`, enc('one'), { msgID: 'm-1' });
  assert.deepEqual({ stream: a.stream, seq: a.seq, duplicate: a.duplicate }, { stream: name, seq: 1, duplicate: false });
  const d = await js.publish(`${s}.a`, enc('one again'), { msgID: 'm-1' });
  assert.deepEqual({ seq: d.seq, duplicate: d.duplicate }, { seq: 1, duplicate: true });
});

test('client: js.publish expectations surface the server error codes', T, async (t) => {
  const nc = await conn(t);
  const { js, name, s } = await managed(t, nc);
  await js.publish(`${s}.a`, enc('x'));
  await assert.rejects(js.publish(`${s}.a`, enc('x'), { expect: { lastSequence: 5 } }),
    (e) => e.api_error?.err_code === 10071 && e.message === 'wrong last sequence: 1');
  await assert.rejects(js.publish(`${s}.a`, enc('x'), { expect: { streamName: 'OTHER' } }),
    (e) => e.api_error?.err_code === 10060);
  await assert.rejects(js.publish(`${s}.a`, enc('x'), { expect: { lastSubjectSequence: 0 } }),
    (e) => e.api_error?.err_code === 10071);
  const ok = await js.publish(`${s}.a`, enc('x'), { expect: { lastSequence: 1, streamName: name, lastSubjectSequence: 1 } });
  assert.equal(ok.seq, 2);
});

test('client: getMessage / deleteMessage through the manager', T, async (t) => {
  const nc = await conn(t);
  const { js, jsm, name, s } = await managed(t, nc);
  await js.publish(`${s}.a`, enc('first'));
  await js.publish(`${s}.b`, enc('second'));
  const m = await jsm.streams.getMessage(name, { last_by_subj: `${s}.a` });
  assert.deepEqual([m.seq, m.subject, dec(m.data)], [1, `${s}.a`, 'first']);
  assert.equal(await jsm.streams.deleteMessage(name, 1), true);
  await assert.rejects(jsm.streams.getMessage(name, { seq: 1 }), (e) => e.api_error?.err_code === 10037);
  const p = await jsm.streams.purge(name);
  assert.deepEqual([p.success, p.purged], [true, 1]);
});

test('client: durable pull consumer, fetch + ack, then info', T, async (t) => {
  const nc = await conn(t);
  const { js, jsm, name, s } = await managed(t, nc);
  for (let i = 1; i <= 5; i++) await js.publish(`${s}.a`, enc(`m${i}`));
  await jsm.consumers.add(name, { durable_name: 'D', ack_policy: AckPolicy.Explicit });
  const c = await js.consumers.get(name, 'D');
  const iter = await c.fetch({ max_messages: 3, expires: 2000 });
  const got = [];
  for await (const m of iter) {
    got.push([dec(m.data), m.seq, m.info.redeliveryCount, m.info.pending]);
    await m.ackAck();
  }
  assert.deepEqual(got, [['m1', 1, 1, 4], ['m2', 2, 1, 3], ['m3', 3, 1, 2]]);
  const ci = await c.info();
  assert.deepEqual([ci.delivered.stream_seq, ci.ack_floor.stream_seq, ci.num_ack_pending, ci.num_pending], [3, 3, 0, 2]);
});

test('client: consumer.next() on an empty consumer returns null after its expiry', T, async (t) => {
  const nc = await conn(t);
  const { js, jsm, name } = await managed(t, nc);
  await jsm.consumers.add(name, { durable_name: 'E', ack_policy: AckPolicy.Explicit });
  const c = await js.consumers.get(name, 'E');
  const t0 = Date.now();
  const m = await within(c.next({ expires: 1000 }), 5000, 'next() to give up');
  assert.equal(m, null);
  assert.ok(Date.now() - t0 >= 900);
});

test('client: consume() receives messages published after it started', T, async (t) => {
  const nc = await conn(t);
  const { js, jsm, name, s } = await managed(t, nc);
  await jsm.consumers.add(name, { durable_name: 'C', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.New });
  const c = await js.consumers.get(name, 'C');
  const msgs = await c.consume({ max_messages: 10 });
  const got = [];
  const done = (async () => {
    for await (const m of msgs) {
      got.push(dec(m.data));
      m.ack();
      if (got.length === 3) break;
    }
  })();
  for (let i = 1; i <= 3; i++) await js.publish(`${s}.a`, enc(`n${i}`));
  await within(done, 5000, 'three consumed messages');
  assert.deepEqual(got, ['n1', 'n2', 'n3']);
});

test('client: ordered consumer reads the whole stream in order', T, async (t) => {
  const nc = await conn(t);
  const { js, name, s } = await managed(t, nc);
  for (let i = 1; i <= 10; i++) await js.publish(`${s}.${i % 3}`, enc(`o${i}`));
  const c = await js.consumers.get(name);
  const iter = await c.fetch({ max_messages: 10, expires: 2000 });
  const got = [];
  for await (const m of iter) got.push([m.seq, dec(m.data)]);
  assert.deepEqual(got, Array.from({ length: 10 }, (_, i) => [i + 1, `o${i + 1}`]));
});

test('client: KV bucket put/get/update/create/delete/history/keys', T, async (t) => {
  const nc = await conn(t);
  const js = nc.jetstream();
  const bucket = uname('KV');
  const kv = await js.views.kv(bucket, { history: 3 });
  t.after(async () => { await kv.destroy().catch(() => {}); });
  const jsm = await nc.jetstreamManager();
  const si = await jsm.streams.info(`KV_${bucket}`);
  assert.deepEqual(si.config.subjects, [`$KV.${bucket}.>`]);
  assert.equal(si.config.max_msgs_per_subject, 3);
  assert.equal(si.config.allow_rollup_hdrs, true);
  assert.equal(si.config.deny_delete, false, 'nats.js 2.29.3 does not set deny_delete on KV streams');
  assert.equal(si.config.allow_direct, true);
  assert.equal(si.config.discard, 'new');
  assert.equal(await kv.put('k1', enc('v1')), 1);
  assert.equal(await kv.put('k2', enc('w1')), 2);
  assert.equal(await kv.put('k1', enc('v2')), 3);
  const e = await kv.get('k1');
  assert.deepEqual([dec(e.value), e.revision, e.operation], ['v2', 3, 'PUT']);
  assert.equal(await kv.update('k1', enc('v3'), 3), 4);
  await assert.rejects(kv.update('k1', enc('stale'), 3), (err) => err.api_error?.err_code === 10071);
  await assert.rejects(kv.create('k2', enc('exists')), (err) => err.api_error?.err_code === 10071 || /wrong last sequence/.test(err.message));
  await kv.delete('k2');
  const gone = await kv.get('k2');
  assert.equal(gone.operation, 'DEL');
  const keys = [];
  for await (const k of await kv.keys()) keys.push(k);
  assert.deepEqual(keys, ['k1']);
  const hist = [];
  for await (const h of await kv.history({ key: 'k1' })) hist.push([h.revision, dec(h.value)]);
  assert.deepEqual(hist, [[1, 'v1'], [3, 'v2'], [4, 'v3']]);
  assert.equal(await kv.get('nope'), null);
});

test('client: a stream made with the raw API is visible to the manager', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  await addStream(t, nc, { name, max_age: 60 * NS.s });
  const jsm = await nc.jetstreamManager();
  const si = await jsm.streams.info(name);
  assert.equal(si.config.max_age, 60 * NS.s);
  assert.equal(si.config.num_replicas, 1);
});
