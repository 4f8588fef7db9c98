// Bad input to KV and object store buckets, with both client flavours.
// Bucket names and keys are checked by the clients (nothing reaches the
// server); a key with an empty token passes the client check and the server
// has nobody to answer; values over max_value_size and writes past max_bytes
// are refused by the server (10054, 10077) and nothing is stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JetStreamApiError } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import { T, kv2, kv3, conn2, conn3, bname, enc, dec, row, drainAll } from './helpers.mjs';

const BAD_BUCKETS = ['a.b', 'a b', 'a*', 'a>', '', 'a/b', 'ä', '$KV'];
const BAD_KEYS = ['.a', 'a.', '.', 'a b', 'a*', '*', '>', 'a.>', '', 'a$b', 'ä', 'a\tb'];
const invalidKey = (k) => (err) => err instanceof Error && err.message === `invalid key: ${k}`;

test('bad input: invalid bucket names are refused by both clients (KV and object store), nothing created', T, async (t) => {
  const nc2 = await conn2(t);
  const js = nc2.jetstream();
  const jsm = await nc2.jetstreamManager();
  const nc3 = await conn3(t);
  const kvm = new Kvm(nc3);
  const objm = new Objm(nc3);
  for (const n of BAD_BUCKETS) {
    const msg = `invalid bucket name: ${n}`;
    const same = (err) => err instanceof Error && err.message === msg;
    await assert.rejects(js.views.kv(n), same, `v2 kv ${JSON.stringify(n)}`);
    await assert.rejects(js.views.kv(n, { bindOnly: true }), same, `v2 kv bind ${JSON.stringify(n)}`);
    await assert.rejects(kvm.create(n), same, `v3 kv create ${JSON.stringify(n)}`);
    await assert.rejects(kvm.open(n), same, `v3 kv open ${JSON.stringify(n)}`);
    await assert.rejects(js.views.os(n), same, `v2 os ${JSON.stringify(n)}`);
    await assert.rejects(objm.create(n), same, `v3 os create ${JSON.stringify(n)}`);
  }
  // Names made of letters, digits, '-' and '_' are fine.
  const good = `${bname()}-X_9`;
  t.after(() => jsm.streams.delete(`KV_${good}`).catch(() => {}));
  await kvm.create(good);
  const after = await jsm.streams.names().next();
  assert.ok(after.includes(`KV_${good}`));
  for (const n of BAD_BUCKETS) assert.ok(!after.includes(`KV_${n}`) && !after.includes(`OBJ_${n}`), `no stream for ${JSON.stringify(n)}`);
});

test('bad input: v2 invalid keys are refused by the client for put / get / create / update / delete / purge', T, async (t) => {
  const { kv } = await kv2(t);
  for (const k of BAD_KEYS) {
    await assert.rejects(kv.put(k, enc('x')), invalidKey(k), `put ${JSON.stringify(k)}`);
    await assert.rejects(kv.get(k), invalidKey(k), `get ${JSON.stringify(k)}`);
    await assert.rejects(kv.create(k, enc('x')), invalidKey(k), `create ${JSON.stringify(k)}`);
    await assert.rejects(kv.update(k, enc('x'), 1), invalidKey(k), `update ${JSON.stringify(k)}`);
  }
  // delete / purge accept wildcards (they expand through keys()); the rest are refused.
  for (const k of ['.a', 'a.', 'a b', '', 'a$b']) {
    await assert.rejects(kv.delete(k), (err) => err instanceof Error && /invalid key/.test(err.message), `delete ${JSON.stringify(k)}`);
    await assert.rejects(kv.purge(k), (err) => err instanceof Error && /invalid key/.test(err.message), `purge ${JSON.stringify(k)}`);
  }
  await assert.rejects(kv.watch({ key: 'a.' }), invalidKey('a.'));
  await assert.rejects(kv.keys('.a'), invalidKey('.a'));
  assert.equal((await kv.status()).values, 0, 'nothing stored');
});

test('bad input: v3 invalid keys are refused by the client', T, async (t) => {
  const { kv } = await kv3(t);
  for (const k of BAD_KEYS) {
    await assert.rejects(kv.put(k, 'x'), invalidKey(k), `put ${JSON.stringify(k)}`);
    await assert.rejects(kv.get(k), invalidKey(k), `get ${JSON.stringify(k)}`);
    await assert.rejects(kv.create(k, 'x'), invalidKey(k), `create ${JSON.stringify(k)}`);
    await assert.rejects(kv.update(k, 'x', 1), invalidKey(k), `update ${JSON.stringify(k)}`);
  }
  for (const k of ['.a', 'a.', 'a b', '', 'a$b']) {
    await assert.rejects(kv.delete(k), (err) => /invalid key/.test(err.message), `delete ${JSON.stringify(k)}`);
    await assert.rejects(kv.purge(k), (err) => /invalid key/.test(err.message), `purge ${JSON.stringify(k)}`);
  }
  // v3 also refuses an empty token in a search key.
  await assert.rejects(kv.keys('a..b'), invalidKey('a..b'));
  // '>' in the middle passes the client check; the server refuses the consumer filter (10093).
  await assert.rejects(kv.watch({ key: 'a.>.b' }), (err) => err instanceof JetStreamApiError && err.code === 10093);
  assert.equal((await kv.status()).values, 0);
});

