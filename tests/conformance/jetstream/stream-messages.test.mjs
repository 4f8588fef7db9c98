// Stored messages: purge (all, filter, seq, keep), MSG.GET (seq,
// last_by_subj, next_by_subj), MSG.DELETE (erase and no_erase), direct get
// ($JS.API.DIRECT.GET, raw wire replies), sealed / deny_delete / deny_purge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  T, TS_RE, uname, subj, conn, api, ok, addStream, streamInfo, publishMany, hdrs, publish, rawConn, rawPub, norm,
} from './helpers.mjs';

const PURGE = 'io.nats.jetstream.api.v1.stream_purge_response';
const GET = 'io.nats.jetstream.api.v1.stream_msg_get_response';
const DEL = 'io.nats.jetstream.api.v1.stream_msg_delete_response';

const b64 = (s) => Buffer.from(s, 'latin1').toString('base64');

/** A stream with 10 messages: a at 1,3,5,7,9; b at 2,6,10; c at 4,8. */
async function tenMessages(t, nc) {
  const name = uname();
  const s = subj(name);
  await addStream(t, nc, { name, subjects: [`${s}.*`] });
  await publishMany(nc, ['a', 'b', 'a', 'c', 'a', 'b', 'a', 'c', 'a', 'b'].map((x) => `${s}.${x}`));
  return { name, s };
}

function pick(state) {
  const { messages, first_seq: first, last_seq: last, num_deleted: deleted = 0 } = state;
  return { messages, first, last, deleted };
}

test('purge: everything; the sequence carries on; a second purge removes nothing', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await tenMessages(t, nc);
  assert.deepEqual(await api(nc, `$JS.API.STREAM.PURGE.${name}`), { type: PURGE, success: true, purged: 10 });
  const { state } = await streamInfo(nc, name);
  assert.deepEqual(pick(state), { messages: 0, first: 11, last: 10, deleted: 0 });
  assert.equal(state.bytes, 0);
  assert.equal(state.first_ts, '0001-01-01T00:00:00Z');
  assert.match(state.last_ts, TS_RE, 'last_ts is kept');
  assert.deepEqual(await api(nc, `$JS.API.STREAM.PURGE.${name}`, {}), { type: PURGE, success: true, purged: 0 });
  assert.equal((await publish(nc, `${s}.a`)).seq, 11);
});

test('purge: by filter subject', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await tenMessages(t, nc);
  assert.deepEqual(await api(nc, `$JS.API.STREAM.PURGE.${name}`, { filter: `${s}.a` }), { type: PURGE, success: true, purged: 5 });
  assert.deepEqual(pick((await streamInfo(nc, name)).state), { messages: 5, first: 2, last: 10, deleted: 4 });
  assert.deepEqual(await api(nc, `$JS.API.STREAM.PURGE.${name}`, { filter: 'no.such.subject' }), { type: PURGE, success: true, purged: 0 });
});

test('purge: up to (not including) a sequence', T, async (t) => {
  const nc = await conn(t);
  const { name } = await tenMessages(t, nc);
  assert.deepEqual(await api(nc, `$JS.API.STREAM.PURGE.${name}`, { seq: 4 }), { type: PURGE, success: true, purged: 3 });
  assert.deepEqual(pick((await streamInfo(nc, name)).state), { messages: 7, first: 4, last: 10, deleted: 0 });
});

test('purge: keep the newest N; keep beyond the count purges nothing', T, async (t) => {
  const nc = await conn(t);
  const { name } = await tenMessages(t, nc);
  assert.deepEqual(await api(nc, `$JS.API.STREAM.PURGE.${name}`, { keep: 100 }), { type: PURGE, success: true, purged: 0 });
  assert.deepEqual(await api(nc, `$JS.API.STREAM.PURGE.${name}`, { keep: 3 }), { type: PURGE, success: true, purged: 7 });
  assert.deepEqual(pick((await streamInfo(nc, name)).state), { messages: 3, first: 8, last: 10, deleted: 0 });
});

