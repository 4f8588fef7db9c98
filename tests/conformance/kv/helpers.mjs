// Shared helpers for the Key-Value / Object store conformance tests: a
// connection per test for each client flavour (`nats` 2.29.3 and the v3
// clients @nats-io/transport-node + @nats-io/kv + @nats-io/obj 3.4.0), random
// bucket names, buckets destroyed when the test ends (through a connection of
// their own), and a background collector for watch iterators.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect as connect2 } from 'nats';
import { connect as connect3 } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import { SERVER, TEST_TIMEOUT, within, sleep, until, enc, dec, pattern, bytesEqual } from '../helpers.mjs';

export { SERVER, within, sleep, until, enc, dec, pattern, bytesEqual };

/** node:test options for every test. */
export const T = { timeout: TEST_TIMEOUT };

/** A fresh bucket name `<prefix>_<12 hex>` (bucket names allow only letters, digits, `_` and `-`). */
export function bname(prefix = 'kv') {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** Connect with the v2 client (`nats` 2.29.3); closed when the test ends. */
export async function conn2(t, opts = {}) {
  const nc = await within(connect2({ servers: SERVER, reconnect: false, timeout: 3000, ...opts }), 5000, 'connect (v2)');
  t.after(() => (nc.isClosed() ? undefined : nc.close().catch(() => {})));
  return nc;
}

/** Connect with the v3 client (@nats-io/transport-node 3.4.0); closed when the test ends. */
export async function conn3(t, opts = {}) {
  const nc = await within(connect3({ servers: SERVER, reconnect: false, timeout: 3000, ...opts }), 5000, 'connect (v3)');
  t.after(() => (nc.isClosed() ? undefined : nc.close().catch(() => {})));
  return nc;
}

/** Delete stream `stream` when the test ends, from a connection of its own (ignores errors: cleanup only). */
export function dropAfter(t, stream) {
  t.after(async () => {
    const c = await connect3({ servers: SERVER, reconnect: false, timeout: 3000 }).catch(() => null);
    if (!c) return;
    try {
      const m = await jetstreamManager(c);
      await m.streams.delete(stream);
    } catch { /* already gone */ }
    await c.close().catch(() => {});
  });
}

/** v2: a connection, its JetStream client / manager and a KV bucket `js.views.kv(name, opts)`. */
export async function kv2(t, opts = {}, name = bname()) {
  const nc = await conn2(t);
  const js = nc.jetstream();
  const jsm = await nc.jetstreamManager();
  dropAfter(t, `KV_${name}`);
  const kv = await js.views.kv(name, opts);
  return { nc, js, jsm, kv, name, stream: `KV_${name}` };
}

/** v3: a connection, a manager, `new Kvm(nc)` and a bucket `kvm.create(name, opts)`. */
export async function kv3(t, opts = {}, name = bname()) {
  const nc = await conn3(t);
  const jsm = await jetstreamManager(nc);
  const kvm = new Kvm(nc);
  dropAfter(t, `KV_${name}`);
  const kv = await kvm.create(name, opts);
  return { nc, jsm, kvm, kv, name, stream: `KV_${name}` };
}

/** v2: an object store `js.views.os(name, opts)`. */
export async function os2(t, opts = {}, name = bname('os')) {
  const nc = await conn2(t);
  const js = nc.jetstream();
  const jsm = await nc.jetstreamManager();
  dropAfter(t, `OBJ_${name}`);
  const os = await js.views.os(name, opts);
  return { nc, js, jsm, os, name, stream: `OBJ_${name}` };
}

/** v3: `new Objm(nc)` and an object store `objm.create(name, opts)`. */
export async function os3(t, opts = {}, name = bname('os')) {
  const nc = await conn3(t);
  const jsm = await jetstreamManager(nc);
  const objm = new Objm(nc);
  dropAfter(t, `OBJ_${name}`);
  const os = await objm.create(name, opts);
  return { nc, jsm, js: jetstream(nc), objm, os, name, stream: `OBJ_${name}` };
}

/**
 * Drain an async iterator (watch, keys, history) in the background into
 * `items`. `wait(n, ms)` resolves once at least n items arrived; `ended`
 * resolves when the iterator finishes (its error, if any, in `error`).
 */
export function collectIter(iter, what = 'iterator') {
  const c = { items: [], error: null, done: false };
  c.ended = (async () => {
    try {
      for await (const x of iter) c.items.push(x);
    } catch (err) {
      c.error = err;
    } finally {
      c.done = true;
    }
  })();
  c.wait = (n, ms = 5000) => until(() => c.items.length >= n || c.error || c.done, ms,
    `${n} items from ${what} (got ${c.items.length})`)
    .then(() => {
      if (c.error) throw c.error;
      if (c.items.length < n) throw new Error(`${what} ended after ${c.items.length} of ${n} items`);
      return c.items;
    });
  return c;
}

/** Everything an iterator yields until it ends by itself (keys(), history()), bounded by `ms`. */
export async function drainAll(iter, ms = 5000, what = 'iterator') {
  const out = [];
  await within((async () => { for await (const x of iter) out.push(x); })(), ms, `${what} to end (got ${out.length})`);
  return out;
}

/** Poll the async `fn` every `every` ms until it returns a truthy value (returned), failing after `ms`. */
export async function eventually(fn, ms, what, every = 50) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms}ms: ${what}`);
    await sleep(every);
  }
}

/** `[key, operation, revision, value text]` of a KV entry, for deepEqual. */
export const row = (e) => [e.key, e.operation, e.revision, dec(e.value)];

/** The object store digest the clients write: `SHA-256=` + base64url (padded) of the SHA-256. */
export function objDigest(bytes) {
  const b64 = createHash('sha256').update(bytes).digest('base64');
  return `SHA-256=${b64.replace(/\+/g, '-').replace(/\//g, '_')}`;
}

/** A ReadableStream over `bytes` in pieces of `piece` bytes (what `os.put` reads). */
export function streamOf(bytes, piece = 64 * 1024) {
  let off = 0;
  return new ReadableStream({
    pull(c) {
      if (off >= bytes.length) {
        c.close();
        return;
      }
      c.enqueue(bytes.slice(off, off + piece));
      off += piece;
    },
  });
}

/** Insert `n` keys `key(i)` → `value(i)` concurrently, `batch` puts in flight at a time. */
export async function putMany(kv, n, key, value, batch = 500) {
  for (let i = 0; i < n; i += batch) {
    const ps = [];
    for (let j = i; j < Math.min(n, i + batch); j++) ps.push(kv.put(key(j), value(j)));
    await Promise.all(ps);
  }
}

async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * A private JetStream server (NATS_SERVER_BIN, the binary under test) with a
 * store dir of its own that survives `restart()`: `stop()` sends TERM (KILL
 * after 5 s) and waits for the exit, `start()` starts it again on the same
 * port and store dir. Stopped and removed when the test ends.
 */
export async function ownServer(t) {
  const bin = process.env.NATS_SERVER_BIN;
  if (!bin) throw new Error('NATS_SERVER_BIN is not set (run through tests/conformance/run.sh)');
  const dir = mkdtempSync(path.join(tmpdir(), 'natrium-kv-'));
  const port = await freePort();
  let proc = null;
  let log = '';
  const s = {
    url: `127.0.0.1:${port}`,
    log: () => log,
    async start() {
      proc = spawn(bin, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', path.join(dir, 'store')],
        { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      proc.stdout.on('data', (d) => { log += d; });
      proc.stderr.on('data', (d) => { log += d; });
      const deadline = Date.now() + 10_000;
      for (;;) {
        if (proc.exitCode !== null) throw new Error(`${bin} exited during startup:\n${log}`);
        const ok = await new Promise((resolve) => {
          const c = net.connect(port, '127.0.0.1');
          c.once('data', (d) => { c.destroy(); resolve(d.toString('latin1').startsWith('INFO ')); });
          c.once('error', () => resolve(false));
          c.setTimeout(500, () => { c.destroy(); resolve(false); });
        });
        if (ok) return;
        if (Date.now() > deadline) throw new Error(`${bin} not ready within 10s:\n${log}`);
        await sleep(50);
      }
    },
    async stop() {
      if (!proc || proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  t.after(async () => {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  await s.start();
  return s;
}

/**
 * The KV_<b> stream config both client generations create for a bucket. The
 * clients send no duplicate_window: the server takes max_age when it is under
 * 2 minutes.
 */
export function assertKvStream(c, { stream, name, description, history, maxBytes, maxValue, ttlMs, storage }) {
  const NS = 1_000_000;
  assert.equal(c.name, stream);
  assert.deepEqual(c.subjects, [`$KV.${name}.>`]);
  assert.equal(c.description, description);
  assert.equal(c.retention, 'limits');
  assert.equal(c.max_msgs_per_subject, history);
  assert.equal(c.max_bytes, maxBytes);
  assert.equal(c.max_msg_size, maxValue);
  assert.equal(c.max_age, ttlMs * NS);
  assert.equal(c.storage, storage);
  assert.equal(c.num_replicas, 1);
  assert.equal(c.discard, 'new');
  assert.equal(c.allow_rollup_hdrs, true);
  assert.equal(c.allow_direct, true);
  assert.equal(c.deny_delete, false);
  assert.equal(c.deny_purge, false);
  assert.equal(c.duplicate_window, ttlMs * NS);
}
