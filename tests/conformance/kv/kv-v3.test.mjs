// Key-Value store through the v3 clients (@nats-io/kv 3.4.0 `Kvm` over
// @nats-io/transport-node): buckets (KV_<b> stream config, status, Kvm.list,
// open, destroy) and keys (put, get, create, update, delete, purge, keys,
// history, TTL). Errors surface as JetStreamApiError (`code` = err_code,
// `status` = the HTTP-ish code).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JetStreamApiError, jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { T, kv3, bname, conn3, enc, dec, row, drainAll, eventually, assertKvStream } from './helpers.mjs';

// StreamNotFoundError (a JetStreamApiError) is not exported by the package: match it by name.
const isStreamNotFound = (e) => e instanceof JetStreamApiError && e.name === 'StreamNotFoundError' && e.code === 10059;

test('v3 kv: bucket options become the KV_<b> stream config; status reports them', T, async (t) => {
  const { kv, jsm, name, stream } = await kv3(t, {
    history: 7, ttl: 90_000, max_bytes: 2 << 20, maxValueSize: 2048, storage: 'memory', replicas: 1,
    description: 'v3 bucket',
  });
  const si = await jsm.streams.info(stream);
  const c = si.config;
  assertKvStream(c, { stream, name, description: 'v3 bucket', history: 7, maxBytes: 2 << 20, maxValue: 2048,
    ttlMs: 90_000, storage: 'memory' });

  const st = await kv.status();
  assert.deepEqual(
    [st.bucket, st.values, st.history, st.ttl, st.size, st.storage, st.backingStore, st.replicas, st.description,
      st.maxBucketSize, st.max_bytes, st.maxValueSize, st.markerTTL, st.compression],
    [name, 0, 7, 90_000, 0, 'memory', 'memory', 1, 'v3 bucket', 2 << 20, 2 << 20, 2048, 0, false]);

  await kv.put('a', 'hello');
  const st2 = await kv.status();
  assert.equal(st2.values, 1);
  assert.ok(st2.size > 5, `size ${st2.size}`);
});

test('v3 kv: Kvm.list lists the buckets with their status; open binds to an existing bucket', T, async (t) => {
  const { kv, kvm, name } = await kv3(t, { history: 3, description: 'listed' });
  const { name: other } = await kv3(t, { storage: 'memory' });
  await kv.put('k', 'v');
  await kv.put('k', 'w');
  const seen = new Map();
  for await (const s of kvm.list()) seen.set(s.bucket, s);
  assert.ok(seen.has(name) && seen.has(other), 'both buckets listed');
  const s = seen.get(name);
  assert.deepEqual([s.values, s.history, s.description, s.storage], [2, 3, 'listed', 'file']);
  assert.equal(seen.get(other).storage, 'memory');
  // Names come without the stream's KV_ prefix (other suites' buckets may be called KV_<x> themselves).
  for (const b of [name, other]) assert.ok(!seen.has(`KV_${b}`), `bucket ${b} listed without the prefix`);

  const opened = await new Kvm(await conn3(t)).open(name);
  assert.deepEqual(row(await opened.get('k')), ['k', 'PUT', 2, 'w']);
  assert.equal((await opened.status()).history, 3);
});

test('v3 kv: put returns the revision; get latest, by revision, missing, revision of another key', T, async (t) => {
  const { kv, name } = await kv3(t, { history: 3 });
  assert.equal(await kv.put('k1', 'v1'), 1);
  assert.equal(await kv.put('k2', enc('w1')), 2);
  assert.equal(await kv.put('k1', 'v2'), 3);
  const e = await kv.get('k1');
  assert.deepEqual(row(e), ['k1', 'PUT', 3, 'v2']);
  assert.deepEqual([e.bucket, e.length, e.delta, e.string()], [name, 2, 0, 'v2']);
  assert.ok(e.created instanceof Date && Math.abs(e.created.getTime() - Date.now()) < 60_000);
  assert.deepEqual(row(await kv.get('k1', { revision: 1 })), ['k1', 'PUT', 1, 'v1']);
  assert.equal(await kv.get('k1', { revision: 2 }), null, 'revision 2 belongs to k2');
  assert.equal(await kv.get('k1', { revision: 99 }), null, 'a revision past the end');
  assert.equal(await kv.get('missing'), null);
  await kv.put('j', JSON.stringify({ a: [1, 2] }));
  assert.deepEqual((await kv.get('j')).json(), { a: [1, 2] });
  await kv.put('k1', 'v3');
  await kv.put('k1', 'v4');
  assert.equal(await kv.get('k1', { revision: 1 }), null, 'history 3 dropped revision 1');
  assert.equal((await kv.status()).values, 5);
});