test('purge: filter with keep, filter with seq', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await tenMessages(t, nc);
  assert.deepEqual(await api(nc, `$JS.API.STREAM.PURGE.${name}`, { filter: `${s}.a`, keep: 2 }), { type: PURGE, success: true, purged: 3 });
  assert.deepEqual(pick((await streamInfo(nc, name)).state), { messages: 7, first: 2, last: 10, deleted: 2 });
  const other = await tenMessages(t, nc);
  assert.deepEqual(await api(nc, `$JS.API.STREAM.PURGE.${other.name}`, { filter: `${other.s}.a`, seq: 5 }),
    { type: PURGE, success: true, purged: 2 });
  assert.deepEqual(pick((await streamInfo(nc, other.name, { deleted_details: true })).state), { messages: 8, first: 2, last: 10, deleted: 1 });
});

test('purge: seq together with keep -> 400/10003; bad JSON -> 400/10025', T, async (t) => {
  const nc = await conn(t);
  const { name } = await tenMessages(t, nc);
  assert.deepEqual(await api(nc, `$JS.API.STREAM.PURGE.${name}`, { seq: 5, keep: 1 }),
    { type: PURGE, error: { code: 400, err_code: 10003, description: 'bad request' }, purged: 0 });
  assert.deepEqual(await api(nc, `$JS.API.STREAM.PURGE.${name}`, 'x'),
    { type: PURGE, error: { code: 400, err_code: 10025, description: 'invalid JSON' }, purged: 0 });
  assert.equal((await streamInfo(nc, name)).state.messages, 10);
});

test('msg get: by sequence, with headers and payload base64, time', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  const s = subj(name);
  await addStream(t, nc, { name });
  ok(await publish(nc, `${s}.a`, 'hello', hdrs({ 'X-Test': 'one' })));
  ok(await publish(nc, `${s}.b`, 'no headers'));
  const r = await api(nc, `$JS.API.STREAM.MSG.GET.${name}`, { seq: 1 });
  assert.deepEqual(Object.keys(r), ['type', 'message']);
  assert.equal(r.type, GET);
  assert.deepEqual(Object.keys(r.message), ['subject', 'seq', 'hdrs', 'data', 'time']);
  assert.equal(r.message.subject, `${s}.a`);
  assert.equal(r.message.seq, 1);
  assert.equal(r.message.hdrs, b64('NATS/1.0\r\nX-Test: one\r\n\r\n'));
  assert.equal(r.message.data, b64('hello'));
  assert.match(r.message.time, TS_RE);
  const plain = await api(nc, `$JS.API.STREAM.MSG.GET.${name}`, { seq: 2 });
  assert.deepEqual(Object.keys(plain.message), ['subject', 'seq', 'data', 'time'], 'no hdrs key without headers');
});

test('msg get: last_by_subj, next_by_subj (from seq, and from the start)', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await tenMessages(t, nc);
  const seqOf = async (req) => (await api(nc, `$JS.API.STREAM.MSG.GET.${name}`, req)).message?.seq;
  assert.equal(await seqOf({ last_by_subj: `${s}.a` }), 9);
  assert.equal(await seqOf({ last_by_subj: `${s}.c` }), 8);
  assert.equal(await seqOf({ last_by_subj: `${s}.*` }), 10, 'a wildcard last_by_subj matches the last of all');
  assert.equal(await seqOf({ seq: 2, next_by_subj: `${s}.a` }), 3);
  assert.equal(await seqOf({ seq: 3, next_by_subj: `${s}.a` }), 3, 'next_by_subj includes seq itself');
  assert.equal(await seqOf({ next_by_subj: `${s}.c` }), 4);
});

