// Publishing into streams: PubAck wire text, Nats-Msg-Id de-duplication,
// Nats-Expected-* checks and their order, Nats-Rollup, limits with discard
// old/new, max_msg_size, max_age expiry, memory storage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  T, NS, uname, subj, conn, api, ok, addStream, streamInfo, hdrs, publish, publishText, publishMany, sleep, eventually, enc,
} from './helpers.mjs';

/** A stream `<name>` on `<name lower>.*`, with extra config. */
async function stream(t, nc, extra = {}) {
  const name = uname();
  const s = subj(name);
  await addStream(t, nc, { name, subjects: [`${s}.*`], ...extra });
  return { name, s };
}

const state = async (nc, name) => {
  const { messages, first_seq: first, last_seq: last } = (await streamInfo(nc, name)).state;
  return { messages, first, last };
};

test('PubAck: exact wire text `{"stream":"S", "seq":N}` (a space after the comma)', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await stream(t, nc);
  assert.equal(await publishText(nc, `${s}.a`, 'one'), `{"stream":"${name}", "seq":1}`);
  assert.equal(await publishText(nc, `${s}.b`, 'two'), `{"stream":"${name}", "seq":2}`);
  nc.publish(`${s}.c`, enc('no reply: stored, no ack'));
  await nc.flush();
  assert.equal(await publishText(nc, `${s}.a`, 'four'), `{"stream":"${name}", "seq":4}`);
  assert.deepEqual(await state(nc, name), { messages: 4, first: 1, last: 4 });
});

test('PubAck: a subject with no stream and no subscriber -> 503 no responders', T, async (t) => {
  const nc = await conn(t);
  await assert.rejects(nc.request(`${subj(uname())}.nothing`, enc('x'), { timeout: 2000 }), (e) => e.code === '503');
});

test('Nats-Msg-Id: a duplicate gets the original seq and `"duplicate": true`, and is not stored', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await stream(t, nc);
  assert.equal(await publishText(nc, `${s}.a`, 'x', hdrs({ 'Nats-Msg-Id': 'id-1' })), `{"stream":"${name}", "seq":1}`);
  assert.equal(await publishText(nc, `${s}.a`, 'x', hdrs({ 'Nats-Msg-Id': 'id-2' })), `{"stream":"${name}", "seq":2}`);
  assert.equal(await publishText(nc, `${s}.b`, 'other subject, same id', hdrs({ 'Nats-Msg-Id': 'id-1' })),
    `{"stream":"${name}", "seq":1,"duplicate": true}`);
  assert.deepEqual(await state(nc, name), { messages: 2, first: 1, last: 2 });
  // The stored message keeps its Nats-Msg-Id header.
  const m = await api(nc, `$JS.API.STREAM.MSG.GET.${name}`, { seq: 1 });
  assert.equal(Buffer.from(m.message.hdrs, 'base64').toString(), 'NATS/1.0\r\nNats-Msg-Id: id-1\r\n\r\n');
});

test('Nats-Msg-Id: after duplicate_window the same id is a new message', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await stream(t, nc, { duplicate_window: 500 * NS.ms });
  assert.equal((await publish(nc, `${s}.a`, 'x', hdrs({ 'Nats-Msg-Id': 'w' }))).seq, 1);
  assert.equal((await publish(nc, `${s}.a`, 'x', hdrs({ 'Nats-Msg-Id': 'w' }))).duplicate, true);
  await sleep(1200);
  const again = await publish(nc, `${s}.a`, 'x', hdrs({ 'Nats-Msg-Id': 'w' }));
  assert.deepEqual(again, { stream: name, seq: 2 });
});

test('Nats-Expected-Stream: mismatch -> 400/10060 with stream and seq 0', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await stream(t, nc);
  assert.equal(await publishText(nc, `${s}.a`, 'x', hdrs({ 'Nats-Expected-Stream': 'NOT_IT' })),
    `{"error":{"code":400,"err_code":10060,"description":"expected stream does not match"},"stream":"${name}","seq":0}`);
  assert.deepEqual(await publish(nc, `${s}.a`, 'x', hdrs({ 'Nats-Expected-Stream': name })), { stream: name, seq: 1 });
  assert.deepEqual(await state(nc, name), { messages: 1, first: 1, last: 1 });
});

