// Smoke tests of the WASM build through the JS API: node --test wasm/test/
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createServer } from '../natrium.mjs';
import { client, flush, reader, sleep } from './helpers.mjs';

test('INFO first, then MSG and PONG for one connection', async () => {
  const server = await createServer({ name: 'smoke', seed: 7 });
  const conn = server.connect();
  const r = reader(conn);
  conn.write('CONNECT {"verbose":false}\r\nSUB foo 1\r\nPUB foo 5\r\nhello\r\nPING\r\n');
  await r.until((t) => t.endsWith('PONG\r\n'), 'PONG');
  assert.match(r.text, /^INFO \{.*\} ?\r\n/);
  const infoEnd = r.text.indexOf('\r\n') + 2;
  const info = JSON.parse(r.text.slice(5, infoEnd - 2));
  assert.equal(info.server_name, 'smoke');
  assert.equal(info.server_id, server.serverId);
  assert.equal(info.headers, true);
  assert.equal(r.text.slice(infoEnd), 'MSG foo 1 5\r\nhello\r\nPONG\r\n');
  await server.close();
});

test('same seed, same server id', async () => {
  const a = await createServer({ seed: 42 });
  const b = await createServer({ seed: 42 });
  const c = await createServer({ seed: 43 });
  assert.equal(a.serverId, b.serverId);
  assert.notEqual(a.serverId, c.serverId);
  await Promise.all([a.close(), b.close(), c.close()]);
});

test('a second connection publishes, the first receives', async () => {
  const server = await createServer();
  const sub = await client(server);
  sub.conn.write('SUB foo.bar 1\r\n');
  await flush(sub);
  const pub = await client(server);
  pub.conn.write('PUB foo.bar 2\r\nhi\r\nPUB foo.bar reply.to 3\r\nyes\r\n');
  await flush(pub);
  await sub.r.until((t) => t === 'MSG foo.bar 1 2\r\nhi\r\nMSG foo.bar 1 reply.to 3\r\nyes\r\n', 'two MSGs');
  assert.equal(pub.r.text, '', 'publisher gets nothing but its PONG');
  await server.close();
});

test('binary payloads pass through byte for byte', async () => {
  const server = await createServer();
  const sub = await client(server);
  sub.conn.write('SUB bin 9\r\n');
  await flush(sub);
  const payload = new Uint8Array(256);
  for (let i = 0; i < 256; i++) payload[i] = i;
  const pub = await client(server);
  pub.conn.write('PUB bin 256\r\n');
  pub.conn.write(payload);
  pub.conn.write('\r\n');
  await flush(pub);
  const msg = await sub.r.take('MSG bin 9 256\r\n');
  assert.equal(msg, 'MSG bin 9 256\r\n');
  await sub.r.until((t) => t.length >= 258, 'payload');
  const got = Uint8Array.from(sub.r.text.slice(0, 256), (ch) => ch.charCodeAt(0));
  assert.deepEqual(got, payload);
  assert.equal(sub.r.text.slice(256), '\r\n');
  await server.close();
});

test('input split into single bytes gives the same result', async () => {
  const server = await createServer();
  const conn = server.connect();
  const r = reader(conn);
  const input = 'CONNECT {"verbose":false}\r\nSUB a.b 22\r\nPUB a.b 3\r\nabc\r\nPING\r\n';
  for (const ch of input) conn.write(ch);
  await r.until((t) => t.endsWith('PONG\r\n'), 'PONG');
  assert.equal(r.text.slice(r.text.indexOf('\r\n') + 2), 'MSG a.b 22 3\r\nabc\r\nPONG\r\n');
  await server.close();
});

test('verbose connections get +OK', async () => {
  const server = await createServer();
  const c = await client(server, '{"verbose":true}');
  c.conn.write('SUB x 1\r\nPING\r\n');
  await c.r.until((t) => t === '+OK\r\n+OK\r\nPONG\r\n', '+OK +OK PONG');
  await server.close();
});