test('v3 kv: create fails on an existing key (JetStreamApiError 10071), succeeds after delete and purge; update', T, async (t) => {
  const { kv } = await kv3(t, { history: 5 });
  assert.equal(await kv.create('k', 'one'), 1);
  await assert.rejects(kv.create('k', 'two'), (err) => {
    assert.ok(err instanceof JetStreamApiError, err.name);
    assert.equal(err.code, 10071);
    assert.equal(err.status, 400);
    assert.equal(err.message, 'wrong last sequence: 1');
    return true;
  });
  assert.equal(await kv.update('k', 'two', 1), 2);
  await assert.rejects(kv.update('k', 'stale', 1), (err) => {
    assert.ok(err instanceof JetStreamApiError);
    assert.deepEqual([err.code, err.status, err.message], [10071, 400, 'wrong last sequence: 2']);
    return true;
  });
  await assert.rejects(kv.update('never', 'x', 1), (err) => err.code === 10071 && err.message === 'wrong last sequence: 0');
  await kv.delete('k');
  assert.equal(await kv.create('k', 'three'), 4);
  await kv.purge('k');
  assert.equal(await kv.create('k', 'four'), 6);
  assert.deepEqual(row(await kv.get('k')), ['k', 'PUT', 6, 'four']);
  assert.throws(() => kv.update('k', 'x', 0), /version must be greater than 0/);
});

test('v3 kv: delete leaves a DEL marker, purge a PURGE rollup; keys() skips both; purgeDeletes', T, async (t) => {
  const { kv } = await kv3(t, { history: 10 });
  await kv.put('a', 'a1');
  await kv.put('a', 'a2');
  await kv.put('b', 'b1');
  await kv.put('c', 'c1');
  await kv.delete('a');
  assert.deepEqual(row(await kv.get('a')), ['a', 'DEL', 5, '']);
  await kv.purge('b');
  assert.deepEqual(row(await kv.get('b')), ['b', 'PURGE', 6, '']);
  assert.equal(await kv.get('b', { revision: 3 }), null);
  assert.equal((await kv.status()).values, 5);
  const ha = await drainAll(await kv.history({ key: 'a' }), 5000, 'history a');
  assert.deepEqual(ha.map(row), [['a', 'PUT', 1, 'a1'], ['a', 'PUT', 2, 'a2'], ['a', 'DEL', 5, '']]);
  assert.deepEqual(await drainAll(await kv.keys(), 5000, 'keys'), ['c']);
  await assert.rejects(kv.delete('c', { previousSeq: 3 }), (err) => err.code === 10071);
  await kv.delete('c', { previousSeq: 4 });
  assert.deepEqual(await drainAll(await kv.keys(), 5000, 'keys'), []);
  // purgeDeletes removes the markers of recent deletes but keeps one each (keep: 1).
  const pr = await kv.purgeDeletes();
  assert.equal(pr.purged, 3, 'a1, a2 and c1 purged; the three markers (recent) stay');
  const st = await kv.status();
  assert.equal(st.values, 3);
  // Deleting with a wildcard deletes every matching key.
  await kv.put('w.1', '1');
  await kv.put('w.2', '2');
  await kv.put('v.1', '3');
  await kv.delete('w.*');
  assert.deepEqual(await drainAll(await kv.keys(), 5000, 'keys'), ['v.1']);
});

test('v3 kv: keys(filter) with * and > wildcards', T, async (t) => {
  const { kv } = await kv3(t);
  for (const k of ['a.x', 'a.y', 'a.y.z', 'b.x', 'c']) await kv.put(k, k);
  await kv.put('a.x', 'again');
  const keys = async (f) => (await drainAll(await kv.keys(f), 5000, `keys(${f})`)).sort();
  assert.deepEqual(await keys(), ['a.x', 'a.y', 'a.y.z', 'b.x', 'c']);
  assert.deepEqual(await keys('a.*'), ['a.x', 'a.y']);
  assert.deepEqual(await keys('a.>'), ['a.x', 'a.y', 'a.y.z']);
  assert.deepEqual(await keys('*.x'), ['a.x', 'b.x']);
  assert.deepEqual(await keys('*.*.*'), ['a.y.z']);
  assert.deepEqual(await keys('nothing.>'), []);
});