test('msg get: not found -> 404/10037; empty or conflicting request -> 400/10003; bad JSON -> 10025', T, async (t) => {
  const nc = await conn(t);
  const { name, s } = await tenMessages(t, nc);
  const notFound = { type: GET, error: { code: 404, err_code: 10037, description: 'no message found' } };
  assert.deepEqual(await api(nc, `$JS.API.STREAM.MSG.GET.${name}`, { seq: 99 }), notFound);
  assert.deepEqual(await api(nc, `$JS.API.STREAM.MSG.GET.${name}`, { last_by_subj: `${s}.zzz` }), notFound);
  assert.deepEqual(await api(nc, `$JS.API.STREAM.MSG.GET.${name}`, { seq: 9, next_by_subj: `${s}.c` }), notFound);
  const bad = { type: GET, error: { code: 400, err_code: 10003, description: 'bad request' } };
  assert.deepEqual(await api(nc, `$JS.API.STREAM.MSG.GET.${name}`, {}), bad);
  assert.deepEqual(await api(nc, `$JS.API.STREAM.MSG.GET.${name}`, { seq: 1, last_by_subj: `${s}.a` }), bad);
  assert.deepEqual(await api(nc, `$JS.API.STREAM.MSG.GET.${name}`, 'x'),
    { type: GET, error: { code: 400, err_code: 10025, description: 'invalid JSON' } });
});

test('msg delete: erase and no_erase; deleting twice; beyond the last sequence', T, async (t) => {
  const nc = await conn(t);
  const { name } = await tenMessages(t, nc);
  assert.deepEqual(await api(nc, `$JS.API.STREAM.MSG.DELETE.${name}`, { seq: 2 }), { type: DEL, success: true });
  assert.deepEqual(await api(nc, `$JS.API.STREAM.MSG.DELETE.${name}`, { seq: 3, no_erase: true }), { type: DEL, success: true });
  assert.deepEqual(await api(nc, `$JS.API.STREAM.MSG.DELETE.${name}`, { seq: 2 }),
    { type: DEL, error: { code: 400, err_code: 10043, description: 'sequence 2 not found' } });
  assert.deepEqual(await api(nc, `$JS.API.STREAM.MSG.DELETE.${name}`, { seq: 99 }),
    { type: DEL, error: { code: 500, err_code: 10057, description: 'stream store EOF' } });
  assert.equal((await api(nc, `$JS.API.STREAM.MSG.GET.${name}`, { seq: 2 })).error.err_code, 10037);
  const { state } = await streamInfo(nc, name, { deleted_details: true });
  assert.deepEqual(pick(state), { messages: 8, first: 1, last: 10, deleted: 2 });
  assert.deepEqual(state.deleted, [2, 3]);
  // Deleting the first message moves first_seq.
  ok(await api(nc, `$JS.API.STREAM.MSG.DELETE.${name}`, { seq: 1 }));
  assert.deepEqual(pick((await streamInfo(nc, name)).state), { messages: 7, first: 4, last: 10, deleted: 0 });
});

test('deny_delete: msg delete -> 500/10057 "message delete not permitted"; purge still works', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  const s = subj(name);
  await addStream(t, nc, { name, deny_delete: true });
  await publishMany(nc, [`${s}.a`, `${s}.a`]);
  const want = { type: DEL, error: { code: 500, err_code: 10057, description: 'message delete not permitted' } };
  assert.deepEqual(await api(nc, `$JS.API.STREAM.MSG.DELETE.${name}`, { seq: 1 }), want);
  assert.deepEqual(await api(nc, `$JS.API.STREAM.MSG.DELETE.${name}`, { seq: 1, no_erase: true }), want);
  assert.deepEqual(await api(nc, `$JS.API.STREAM.PURGE.${name}`), { type: PURGE, success: true, purged: 2 });
});

