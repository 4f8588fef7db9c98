// Object store through the v3 clients (@nats-io/obj 3.4.0 `Objm` over
// @nats-io/transport-node): the OBJ_<b> stream, a 5 MiB object in 128 KiB
// chunks (digest checked by the client and here), info, list, replace,
// delete, links, watch, seal, Objm.list / open and destroy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JetStreamApiError } from '@nats-io/jetstream';
import { Objm } from '@nats-io/obj';
import { T, os3, conn3, pattern, bytesEqual, objDigest, collectIter, enc, dec, sleep } from './helpers.mjs';

const MiB = 1024 * 1024;
const CHUNK = 128 * 1024;
const SLOW = { timeout: 60_000 };

/** The meta subject's last token: base64url of the name, with padding. */
const metaToken = (n) => Buffer.from(n).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');

/** Read a ReadableStream to the end into one Uint8Array. */
async function readAll(rs) {
  const parts = [];
  for await (const p of rs) parts.push(p);
  return new Uint8Array(Buffer.concat(parts));
}

test('v3 os: bucket options become the OBJ_<b> stream config; status', T, async (t) => {
  const { os, jsm, name, stream } = await os3(t, { description: 'v3 objects', storage: 'memory', ttl: 3600 * 1e9 });
  const c = (await jsm.streams.info(stream)).config;
  assert.equal(c.name, stream);
  assert.deepEqual(c.subjects, [`$O.${name}.C.>`, `$O.${name}.M.>`]);
  assert.deepEqual(
    [c.description, c.storage, c.max_age, c.discard, c.allow_rollup_hdrs, c.allow_direct, c.num_replicas, c.sealed,
      c.retention, c.max_msgs_per_subject, c.deny_delete, c.deny_purge],
    ['v3 objects', 'memory', 3600 * 1e9, 'new', true, true, 1, false, 'limits', -1, false, false]);
  const st = await os.status();
  assert.deepEqual([st.bucket, st.description, st.storage, st.ttl, st.replicas, st.sealed, st.size, st.backingStore],
    [name, 'v3 objects', 'memory', 3600 * 1e9, 1, false, 0, 'JetStream']);
  assert.equal(st.streamInfo.config.name, stream);
  // Objm.list finds it (and only object stores)
  const seen = [];
  for await (const s of new Objm(await conn3(t)).list()) seen.push(s.bucket);
  assert.ok(seen.includes(name));
});

test('v3 os: a 5 MiB object in 40 chunks comes back byte-identical with its SHA-256 digest', SLOW, async (t) => {
  const { os, name, stream, jsm } = await os3(t);
  const data = pattern(5 * MiB, 11);
  const put = await os.putBlob({ name: 'big.bin', description: 'five MiB' }, data);
  assert.deepEqual([put.name, put.bucket, put.size, put.chunks, put.deleted, put.description, put.revision],
    ['big.bin', name, 5 * MiB, 40, false, 'five MiB', 41]);
  assert.equal(put.digest, objDigest(data));
  assert.equal(put.options.max_chunk_size, CHUNK);

  const info = await os.info('big.bin');
  assert.deepEqual([info.name, info.size, info.chunks, info.digest, info.nuid, info.revision, info.deleted, info.isLink()],
    ['big.bin', 5 * MiB, 40, objDigest(data), put.nuid, 41, false, false]);
  assert.ok(!Number.isNaN(Date.parse(info.mtime)));

  const back = await os.getBlob('big.bin');
  assert.equal(back.length, data.length);
  assert.ok(bytesEqual(back, data), 'same bytes');
  // get(): the info, a stream of the data and an error promise that resolves to null once the digest matched
  const r = await os.get('big.bin');
  assert.equal(r.info.size, 5 * MiB);
  assert.ok(bytesEqual(await readAll(r.data), data));
  assert.equal(await r.error, undefined, 'the client found the digest matching (no error)');

  // The stream holds 40 chunks on $O.<b>.C.<nuid> and one meta message on $O.<b>.M.<base64url(name)>
  const si = await jsm.streams.info(stream, { subjects_filter: '>' });
  assert.equal(si.state.messages, 41);
  assert.equal(si.state.subjects[`$O.${name}.C.${put.nuid}`], 40);
  assert.equal(si.state.subjects[`$O.${name}.M.${metaToken('big.bin')}`], 1);
  const st = await os.status();
  const chunkBytes = 5 * MiB + 40 * (`$O.${name}.C.${put.nuid}`.length + 16);
  assert.ok(st.size > chunkBytes && st.size < chunkBytes + 2000, `size ${st.size} = 40 chunk records + the meta record`);
});