test('Nats-Expected-Last-Sequence: mismatch -> 400/10071 "wrong last sequence: <last>"', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await stream(t, nc);
  assert.deepEqual(await publish(nc, `${s}.a`, 'x', hdrs({ 'Nats-Expected-Last-Sequence': '0' })), { stream: name, seq: 1 });
  assert.deepEqual(await publish(nc, `${s}.a`, 'x', hdrs({ 'Nats-Expected-Last-Sequence': '5' })),
    { error: { code: 400, err_code: 10071, description: 'wrong last sequence: 1' }, stream: name, seq: 0 });
  assert.deepEqual(await publish(nc, `${s}.b`, 'x', hdrs({ 'Nats-Expected-Last-Sequence': '1' })), { stream: name, seq: 2 });
  assert.deepEqual(await publish(nc, `${s}.b`, 'x', hdrs({ 'Nats-Expected-Last-Sequence': '0' })),
    { error: { code: 400, err_code: 10071, description: 'wrong last sequence: 2' }, stream: name, seq: 0 });
  assert.deepEqual(await state(nc, name), { messages: 2, first: 1, last: 2 });
});

test('Nats-Expected-Last-Subject-Sequence: per-subject check, 0 means "no message yet", mismatch -> 10071', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await stream(t, nc);
  const h = (n) => hdrs({ 'Nats-Expected-Last-Subject-Sequence': String(n) });
  assert.deepEqual(await publish(nc, `${s}.a`, 'x', h(0)), { stream: name, seq: 1 });
  assert.deepEqual(await publish(nc, `${s}.b`, 'x', h(0)), { stream: name, seq: 2 });
  assert.deepEqual(await publish(nc, `${s}.a`, 'x', h(1)), { stream: name, seq: 3 });
  assert.deepEqual(await publish(nc, `${s}.a`, 'x', h(1)),
    { error: { code: 400, err_code: 10071, description: 'wrong last sequence: 3' }, stream: name, seq: 0 });
  assert.deepEqual(await publish(nc, `${s}.b`, 'x', h(0)),
    { error: { code: 400, err_code: 10071, description: 'wrong last sequence: 2' }, stream: name, seq: 0 });
  assert.deepEqual(await state(nc, name), { messages: 3, first: 1, last: 3 });
});

test('Nats-Expected-Last-Msg-Id: compares with the id of the last message (empty if it had none) -> 10070', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await stream(t, nc);
  ok(await publish(nc, `${s}.a`, 'x', hdrs({ 'Nats-Msg-Id': 'first' })));
  assert.deepEqual(await publish(nc, `${s}.a`, 'x', hdrs({ 'Nats-Expected-Last-Msg-Id': 'first' })), { stream: name, seq: 2 });
  // Message 2 carried no id, so the last id is now empty.
  assert.deepEqual(await publish(nc, `${s}.a`, 'x', hdrs({ 'Nats-Expected-Last-Msg-Id': 'first' })),
    { error: { code: 400, err_code: 10070, description: 'wrong last msg ID: ' }, stream: name, seq: 0 });
  ok(await publish(nc, `${s}.a`, 'x', hdrs({ 'Nats-Msg-Id': 'third' })));
  assert.deepEqual(await publish(nc, `${s}.a`, 'x', hdrs({ 'Nats-Expected-Last-Msg-Id': 'nope' })),
    { error: { code: 400, err_code: 10070, description: 'wrong last msg ID: third' }, stream: name, seq: 0 });
  assert.deepEqual(await state(nc, name), { messages: 3, first: 1, last: 3 });
});

test('header checks run in order: expected stream, then de-dup, then expected sequences', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await stream(t, nc);
  ok(await publish(nc, `${s}.a`, 'x', hdrs({ 'Nats-Msg-Id': 'd' })));
  // A duplicate wins over a wrong expected last sequence.
  assert.deepEqual(await publish(nc, `${s}.a`, 'x', hdrs({ 'Nats-Msg-Id': 'd', 'Nats-Expected-Last-Sequence': '9' })),
    { stream: name, seq: 1, duplicate: true });
  // A wrong expected stream wins over a duplicate.
  assert.equal((await publish(nc, `${s}.a`, 'x', hdrs({ 'Nats-Msg-Id': 'd', 'Nats-Expected-Stream': 'NOT_IT' }))).error.err_code, 10060);
  // Expected last subject sequence is checked before expected last sequence.
  assert.deepEqual(await publish(nc, `${s}.a`, 'x', hdrs({ 'Nats-Expected-Last-Subject-Sequence': '7', 'Nats-Expected-Last-Sequence': '9' })),
    { error: { code: 400, err_code: 10071, description: 'wrong last sequence: 1' }, stream: name, seq: 0 });
});

