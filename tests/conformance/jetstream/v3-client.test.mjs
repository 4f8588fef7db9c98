// JetStream through the v3 clients (@nats-io/transport-node + @nats-io/jetstream
// 3.4.0): stream management, messages, direct get, publish and PubAck, and how
// server errors reach the application. Consumers: v3-consumers.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  jetstream, jetstreamManager, JetStreamApiError, JetStreamApiCodes, JetStreamError,
  StorageType, RetentionPolicy, DiscardPolicy, AckPolicy,
} from '@nats-io/jetstream';
import { T, conn3, setup, enc, hdrs, uname, subj, publishN } from './v3-helpers.mjs';

// The error classes below JetStreamApiError are not exported by the package's
// public entry point; applications tell them apart by `name` and `code`.
const isStreamNotFound = (e) => e instanceof JetStreamApiError && e.name === 'StreamNotFoundError'
  && e.code === JetStreamApiCodes.StreamNotFound;
const isConsumerNotFound = (e) => e instanceof JetStreamApiError && e.name === 'ConsumerNotFoundError'
  && e.code === JetStreamApiCodes.ConsumerNotFound;

const purged = (r) => ({ success: r.success, purged: r.purged });
const collectLister = async (l) => { const out = []; for await (const x of l) out.push(x); return out; };

test('v3: streams.add echoes the config and an empty state', T, async (t) => {
  const { name, s, si } = await setup(t, { storage: StorageType.Memory, max_msgs: 10, description: 'v3 add' });
  assert.equal(si.config.name, name);
  assert.deepEqual(si.config.subjects, [`${s}.>`]);
  assert.equal(si.config.storage, 'memory');
  assert.equal(si.config.retention, RetentionPolicy.Limits);
  assert.equal(si.config.discard, DiscardPolicy.Old);
  assert.equal(si.config.max_msgs, 10);
  assert.equal(si.config.max_bytes, -1);
  assert.equal(si.config.max_age, 0);
  assert.equal(si.config.num_replicas, 1);
  assert.equal(si.config.description, 'v3 add');
  assert.equal(si.config.duplicate_window, 120_000_000_000);
  assert.deepEqual([si.config.sealed, si.config.deny_delete, si.config.deny_purge, si.config.allow_rollup_hdrs],
    [false, false, false, false]);
  assert.deepEqual([si.state.messages, si.state.bytes, si.state.first_seq, si.state.last_seq, si.state.consumer_count],
    [0, 0, 0, 0, 0]);
  assert.equal(typeof si.created, 'string');
});

test('v3: streams.info reflects published messages', T, async (t) => {
  const { jsm, js, name, s } = await setup(t);
  await publishN(js, 3, (i) => `${s}.${i}`);
  const si = await jsm.streams.info(name);
  assert.deepEqual([si.state.messages, si.state.first_seq, si.state.last_seq, si.state.num_subjects],
    [3, 1, 3, 3]);
  assert.ok(si.state.bytes > 0);
  const detailed = await jsm.streams.info(name, { subjects_filter: `${s}.>` });
  assert.deepEqual(detailed.state.subjects, { [`${s}.1`]: 1, [`${s}.2`]: 1, [`${s}.3`]: 1 });
});

test('v3: streams.update merges the change into the current config', T, async (t) => {
  const { jsm, name, s } = await setup(t, { max_msgs: 5 });
  const up = await jsm.streams.update(name, { max_msgs: 50, subjects: [`${s}.>`, `${s}_extra`] });
  assert.equal(up.config.max_msgs, 50);
  assert.deepEqual(up.config.subjects, [`${s}.>`, `${s}_extra`]);
  const si = await jsm.streams.info(name);
  assert.equal(si.config.max_msgs, 50);
  await assert.rejects(jsm.streams.update(name, { storage: StorageType.Memory }),
    (e) => e instanceof JetStreamApiError && e.code === 10052 && e.status === 500);
});

test('v3: streams.names / list / find filter by subject', T, async (t) => {
  const { jsm, name, s } = await setup(t);
  const other = await setup(t);
  assert.deepEqual(await collectLister(jsm.streams.names(`${s}.x`)), [name]);
  const infos = await collectLister(jsm.streams.list(`${s}.x`));
  assert.deepEqual(infos.map((i) => i.config.name), [name]);
  assert.equal(await jsm.streams.find(`${other.s}.y`), other.name);
  const all = await collectLister(jsm.streams.names());
  assert.ok(all.includes(name) && all.includes(other.name));
  assert.deepEqual(await collectLister(jsm.streams.names(`nomatch_${s}.x`)), []);
  await assert.rejects(jsm.streams.find(`nomatch_${s}.x`), (e) => e instanceof JetStreamApiError && e.name === 'StreamNotFoundError'
    && e.message === 'no stream matches subject');
});