test('v3 os: custom chunk size, empty object, replacing an object purges the old chunks', T, async (t) => {
  const { os, jsm, stream } = await os3(t, { storage: 'memory' });
  const data = pattern(250_000, 3);
  const a = await os.putBlob({ name: 'a', options: { max_chunk_size: 100_000 } }, data);
  assert.deepEqual([a.chunks, a.size, a.options.max_chunk_size], [3, 250_000, 100_000]);
  assert.ok(bytesEqual(await os.getBlob('a'), data));

  const e = await os.putBlob({ name: 'empty' }, new Uint8Array(0));
  assert.deepEqual([e.chunks, e.size, e.digest], [0, 0, objDigest(new Uint8Array(0))]);
  assert.equal((await os.getBlob('empty')).length, 0);

  const data2 = pattern(1000, 5);
  const a2 = await os.putBlob({ name: 'a' }, data2);
  assert.notEqual(a2.nuid, a.nuid);
  assert.deepEqual([a2.chunks, a2.size], [1, 1000]);
  assert.ok(bytesEqual(await os.getBlob('a'), data2));
  // chunks of the first version are gone; two metas (a, empty) and one chunk remain
  const si = await jsm.streams.info(stream);
  assert.equal(si.state.messages, 3);
  assert.deepEqual((await os.list()).map((i) => i.name).sort(), ['a', 'empty']);
  assert.equal(await os.getBlob('nope'), null);
  assert.equal(await os.info('nope'), null);
  await assert.rejects(os.putBlob({ name: '' }, enc('x')), /name cannot be empty/);
});

test('v3 os: an object over the bucket max_bytes is refused (10077) and its chunks are purged', T, async (t) => {
  const { os } = await os3(t, { max_bytes: MiB });
  await os.putBlob({ name: 'small' }, pattern(1000, 8));
  const before = await os.status();
  await assert.rejects(os.putBlob({ name: 'big' }, pattern(2 * MiB, 8)),
    (err) => err instanceof JetStreamApiError && err.code === 10077 && err.message === 'maximum bytes exceeded');
  assert.equal(await os.info('big'), null);
  const after = await os.status();
  assert.deepEqual([after.size, after.streamInfo.state.messages], [before.size, 2], 'the chunks that made it were purged');
  assert.deepEqual((await os.list()).map((i) => i.name), ['small']);
});

test('v3 os: delete marks the object deleted and purges its chunks; list skips it', T, async (t) => {
  const { os } = await os3(t);
  await os.putBlob({ name: 'keep' }, enc('keep me'));
  await os.putBlob({ name: 'gone' }, pattern(300_000, 9));
  const before = (await os.status()).size;
  const r = await os.delete('gone');
  assert.deepEqual([r.success, r.purged], [true, 3]);
  const i = await os.info('gone');
  assert.deepEqual([i.deleted, i.size, i.chunks, i.digest], [true, 0, 0, '']);
  assert.equal(await os.get('gone'), null);
  assert.equal(await os.getBlob('gone'), null);
  assert.deepEqual((await os.list()).map((x) => x.name), ['keep']);
  assert.ok((await os.status()).size < before - 300_000);
  assert.deepEqual(await os.delete('never'), { purged: 0, success: false });
  // update of a deleted object is refused by the client
  await assert.rejects(os.update('gone', { description: 'x' }), /cannot update meta for a deleted object/);
  await os.update('keep', { description: 'updated' });
  assert.equal((await os.info('keep')).description, 'updated');
  assert.equal(dec(await os.getBlob('keep')), 'keep me');
});

