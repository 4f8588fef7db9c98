// Key-Value store through the v2 client (`nats` 2.29.3, `js.views.kv`):
// buckets (the KV_<b> stream the client creates, status, listing, destroy)
// and keys (put, get, create, update, delete, purge, keys, history, TTL).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T, kv2, bname, conn2, enc, dec, row, drainAll, eventually, assertKvStream } from './helpers.mjs';

const NS = 1_000_000;

test('v2 kv: bucket options become the KV_<b> stream config; status reports them', T, async (t) => {
  const { kv, jsm, name, stream } = await kv2(t, {
    history: 5, ttl: 60_000, max_bytes: 1 << 20, maxValueSize: 1024, storage: 'memory', replicas: 1,
    description: 'v2 bucket',
  });
  const si = await jsm.streams.info(stream);
  const c = si.config;
  assertKvStream(c, { stream, name, description: 'v2 bucket', history: 5, maxBytes: 1 << 20, maxValue: 1024,
    ttlMs: 60_000, storage: 'memory' });
  assert.equal(c.max_msgs, -1);
  assert.deepEqual([si.state.messages, si.state.bytes], [0, 0]);

  const st = await kv.status();
  assert.equal(st.bucket, name);
  assert.equal(st.values, 0);
  assert.equal(st.history, 5);
  assert.equal(st.ttl, 60_000);
  assert.equal(st.size, 0);
  assert.equal(st.backingStore, 'memory');
  assert.equal(st.replicas, 1);
  assert.equal(st.description, 'v2 bucket');
  assert.equal(st.maxBucketSize, 1 << 20);
  assert.equal(st.maxValueSize, 1024);
  assert.equal(st.streamInfo.config.name, stream);

  await kv.put('a', enc('12345'));
  await kv.put('b', enc('x'));
  const st2 = await kv.status();
  assert.equal(st2.values, 2);
  assert.ok(st2.size > 6, `size ${st2.size} counts the stored records`);
});

test('v2 kv: a bucket with default options (file storage, history 1, no limits, 2 min duplicate window)', T, async (t) => {
  const { kv, jsm, stream } = await kv2(t);
  const c = (await jsm.streams.info(stream)).config;
  assert.deepEqual(
    [c.storage, c.max_msgs_per_subject, c.max_age, c.max_bytes, c.max_msg_size, c.duplicate_window, c.discard, c.num_replicas],
    ['file', 1, 0, -1, -1, 120_000 * NS, 'new', 1]);
  const st = await kv.status();
  assert.deepEqual([st.history, st.ttl, st.backingStore, st.description], [1, 0, 'file', '']);
  // Opening an existing bucket again keeps its config (the client reads the stream info, creates nothing).
  const again = await (await conn2(t)).jetstream().views.kv(stream.slice(3), { history: 9 });
  assert.equal((await again.status()).history, 1);
});

test('v2 kv: put returns the revision; get latest, by revision, missing, revision of another key', T, async (t) => {
  const { kv, name } = await kv2(t, { history: 3 });
  assert.equal(await kv.put('k1', enc('v1')), 1);
  assert.equal(await kv.put('k2', enc('w1')), 2);
  assert.equal(await kv.put('k1', enc('v2')), 3);
  assert.equal(await kv.put('k1', enc('')), 4);

  const e = await kv.get('k1');
  assert.deepEqual(row(e), ['k1', 'PUT', 4, '']);
  assert.equal(e.bucket, name);
  assert.equal(e.length, 0);
  assert.ok(e.created instanceof Date && Math.abs(e.created.getTime() - Date.now()) < 60_000, `created ${e.created}`);

  assert.deepEqual(row(await kv.get('k1', { revision: 1 })), ['k1', 'PUT', 1, 'v1']);
  assert.deepEqual(row(await kv.get('k1', { revision: 3 })), ['k1', 'PUT', 3, 'v2']);
  assert.equal(await kv.get('k1', { revision: 2 }), null, 'revision 2 belongs to k2');
  assert.deepEqual(row(await kv.get('k2')), ['k2', 'PUT', 2, 'w1']);
  assert.equal(await kv.get('nope'), null);

  // history 3: a fourth value for k1 pushes revision 1 out.
  assert.equal(await kv.put('k1', enc('v4')), 5);
  assert.equal(await kv.get('k1', { revision: 1 }), null);
  assert.deepEqual(row(await kv.get('k1', { revision: 3 })), ['k1', 'PUT', 3, 'v2']);
  assert.equal((await kv.status()).values, 4);

  // Keys with dots, dashes, slashes, equals and underscores.
  for (const k of ['a.b.c', 'x-y', 'p/q', 'e=f', 'u_v', 'A9']) {
    const rev = await kv.put(k, enc(k));
    assert.deepEqual(row(await kv.get(k)), [k, 'PUT', rev, k]);
  }
});

