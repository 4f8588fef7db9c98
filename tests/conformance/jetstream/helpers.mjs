// Shared helpers for the JetStream conformance tests: a v2 (`nats` 2.29.3)
// connection per test, raw JSON API requests, unique stream names with
// cleanup, raw-protocol clients and a private server for tests that need an
// account to themselves.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, headers as natsHeaders, createInbox } from 'nats';
import { SERVER, TEST_TIMEOUT, within, sleep, until, enc, dec } from '../helpers.mjs';
import { Raw } from '../raw.mjs';

export { SERVER, TEST_TIMEOUT, within, sleep, until, enc, dec, Raw, createInbox };

/** node:test options for every test. */
export const T = { timeout: TEST_TIMEOUT };

/** Nanoseconds, as the API wants durations. */
export const NS = { ms: 1_000_000, s: 1_000_000_000 };

/** The zero Go time, as JetStream prints an unset timestamp. */
export const ZERO_TS = '0001-01-01T00:00:00Z';

/** RFC 3339 UTC with up to 9 fractional digits (Go's RFC3339Nano, trailing zeros trimmed). */
export const TS_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;

/**
 * A fresh name for a stream (or consumer): `PREFIX_<12 hex>`, upper case.
 * `subj(name)` gives the matching lower-case subject prefix.
 */
export function uname(prefix = 'S') {
  return `${prefix}_${randomBytes(6).toString('hex').toUpperCase()}`;
}
export const subj = (name) => name.toLowerCase();

/** Connect with the v2 client; closed when the test ends. */
export async function conn(t, opts = {}) {
  const nc = await within(connect({ servers: SERVER, reconnect: false, timeout: 3000, ...opts }), 5000, 'connect');
  t.after(() => (nc.isClosed() ? undefined : nc.close().catch(() => {})));
  return nc;
}

/** Headers from a plain object. */
export function hdrs(obj) {
  const h = natsHeaders();
  for (const [k, v] of Object.entries(obj)) h.set(k, String(v));
  return h;
}

function body(b) {
  if (b === undefined) return new Uint8Array();
  if (b instanceof Uint8Array) return b;
  return enc(typeof b === 'string' ? b : JSON.stringify(b));
}

/** Request `subject` and return the reply payload as text. */
export async function requestText(nc, subject, b, opts = {}) {
  const m = await nc.request(subject, body(b), { timeout: 3000, ...opts });
  return dec(m.data);
}

/** A JetStream API request: `b` is an object (sent as JSON), a string (sent as is) or undefined (empty). */
export async function api(nc, subject, b, opts = {}) {
  const text = await requestText(nc, subject, b, opts);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`reply to ${subject} is not JSON: ${JSON.stringify(text)}`);
  }
}

/** Assert-free check that a reply carries no error; throws with the reply otherwise. */
export function ok(reply, what = 'request') {
  if (reply.error) throw new Error(`${what} failed: ${JSON.stringify(reply.error)}`);
  return reply;
}

/** Delete stream `name`, ignoring any error (cleanup). */
export async function deleteStream(nc, name) {
  try {
    await api(nc, `$JS.API.STREAM.DELETE.${name}`);
  } catch { /* cleanup only */ }
}

/**
 * Create a stream (defaults: fresh name, subjects `<name lower>.>`), fail if
 * the server refuses, and delete it when the test ends. Returns the create reply.
 */
export async function addStream(t, nc, cfg = {}) {
  const name = cfg.name ?? uname();
  const config = { subjects: [`${subj(name)}.>`], ...cfg, name };
  const r = ok(await api(nc, `$JS.API.STREAM.CREATE.${name}`, config), `create stream ${name}`);
  t.after(async () => {
    // A separate connection: the test's own may already be closed.
    const c = await connect({ servers: SERVER, reconnect: false, timeout: 3000 }).catch(() => null);
    if (!c) return;
    await deleteStream(c, name);
    await c.close().catch(() => {});
  });
  return r;
}

/** Create a consumer with the 2.9 subject form `CONSUMER.CREATE.<stream>.<name>` (durable) or the ephemeral form. */
export async function addConsumer(nc, stream, config) {
  const name = config.durable_name ?? config.name;
  const s = name ? `$JS.API.CONSUMER.CREATE.${stream}.${name}` : `$JS.API.CONSUMER.CREATE.${stream}`;
  return ok(await api(nc, s, { stream_name: stream, config }), `create consumer on ${stream}`);
}

export async function streamInfo(nc, stream, req) {
  return ok(await api(nc, `$JS.API.STREAM.INFO.${stream}`, req), `stream info ${stream}`);
}

export async function consumerInfo(nc, stream, consumer) {
  return ok(await api(nc, `$JS.API.CONSUMER.INFO.${stream}.${consumer}`), `consumer info ${stream} > ${consumer}`);
}

/** The counters of a consumer info that tests compare after each step. */
export function counters(ci) {
  return {
    delivered: { consumer_seq: ci.delivered.consumer_seq, stream_seq: ci.delivered.stream_seq },
    ack_floor: { consumer_seq: ci.ack_floor.consumer_seq, stream_seq: ci.ack_floor.stream_seq },
    num_ack_pending: ci.num_ack_pending,
    num_redelivered: ci.num_redelivered,
    num_waiting: ci.num_waiting,
    num_pending: ci.num_pending,
  };
}