test('v3 os: links to an object (same and other bucket) and to a bucket', T, async (t) => {
  const { os, name } = await os3(t);
  const { os: other, name: otherName } = await os3(t);
  const data = pattern(200_000, 21);
  const src = await os.putBlob({ name: 'src' }, data);
  const ln = await os.link('ln', src);
  assert.deepEqual([ln.name, ln.isLink(), ln.options.link], ['ln', true, { bucket: name, name: 'src' }]);
  assert.ok(bytesEqual(await os.getBlob('ln'), data), 'a link reads the target');
  const far = await other.link('far', await os.info('src'));
  assert.deepEqual(far.options.link, { bucket: name, name: 'src' });
  assert.ok(bytesEqual(await other.getBlob('far'), data), 'a link into another bucket');

  await assert.rejects(os.link('ln2', await os.info('ln')), /src object is a link/);
  await assert.rejects(os.link('src', src), /an object already exists with that name/);
  const bl = await os.linkStore('bucket-link', other);
  assert.deepEqual(bl.options.link, { bucket: otherName });
  await assert.rejects(os.get('bucket-link'), /link is a bucket/);

  await os.delete('src');
  await assert.rejects(os.link('ln3', await os.info('src')), /src object is deleted/);
  assert.equal(await os.getBlob('ln'), null, 'a link to a deleted object reads as missing');
  assert.deepEqual((await os.list()).map((i) => i.name).sort(), ['bucket-link', 'ln']);
});

test('v3 os: watch with history (initial entries, isUpdate), new only, ignore deletes', T, async (t) => {
  const { os } = await os3(t);
  await os.putBlob({ name: 'one' }, enc('1'));
  await os.putBlob({ name: 'two' }, enc('22'));
  await os.delete('one');
  const mk = async (opts, what) => {
    const it = await os.watch(opts);
    t.after(() => it.stop());
    return collectIter(it, what);
  };
  const hist = await mk({ includeHistory: true }, 'history');
  const nw = await mk({}, 'new only');
  const nodel = await mk({ includeHistory: true, ignoreDeletes: true }, 'ignoreDeletes');
  await hist.wait(2);
  await nodel.wait(1);
  assert.deepEqual(hist.items.map((i) => [i.name, i.deleted, i.size, i.isUpdate]), [['two', false, 2, false], ['one', true, 0, true]]);
  assert.deepEqual(nodel.items.map((i) => i.name), ['two']);
  await sleep(50);
  assert.deepEqual(nw.items, []);

  await os.putBlob({ name: 'three' }, enc('333'));
  await os.delete('two');
  await hist.wait(4);
  await nw.wait(2);
  await nodel.wait(2);
  await sleep(100);
  assert.deepEqual(hist.items.slice(2).map((i) => [i.name, i.deleted, i.size, i.isUpdate]), [['three', false, 3, true], ['two', true, 0, true]]);
  assert.deepEqual(nw.items.map((i) => [i.name, i.deleted, i.isUpdate]), [['three', false, true], ['two', true, true]]);
  assert.deepEqual(nodel.items.map((i) => i.name), ['two', 'three']);
  assert.deepEqual([hist, nw, nodel].map((w) => w.items.length), [4, 2, 2]);
});

test('v3 os: seal makes the bucket read-only (10109); destroy removes it', T, async (t) => {
  const { os, name, stream, jsm } = await os3(t);
  const data = pattern(150_000, 2);
  await os.putBlob({ name: 'x' }, data);
  const st = await os.seal();
  assert.equal(st.sealed, true);
  assert.equal((await jsm.streams.info(stream)).config.sealed, true);
  assert.equal((await os.status()).sealed, true);
  await assert.rejects(os.putBlob({ name: 'y' }, enc('no')), (err) => err instanceof JetStreamApiError && err.code === 10109);
  await assert.rejects(os.delete('x'), (err) => err instanceof JetStreamApiError && err.code === 10109);
  assert.ok(bytesEqual(await os.getBlob('x'), data), 'still readable');
  assert.deepEqual((await os.list()).map((i) => i.name), ['x']);

  assert.equal(await os.destroy(), true);
  await assert.rejects(os.status(), /object store not found/);
  const objm = new Objm(await conn3(t));
  await assert.rejects(objm.open(name), /object store not found/);
  const seen = [];
  for await (const s of objm.list()) seen.push(s.bucket);
  assert.ok(!seen.includes(name));
  await assert.rejects(os.info('x'), (err) => err instanceof JetStreamApiError && err.code === 10059);
  // A new bucket of the same name starts empty.
  const again = await objm.create(name);
  assert.equal(await again.info('x'), null);
  assert.equal((await again.status()).size, 0);
});