test('Nats-Rollup without allow_rollup_hdrs -> 500/10111 "rollup not permitted"', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await stream(t, nc);
  ok(await publish(nc, `${s}.a`));
  for (const v of ['sub', 'all']) {
    assert.deepEqual(await publish(nc, `${s}.a`, 'r', hdrs({ 'Nats-Rollup': v })),
      { error: { code: 500, err_code: 10111, description: 'rollup not permitted' }, stream: name, seq: 0 }, v);
  }
  assert.deepEqual(await state(nc, name), { messages: 1, first: 1, last: 1 });
});

test('Nats-Rollup: sub keeps only the rollup message of its subject', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await stream(t, nc, { allow_rollup_hdrs: true });
  await publishMany(nc, [`${s}.a`, `${s}.a`, `${s}.b`, `${s}.b`, `${s}.c`]);
  assert.deepEqual(await publish(nc, `${s}.a`, 'R', hdrs({ 'Nats-Rollup': 'sub' })), { stream: name, seq: 6 });
  const info = await streamInfo(nc, name, { subjects_filter: '>' });
  assert.deepEqual(info.state.subjects, { [`${s}.a`]: 1, [`${s}.b`]: 2, [`${s}.c`]: 1 });
  assert.equal(info.state.messages, 4);
  assert.equal(info.state.first_seq, 3);
});

test('Nats-Rollup: all keeps only the rollup message', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await stream(t, nc, { allow_rollup_hdrs: true });
  await publishMany(nc, [`${s}.a`, `${s}.b`, `${s}.c`]);
  assert.deepEqual(await publish(nc, `${s}.b`, 'R', hdrs({ 'Nats-Rollup': 'all' })), { stream: name, seq: 4 });
  assert.deepEqual(await state(nc, name), { messages: 1, first: 4, last: 4 });
});

test('Nats-Rollup with an unknown value: no PubAck at all and nothing stored', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await stream(t, nc, { allow_rollup_hdrs: true });
  ok(await publish(nc, `${s}.a`));
  await assert.rejects(nc.request(`${s}.a`, enc('x'), { timeout: 500, headers: hdrs({ 'Nats-Rollup': 'bogus' }) }),
    (e) => e.code === 'TIMEOUT');
  assert.deepEqual(await state(nc, name), { messages: 1, first: 1, last: 1 });
  assert.equal((await publish(nc, `${s}.a`)).seq, 2, 'the rejected message used no sequence');
});

test('max_msgs, discard old: the oldest messages go', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await stream(t, nc, { max_msgs: 3 });
  const acks = await publishMany(nc, [1, 2, 3, 4, 5].map(() => `${s}.a`));
  assert.deepEqual(acks.map((a) => a.seq), [1, 2, 3, 4, 5]);
  assert.deepEqual(await state(nc, name), { messages: 3, first: 3, last: 5 });
});

test('max_msgs, discard new: -> 503/10077 "maximum messages exceeded" (file and memory)', T, async (t) => {
  const nc = await conn(t);
  for (const storage of ['file', 'memory']) {
    const { name, s } = await stream(t, nc, { max_msgs: 3, discard: 'new', storage });
    await publishMany(nc, [`${s}.a`, `${s}.a`, `${s}.a`]);
    assert.equal(await publishText(nc, `${s}.a`, 'x'),
      `{"error":{"code":503,"err_code":10077,"description":"maximum messages exceeded"},"stream":"${name}","seq":0}`, storage);
    assert.deepEqual(await state(nc, name), { messages: 3, first: 1, last: 3 }, storage);
    assert.equal((await publish(nc, `${s}.a`, 'x', hdrs({ 'Nats-Expected-Last-Sequence': '3' }))).error.err_code, 10077,
      'the failed publish did not advance the last sequence');
  }
});

test('max_bytes, discard new -> 503/10077 "maximum bytes exceeded"', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await stream(t, nc, { max_bytes: 100, discard: 'new' });
  const payload = 'x'.repeat(50);
  ok(await publish(nc, `${s}.a`, payload));
  assert.deepEqual(await publish(nc, `${s}.a`, payload),
    { error: { code: 503, err_code: 10077, description: 'maximum bytes exceeded' }, stream: name, seq: 0 });
  assert.deepEqual(await state(nc, name), { messages: 1, first: 1, last: 1 });
});

