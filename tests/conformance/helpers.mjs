// Shared helpers for the conformance tests: server address, unique subjects,
// bounded waits and a message collector that works with any async-iterable
// subscription (nats 2.x and @nats-io/transport-node 3.x alike).
import { randomBytes } from 'node:crypto';

export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const url = new URL(NATS_URL);
export const HOST = url.hostname;
export const PORT = Number(url.port || 4222);
/** `host:port`, as both clients accept it in `servers`. */
export const SERVER = `${HOST}:${PORT}`;
/**
 * The server the clients report (`nc.getServer()`): SERVER, or the WebSocket
 * listener's host:port when CONFORMANCE_TRANSPORT=ws (see transport/).
 */
export const CLIENT_SERVER = process.env.CONFORMANCE_TRANSPORT === 'ws' && process.env.NATS_WS_URL
  ? new URL(process.env.NATS_WS_URL).host : SERVER;

/** Per-test timeout handed to node:test (ms). Every wait below is shorter. */
export const TEST_TIMEOUT = 30_000;

/** A random subject prefix, so no two tests (or runs) share a subject. */
export function uniq(name = 't') {
  return `conf.${randomBytes(6).toString('hex')}.${name}`;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolve with `p`, or reject after `ms` with a message naming `what`. */
export async function within(p, ms, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms}ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

/** Poll `pred` until true or fail after `ms`. */
export async function until(pred, ms, what) {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms}ms: ${what}`);
    await sleep(5);
  }
}

/**
 * Drains an async-iterable subscription in the background into `msgs`.
 * `wait(n, ms)` resolves once at least n messages arrived; `ended` resolves
 * when the iterator finishes (unsubscribe / auto-unsubscribe / close).
 */
export function collect(sub) {
  const c = { msgs: [], done: false, error: null };
  c.ended = (async () => {
    try {
      for await (const m of sub) c.msgs.push(m);
    } catch (err) {
      c.error = err;
    } finally {
      c.done = true;
    }
  })();
  c.wait = (n, ms = 5000) => until(() => c.msgs.length >= n || c.error, ms,
    `${n} messages on ${sub.getSubject?.() ?? 'subscription'} (got ${c.msgs.length})`)
    .then(() => { if (c.error) throw c.error; return c.msgs; });
  return c;
}

/** Deterministic payload bytes of a given size (pattern, not all zeros). */
export function pattern(size, seed = 7) {
  const b = new Uint8Array(size);
  let x = seed >>> 0;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

export function bytesEqual(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const te = new TextEncoder();
const td = new TextDecoder();
export const enc = (s) => te.encode(s);
export const dec = (b) => td.decode(b);
