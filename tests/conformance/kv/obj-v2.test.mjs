// Object store through the v2 client (`nats` 2.29.3, `js.views.os`): the
// OBJ_<b> stream, a 5 MiB object written from a ReadableStream and read back
// as one, info, list, delete, links, watch (a `null` entry marks the end of
// the initial data), seal and destroy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T, os2, pattern, bytesEqual, objDigest, collectIter, streamOf, enc, dec, sleep } from './helpers.mjs';

const MiB = 1024 * 1024;
const SLOW = { timeout: 60_000 };

async function readAll(rs) {
  const parts = [];
  const reader = rs.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  return new Uint8Array(Buffer.concat(parts));
}

test('v2 os: bucket options become the OBJ_<b> stream config; status', T, async (t) => {
  const { os, jsm, name, stream } = await os2(t, { description: 'v2 objects', storage: 'file' });
  const c = (await jsm.streams.info(stream)).config;
  assert.deepEqual(c.subjects, [`$O.${name}.C.>`, `$O.${name}.M.>`]);
  assert.deepEqual(
    [c.description, c.storage, c.max_age, c.discard, c.allow_rollup_hdrs, c.allow_direct, c.num_replicas, c.sealed, c.max_bytes],
    ['v2 objects', 'file', 0, 'new', true, true, 1, false, -1]);
  const st = await os.status();
  assert.deepEqual([st.bucket, st.description, st.storage, st.ttl, st.replicas, st.sealed, st.size, st.backingStore],
    [name, 'v2 objects', 'file', 0, 1, false, 0, 'JetStream']);
});

test('v2 os: a 5 MiB object streamed in comes back byte-identical, digest verified', SLOW, async (t) => {
  const { os, name } = await os2(t);
  const data = pattern(5 * MiB, 99);
  const info = await os.put({ name: 'movie.mp4', description: 'stream' }, streamOf(data, 100_000));
  assert.deepEqual([info.name, info.bucket, info.size, info.chunks, info.deleted, info.revision, info.digest],
    ['movie.mp4', name, 5 * MiB, 40, false, 41, objDigest(data)]);
  const r = await os.get('movie.mp4');
  assert.equal(r.info.digest, objDigest(data));
  assert.equal(r.info.size, 5 * MiB);
  const back = await readAll(r.data);
  assert.equal(await r.error, undefined, 'the client found the digest matching (no error)');
  assert.equal(back.length, data.length);
  assert.ok(bytesEqual(back, data));
  assert.ok(bytesEqual(await os.getBlob('movie.mp4'), data));
  const st = await os.status();
  assert.ok(st.size > 5 * MiB, `size ${st.size}`);
});

test('v2 os: info, list, delete (chunks purged, info deleted, get null)', T, async (t) => {
  const { os } = await os2(t, { storage: 'memory' });
  await os.putBlob({ name: 'a' }, enc('alpha'));
  await os.putBlob({ name: 'b' }, pattern(400_000, 1));
  await os.putBlob({ name: 'c/d e' }, enc('odd name'));
  assert.deepEqual((await os.list()).map((i) => i.name).sort(), ['a', 'b', 'c/d e']);
  assert.equal(dec(await os.getBlob('c/d e')), 'odd name');
  const ib = await os.info('b');
  assert.deepEqual([ib.size, ib.chunks, ib.deleted], [400_000, 4, false]);
  const r = await os.delete('b');
  assert.deepEqual([r.success, r.purged], [true, 4]);
  const gone = await os.info('b');
  assert.deepEqual([gone.deleted, gone.size, gone.chunks, gone.digest], [true, 0, 0, '']);
  assert.equal(await os.get('b'), null);
  assert.equal(await os.getBlob('b'), null);
  assert.deepEqual((await os.list()).map((i) => i.name).sort(), ['a', 'c/d e']);
  assert.equal(await os.info('never'), null);
  assert.ok((await os.status()).size < 2000);
});

test('v2 os: links to an object and to a bucket', T, async (t) => {
  const { os, name } = await os2(t);
  const data = pattern(140_000, 4);
  const src = await os.putBlob({ name: 'src' }, data);
  const ln = await os.link('ln', src);
  assert.deepEqual([ln.isLink(), ln.options.link], [true, { bucket: name, name: 'src' }]);
  assert.ok(bytesEqual(await os.getBlob('ln'), data));
  await assert.rejects(os.link('ln2', ln), /src object is a link/);
  const { os: other, name: otherName } = await os2(t);
  const bl = await os.linkStore('bl', other);
  assert.deepEqual(bl.options.link, { bucket: otherName });
  await assert.rejects(os.get('bl'), /link is a bucket/);
});

test('v2 os: watch with history ends the initial data with null, then live puts and deletes', T, async (t) => {
  const { os } = await os2(t);
  await os.putBlob({ name: 'one' }, enc('1'));
  await os.putBlob({ name: 'two' }, enc('22'));
  const it = await os.watch({ includeHistory: true });
  t.after(() => it.stop());
  const w = collectIter(it, 'v2 os watch');
  const nit = await os.watch();
  t.after(() => nit.stop());
  const nw = collectIter(nit, 'v2 os watch new');
  await w.wait(3);
  assert.deepEqual(w.items.map((i) => i && [i.name, i.size, i.deleted]), [['one', 1, false], ['two', 2, false], null]);
  await os.delete('one');
  await os.putBlob({ name: 'three' }, enc('333'));
  await w.wait(5);
  await nw.wait(2);
  await sleep(100);
  assert.deepEqual(w.items.slice(3).map((i) => [i.name, i.size, i.deleted]), [['one', 0, true], ['three', 3, false]]);
  assert.deepEqual(nw.items.map((i) => [i.name, i.deleted]), [['one', true], ['three', false]], 'no null without history');
  // an empty bucket: the null comes at once
  const { os: empty } = await os2(t);
  const eit = await empty.watch({ includeHistory: true });
  t.after(() => eit.stop());
  const ew = collectIter(eit, 'v2 os watch empty');
  await ew.wait(1);
  assert.deepEqual(ew.items, [null]);
});

test('v2 os: seal refuses writes (10109) and keeps reads; destroy', T, async (t) => {
  const { os, jsm, stream } = await os2(t);
  await os.putBlob({ name: 'x' }, enc('sealed in'));
  const st = await os.seal();
  assert.equal(st.sealed, true);
  assert.equal((await jsm.streams.info(stream)).config.sealed, true);
  await assert.rejects(os.putBlob({ name: 'y' }, enc('no')), (err) => err.api_error?.err_code === 10109);
  assert.equal(dec(await os.getBlob('x')), 'sealed in');
  assert.equal(await os.destroy(), true);
  await assert.rejects(os.status(), /object store not found/);
  await assert.rejects(jsm.streams.info(stream), (err) => err.api_error?.err_code === 10059);
});