test('queue group: each message goes to exactly one member', async () => {
  const server = await createServer({ seed: 3 });
  const members = [];
  for (let i = 0; i < 3; i++) {
    const m = await client(server);
    m.conn.write(`SUB work q ${i + 1}\r\n`);
    await flush(m);
    members.push(m);
  }
  const plain = await client(server);
  plain.conn.write('SUB work 99\r\n');
  await flush(plain);
  const pub = await client(server);
  const n = 60;
  let out = '';
  for (let i = 0; i < n; i++) out += `PUB work 1\r\n${i % 10}\r\n`;
  pub.conn.write(out);
  await flush(pub);
  await plain.r.until((t) => t.split('MSG ').length - 1 === n, `${n} MSGs to the plain subscriber`);
  // Every member's output is complete once the plain subscriber has all of it
  // (all delivered in the same drain); flush each to be sure.
  const counts = [];
  for (const m of members) {
    await flush(m);
    counts.push(m.r.text.split('MSG ').length - 1);
  }
  assert.equal(counts.reduce((a, b) => a + b, 0), n, `queue deliveries ${counts}`);
  assert.ok(counts.filter((c) => c > 0).length >= 2, `spread over members: ${counts}`);
  await server.close();
});

test('wildcards: * matches one token, > one or more', async () => {
  const server = await createServer();
  const sub = await client(server);
  sub.conn.write('SUB foo.* 1\r\nSUB foo.> 2\r\nSUB bar 3\r\nSUB *.b.> 4\r\n');
  await flush(sub);
  const pub = await client(server);
  pub.conn.write('PUB foo.a 1\r\nA\r\nPUB foo.a.b 1\r\nB\r\nPUB bar 1\r\nC\r\nPUB baz 1\r\nD\r\nPUB foo 1\r\nE\r\n' +
    'PUB x.b.c.d 1\r\nF\r\n');
  await flush(pub);
  await flush(sub);
  const msgs = sub.r.text.split('\r\n').filter((l) => l.startsWith('MSG ')).sort();
  assert.deepEqual(msgs, [
    'MSG bar 3 1', 'MSG foo.a 1 1', 'MSG foo.a 2 1', 'MSG foo.a.b 2 1', 'MSG x.b.c.d 4 1',
  ]);
  await server.close();
});

test('UNSUB stops delivery; UNSUB with a maximum stops after it', async () => {
  const server = await createServer();
  const c = await client(server);
  c.conn.write('SUB foo 1\r\nPUB foo 1\r\na\r\n');
  await flush(c);
  assert.equal(c.r.text, 'MSG foo 1 1\r\na\r\n');
  c.r.text = '';
  c.conn.write('UNSUB 1\r\nPUB foo 1\r\nb\r\n');
  await flush(c);
  assert.equal(c.r.text, '');
  c.conn.write('SUB bar 2\r\nUNSUB 2 2\r\nPUB bar 1\r\n1\r\nPUB bar 1\r\n2\r\nPUB bar 1\r\n3\r\n');
  await flush(c);
  assert.equal(c.r.text, 'MSG bar 2 1\r\n1\r\nMSG bar 2 1\r\n2\r\n');
  assert.equal(server.stats().subscriptions, 0);
  await server.close();
});

test('a malformed line gets -ERR and the connection is closed', async () => {
  const server = await createServer();
  const c = await client(server);
  c.conn.write('FOO BAR\r\n');
  const info = await c.r.untilClosed();
  assert.equal(c.r.text, "-ERR 'Unknown Protocol Operation'\r\n");
  assert.equal(info.by, 'server');
  assert.equal(c.conn.closed, true);
  assert.throws(() => c.conn.write('PING\r\n'), /closed/);
  assert.equal(server.stats().connections, 0);
  await server.close();
});

test('a client that closes is gone from the server', async () => {
  const server = await createServer();
  const a = await client(server);
  a.conn.write('SUB foo 1\r\n');
  await flush(a);
  assert.equal(server.stats().connections, 1);
  assert.equal(server.stats().subscriptions, 1);
  a.conn.close();
  const info = await a.r.untilClosed();
  assert.equal(info.by, 'client');
  assert.equal(server.stats().connections, 0);
  assert.equal(server.stats().subscriptions, 0);
  await server.close();
});

test('the server timer pings, and closes a stale connection', async () => {
  const server = await createServer({ pingIntervalMs: 40, pingMaxOut: 2 });
  const c = await client(server);
  await flush(c);
  const t0 = performance.now();
  await c.r.untilClosed(3000);
  const elapsed = performance.now() - t0;
  assert.equal(c.r.text, "PING\r\nPING\r\n-ERR 'Stale Connection'\r\n");
  assert.ok(elapsed >= 80, `closed after ${elapsed} ms`);
  await server.close();
});