test('v3: streams.delete, then every stream API says stream not found', T, async (t) => {
  const { jsm, js, name, s } = await setup(t);
  assert.equal(await jsm.streams.delete(name), true);
  const notFound = (e) => isStreamNotFound(e) && e.code === 10059 && e.status === 404
    && e.message === 'stream not found';
  await assert.rejects(jsm.streams.info(name), notFound);
  await assert.rejects(jsm.streams.delete(name), notFound);
  await assert.rejects(jsm.streams.purge(name), notFound);
  await assert.rejects(jsm.streams.update(name, { max_msgs: 1 }), notFound);
  await assert.rejects(jsm.streams.getMessage(name, { seq: 1 }), notFound);
  await assert.rejects(jsm.streams.deleteMessage(name, 1), notFound);
  await assert.rejects(jsm.consumers.add(name, { durable_name: 'D', ack_policy: AckPolicy.Explicit }), notFound);
  await assert.rejects(jsm.consumers.info(name, 'D'), notFound);
  await assert.rejects(js.consumers.get(name, 'D'), notFound);
  await assert.rejects(js.consumers.get(name), notFound);
  await assert.rejects(jsm.streams.get(name), notFound);
  // Publishing to a subject no stream listens on: no responders, which the client reports as JetStreamNotEnabled.
  await assert.rejects(js.publish(`${s}.a`, enc('x')), (e) => e.name === 'JetStreamNotEnabled'
    && e.message === 'jetstream is not enabled');
});

test('v3: stream create conflicts surface as JetStreamApiError', T, async (t) => {
  const { jsm, name, s } = await setup(t);
  await assert.rejects(jsm.streams.add({ name, subjects: [`${s}.>`], max_msgs: 3 }),
    (e) => e instanceof JetStreamApiError && e.code === 10058 && e.status === 400);
  const other = uname();
  await assert.rejects(jsm.streams.add({ name: other, subjects: [`${s}.a`] }),
    (e) => e instanceof JetStreamApiError && e.code === 10065 && e.status === 400);
  // Same config again is idempotent.
  const again = await jsm.streams.add({ name, subjects: [`${s}.>`] });
  assert.equal(again.config.name, name);
  // Bad names never reach the server.
  await assert.rejects(jsm.streams.add({ name: 'a.b', subjects: ['x_v3_bad'] }), (e) => e.name === 'InvalidNameError');
});

test('v3: js.publish PubAck fields; msgID dedup', T, async (t) => {
  const { js, name, s } = await setup(t);
  const a = await js.publish(`${s}.a`, enc('one'), { msgID: 'id-1' });
  assert.deepEqual(a, { stream: name, seq: 1, duplicate: false });
  const b = await js.publish(`${s}.a`, enc('two'));
  assert.deepEqual(b, { stream: name, seq: 2, duplicate: false });
  const d = await js.publish(`${s}.a`, enc('one again'), { msgID: 'id-1' });
  assert.deepEqual(d, { stream: name, seq: 1, duplicate: true });
  const c = await js.publish(`${s}.b`, enc('three'), { msgID: 'id-2' });
  assert.deepEqual(c, { stream: name, seq: 3, duplicate: false });
});

test('v3: js.publish expectations map to JetStreamApiError with the server codes', T, async (t) => {
  const { js, jsm, name, s } = await setup(t);
  await js.publish(`${s}.a`, enc('x'));
  await js.publish(`${s}.b`, enc('y'), { msgID: 'second' });
  const err = (code, message) => (e) => e instanceof JetStreamApiError && e.code === code && e.status === 400
    && (message === undefined || e.message === message);
  await assert.rejects(js.publish(`${s}.a`, enc('z'), { expect: { lastSequence: 1 } }), err(10071, 'wrong last sequence: 2'));
  await assert.rejects(js.publish(`${s}.a`, enc('z'), { expect: { streamName: 'NOT_IT' } }), err(10060, 'expected stream does not match'));
  await assert.rejects(js.publish(`${s}.a`, enc('z'), { expect: { lastMsgID: 'nope' } }), err(10070, 'wrong last msg ID: second'));
  await assert.rejects(js.publish(`${s}.a`, enc('z'), { expect: { lastSubjectSequence: 2 } }), err(10071, 'wrong last sequence: 1'));
  const ok = await js.publish(`${s}.a`, enc('z'),
    { expect: { lastSequence: 2, streamName: name, lastMsgID: 'second', lastSubjectSequence: 1 } });
  assert.equal(ok.seq, 3);
  const si = await jsm.streams.info(name);
  assert.equal(si.state.messages, 3);
});

