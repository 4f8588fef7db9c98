// nats.ws 1.30.3 in headless Chromium against the server's WebSocket listener
// (NATS_WS_URL, from run.sh: CONFORMANCE_SUITES=browser): the core and
// JetStream flows a web page uses, and a TCP client (nats 2.x) in Node on the
// other side to show both transports meet on the same subjects.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, StringCodec } from 'nats';
import { SERVER, TEST_TIMEOUT, uniq, within, collect } from '../helpers.mjs';
import { openBrowserPage } from './page.mjs';

const WS_URL = process.env.NATS_WS_URL;
const T = { timeout: TEST_TIMEOUT };
const sc = StringCodec();
let b;

before(async () => {
  if (!WS_URL) throw new Error('NATS_WS_URL is not set (run with CONFORMANCE_SUITES=browser tests/conformance/run.sh)');
  b = await openBrowserPage();
});
after(async () => {
  await b?.close();
});

async function tcpConn(t) {
  const nc = await within(connect({ servers: SERVER, reconnect: false, timeout: 3000 }), 5000, 'tcp connect');
  t.after(() => nc.close().catch(() => {}));
  return nc;
}

test('browser: connect over WebSocket and read the INFO', T, async () => {
  const info = await b.inPage(async ({ nats, wsUrl }) => {
    const nc = await nats.connect({ servers: wsUrl, reconnect: false });
    const i = nc.info;
    const rtt = await nc.rtt();
    await nc.close();
    return { proto: i.proto, headers: i.headers, max_payload: i.max_payload, id: i.server_id, rtt, ws: typeof WebSocket };
  }, WS_URL);
  assert.equal(info.ws, 'function', 'the page uses the browser\'s own WebSocket');
  assert.equal(info.proto, 1);
  assert.equal(info.headers, true);
  assert.equal(info.max_payload, 1048576);
  assert.ok(info.id.length > 0);
  assert.ok(info.rtt >= 0);
  assert.deepEqual(b.errors, []);
});

test('browser: wildcards, queue groups and headers', T, async () => {
  const root = uniq('bw');
  const got = await b.inPage(async ({ nats, wsUrl, arg: root }) => {
    const nc = await nats.connect({ servers: wsUrl, reconnect: false });
    const seen = { star: [], gt: [], q: 0, hdr: null };
    const star = nc.subscribe(`${root}.orders.*`, { callback: (_e, m) => seen.star.push(m.subject) });
    const gt = nc.subscribe(`${root}.orders.>`, { callback: (_e, m) => seen.gt.push(m.subject) });
    const q1 = nc.subscribe(`${root}.work`, { queue: 'w', callback: () => { seen.q++; } });
    const q2 = nc.subscribe(`${root}.work`, { queue: 'w', callback: () => { seen.q++; } });
    const hs = nc.subscribe(`${root}.hdr`, { max: 1, callback: (_e, m) => {
      seen.hdr = { a: m.headers.values('X-A'), b: m.headers.get('X-B'), data: new TextDecoder().decode(m.data) };
    } });
    await nc.flush();
    nc.publish(`${root}.orders.created`, 'c');
    nc.publish(`${root}.orders.payment.failed`, 'f');
    for (let i = 0; i < 20; i++) nc.publish(`${root}.work`, String(i));
    const h = nats.headers();
    h.append('X-A', '1'); h.append('X-A', '2'); h.set('X-B', 'b');
    nc.publish(`${root}.hdr`, 'with headers', { headers: h });
    await nc.flush();
    await new Promise((r) => setTimeout(r, 100));
    for (const s of [star, gt, q1, q2, hs]) s.unsubscribe();
    await nc.close();
    return seen;
  }, WS_URL, root);
  assert.deepEqual(got.star, [`${root}.orders.created`]);
  assert.deepEqual(got.gt, [`${root}.orders.created`, `${root}.orders.payment.failed`]);
  assert.equal(got.q, 20, 'each queue message to exactly one member');
  assert.deepEqual(got.hdr, { a: ['1', '2'], b: 'b', data: 'with headers' });
});

test('browser: request-reply and no responders', T, async () => {
  const subj = uniq('lookup');
  const got = await b.inPage(async ({ nats, wsUrl, arg: subj }) => {
    const nc = await nats.connect({ servers: wsUrl, reconnect: false });
    nc.subscribe(subj, { callback: (_e, m) => m.respond(`user:${new TextDecoder().decode(m.data)}`) });
    const r = await nc.request(subj, '42', { timeout: 2000 });
    let noResp = null;
    try { await nc.request(`${subj}.nobody`, '', { timeout: 2000 }); } catch (e) { noResp = e.code; }
    await nc.close();
    return { reply: new TextDecoder().decode(r.data), noResp };
  }, WS_URL, subj);
  assert.equal(got.reply, 'user:42');
  assert.equal(got.noResp, '503');
});