test('max_bytes, discard old: old messages are dropped to fit', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await stream(t, nc, { max_bytes: 200 });
  const payload = 'x'.repeat(30);
  await publishMany(nc, [1, 2, 3, 4, 5].map(() => `${s}.a`), () => payload);
  const st = (await streamInfo(nc, name)).state;
  // Each file-store record here is 22 + subject + 30 + 8 bytes.
  const rec = 22 + `${s}.a`.length + 30 + 8;
  const keep = Math.floor(200 / rec);
  assert.deepEqual({ messages: st.messages, first: st.first_seq, last: st.last_seq, bytes: st.bytes },
    { messages: keep, first: 6 - keep, last: 5, bytes: keep * rec });
});

test('max_msgs_per_subject, discard old: only the newest N of each subject stay', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await stream(t, nc, { max_msgs_per_subject: 2 });
  await publishMany(nc, ['a', 'a', 'b', 'a', 'b', 'b', 'c'].map((x) => `${s}.${x}`));
  const info = await streamInfo(nc, name, { subjects_filter: '>' });
  assert.deepEqual(info.state.subjects, { [`${s}.a`]: 2, [`${s}.b`]: 2, [`${s}.c`]: 1 });
  assert.deepEqual([info.state.messages, info.state.first_seq, info.state.last_seq], [5, 2, 7]);
  assert.equal(info.state.num_deleted, 1, 'seq 3 (the first b) was removed from the middle');
});

test('max_msgs_per_subject with discard new: replaces the oldest; with discard_new_per_subject it refuses', T, async (t) => {
  const nc = await conn(t);
  const a = await stream(t, nc, { max_msgs_per_subject: 2, discard: 'new' });
  const acks = await publishMany(nc, [1, 2, 3, 4].map(() => `${a.s}.x`));
  assert.deepEqual(acks.map((x) => x.seq), [1, 2, 3, 4]);
  assert.deepEqual(await state(nc, a.name), { messages: 2, first: 3, last: 4 });
  const b = await stream(t, nc, { max_msgs_per_subject: 2, discard: 'new', discard_new_per_subject: true });
  await publishMany(nc, [`${b.s}.x`, `${b.s}.x`]);
  assert.deepEqual(await publish(nc, `${b.s}.x`),
    { error: { code: 503, err_code: 10077, description: 'maximum messages per subject exceeded' }, stream: b.name, seq: 0 });
  assert.deepEqual(await publish(nc, `${b.s}.y`), { stream: b.name, seq: 3 }, 'another subject still has room');
});

test('max_msg_size: payload plus headers over the limit -> 400/10054', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await stream(t, nc, { max_msg_size: 10 });
  assert.deepEqual(await publish(nc, `${s}.a`, 'x'.repeat(10)), { stream: name, seq: 1 });
  const err = { error: { code: 400, err_code: 10054, description: 'message size exceeds maximum allowed' }, stream: name, seq: 0 };
  assert.deepEqual(await publish(nc, `${s}.a`, 'x'.repeat(11)), err);
  assert.deepEqual(await publish(nc, `${s}.a`, 'x', hdrs({ 'X-A': 'b' })), err, 'headers count toward the size');
  assert.deepEqual(await state(nc, name), { messages: 1, first: 1, last: 1 });
});

test('max_age: messages expire (1 s), the sequence carries on', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await stream(t, nc, { max_age: NS.s });
  await publishMany(nc, [`${s}.a`, `${s}.b`, `${s}.a`]);
  assert.equal((await state(nc, name)).messages, 3);
  const t0 = Date.now();
  await eventually(async () => (await state(nc, name)).messages === 0, 5000, 'messages to expire');
  assert.ok(Date.now() - t0 >= 500, 'not expired long before max_age');
  assert.deepEqual(await state(nc, name), { messages: 0, first: 4, last: 3 });
  assert.equal((await publish(nc, `${s}.a`)).seq, 4);
});

test('stream subjects with wildcards capture every matching subject; others are not captured', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  const s = subj(name);
  await addStream(t, nc, { name, subjects: [`${s}.one.*`, `${s}.many.>`, `${s}.exact`] });
  await publishMany(nc, [`${s}.one.x`, `${s}.many.x.y.z`, `${s}.exact`]);
  await assert.rejects(nc.request(`${s}.one.x.y`, enc('x'), { timeout: 2000 }), (e) => e.code === '503');
  await assert.rejects(nc.request(`${s}.exact.more`, enc('x'), { timeout: 2000 }), (e) => e.code === '503');
  assert.deepEqual(await state(nc, name), { messages: 3, first: 1, last: 3 });
});
