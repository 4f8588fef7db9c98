// NATS over WebSocket with the real WebSocket clients: nats.ws 1.30.3 (and
// @nats-io/nats-core 3.x's wsconnect) against the suite's server
// (NATS_WS_URL, CONFORMANCE_SUITES=websocket), with a TCP client (nats 2.x) on
// the other side where the test is about both transports meeting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as wsConnect, headers, StringCodec } from 'nats.ws';
import { connect as tcpConnect } from 'nats';
import { wsconnect } from '@nats-io/nats-core';
import { SERVER, TEST_TIMEOUT, uniq, within, collect, bytesEqual } from '../helpers.mjs';
import { WS_URL, startServer, stopServer } from './ws-util.mjs';

const T = { timeout: TEST_TIMEOUT };
const sc = StringCodec();

async function ws(t, url = WS_URL, opts = {}) {
  assert.ok(url, 'NATS_WS_URL is set (CONFORMANCE_SUITES=websocket tests/conformance/run.sh)');
  const nc = await within(wsConnect({ servers: url, reconnect: false, timeout: 3000, ...opts }), 5000, `ws connect ${url}`);
  t.after(() => (nc.isClosed() ? undefined : nc.close().catch(() => {})));
  return nc;
}

async function tcp(t, servers = SERVER) {
  const nc = await within(tcpConnect({ servers, reconnect: false, timeout: 3000 }), 5000, 'tcp connect');
  t.after(() => (nc.isClosed() ? undefined : nc.close().catch(() => {})));
  return nc;
}

/** `n` bytes of a repeating, position-dependent pattern. */
function payload(n, seed = 7) {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed + (i >> 10)) & 0xff;
  return b;
}

test('nats.ws: connect; INFO as over TCP', T, async (t) => {
  const nc = await ws(t);
  const info = nc.info;
  assert.equal(info.proto, 1);
  assert.equal(info.headers, true);
  assert.equal(info.max_payload, 1048576);
  assert.equal(typeof info.client_id, 'number');
  const other = await tcp(t);
  assert.equal(info.server_id, other.info.server_id, 'the same server behind both listeners');
  assert.ok(await nc.rtt() >= 0);
});

test('nats.ws: publish and subscribe (wildcards, reply subjects, empty payload)', T, async (t) => {
  const p = uniq('ps');
  const sub = await ws(t);
  const pub = await ws(t);
  const c = collect(sub.subscribe(`${p}.*`));
  await sub.flush();
  pub.publish(`${p}.a`, sc.encode('one'));
  pub.publish(`${p}.b`, sc.encode('two'), { reply: `${p}.r` });
  pub.publish(`${p}.c`);
  pub.publish(`${p}.a.deeper`, sc.encode('not matched'));
  const msgs = await c.wait(3);
  assert.deepEqual(msgs.map((m) => m.subject), [`${p}.a`, `${p}.b`, `${p}.c`]);
  assert.equal(sc.decode(msgs[0].data), 'one');
  assert.equal(msgs[1].reply, `${p}.r`);
  assert.equal(msgs[2].data.length, 0);
  await pub.flush();
  await sub.flush();
  assert.equal(c.msgs.length, 3);
});

test('nats.ws: request-reply and no responders', T, async (t) => {
  const subj = uniq('rr');
  const svc = await ws(t);
  const cli = await ws(t);
  svc.subscribe(subj, { callback: (_e, m) => m.respond(sc.encode(`re:${sc.decode(m.data)}`)) });
  await svc.flush();
  const r = await cli.request(subj, sc.encode('ping'), { timeout: 3000 });
  assert.equal(sc.decode(r.data), 're:ping');
  await assert.rejects(cli.request(uniq('nobody'), sc.encode('x'), { timeout: 3000 }), /503|no responders/i);
});

test('nats.ws: headers round trip (multi-value, status-free)', T, async (t) => {
  const subj = uniq('hdr');
  const nc = await ws(t);
  const c = collect(nc.subscribe(subj));
  await nc.flush();
  const h = headers();
  h.set('X-One', 'a');
  h.append('X-Multi', '1');
  h.append('X-Multi', '2');
  nc.publish(subj, sc.encode('body'), { headers: h });
  const [m] = await c.wait(1);
  assert.equal(m.headers.get('X-One'), 'a');
  assert.deepEqual(m.headers.values('X-Multi'), ['1', '2']);
  assert.equal(sc.decode(m.data), 'body');
});