test('a client that answers PINGs stays connected', async () => {
  const server = await createServer({ pingIntervalMs: 20, pingMaxOut: 2 });
  const conn = server.connect();
  let pings = 0;
  const r = reader(conn);
  const ondata = conn.ondata;
  conn.ondata = (bytes) => {
    ondata(bytes);
    const n = r.text.split('PING\r\n').length - 1;
    while (pings < n) {
      pings++;
      conn.write('PONG\r\n');
    }
  };
  conn.write('CONNECT {"verbose":false}\r\n');
  await sleep(200);
  assert.equal(conn.closed, false);
  assert.ok(pings >= 2, `answered ${pings} pings`);
  await server.close();
  assert.equal(conn.closed, true);
});

test('server.close() closes every connection', async () => {
  const server = await createServer();
  const a = await client(server);
  const b = await client(server);
  await server.close();
  assert.equal((await a.r.untilClosed()).by, 'shutdown');
  assert.equal((await b.r.untilClosed()).by, 'shutdown');
  assert.throws(() => server.connect(), /closed/);
  await server.close();
});

test('socket(): the WebSocket look-alike carries the protocol', async () => {
  const server = await createServer();
  const ws = server.socket('ws://localhost:1234');
  assert.equal(ws.readyState, 0);
  assert.throws(() => ws.send('PING\r\n'), /CONNECTING/);
  ws.binaryType = 'arraybuffer';
  const events = [];
  let text = '';
  const decoder = new TextDecoder();
  ws.onopen = () => events.push('open');
  ws.addEventListener('message', (ev) => {
    assert.ok(ev.data instanceof ArrayBuffer);
    text += decoder.decode(ev.data);
  });
  const closed = new Promise((resolve) => { ws.onclose = resolve; });
  await new Promise((resolve) => ws.addEventListener('open', resolve));
  assert.equal(ws.readyState, 1);
  assert.deepEqual(events, ['open']);
  ws.send('CONNECT {"verbose":false}\r\nSUB w 1\r\n');
  ws.send(new TextEncoder().encode('PUB w 2\r\nok\r\n'));
  ws.send(new Blob(['PING\r\n']));
  while (!text.endsWith('PONG\r\n')) await sleep(1);
  assert.match(text, /^INFO /);
  assert.equal(text.slice(text.indexOf('\r\n') + 2), 'MSG w 1 2\r\nok\r\nPONG\r\n');
  ws.close(1000, 'bye');
  assert.equal(ws.readyState, 2);
  const ev = await closed;
  assert.equal(ev.code, 1000);
  assert.equal(ev.reason, 'bye');
  assert.equal(ev.wasClean, true);
  assert.equal(ws.readyState, 3);
  assert.equal(server.stats().connections, 0);
  await server.close();
});

test('socket(): a protocol error closes the socket', async () => {
  const server = await createServer();
  const ws = new server.WebSocket('ws://x');
  let text = '';
  ws.binaryType = 'arraybuffer';
  ws.onmessage = (ev) => { text += new TextDecoder().decode(ev.data); };
  ws.onopen = () => ws.send('CONNECT {}\r\nBOGUS\r\n');
  const ev = await new Promise((resolve) => { ws.onclose = resolve; });
  assert.match(text, /-ERR 'Unknown Protocol Operation'\r\n$/);
  assert.equal(ev.code, 1000);
  await server.close();
});

test('a failing WebAssembly call fails the server and closes its connections', async () => {
  const server = await createServer();
  const a = await client(server);
  const ws = server.socket();
  await new Promise((resolve) => { ws.onopen = resolve; });
  const wsClosed = new Promise((resolve) => { ws.onclose = resolve; });
  let wsError = null;
  ws.onerror = (ev) => { wsError = ev; };
  // Stand-in for a core assertion: Emscripten's abort() throws a RuntimeError.
  server._m._nat_receive = () => { throw new WebAssembly.RuntimeError('abort(test)'); };
  assert.throws(() => a.conn.write('PING\r\n'), /abort\(test\)/);
  const info = await a.r.untilClosed();
  assert.equal(info.by, 'error');
  assert.match(info.error.message, /abort\(test\)/);
  const ev = await wsClosed;
  assert.equal(ev.code, 1006);
  assert.ok(wsError);
  assert.throws(() => server.connect(), /server failed/);
  await server.close();
  assert.equal(server.closed, true);
});

test('data waits for a late ondata; onclose alone still fires', async () => {
  const server = await createServer();
  const late = server.connect();
  await sleep(5);
  let text = '';
  late.ondata = (b) => { text += new TextDecoder().decode(b); };
  await sleep(5);
  assert.match(text, /^INFO /);
  const only = server.connect();
  const closed = new Promise((resolve) => { only.onclose = resolve; });
  only.write('NOPE\r\n');
  assert.equal((await closed).by, 'server');
  await server.close();
});