test('v2 kv: create fails on an existing key (10071), succeeds after delete and purge; update checks the revision', T, async (t) => {
  const { kv } = await kv2(t, { history: 5 });
  assert.equal(await kv.create('k', enc('one')), 1);
  await assert.rejects(kv.create('k', enc('two')), (err) => {
    assert.equal(err.api_error?.err_code, 10071);
    assert.equal(err.code, '400');
    assert.equal(err.message, 'wrong last sequence: 1');
    return true;
  });
  assert.equal(await kv.update('k', enc('two'), 1), 2);
  await assert.rejects(kv.update('k', enc('stale'), 1), (err) => {
    assert.equal(err.api_error?.err_code, 10071);
    assert.equal(err.message, 'wrong last sequence: 2');
    return true;
  });
  // update of a key that was never written, with a non-zero revision
  await assert.rejects(kv.update('other', enc('x'), 2), (err) => err.api_error?.err_code === 10071);
  assert.deepEqual(row(await kv.get('k')), ['k', 'PUT', 2, 'two']);

  await kv.delete('k');
  assert.equal(await kv.create('k', enc('three')), 4, 'create after a delete updates the DEL marker revision');
  await kv.purge('k');
  assert.equal(await kv.create('k', enc('four')), 6, 'create after a purge');
  assert.deepEqual(row(await kv.get('k')), ['k', 'PUT', 6, 'four']);
  assert.throws(() => kv.update('k', enc('x'), 0), /version must be greater than 0/);
});

test('v2 kv: delete leaves a DEL marker, purge a PURGE rollup; keys() skips both', T, async (t) => {
  const { kv } = await kv2(t, { history: 10 });
  await kv.put('a', enc('a1'));
  await kv.put('a', enc('a2'));
  await kv.put('b', enc('b1'));
  await kv.put('c', enc('c1'));

  await kv.delete('a');
  const d = await kv.get('a');
  assert.deepEqual(row(d), ['a', 'DEL', 5, '']);
  assert.equal(d.length, 0);
  assert.equal((await kv.status()).values, 5, 'delete keeps the history');
  const ha = await drainAll(await kv.history({ key: 'a' }), 5000, 'history a');
  assert.deepEqual(ha.map(row), [['a', 'PUT', 1, 'a1'], ['a', 'PUT', 2, 'a2'], ['a', 'DEL', 5, '']]);

  await kv.purge('b');
  assert.deepEqual(row(await kv.get('b')), ['b', 'PURGE', 6, '']);
  assert.equal(await kv.get('b', { revision: 3 }), null, 'the purge rolled up the earlier values');
  const hb = await drainAll(await kv.history({ key: 'b' }), 5000, 'history b');
  assert.deepEqual(hb.map(row), [['b', 'PURGE', 6, '']]);
  assert.equal((await kv.status()).values, 5);

  const keys = await drainAll(await kv.keys(), 5000, 'keys');
  assert.deepEqual(keys.sort(), ['c']);

  // A delete with the expected previous revision.
  await assert.rejects(kv.delete('c', { previousSeq: 1 }), (err) => err.api_error?.err_code === 10071);
  await kv.delete('c', { previousSeq: 4 });
  assert.equal((await kv.get('c')).operation, 'DEL');
  assert.deepEqual(await drainAll(await kv.keys(), 5000, 'keys'), []);
});

test('v2 kv: keys(filter) with * and > wildcards', T, async (t) => {
  const { kv } = await kv2(t);
  for (const k of ['a.x', 'a.y', 'a.y.z', 'b.x', 'c']) await kv.put(k, enc(k));
  await kv.put('a.x', enc('again'));
  const keys = async (f) => (await drainAll(await kv.keys(f), 5000, `keys(${f})`)).sort();
  assert.deepEqual(await keys(), ['a.x', 'a.y', 'a.y.z', 'b.x', 'c']);
  assert.deepEqual(await keys('a.*'), ['a.x', 'a.y']);
  assert.deepEqual(await keys('a.>'), ['a.x', 'a.y', 'a.y.z']);
  assert.deepEqual(await keys('*.x'), ['a.x', 'b.x']);
  assert.deepEqual(await keys('c'), ['c']);
  assert.deepEqual(await keys('nothing.>'), []);
  // An empty bucket lists no keys and ends.
  const { kv: empty } = await kv2(t);
  assert.deepEqual(await drainAll(await empty.keys(), 5000, 'keys of an empty bucket'), []);
});