test('browser and TCP clients see each other\'s messages', T, async (t) => {
  const subj = uniq('mix');
  const nc = await tcpConn(t);
  const fromBrowser = collect(nc.subscribe(`${subj}.up`, { max: 3 }));
  nc.subscribe(`${subj}.echo`, { callback: (_e, m) => m.respond(m.data) });
  await nc.flush();
  const got = await b.inPage(async ({ nats, wsUrl, arg: subj }) => {
    const nc = await nats.connect({ servers: wsUrl, reconnect: false });
    for (let i = 0; i < 3; i++) nc.publish(`${subj}.up`, `m${i}`);
    const r = await nc.request(`${subj}.echo`, 'ping', { timeout: 2000 });
    await nc.close();
    return new TextDecoder().decode(r.data);
  }, WS_URL, subj);
  assert.equal(got, 'ping', 'a TCP responder answered a browser request');
  const msgs = await fromBrowser.wait(3);
  assert.deepEqual(msgs.map((m) => sc.decode(m.data)), ['m0', 'm1', 'm2']);
});

test('browser: a 512 KiB payload round trip', T, async () => {
  const subj = uniq('big');
  const ok = await b.inPage(async ({ nats, wsUrl, arg: subj }) => {
    const nc = await nats.connect({ servers: wsUrl, reconnect: false });
    const data = new Uint8Array(512 * 1024);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + 7) & 0xff;
    const got = new Promise((resolve) => nc.subscribe(subj, { max: 1, callback: (_e, m) => resolve(m.data) }));
    await nc.flush();
    nc.publish(subj, data);
    const back = await got;
    await nc.close();
    return back.length === data.length && back.every((v, i) => v === data[i]);
  }, WS_URL, subj);
  assert.equal(ok, true);
});

test('browser: JetStream stream, pull consumer, acks', T, async () => {
  const name = `BROWSER_${uniq('s').split('.')[1]}`;
  const got = await b.inPage(async ({ nats, wsUrl, arg: name }) => {
    const nc = await nats.connect({ servers: wsUrl, reconnect: false });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name, subjects: [`${name}.>`], storage: nats.StorageType.Memory });
    const js = nc.jetstream();
    const seqs = [];
    for (let i = 0; i < 5; i++) seqs.push((await js.publish(`${name}.orders`, `o${i}`)).seq);
    const dup = await js.publish(`${name}.orders`, 'again', { msgID: 'one' });
    const dup2 = await js.publish(`${name}.orders`, 'again', { msgID: 'one' });
    await jsm.consumers.add(name, { durable_name: 'pull', ack_policy: nats.AckPolicy.Explicit });
    const c = await js.consumers.get(name, 'pull');
    const iter = await c.fetch({ max_messages: 3, expires: 2000 });
    const data = [];
    // ackAck: wait for the server to confirm each ack (a plain ack is not
    // ordered with the consumer info request that follows, on nats-server).
    for await (const m of iter) { data.push(new TextDecoder().decode(m.data)); if (data.length < 3) await m.ackAck(); }
    const info = await c.info();
    const si = await jsm.streams.info(name);
    await jsm.streams.delete(name);
    await nc.close();
    return { seqs, dup: dup.duplicate, dup2: dup2.duplicate, data, ackPending: info.num_ack_pending,
      pending: info.num_pending, msgs: si.state.messages };
  }, WS_URL, name);
  assert.deepEqual(got.seqs, [1, 2, 3, 4, 5]);
  assert.equal(got.dup, false);
  assert.equal(got.dup2, true);
  assert.deepEqual(got.data, ['o0', 'o1', 'o2']);
  assert.equal(got.ackPending, 1, 'the third message is not acked');
  assert.equal(got.pending, 3);
  assert.equal(got.msgs, 6);
});

test('browser: KV put, get and watch', T, async () => {
  const bucket = `bkv_${uniq('k').split('.')[1]}`;
  const got = await b.inPage(async ({ nats, wsUrl, arg: bucket }) => {
    const nc = await nats.connect({ servers: wsUrl, reconnect: false });
    const js = nc.jetstream();
    const kv = await js.views.kv(bucket, { history: 5, storage: nats.StorageType.Memory });
    const seen = [];
    const w = await kv.watch();
    const watching = (async () => {
      for await (const e of w) {
        seen.push(`${e.key}=${e.operation === 'PUT' ? new TextDecoder().decode(e.value) : e.operation}@${e.revision}`);
        if (seen.length === 3) break;
      }
    })();
    await kv.put('config.theme', 'dark');
    await kv.put('config.theme', 'light');
    await kv.delete('config.theme');
    await watching;
    const hist = [];
    for await (const e of await kv.history({ key: 'config.theme' })) hist.push(e.operation);
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(`KV_${bucket}`);
    await nc.close();
    return { seen, hist };
  }, WS_URL, bucket);
  assert.deepEqual(got.seen, ['config.theme=dark@1', 'config.theme=light@2', 'config.theme=DEL@3']);
  assert.deepEqual(got.hist, ['PUT', 'PUT', 'DEL']);
  assert.deepEqual(b.errors, []);
});