test('deny_purge: purge -> 500/10110 "stream purge not permitted"; msg delete still works', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  const s = subj(name);
  await addStream(t, nc, { name, deny_purge: true });
  await publishMany(nc, [`${s}.a`, `${s}.a`]);
  assert.deepEqual(await api(nc, `$JS.API.STREAM.PURGE.${name}`),
    { type: PURGE, error: { code: 500, err_code: 10110, description: 'stream purge not permitted' }, purged: 0 });
  assert.deepEqual(await api(nc, `$JS.API.STREAM.MSG.DELETE.${name}`, { seq: 1 }), { type: DEL, success: true });
});

test('sealed: publish, msg delete and purge -> 400/10109 "invalid operation on sealed stream"', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  const s = subj(name);
  const c = await addStream(t, nc, { name });
  await publishMany(nc, [`${s}.a`]);
  ok(await api(nc, `$JS.API.STREAM.UPDATE.${name}`, { ...c.config, sealed: true }));
  const err = { code: 400, err_code: 10109, description: 'invalid operation on sealed stream' };
  assert.deepEqual(await publish(nc, `${s}.a`, 'x'), { error: err, stream: name, seq: 0 });
  assert.deepEqual(await api(nc, `$JS.API.STREAM.MSG.DELETE.${name}`, { seq: 1 }), { type: DEL, error: err });
  assert.deepEqual(await api(nc, `$JS.API.STREAM.PURGE.${name}`), { type: PURGE, error: err, purged: 0 });
  assert.equal((await streamInfo(nc, name)).state.messages, 1);
  assert.deepEqual(await api(nc, `$JS.API.STREAM.DELETE.${name}`),
    { type: 'io.nats.jetstream.api.v1.stream_delete_response', success: true }, 'a sealed stream can be deleted');
});

/** A direct-get stream holding a (X-Test: a), b, a (X-Test: a), c; the raw client subscribed to `in.>` as sid 1. */
async function directSetup(t) {
  const nc = await conn(t);
  const name = uname();
  const s = subj(name);
  await addStream(t, nc, { name, subjects: [`${s}.*`], allow_direct: true });
  ok(await publish(nc, `${s}.a`, 'p-a1', hdrs({ 'X-Test': 'a' })));
  ok(await publish(nc, `${s}.b`, 'p-b'));
  ok(await publish(nc, `${s}.a`, 'p-a3', hdrs({ 'X-Test': 'a' })));
  ok(await publish(nc, `${s}.c`, 'p-c'));
  const c = await rawConn(t);
  const inbox = `in.${s}`;
  c.send(`SUB ${inbox}.> 1\r\n`);
  await c.sync();
  const get = async (subject, payload) => {
    rawPub(c, subject, payload, `${inbox}.r`);
    return c.readMsg();
  };
  return { nc, c, name, s, inbox, get };
}

/** Headers of a direct get hit: the stored headers, then Nats-Stream/Subject/Sequence/Time-Stamp. */
function directHeaders(m) {
  const lines = m.headers.split('\r\n');
  assert.equal(lines[0], 'NATS/1.0');
  assert.deepEqual(lines.slice(-2), ['', '']);
  return lines.slice(1, -2);
}

test('direct get: by seq -> HMSG with the stored headers plus Nats-Stream/Subject/Sequence/Time-Stamp', T, async (t) => {
  const { c, name, s, inbox, get } = await directSetup(t);
  const m = await get(`$JS.API.DIRECT.GET.${name}`, '{"seq":1}');
  assert.equal(m.op, 'HMSG');
  assert.equal(m.subject, `${inbox}.r`);
  assert.equal(m.sid, '1');
  assert.ok(!m.reply, 'no reply subject');
  const h = directHeaders(m);
  assert.deepEqual(h.slice(0, 4), ['X-Test: a', `Nats-Stream: ${name}`, `Nats-Subject: ${s}.a`, 'Nats-Sequence: 1']);
  assert.equal(h.length, 5);
  assert.match(h[4], /^Nats-Time-Stamp: /);
  assert.match(h[4].slice('Nats-Time-Stamp: '.length), TS_RE);
  assert.equal(m.payload.toString(), 'p-a1');
  assert.equal(norm(m.line), `HMSG ${inbox}.r 1 ${m.hdrLen} ${m.hdrLen + 4}\r\n`);
  const plain = await get(`$JS.API.DIRECT.GET.${name}`, '{"seq":2}');
  assert.deepEqual(directHeaders(plain).slice(0, 3), [`Nats-Stream: ${name}`, `Nats-Subject: ${s}.b`, 'Nats-Sequence: 2']);
  assert.equal(plain.payload.toString(), 'p-b');
  assert.equal(await c.sync(), '', 'exactly one reply per request');
});