/** Publish with a reply and return the PubAck as text (exactly what the server sent). */
export async function publishText(nc, subject, data = '', h) {
  return requestText(nc, subject, data, h ? { headers: h } : {});
}

/** Publish with a reply and return the parsed PubAck. */
export async function publish(nc, subject, data = '', h) {
  return JSON.parse(await publishText(nc, subject, data, h));
}

/** Publish `n` messages (or the listed subjects) and wait for each PubAck. */
export async function publishMany(nc, subjects, data = (i) => `m${i + 1}`) {
  const acks = [];
  for (let i = 0; i < subjects.length; i++) acks.push(ok(await publish(nc, subjects[i], data(i)), `publish ${subjects[i]}`));
  return acks;
}

/** A raw protocol client (headers + no_responders), closed when the test ends. */
export async function rawConn(t, opts = {}) {
  const c = await Raw.open({ headers: true, no_responders: true, ...opts });
  t.after(() => c.close());
  return c;
}

/** PUB with an optional reply subject on a raw connection. */
export function rawPub(c, subject, payload = '', reply) {
  const b = Buffer.from(payload, 'latin1');
  c.send(`PUB ${subject}${reply ? ` ${reply}` : ''} ${b.length}\r\n${payload}\r\n`);
}

/**
 * A MSG/HMSG control line with runs of spaces collapsed. nats-server 2.9.10
 * writes messages that JetStream sends without a reply subject (status
 * messages, direct get replies, advisories) as `HMSG subj sid  hdr total`
 * (two spaces: an empty reply field). Clients split on whitespace, so the
 * tests accept either form and compare the collapsed line.
 */
export const norm = (line) => line.replace(/ +/g, ' ');

/** Parse a `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>` reply subject. */
export function parseAck(reply) {
  const p = reply.split('.');
  if (p.length !== 9 || p[0] !== '$JS' || p[1] !== 'ACK') throw new Error(`not an ack subject: ${reply}`);
  return {
    stream: p[2], consumer: p[3], delivered: Number(p[4]), sseq: Number(p[5]), cseq: Number(p[6]),
    ts: p[7], pending: Number(p[8]),
  };
}

/**
 * Send one pull request (MSG.NEXT) from a raw connection subscribed to
 * `inbox` and read `n` messages (MSG or HMSG) in order.
 */
export function rawNext(c, stream, consumer, req, inbox) {
  rawPub(c, `$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`, typeof req === 'string' ? req : JSON.stringify(req), inbox);
}

export async function readMsgs(c, n, timeout = 3000) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await c.readMsg(timeout));
  return out;
}

/** Expect no MSG/HMSG within `ms` (the PONG of a sync after the wait must be the first thing). */
export async function expectNoMsg(c, ms) {
  await sleep(ms);
  const before = await c.sync();
  if (before !== '') throw new Error(`unexpected input: ${JSON.stringify(before.slice(0, 300))}`);
}

/**
 * Pull `batch` messages through the v2 client with a plain subscription on a
 * fresh inbox (JetStream delivers under the stream subject, so the client's
 * muxed request() cannot be used). Returns the messages received before
 * `count` arrived or `ms` passed.
 */
export async function pull(nc, stream, consumer, req, count, ms = 3000) {
  const inbox = createInbox();
  const sub = nc.subscribe(inbox, { max: count });
  const msgs = [];
  const done = (async () => { for await (const m of sub) msgs.push(m); })();
  nc.publish(`$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`, body(typeof req === 'number' ? String(req) : req), { reply: inbox });
  await within(done, ms, `${count} messages from ${stream} > ${consumer} (got ${msgs.length})`).finally(() => sub.unsubscribe());
  return msgs;
}

/** Poll the async `fn` every `every` ms until it returns a truthy value (returned), failing after `ms`. */
export async function eventually(fn, ms, what, every = 50) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms}ms: ${what}`);
    await sleep(every);
  }
}

/** Subscribe to a subject and collect messages in the background (v2 client). */
export function collectSub(nc, subject, opts) {
  const sub = nc.subscribe(subject, opts);
  const c = { sub, msgs: [] };
  c.ended = (async () => { for await (const m of sub) c.msgs.push(m); })();
  c.wait = (n, ms = 5000) => until(() => c.msgs.length >= n, ms, `${n} messages on ${subject} (got ${c.msgs.length})`).then(() => c.msgs);
  return c;
}

async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * Start a private JetStream server (NATS_SERVER_BIN, the binary under test)
 * with its own store dir; stopped and removed when the test ends. For tests
 * that assert account-wide numbers (stream counts, API totals).
 */
export async function privateServer(t, extra = []) {
  const bin = process.env.NATS_SERVER_BIN;
  if (!bin) throw new Error('NATS_SERVER_BIN is not set (run through tests/conformance/run.sh)');
  const dir = mkdtempSync(path.join(tmpdir(), 'natrium-js-'));
  const port = await freePort();
  const proc = spawn(bin, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', path.join(dir, 'store'), ...extra],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout.on('data', (d) => { log += d; });
  proc.stderr.on('data', (d) => { log += d; });
  t.after(async () => {
    if (proc.exitCode === null) {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await new Promise((r) => proc.once('exit', r));
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${bin} exited during startup:\n${log}`);
    try {
      const c = await Raw.connect({ port, timeout: 500 });
      c.close();
      return { port, url: `127.0.0.1:${port}`, log: () => log };
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`${bin} not ready within 10s:\n${log}`);
    await sleep(50);
  }
}
