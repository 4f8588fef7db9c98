// Core NATS behaviour through the `nats` npm client, pinned at 2.29.3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, headers, ErrorCode, createInbox } from 'nats';
import {
  SERVER, PORT, TEST_TIMEOUT, uniq, sleep, within, until, collect, pattern, bytesEqual, enc, dec,
} from './helpers.mjs';

const T = { timeout: TEST_TIMEOUT };

/** Connect with the v2 client; the connection is closed when the test ends. */
async function conn(t, opts = {}) {
  const nc = await within(connect({ servers: SERVER, reconnect: false, timeout: 3000, ...opts }), 5000, 'connect');
  t.after(() => (nc.isClosed() ? undefined : nc.close().catch(() => {})));
  return nc;
}

test('v2: connect; the INFO the client sees', T, async (t) => {
  const nc = await conn(t);
  const info = nc.info;
  assert.ok(info, 'client has server info');
  assert.equal(typeof info.server_id, 'string');
  assert.ok(info.server_id.length > 0, 'server_id non-empty');
  assert.match(info.version, /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, `version ${info.version} is semver`);
  assert.equal(info.proto, 1);
  assert.equal(info.headers, true);
  assert.equal(info.max_payload, 1048576);
  assert.equal(typeof info.client_id, 'number');
  assert.equal(info.port, PORT);
  const nc2 = await conn(t);
  assert.notEqual(nc2.info.client_id, info.client_id, 'each connection gets its own client_id');
  assert.equal(nc2.info.server_id, info.server_id, 'same server, same server_id');
});

test('v2: publish/subscribe delivers subject, payload and reply', T, async (t) => {
  const subj = uniq('ps');
  const sub_nc = await conn(t);
  const pub_nc = await conn(t);
  const c = collect(sub_nc.subscribe(subj));
  await sub_nc.flush();
  pub_nc.publish(subj, enc('hello'));
  pub_nc.publish(subj, enc('with-reply'), { reply: `${subj}.reply` });
  pub_nc.publish(subj); // empty payload
  const msgs = await c.wait(3);
  assert.equal(msgs[0].subject, subj);
  assert.equal(dec(msgs[0].data), 'hello');
  assert.equal(msgs[0].reply ?? '', '');
  assert.equal(dec(msgs[1].data), 'with-reply');
  assert.equal(msgs[1].reply, `${subj}.reply`);
  assert.equal(msgs[2].data.length, 0);
  await pub_nc.flush();
  await sub_nc.flush();
  await sleep(50);
  assert.equal(c.msgs.length, 3, 'no extra deliveries');
});

test('v2: wildcards * and > (and foo.> does not match foo)', T, async (t) => {
  const p = uniq('wc');
  const nc = await conn(t);
  const pub = await conn(t);
  const star = collect(nc.subscribe(`${p}.*`));
  const gt = collect(nc.subscribe(`${p}.>`));
  const mid = collect(nc.subscribe(`${p}.*.c`));
  const exact = collect(nc.subscribe(p));
  await nc.flush();
  const published = [p, `${p}.a`, `${p}.a.b`, `${p}.a.c`, `${p}.x.y.z`, `${p}x.a`];
  for (const s of published) pub.publish(s, enc(s));
  await pub.flush();
  await nc.flush();
  await exact.wait(1);
  await star.wait(1);
  await mid.wait(1);
  await gt.wait(4);
  await sleep(100);
  const subjects = (c) => c.msgs.map((m) => m.subject).sort();
  assert.deepEqual(subjects(exact), [p]);
  assert.deepEqual(subjects(star), [`${p}.a`]);
  assert.deepEqual(subjects(mid), [`${p}.a.c`]);
  assert.deepEqual(subjects(gt), [`${p}.a`, `${p}.a.b`, `${p}.a.c`, `${p}.x.y.z`].sort(), `${p}.> must not match ${p}`);
  for (const c of [exact, star, mid, gt]) {
    for (const m of c.msgs) assert.equal(dec(m.data), m.subject, 'MSG carries the published subject');
  }
});