test('v2 kv: history of one key, of a filter and of the whole bucket, headers only', T, async (t) => {
  const { kv } = await kv2(t, { history: 4 });
  await kv.put('h', enc('1'));
  await kv.put('o', enc('x'));
  await kv.put('h', enc('2'));
  await kv.delete('h');
  await kv.put('h', enc('3'));
  await kv.put('h', enc('4'));
  // history 4: h keeps revisions 3..6
  const hh = await drainAll(await kv.history({ key: 'h' }), 5000, 'history h');
  assert.deepEqual(hh.map(row), [['h', 'PUT', 3, '2'], ['h', 'DEL', 4, ''], ['h', 'PUT', 5, '3'], ['h', 'PUT', 6, '4']]);
  assert.deepEqual(hh.map((e) => e.delta), [3, 2, 1, 0]);
  const all = await drainAll(await kv.history(), 5000, 'history >');
  assert.deepEqual(all.map((e) => e.revision), [2, 3, 4, 5, 6]);
  const ho = await drainAll(await kv.history({ key: 'h', headers_only: true }), 5000, 'history h headers only');
  assert.deepEqual(ho.map((e) => [e.revision, e.value.length, e.length]), [[3, 0, 1], [4, 0, 0], [5, 0, 1], [6, 0, 1]]);
  assert.deepEqual(await drainAll(await kv.history({ key: 'none' }), 5000, 'history none'), []);
});

test('v2 kv: values expire after the bucket ttl', T, async (t) => {
  const { kv, jsm, stream } = await kv2(t, { ttl: 1000 });
  assert.equal((await jsm.streams.info(stream)).config.duplicate_window, 1000 * NS);
  await kv.put('t', enc('short'));
  assert.equal(dec((await kv.get('t')).value), 'short');
  const start = Date.now();
  await eventually(async () => (await kv.get('t')) === null, 6000, 'value gone after ttl 1 s');
  assert.ok(Date.now() - start >= 500, 'not gone before the ttl');
  assert.equal((await kv.status()).values, 0);
  // A key written after the expiry lives again, and create works on an expired key.
  assert.ok((await kv.create('t', enc('again'))) > 1);
});

test('v2 kv: buckets show up in the stream list; destroy removes the bucket', T, async (t) => {
  const nc = await conn2(t);
  const js = nc.jetstream();
  const jsm = await nc.jetstreamManager();
  const a = bname();
  const b = bname();
  t.after(async () => {
    for (const n of [a, b]) await jsm.streams.delete(`KV_${n}`).catch(() => {});
  });
  const kva = await js.views.kv(a);
  const kvb = await js.views.kv(b, { history: 2 });
  await kva.put('x', enc('1'));
  const listed = [];
  for await (const si of jsm.streams.list()) if (si.config.name === `KV_${a}` || si.config.name === `KV_${b}`) listed.push(si);
  assert.deepEqual(listed.map((si) => si.config.name).sort(), [`KV_${a}`, `KV_${b}`].sort());
  assert.equal(listed.find((si) => si.config.name === `KV_${a}`).state.messages, 1);
  const names = [];
  for await (const n of jsm.streams.names()) names.push(n);
  assert.ok(names.includes(`KV_${a}`) && names.includes(`KV_${b}`));

  assert.equal(await kvb.destroy(), true);
  await assert.rejects(kvb.status(), (err) => err.api_error?.err_code === 10059);
  await assert.rejects(kvb.destroy(), (err) => err.api_error?.err_code === 10059);
  const after = [];
  for await (const n of jsm.streams.names()) after.push(n);
  assert.ok(!after.includes(`KV_${b}`) && after.includes(`KV_${a}`));
  // The destroyed bucket no longer stores anything: the put finds no stream.
  await assert.rejects(kvb.put('x', enc('1')), (err) => err.code === '503');
});
