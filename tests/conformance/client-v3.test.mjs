// Core NATS behaviour through the v3 client @nats-io/transport-node (exact 3.x pin in package.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  connect, headers, RequestError, NoRespondersError, TimeoutError,
} from '@nats-io/transport-node';
import { SERVER, CLIENT_SERVER, PORT, TEST_TIMEOUT, uniq, sleep, within, until, collect, pattern, bytesEqual } from './helpers.mjs';

const T = { timeout: TEST_TIMEOUT };

async function conn(t, opts = {}) {
  const nc = await within(connect({ servers: SERVER, reconnect: false, timeout: 3000, ...opts }), 5000, 'connect');
  t.after(() => (nc.isClosed() ? undefined : nc.close().catch(() => {})));
  return nc;
}

test('v3: connect; server info', T, async (t) => {
  const nc = await conn(t);
  const info = nc.info;
  assert.ok(info);
  assert.ok(typeof info.server_id === 'string' && info.server_id.length > 0);
  assert.match(info.version, /^\d+\.\d+\.\d+/);
  assert.equal(info.proto, 1);
  assert.equal(info.headers, true);
  assert.equal(info.max_payload, 1048576);
  assert.equal(typeof info.client_id, 'number');
  assert.equal(info.port, PORT);
  assert.equal(nc.getServer(), CLIENT_SERVER);
  const rtt = await within(nc.rtt(), 3000, 'rtt');
  assert.ok(rtt >= 0);
});

test('v3: publish/subscribe with string and binary payloads', T, async (t) => {
  const subj = uniq('v3ps');
  const nc = await conn(t);
  const pub = await conn(t);
  const c = collect(nc.subscribe(`${subj}.>`));
  await nc.flush();
  const bin = pattern(70_000, 3);
  pub.publish(`${subj}.text`, 'héllo wörld');
  pub.publish(`${subj}.bin`, bin, { reply: `${subj}.r` });
  pub.publish(`${subj}.json`, JSON.stringify({ a: [1, 2] }));
  await pub.flush();
  const [m1, m2, m3] = await c.wait(3);
  assert.equal(m1.subject, `${subj}.text`);
  assert.equal(m1.string(), 'héllo wörld');
  assert.equal(m2.subject, `${subj}.bin`);
  assert.equal(m2.reply, `${subj}.r`);
  assert.ok(bytesEqual(m2.data, bin));
  assert.deepEqual(m3.json(), { a: [1, 2] });
  await nc.flush();
  await sleep(50);
  assert.equal(c.msgs.length, 3);
});

test('v3: headers round trip (multi-value)', T, async (t) => {
  const subj = uniq('v3hdr');
  const nc = await conn(t);
  const c = collect(nc.subscribe(subj));
  await nc.flush();
  const pub = await conn(t);
  const h = headers();
  h.append('X-Multi', 'a');
  h.append('X-Multi', 'b');
  h.set('Trace-Id', 'abc123');
  pub.publish(subj, 'payload', { headers: h });
  pub.publish(subj, '', { headers: (() => { const x = headers(); x.set('Only', 'yes'); return x; })() });
  const [m1, m2] = await c.wait(2);
  assert.deepEqual(m1.headers.values('X-Multi'), ['a', 'b']);
  assert.equal(m1.headers.get('Trace-Id'), 'abc123');
  assert.equal(m1.string(), 'payload');
  assert.equal(m2.headers.get('Only'), 'yes');
  assert.equal(m2.data.length, 0);
});

test('v3: request-reply', T, async (t) => {
  const subj = uniq('v3svc');
  const svc = await conn(t);
  const sub = svc.subscribe(subj);
  (async () => {
    for await (const m of sub) {
      const h = headers();
      h.set('Served-By', 'svc');
      m.respond(`re:${m.string()}`, { headers: h });
    }
  })();
  await svc.flush();
  const nc = await conn(t);
  const r = await nc.request(subj, 'q', { timeout: 3000 });
  assert.equal(r.string(), 're:q');
  assert.equal(r.headers?.get('Served-By'), 'svc');
  const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => nc.request(subj, String(i), { timeout: 5000 })));
  assert.deepEqual(rs.map((m) => m.string()), Array.from({ length: 20 }, (_, i) => `re:${i}`));
  const r2 = await nc.request(subj, 'nm', { timeout: 3000, noMux: true });
  assert.equal(r2.string(), 're:nm');
});

test('v3: no responders and timeout', T, async (t) => {
  const nc = await conn(t);
  const start = Date.now();
  await assert.rejects(nc.request(uniq('v3none'), 'x', { timeout: 10_000 }), (err) => {
    assert.ok(err instanceof RequestError, `RequestError, got ${err?.constructor?.name}: ${err?.message}`);
    assert.equal(err.isNoResponders(), true);
    assert.ok(err.cause instanceof NoRespondersError);
    return true;
  });
  assert.ok(Date.now() - start < 2000, `no-responders took ${Date.now() - start}ms`);

  const subj = uniq('v3silent');
  const svc = await conn(t);
  svc.subscribe(subj); // subscribed, never answers
  await svc.flush();
  const t0 = Date.now();
  await assert.rejects(nc.request(subj, 'x', { timeout: 300 }), (err) => err instanceof TimeoutError);
  assert.ok(Date.now() - t0 >= 250, 'did not time out early');
});

test('v3: queue groups', T, async (t) => {
  const subj = uniq('v3q');
  const N = 120;
  const members = [];
  for (let i = 0; i < 3; i++) {
    const nc = await conn(t);
    members.push(collect(nc.subscribe(subj, { queue: 'g' })));
    await nc.flush();
  }
  const plainNc = await conn(t);
  const plain = collect(plainNc.subscribe(subj));
  await plainNc.flush();
  const pub = await conn(t);
  for (let i = 0; i < N; i++) pub.publish(subj, String(i));
  await pub.flush();
  await plain.wait(N, 10_000);
  await until(() => members.reduce((n, c) => n + c.msgs.length, 0) >= N, 10_000, 'group deliveries');
  await sleep(100);
  const all = members.flatMap((c) => c.msgs.map((m) => m.string()));
  assert.equal(all.length, N, 'each message delivered once within the group');
  assert.equal(new Set(all).size, N, 'no duplicates');
  for (const [i, c] of members.entries()) assert.ok(c.msgs.length > 0, `member ${i} got some`);
  assert.equal(plain.msgs.length, N);
});