test('v2: queue group delivers each message to exactly one member; plain subscriber gets all', T, async (t) => {
  const subj = uniq('q');
  const N = 150;
  const members = [];
  for (let i = 0; i < 3; i++) {
    const nc = await conn(t);
    members.push({ nc, c: collect(nc.subscribe(subj, { queue: 'workers' })) });
  }
  const other = await conn(t);
  const otherGroup = collect(other.subscribe(subj, { queue: 'auditors' }));
  const plainNc = await conn(t);
  const plain = collect(plainNc.subscribe(subj));
  for (const m of members) await m.nc.flush();
  await other.flush();
  await plainNc.flush();

  const pub = await conn(t);
  for (let i = 0; i < N; i++) pub.publish(subj, enc(String(i)));
  await pub.flush();
  await plain.wait(N, 10_000);
  await otherGroup.wait(N, 10_000);
  await until(() => members.reduce((n, m) => n + m.c.msgs.length, 0) >= N, 10_000, 'queue members to receive N');
  await sleep(100);

  const seen = new Map();
  for (const m of members) for (const msg of m.c.msgs) {
    const k = dec(msg.data);
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  assert.equal(seen.size, N, 'every message reached the group');
  for (const [k, n] of seen) assert.equal(n, 1, `message ${k} delivered ${n} times within the group`);
  for (const [i, m] of members.entries()) assert.ok(m.c.msgs.length >= 1, `member ${i} got at least one of ${N}`);
  assert.equal(plain.msgs.length, N, 'plain subscriber gets every message');
  assert.deepEqual(plain.msgs.map((m) => dec(m.data)), Array.from({ length: N }, (_, i) => String(i)));
  assert.equal(otherGroup.msgs.length, N, 'a second queue group also gets every message once');
});

test('v2: unsubscribe stops delivery', T, async (t) => {
  const subj = uniq('unsub');
  const nc = await conn(t);
  const pub = await conn(t);
  const sub = nc.subscribe(subj);
  const c = collect(sub);
  await nc.flush();
  pub.publish(subj, enc('1'));
  await c.wait(1);
  sub.unsubscribe();
  await nc.flush(); // the UNSUB reached the server
  for (let i = 0; i < 5; i++) pub.publish(subj, enc('after'));
  await pub.flush();
  await nc.flush();
  await within(c.ended, 2000, 'iterator ends after unsubscribe');
  await sleep(100);
  assert.equal(c.msgs.length, 1);
  assert.equal(sub.isClosed(), true);
});

test('v2: auto-unsubscribe after max messages', T, async (t) => {
  const subj = uniq('max');
  const nc = await conn(t);
  const pub = await conn(t);
  const a = collect(nc.subscribe(subj, { max: 3 }));
  const subB = nc.subscribe(subj);
  const b = collect(subB);
  await nc.flush();
  pub.publish(subj, enc('0'));
  pub.publish(subj, enc('1'));
  await pub.flush();
  await b.wait(2);
  subB.unsubscribe(5); // total of 5, counting the 2 already delivered
  await nc.flush();
  for (let i = 2; i < 10; i++) pub.publish(subj, enc(String(i)));
  await pub.flush();
  await nc.flush();
  await within(a.ended, 3000, 'max:3 subscription ends');
  await within(b.ended, 3000, 'unsubscribe(5) subscription ends');
  await sleep(100);
  assert.deepEqual(a.msgs.map((m) => dec(m.data)), ['0', '1', '2']);
  assert.deepEqual(b.msgs.map((m) => dec(m.data)), ['0', '1', '2', '3', '4']);
});

test('v2: headers round trip, multi-value and header-only messages', T, async (t) => {
  const subj = uniq('hdr');
  const nc = await conn(t);
  const pub = await conn(t);
  const c = collect(nc.subscribe(subj));
  await nc.flush();
  const h = headers();
  h.append('X-Multi', 'one');
  h.append('X-Multi', 'two');
  h.append('X-Multi', 'three');
  h.set('X-Single', 'value with spaces');
  h.set('Empty-Payload', 'no');
  pub.publish(subj, enc('body'), { headers: h });
  const h2 = headers();
  h2.set('Only', 'headers');
  pub.publish(subj, undefined, { headers: h2 });
  pub.publish(subj, enc('no headers'));
  const [m1, m2, m3] = await c.wait(3);
  assert.ok(m1.headers, 'first message has headers');
  assert.deepEqual(m1.headers.values('X-Multi'), ['one', 'two', 'three']);
  assert.equal(m1.headers.get('X-Single'), 'value with spaces');
  assert.equal(dec(m1.data), 'body');
  assert.ok(m2.headers);
  assert.equal(m2.headers.get('Only'), 'headers');
  assert.equal(m2.data.length, 0);
  assert.equal(m3.headers, undefined, 'plain PUB arrives without headers');
  assert.equal(dec(m3.data), 'no headers');
});

test('v2: request-reply', T, async (t) => {
  const subj = uniq('svc');
  const svc = await conn(t);
  svc.subscribe(subj, { callback: (err, m) => { if (!err) m.respond(enc(`echo:${dec(m.data)}`)); } });
  await svc.flush();
  const nc = await conn(t);
  const r = await nc.request(subj, enc('ping'), { timeout: 3000 });
  assert.equal(dec(r.data), 'echo:ping');
  const many = await Promise.all(Array.from({ length: 25 }, (_, i) => nc.request(subj, enc(String(i)), { timeout: 5000 })));
  assert.deepEqual(many.map((m) => dec(m.data)), Array.from({ length: 25 }, (_, i) => `echo:${i}`));
  // old-style request with a unique inbox per request
  const r2 = await nc.request(subj, enc('x'), { timeout: 3000, noMux: true });
  assert.equal(dec(r2.data), 'echo:x');
  // manual reply subject
  const inbox = createInbox();
  const c = collect(nc.subscribe(inbox, { max: 1 }));
  await nc.flush();
  nc.publish(subj, enc('manual'), { reply: inbox });
  const [m] = await c.wait(1);
  assert.equal(dec(m.data), 'echo:manual');
});

test('v2: request with no responders fails fast with 503', T, async (t) => {
  const nc = await conn(t);
  const start = Date.now();
  await assert.rejects(nc.request(uniq('nobody'), enc('x'), { timeout: 10_000 }), (err) => {
    assert.equal(err.code, ErrorCode.NoResponders, `code ${err.code} (${err.message})`);
    return true;
  });
  assert.ok(Date.now() - start < 2000, `no-responders took ${Date.now() - start}ms (timeout was 10s)`);
  await assert.rejects(nc.request(uniq('nobody'), enc('x'), { timeout: 10_000, noMux: true }),
    (err) => err.code === ErrorCode.NoResponders);
});

test('v2: request times out when the responder stays silent', T, async (t) => {
  const subj = uniq('silent');
  const svc = await conn(t);
  const got = collect(svc.subscribe(subj)); // subscribed (so no 503) but never replies
  await svc.flush();
  const nc = await conn(t);
  const start = Date.now();
  await assert.rejects(nc.request(subj, enc('x'), { timeout: 400 }), (err) => {
    assert.equal(err.code, ErrorCode.Timeout, `code ${err.code} (${err.message})`);
    return true;
  });
  const took = Date.now() - start;
  assert.ok(took >= 350 && took < 3000, `timeout after ${took}ms`);
  await got.wait(1);
});

test('v2: 10,000 messages from one publisher arrive in order', T, async (t) => {
  const subj = uniq('order');
  const N = 10_000;
  const nc = await conn(t);
  const pub = await conn(t);
  const got = [];
  nc.subscribe(subj, { callback: (err, m) => { if (!err) got.push(Number(dec(m.data))); } });
  await nc.flush();
  for (let i = 0; i < N; i++) pub.publish(subj, enc(String(i)));
  await pub.flush();
  await until(() => got.length >= N, 20_000, `${N} messages (got ${got.length})`);
  await nc.flush();
  assert.equal(got.length, N);
  for (let i = 0; i < N; i++) {
    if (got[i] !== i) assert.fail(`message ${i} arrived as ${got[i]}`);
  }
});

test('v2: large payloads (512 KiB and exactly max_payload) round trip', T, async (t) => {
  const subj = uniq('big');
  const nc = await conn(t);
  const pub = await conn(t);
  const c = collect(nc.subscribe(subj));
  await nc.flush();
  const half = pattern(512 * 1024, 1);
  const max = pattern(pub.info.max_payload, 2);
  pub.publish(subj, half);
  pub.publish(subj, max);
  await pub.flush();
  const [a, b] = await c.wait(2, 10_000);
  assert.equal(a.data.length, half.length);
  assert.ok(bytesEqual(a.data, half), '512 KiB payload intact');
  assert.equal(b.data.length, 1048576);
  assert.ok(bytesEqual(b.data, max), '1 MiB payload intact');
});

test('v2: payload over max_payload is refused', T, async (t) => {
  const nc = await conn(t);
  const subj = uniq('toobig');
  assert.throws(() => nc.publish(subj, new Uint8Array(nc.info.max_payload + 1)),
    (err) => err.code === ErrorCode.MaxPayloadExceeded);
  // the connection is unaffected
  await within(nc.flush(), 3000, 'flush after refused publish');
  assert.equal(nc.isClosed(), false);
});

test('v2: drain delivers what was sent, then closes', T, async (t) => {
  const subj = uniq('drain');
  const N = 200;
  const nc = await conn(t);
  const pub = await conn(t);
  let n = 0;
  nc.subscribe(subj, { callback: () => { n++; } });
  const c2 = collect(nc.subscribe(`${subj}.two`));
  await nc.flush();
  for (let i = 0; i < N; i++) pub.publish(subj, enc(String(i)));
  pub.publish(`${subj}.two`, enc('x'));
  await pub.flush();
  await within(nc.drain(), 5000, 'drain');
  assert.equal(n, N, 'all messages published before the drain were processed');
  assert.equal(c2.msgs.length, 1);
  await within(nc.closed(), 2000, 'closed() after drain');
  assert.equal(nc.isClosed(), true);
  assert.throws(() => nc.publish(subj), (err) => err.code === ErrorCode.ConnectionClosed);

  // subscription-level drain keeps the connection open
  const nc2 = await conn(t);
  const sub = nc2.subscribe(subj);
  const c = collect(sub);
  await nc2.flush();
  pub.publish(subj, enc('before'));
  await pub.flush();
  await c.wait(1);
  await within(sub.drain(), 3000, 'sub.drain');
  pub.publish(subj, enc('after'));
  await pub.flush();
  await nc2.flush();
  await sleep(50);
  assert.deepEqual(c.msgs.map((m) => dec(m.data)), ['before']);
  assert.equal(nc2.isClosed(), false);
});

test('v2: flush and rtt (PING/PONG round trip)', T, async (t) => {
  const nc = await conn(t);
  for (let i = 0; i < 5; i++) await within(nc.flush(), 3000, 'flush');
  const rtt = await within(nc.rtt(), 3000, 'rtt');
  assert.equal(typeof rtt, 'number');
  assert.ok(rtt >= 0 && rtt < 3000, `rtt ${rtt}`);
});

test('v2: noEcho connection does not receive its own messages', T, async (t) => {
  const subj = uniq('echo');
  const quiet = await conn(t, { noEcho: true });
  const loud = await conn(t);
  const qc = collect(quiet.subscribe(subj));
  const lc = collect(loud.subscribe(subj));
  await quiet.flush();
  await loud.flush();
  quiet.publish(subj, enc('from-quiet'));
  loud.publish(subj, enc('from-loud'));
  await quiet.flush();
  await loud.flush();
  await lc.wait(2);
  await qc.wait(1);
  await quiet.flush();
  await sleep(100);
  assert.deepEqual(qc.msgs.map((m) => dec(m.data)), ['from-loud'], 'noEcho: only the other connection\'s message');
  assert.deepEqual(lc.msgs.map((m) => dec(m.data)).sort(), ['from-loud', 'from-quiet'], 'echo (default): own message too');
});

test('v2: 1000 subscriptions on one connection', T, async (t) => {
  const p = uniq('many');
  const N = 1000;
  const nc = await conn(t);
  const counts = new Map();
  for (let i = 0; i < N; i++) {
    const s = `${p}.${i}`;
    counts.set(s, []);
    nc.subscribe(s, { callback: (err, m) => { if (!err) counts.get(s).push(m.subject); } });
  }
  await nc.flush();
  const pub = await conn(t);
  for (let i = 0; i < N; i++) pub.publish(`${p}.${i}`, enc(String(i)));
  await pub.flush();
  const total = () => [...counts.values()].reduce((n, a) => n + a.length, 0);
  await until(() => total() >= N, 10_000, `${N} deliveries (got ${total()})`);
  await nc.flush();
  await sleep(50);
  for (const [s, got] of counts) assert.deepEqual(got, [s], `subscription ${s}`);
});