test('bad input: a key with an empty token passes the client check; the server stores nothing', T, async (t) => {
  const { kv: kvA, name } = await kv2(t);
  // $KV.<b>.a..b is not a valid subject: no stream takes it, the request has no responder.
  await assert.rejects(kvA.put('a..b', enc('x')), (err) => err.code === '503');
  await assert.rejects(kvA.get('a..b'), (err) => err.code === '503', 'direct get for an invalid subject: no responder');
  // v2 keys() does not check for empty tokens: the server refuses the consumer filter (10093).
  await assert.rejects(kvA.keys('a..b'), (err) => err.api_error?.err_code === 10093);
  const kvB = await new Kvm(await conn3(t)).open(name, { allow_direct: true });
  await assert.rejects(kvB.put('a..b', 'x'), (err) => err.name === 'JetStreamNotEnabled');
  await assert.rejects(kvB.get('a..b'), (err) => err.name === 'RequestError' && /no responders/.test(err.message));
  assert.equal((await kvA.status()).values, 0);
});

test('bad input: v2 value over max_value_size → 10054, nothing stored; exactly the limit is fine', T, async (t) => {
  const { kv } = await kv2(t, { maxValueSize: 16, history: 3 });
  assert.equal(await kv.put('k', enc('first')), 1);
  await assert.rejects(kv.put('k', new Uint8Array(17)), (err) => {
    assert.equal(err.api_error?.err_code, 10054);
    assert.equal(err.message, 'message size exceeds maximum allowed');
    assert.equal(err.code, '400');
    return true;
  });
  await assert.rejects(kv.create('new', new Uint8Array(1000)), (err) => err.api_error?.err_code === 10054);
  await assert.rejects(kv.update('k', new Uint8Array(17), 1), (err) => err.api_error?.err_code === 10054);
  assert.deepEqual(row(await kv.get('k')), ['k', 'PUT', 1, 'first']);
  assert.equal(await kv.get('new'), null);
  assert.equal((await kv.status()).values, 1);
  assert.equal(await kv.put('k', new Uint8Array(16).fill(65)), 2);
  assert.equal(dec((await kv.get('k')).value), 'A'.repeat(16));
});

test('bad input: v3 value over max_value_size → JetStreamApiError 10054, nothing stored', T, async (t) => {
  const { kv } = await kv3(t, { maxValueSize: 100 });
  await kv.put('k', 'first');
  await assert.rejects(kv.put('k', 'x'.repeat(101)), (err) => {
    assert.ok(err instanceof JetStreamApiError);
    assert.deepEqual([err.code, err.status, err.message], [10054, 400, 'message size exceeds maximum allowed']);
    return true;
  });
  await assert.rejects(kv.create('other', 'y'.repeat(5000)), (err) => err instanceof JetStreamApiError && err.code === 10054);
  assert.deepEqual(row(await kv.get('k')), ['k', 'PUT', 1, 'first']);
  assert.equal(await kv.get('other'), null);
  assert.equal((await kv.status()).values, 1);
  assert.deepEqual(await drainAll(await kv.keys(), 5000, 'keys'), ['k']);
  assert.equal(await kv.put('k', 'x'.repeat(100)), 2);
});

test('bad input: puts past max_bytes are refused (discard new, 10077); the bucket keeps its values', T, async (t) => {
  // With discard new the server refuses a message when the stored bytes plus the
  // new message's raw size exceed max_bytes: 100 + 20 fit in 300, 200 more do not.
  const { kv } = await kv2(t, { max_bytes: 300 });
  await kv.put('x', new Uint8Array(100));
  await kv.put('y', new Uint8Array(20));
  const st = await kv.status();
  assert.equal(st.values, 2);
  await assert.rejects(kv.put('z', new Uint8Array(200)), (err) => {
    assert.equal(err.api_error?.err_code, 10077);
    assert.equal(err.code, '503');
    assert.equal(err.message, 'maximum bytes exceeded');
    return true;
  });
  const st2 = await kv.status();
  assert.deepEqual([st2.values, st2.size], [st.values, st.size]);
  assert.equal(await kv.get('z'), null);
  assert.equal((await kv.get('x')).value.length, 100);
  const { kv: kvb } = await kv3(t, { max_bytes: 300 });
  await kvb.put('x', new Uint8Array(100));
  await kvb.put('y', new Uint8Array(20));
  await assert.rejects(kvb.put('z', new Uint8Array(200)), (err) => err instanceof JetStreamApiError && err.code === 10077 && err.status === 503);
  assert.equal((await kvb.status()).values, 2);
  assert.equal(await kvb.get('z'), null);
});