test('v3: headers and msgID are stored with the message', T, async (t) => {
  const { js, jsm, name, s } = await setup(t);
  await js.publish(`${s}.h`, enc('with headers'), { msgID: 'hid', headers: hdrs({ 'X-Trace': 'abc' }) });
  const m = await jsm.streams.getMessage(name, { seq: 1 });
  assert.equal(m.subject, `${s}.h`);
  assert.equal(m.seq, 1);
  assert.equal(m.string(), 'with headers');
  assert.equal(m.header.get('X-Trace'), 'abc');
  assert.equal(m.header.get('Nats-Msg-Id'), 'hid');
  assert.ok(Math.abs(m.time.getTime() - Date.now()) < 60_000);
});

test('v3: getMessage by seq / last_by_subj / next_by_subj; missing is null', T, async (t) => {
  const { js, jsm, name, s } = await setup(t);
  await js.publish(`${s}.a`, enc('a1'));
  await js.publish(`${s}.b`, enc('b1'));
  await js.publish(`${s}.a`, enc('a2'));
  const bySeq = await jsm.streams.getMessage(name, { seq: 2 });
  assert.deepEqual([bySeq.seq, bySeq.subject, bySeq.string()], [2, `${s}.b`, 'b1']);
  const last = await jsm.streams.getMessage(name, { last_by_subj: `${s}.a` });
  assert.deepEqual([last.seq, last.string()], [3, 'a2']);
  const next = await jsm.streams.getMessage(name, { next_by_subj: `${s}.a`, seq: 2 });
  assert.deepEqual([next.seq, next.string()], [3, 'a2']);
  const json = await jsm.streams.getMessage(name, { seq: 1 });
  assert.equal(json.string(), 'a1');
  assert.equal(await jsm.streams.getMessage(name, { seq: 99 }), null);
  assert.equal(await jsm.streams.getMessage(name, { last_by_subj: `${s}.zzz` }), null);
});

test('v3: deleteMessage (erase and no_erase), then get is null', T, async (t) => {
  const { js, jsm, name, s } = await setup(t);
  await publishN(js, 3, () => `${s}.d`);
  assert.equal(await jsm.streams.deleteMessage(name, 2), true);
  assert.equal(await jsm.streams.deleteMessage(name, 3, false), true);
  assert.equal(await jsm.streams.getMessage(name, { seq: 2 }), null);
  assert.equal(await jsm.streams.getMessage(name, { seq: 3 }), null);
  const si = await jsm.streams.info(name);
  assert.deepEqual([si.state.messages, si.state.first_seq, si.state.last_seq], [1, 1, 3]);
  await assert.rejects(jsm.streams.deleteMessage(name, 2), (e) => e instanceof JetStreamApiError && e.code === 10043
    && e.status === 400 && e.message === 'sequence 2 not found');
});

test('v3: purge all / by subject / keep / seq return the purged count', T, async (t) => {
  const { js, jsm, name, s } = await setup(t);
  await publishN(js, 10, (i) => `${s}.${i % 2 ? 'odd' : 'even'}`);
  assert.deepEqual(purged(await jsm.streams.purge(name, { filter: `${s}.odd`, keep: 1 })), { success: true, purged: 4 });
  assert.deepEqual(purged(await jsm.streams.purge(name, { filter: `${s}.even`, seq: 6 })), { success: true, purged: 2 });
  let si = await jsm.streams.info(name);
  assert.deepEqual([si.state.messages, si.state.first_seq], [4, 6]);
  assert.deepEqual(purged(await jsm.streams.purge(name, { keep: 2 })), { success: true, purged: 2 });
  assert.deepEqual(purged(await jsm.streams.purge(name)), { success: true, purged: 2 });
  si = await jsm.streams.info(name);
  assert.deepEqual([si.state.messages, si.state.first_seq, si.state.last_seq], [0, 11, 10]);
  // keep and seq together are refused by the client before sending.
  await assert.rejects(jsm.streams.purge(name, { keep: 1, seq: 2 }), /mutually exclusive/);
});