test('v3 kv: history of one key and of the bucket, headers only', T, async (t) => {
  const { kv } = await kv3(t, { history: 4 });
  await kv.put('h', '1');
  await kv.put('o', 'x');
  await kv.put('h', '2');
  await kv.delete('h');
  await kv.put('h', '3');
  await kv.put('h', '4');
  const hh = await drainAll(await kv.history({ key: 'h' }), 5000, 'history h');
  assert.deepEqual(hh.map(row), [['h', 'PUT', 3, '2'], ['h', 'DEL', 4, ''], ['h', 'PUT', 5, '3'], ['h', 'PUT', 6, '4']]);
  assert.deepEqual(hh.map((e) => [e.delta, e.isUpdate]), [[3, false], [2, false], [1, false], [0, false]]);
  const all = await drainAll(await kv.history(), 5000, 'history >');
  assert.deepEqual(all.map((e) => [e.key, e.revision]), [['o', 2], ['h', 3], ['h', 4], ['h', 5], ['h', 6]]);
  const ho = await drainAll(await kv.history({ key: 'h', headers_only: true }), 5000, 'history headers only');
  assert.deepEqual(ho.map((e) => [e.revision, e.value.length, e.length]), [[3, 0, 1], [4, 0, 0], [5, 0, 1], [6, 0, 1]]);
  assert.deepEqual(await drainAll(await kv.history({ key: 'none' }), 5000, 'history none'), []);
});

test('v3 kv: values expire after the bucket ttl', T, async (t) => {
  const { kv } = await kv3(t, { ttl: 1200, storage: 'memory' });
  await kv.put('t', 'short');
  await kv.put('u', 'short too');
  assert.equal((await kv.get('t')).string(), 'short');
  await eventually(async () => (await kv.get('t')) === null && (await kv.get('u')) === null, 6000, 'values gone after ttl 1.2 s');
  assert.equal((await kv.status()).values, 0);
  assert.deepEqual(await drainAll(await kv.keys(), 5000, 'keys after expiry'), []);
});

test('v3 kv: destroy removes the bucket; the gone bucket answers StreamNotFoundError', T, async (t) => {
  const { kv, kvm, name } = await kv3(t);
  await kv.put('x', '1');
  assert.equal(await kv.destroy(), true);
  await assert.rejects(kv.status(), (err) => isStreamNotFound(err) && err.status === 404);
  // get uses direct get (allow_direct): with no stream nothing answers it, so the request times out.
  const quick = await new Kvm(jetstream(await conn3(t), { timeout: 1000 })).open(name, { allow_direct: true });
  await assert.rejects(quick.get('x'), (err) => err.name === 'TimeoutError');
  await assert.rejects(kv.destroy(), isStreamNotFound);
  const names = [];
  for await (const s of kvm.list()) names.push(s.bucket);
  assert.ok(!names.includes(name));
  // A put to a bucket without a stream has no responder.
  await assert.rejects(kv.put('x', '2'), (err) => err.name === 'JetStreamNotEnabled' || err.name === 'NoRespondersError');
  // Opening a bucket that does not exist binds without checking; the first read fails.
  const ghost = await kvm.open(bname('ghost'));
  await assert.rejects(ghost.get('k'), isStreamNotFound);
});

test('v3 kv: concurrent creates / updates of one key with the same expectation: exactly one wins', T, async (t) => {
  const { kv } = await kv3(t, { history: 20 });
  const creates = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => kv.create('race', `c${i}`)));
  const won = creates.filter((r) => r.status === 'fulfilled');
  assert.equal(won.length, 1, 'one create');
  assert.equal(won[0].value, 1);
  for (const r of creates.filter((x) => x.status === 'rejected')) assert.equal(r.reason.code, 10071);
  const updates = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => kv.update('race', `u${i}`, 1)));
  const upd = updates.filter((r) => r.status === 'fulfilled');
  assert.equal(upd.length, 1, 'one update');
  assert.equal(upd[0].value, 2);
  for (const r of updates.filter((x) => x.status === 'rejected')) {
    assert.deepEqual([r.reason.code, r.reason.message], [10071, 'wrong last sequence: 2']);
  }
  const e = await kv.get('race');
  assert.equal(e.revision, 2);
  assert.match(e.string(), /^u\d$/);
  assert.equal((await kv.status()).values, 2);
});
