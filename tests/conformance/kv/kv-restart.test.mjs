// File-backed KV and object store buckets survive a server restart (a private
// server of the binary under test, NATS_SERVER_BIN, with its own store dir):
// values, revisions, history, deletes, bucket config, and the next revision
// continues where it stopped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as connect2 } from 'nats';
import { connect as connect3 } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import { ownServer, bname, enc, dec, row, drainAll, collectIter, pattern, bytesEqual, objDigest, within } from './helpers.mjs';

const SLOW = { timeout: 60_000 };

test('restart: a file KV bucket keeps values, revisions, history and config (v2 and v3 clients)', SLOW, async (t) => {
  const srv = await ownServer(t);
  const name = bname();
  {
    const nc = await connect3({ servers: srv.url, reconnect: false });
    const kv = await new Kvm(nc).create(name, { history: 3, description: 'durable', maxValueSize: 64 });
    await kv.put('a', 'a1');
    await kv.put('a', 'a2');
    await kv.put('b', 'b1');
    await kv.delete('b');
    await kv.put('c.d', 'cd');
    await nc.close();
  }
  await srv.stop();
  await srv.start();

  const nc = await within(connect3({ servers: srv.url, reconnect: false }), 5000, 'connect after restart');
  t.after(() => nc.close().catch(() => {}));
  const kv = await new Kvm(nc).open(name);
  const st = await kv.status();
  assert.deepEqual([st.values, st.history, st.description, st.maxValueSize, st.storage], [5, 3, 'durable', 64, 'file']);
  assert.deepEqual(row(await kv.get('a')), ['a', 'PUT', 2, 'a2']);
  assert.deepEqual(row(await kv.get('a', { revision: 1 })), ['a', 'PUT', 1, 'a1']);
  assert.equal((await kv.get('b')).operation, 'DEL');
  assert.deepEqual((await drainAll(await kv.keys(), 5000, 'keys')).sort(), ['a', 'c.d']);
  assert.equal(await kv.put('a', 'a3'), 6, 'revisions continue');
  await assert.rejects(kv.update('a', 'x', 2), (err) => err.code === 10071);
  assert.equal(await kv.create('b', 'b2'), 7);

  const w = collectIter(await kv.watch(), 'watch after restart');
  await w.wait(3);
  assert.deepEqual(w.items.map((e) => [e.key, e.revision]), [['c.d', 5], ['a', 6], ['b', 7]]);

  const nc2 = await connect2({ servers: srv.url, reconnect: false });
  t.after(() => nc2.close().catch(() => {}));
  const kv2 = await nc2.jetstream().views.kv(name);
  assert.equal(dec((await kv2.get('b')).value), 'b2');
  const hist = await drainAll(await kv2.history({ key: 'a' }), 5000, 'history a');
  assert.deepEqual(hist.map((e) => [e.revision, dec(e.value)]), [[1, 'a1'], [2, 'a2'], [6, 'a3']]);
  await kv2.put('c.d', enc('live'));
  await w.wait(4);
  assert.deepEqual([w.items[3].key, w.items[3].revision], ['c.d', 8]);
});

test('restart: a file object store keeps a multi-chunk object and its digest', SLOW, async (t) => {
  const srv = await ownServer(t);
  const name = bname('os');
  const data = pattern(1_500_000, 77);
  {
    const nc = await connect3({ servers: srv.url, reconnect: false });
    const os = await new Objm(nc).create(name);
    await os.putBlob({ name: 'blob' }, data);
    await os.putBlob({ name: 'tmp' }, enc('x'));
    await os.delete('tmp');
    await nc.close();
  }
  await srv.stop();
  await srv.start();
  const nc = await within(connect3({ servers: srv.url, reconnect: false }), 5000, 'connect after restart');
  t.after(() => nc.close().catch(() => {}));
  const os = await new Objm(nc).open(name);
  const info = await os.info('blob');
  assert.deepEqual([info.size, info.chunks, info.digest, info.deleted], [1_500_000, 12, objDigest(data), false]);
  assert.ok(bytesEqual(await os.getBlob('blob'), data));
  assert.equal((await os.info('tmp')).deleted, true);
  assert.deepEqual((await os.list()).map((i) => i.name), ['blob']);
});