test('v3: direct get through jsm.direct on an allow_direct stream', T, async (t) => {
  const { js, jsm, name, s, si } = await setup(t, { allow_direct: true });
  assert.equal(si.config.allow_direct, true);
  await js.publish(`${s}.a`, enc('a1'), { headers: hdrs({ 'X-K': 'v' }) });
  await js.publish(`${s}.b`, enc('b1'));
  await js.publish(`${s}.a`, enc('a2'));
  const m1 = await jsm.direct.getMessage(name, { seq: 1 });
  assert.deepEqual([m1.seq, m1.subject, m1.stream, m1.string()], [1, `${s}.a`, name, 'a1']);
  assert.equal(m1.header.get('X-K'), 'v');
  assert.ok(Math.abs(m1.time.getTime() - Date.now()) < 60_000);
  const last = await jsm.direct.getMessage(name, { last_by_subj: `${s}.a` });
  assert.deepEqual([last.seq, last.string()], [3, 'a2']);
  const next = await jsm.direct.getMessage(name, { next_by_subj: `${s}.b`, seq: 1 });
  assert.deepEqual([next.seq, next.string()], [2, 'b1']);
  assert.equal(await jsm.direct.getMessage(name, { seq: 10 }), null);
  assert.equal(await jsm.direct.getMessage(name, { last_by_subj: `${s}.none` }), null);
});

test('v3: direct get on a stream without allow_direct gets no answer', T, async (t) => {
  const { nc, js, name, s } = await setup(t);
  await js.publish(`${s}.a`, enc('a1'));
  // nats-server 2.9.10 answers nothing (the request times out; no 503 either).
  const jsm = await jetstreamManager(nc, { timeout: 750 });
  await assert.rejects(jsm.direct.getMessage(name, { seq: 1 }), (e) => e.name === 'TimeoutError');
});

test('v3: Stream handle from jsm.streams.get', T, async (t) => {
  const { js, jsm, name, s } = await setup(t);
  await js.publish(`${s}.a`, enc('hello'));
  const st = await jsm.streams.get(name);
  assert.equal(st.name, name);
  const si = await st.info();
  assert.equal(si.state.messages, 1);
  const m = await st.getMessage({ seq: 1 });
  assert.equal(m.string(), 'hello');
  assert.equal(await st.deleteMessage(1), true);
});

test('v3: consumer errors: not found, durable name conflicts', T, async (t) => {
  const { jsm, js, name } = await setup(t);
  const cnf = (e) => isConsumerNotFound(e) && e.code === 10014 && e.status === 404
    && e.message === 'consumer not found';
  await assert.rejects(jsm.consumers.info(name, 'MISSING'), cnf);
  await assert.rejects(jsm.consumers.delete(name, 'MISSING'), cnf);
  await assert.rejects(js.consumers.get(name, 'MISSING'), cnf);
  await jsm.consumers.add(name, { durable_name: 'P', ack_policy: AckPolicy.Explicit });
  // nats-server 2.9.10 treats a create of an existing durable as an update.
  await assert.rejects(jsm.consumers.add(name, { durable_name: 'P', ack_policy: AckPolicy.None }),
    (e) => e instanceof JetStreamApiError && e.code === 10012 && e.status === 500
      && e.message === 'ack policy can not be updated');
  // A push consumer cannot be used as a pull consumer.
  await jsm.consumers.add(name, { durable_name: 'PUSH', ack_policy: AckPolicy.Explicit, deliver_subject: `dlv.${subj(name)}` });
  await assert.rejects(js.consumers.get(name, 'PUSH'), /not a pull consumer/);
});

test('v3: getAccountInfo reports JetStream usage', T, async (t) => {
  const nc = await conn3(t);
  const jsm = await jetstreamManager(nc);
  const ai = await jsm.getAccountInfo();
  assert.equal(typeof ai.memory, 'number');
  assert.equal(typeof ai.storage, 'number');
  assert.equal(typeof ai.streams, 'number');
  assert.equal(typeof ai.consumers, 'number');
  assert.equal(typeof ai.limits, 'object');
  assert.equal(typeof ai.api.total, 'number');
  assert.equal(typeof ai.api.errors, 'number');
  assert.ok(jsm.jetstream());
  assert.ok(jetstream(nc));
  assert.ok(JetStreamError);
});