test('direct get: last_by_subj, next_by_subj, and the subject-appended form DIRECT.GET.<stream>.<subject>', T, async (t) => {
  const { name, s, get } = await directSetup(t);
  const seqOf = (m) => directHeaders(m).find((l) => l.startsWith('Nats-Sequence: '));
  assert.equal(seqOf(await get(`$JS.API.DIRECT.GET.${name}`, `{"last_by_subj":"${s}.a"}`)), 'Nats-Sequence: 3');
  assert.equal(seqOf(await get(`$JS.API.DIRECT.GET.${name}`, `{"seq":2,"next_by_subj":"${s}.a"}`)), 'Nats-Sequence: 3');
  assert.equal(seqOf(await get(`$JS.API.DIRECT.GET.${name}`, `{"next_by_subj":"${s}.c"}`)), 'Nats-Sequence: 4');
  const m = await get(`$JS.API.DIRECT.GET.${name}.${s}.a`, '');
  assert.equal(seqOf(m), 'Nats-Sequence: 3');
  assert.equal(m.payload.toString(), 'p-a3');
});

test('direct get: misses and bad requests are status-only HMSGs (404 / 408)', T, async (t) => {
  const { name, s, inbox, get } = await directSetup(t);
  const cases = [
    [`$JS.API.DIRECT.GET.${name}`, '{"seq":99}', 'NATS/1.0 404 Message Not Found\r\n\r\n'],
    [`$JS.API.DIRECT.GET.${name}`, `{"last_by_subj":"${s}.zzz"}`, 'NATS/1.0 404 Message Not Found\r\n\r\n'],
    [`$JS.API.DIRECT.GET.${name}.${s}.zzz`, '', 'NATS/1.0 404 Message Not Found\r\n\r\n'],
    [`$JS.API.DIRECT.GET.${name}`, '', 'NATS/1.0 408 Empty Request\r\n\r\n'],
    [`$JS.API.DIRECT.GET.${name}`, '{}', 'NATS/1.0 408 Empty Request\r\n\r\n'],
    [`$JS.API.DIRECT.GET.${name}`, 'bad', 'NATS/1.0 408 Malformed Request\r\n\r\n'],
    [`$JS.API.DIRECT.GET.${name}`, `{"seq":1,"last_by_subj":"${s}.a"}`, 'NATS/1.0 408 Bad Request\r\n\r\n'],
  ];
  for (const [subject, payload, header] of cases) {
    const m = await get(subject, payload);
    assert.equal(m.op, 'HMSG', `${subject} ${payload}`);
    assert.equal(m.headers, header, `${subject} ${payload}`);
    assert.equal(m.payload.length, 0);
    assert.equal(norm(m.line), `HMSG ${inbox}.r 1 ${header.length} ${header.length}\r\n`);
  }
});

test('direct get: the JSON MSG.GET API still answers on an allow_direct stream', T, async (t) => {
  const { nc, name, s } = await directSetup(t);
  const r = await api(nc, `$JS.API.STREAM.MSG.GET.${name}`, { seq: 1 });
  assert.equal(r.message.subject, `${s}.a`);
  assert.equal(r.message.data, b64('p-a1'));
});