test('nats.ws: a 1 MiB payload (max_payload) both ways, and one byte more is refused', T, async (t) => {
  const subj = uniq('big');
  const a = await ws(t);
  const b = await ws(t);
  const c = collect(b.subscribe(subj));
  await b.flush();
  const big = payload(1024 * 1024);
  a.publish(subj, big);
  const [m] = await c.wait(1, 10_000);
  assert.equal(m.data.length, big.length);
  assert.ok(bytesEqual(m.data, big), 'payload intact');
  assert.throws(() => a.publish(subj, payload(1024 * 1024 + 1)), /MAX_PAYLOAD|max_payload|payload/i);
});

test('WebSocket and TCP clients see each other\'s messages (pub/sub and request-reply)', T, async (t) => {
  const p = uniq('mix');
  const w = await ws(t);
  const n = await tcp(t);
  const fromTcp = collect(w.subscribe(`${p}.to-ws`));
  const fromWs = collect(n.subscribe(`${p}.to-tcp`));
  await w.flush();
  await n.flush();
  const big = payload(200_000, 3);
  n.publish(`${p}.to-ws`, big);
  w.publish(`${p}.to-tcp`, sc.encode('hi tcp'));
  const [m1] = await fromTcp.wait(1);
  const [m2] = await fromWs.wait(1);
  assert.ok(bytesEqual(m1.data, big));
  assert.equal(sc.decode(m2.data), 'hi tcp');
  n.subscribe(`${p}.svc`, { callback: (_e, m) => m.respond(sc.encode('from tcp')) });
  await n.flush();
  const r = await w.request(`${p}.svc`, sc.encode('?'), { timeout: 3000 });
  assert.equal(sc.decode(r.data), 'from tcp');
});

test('nats.ws: many messages in a burst arrive complete and in order', T, async (t) => {
  const subj = uniq('burst');
  const sub = await ws(t);
  const pub = await tcp(t);
  const c = collect(sub.subscribe(subj));
  await sub.flush();
  for (let i = 0; i < 5000; i++) pub.publish(subj, sc.encode(`m${i}`));
  await pub.flush();
  const msgs = await c.wait(5000, 15_000);
  for (let i = 0; i < 5000; i++) assert.equal(sc.decode(msgs[i].data), `m${i}`);
});

test('@nats-io/nats-core 3.x wsconnect: pub/sub and request-reply', T, async (t) => {
  const subj = uniq('v3');
  const nc = await within(wsconnect({ servers: WS_URL, reconnect: false, timeout: 3000 }), 5000, 'wsconnect');
  t.after(() => nc.close().catch(() => {}));
  const c = collect(nc.subscribe(subj));
  nc.subscribe(`${subj}.svc`, { callback: (_e, m) => m.respond(`ok:${m.string()}`) });
  await nc.flush();
  nc.publish(subj, 'v3 hello');
  const [m] = await c.wait(1);
  assert.equal(m.string(), 'v3 hello');
  const r = await nc.request(`${subj}.svc`, 'q', { timeout: 3000 });
  assert.equal(r.string(), 'ok:q');
});

test('nats.ws: JetStream publish and consume over WebSocket (own server with -js)', T, async (t) => {
  const s = await startServer({ args: ['-js', '-sd', 'js'] });
  t.after(() => stopServer(s));
  const nc = await ws(t, s.wsUrl);
  const jsm = await nc.jetstreamManager();
  const name = `WS${Date.now()}`;
  await jsm.streams.add({ name, subjects: [`${name}.>`] });
  const js = nc.jetstream();
  const acks = [];
  for (let i = 0; i < 10; i++) acks.push(await js.publish(`${name}.m`, sc.encode(`v${i}`), { msgID: `id-${i}` }));
  assert.deepEqual(acks.map((a) => a.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.ok(acks.every((a) => a.stream === name && !a.duplicate));
  const dup = await js.publish(`${name}.m`, sc.encode('again'), { msgID: 'id-0' });
  assert.equal(dup.duplicate, true);
  const info = await jsm.streams.info(name);
  assert.equal(info.state.messages, 10);
  await jsm.consumers.add(name, { durable_name: 'c', ack_policy: 'explicit' });
  const consumer = await js.consumers.get(name, 'c');
  const got = [];
  const iter = await consumer.fetch({ max_messages: 10, expires: 3000 });
  for await (const m of iter) {
    got.push(sc.decode(m.data));
    m.ack();
  }
  assert.deepEqual(got, Array.from({ length: 10 }, (_, i) => `v${i}`));
});
