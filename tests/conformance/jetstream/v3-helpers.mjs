// Helpers for the JetStream tests written with the v3 clients:
// @nats-io/transport-node (connect) and @nats-io/jetstream (jetstream(),
// jetstreamManager()), both pinned at 3.4.0 in ../package.json.
import { connect, headers } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { SERVER, TEST_TIMEOUT, within, sleep, until } from '../helpers.mjs';
import { uname, subj } from './helpers.mjs';

export { SERVER, within, sleep, until, uname, subj };

/** node:test options for every test. */
export const T = { timeout: TEST_TIMEOUT };

export const enc = (s) => new TextEncoder().encode(s);

/** Connect with the v3 client; closed when the test ends. */
export async function conn3(t, opts = {}) {
  const nc = await within(connect({ servers: SERVER, reconnect: false, timeout: 3000, ...opts }), 5000, 'connect');
  t.after(() => (nc.isClosed() ? undefined : nc.close().catch(() => {})));
  return nc;
}

/** Headers from a plain object. */
export function hdrs(obj) {
  const h = headers();
  for (const [k, v] of Object.entries(obj)) h.set(k, String(v));
  return h;
}

/**
 * A connection, a manager and a client, and a stream created through the
 * manager on `<name lower>.>` (plus `extra` config), deleted when the test ends.
 */
export async function setup(t, extra = {}) {
  const nc = await conn3(t);
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const name = extra.name ?? uname();
  const s = subj(name);
  const si = await jsm.streams.add({ subjects: [`${s}.>`], ...extra, name });
  t.after(async () => {
    // A separate connection: the test's own may be closed by then.
    const c = await connect({ servers: SERVER, reconnect: false, timeout: 3000 }).catch(() => null);
    if (!c) return;
    try {
      const m = await jetstreamManager(c);
      await m.streams.delete(name);
    } catch { /* cleanup only */ }
    await c.close().catch(() => {});
  });
  return { nc, jsm, js, name, s, si };
}

/** Publish `n` messages `<prefix><i>` (1-based) to `subjectOf(i)` and wait for each PubAck. */
export async function publishN(js, n, subjectOf, prefix = 'm') {
  const acks = [];
  for (let i = 1; i <= n; i++) acks.push(await js.publish(subjectOf(i), enc(`${prefix}${i}`)));
  return acks;
}

/** Drain a fetch() iterator into an array of `[seq, data]` (after `each(m)`). */
export async function drain(iter, each = () => {}) {
  const out = [];
  for await (const m of iter) {
    out.push(m);
    await each(m);
  }
  return out;
}
