// server.listen(): TCP (and, with the `ws` package, WebSocket) listeners
// bridged to the in-process server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createServer } from '../natrium.mjs';
import { sleep } from './helpers.mjs';

const T = { timeout: 20_000 };

/** A raw TCP client: text so far, waits for a substring, and the close. */
function tcp(port, host = '127.0.0.1') {
  const c = { text: '', closed: false, sock: net.connect(port, host) };
  c.sock.setEncoding('latin1');
  c.sock.on('data', (d) => { c.text += d; });
  c.sock.on('error', () => {});
  c.closedP = new Promise((r) => c.sock.on('close', () => { c.closed = true; r(); }));
  c.until = async (s, ms = 5000) => {
    const end = Date.now() + ms;
    while (!c.text.includes(s)) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${JSON.stringify(s)}; got ${JSON.stringify(c.text.slice(-300))}`);
      if (c.closed) throw new Error(`closed while waiting for ${JSON.stringify(s)}; got ${JSON.stringify(c.text.slice(-300))}`);
      await sleep(2);
    }
  };
  c.write = (s) => c.sock.write(s);
  return c;
}

test('listen: TCP clients get INFO with the listener address, pub/sub between TCP and virtual connections', T, async () => {
  const server = await createServer();
  const l = await server.listen();
  assert.equal(l.host, '127.0.0.1');
  assert.ok(l.port > 0);
  assert.equal(l.url, `nats://127.0.0.1:${l.port}`);
  const a = tcp(l.port);
  await a.until('\r\n');
  const info = JSON.parse(a.text.slice(5, a.text.indexOf('\r\n')));
  assert.equal(info.port, l.port, 'INFO port is the listener port (first listen of a fresh server)');
  assert.equal(info.host, '127.0.0.1');
  a.write('CONNECT {"verbose":false}\r\nSUB foo 1\r\nPING\r\n');
  await a.until('PONG\r\n');
  // A virtual connection publishes; the TCP client receives.
  const v = server.connect();
  v.ondata = () => {};
  v.write('CONNECT {"verbose":false}\r\nPUB foo 5\r\nhello\r\n');
  await a.until('MSG foo 1 5\r\nhello\r\n');
  await server.close();
  await a.closedP;
});

test('listen: a protocol error ends the socket after the -ERR; a client close frees the connection', T, async () => {
  const server = await createServer();
  const l = await server.listen();
  const a = tcp(l.port);
  await a.until('\r\n');
  a.write('FOO\r\n');
  await a.until("-ERR 'Unknown Protocol Operation'\r\n");
  await a.closedP;
  const b = tcp(l.port);
  await b.until('\r\n');
  b.write('CONNECT {}\r\nSUB x 1\r\nPING\r\n');
  await b.until('PONG');
  assert.equal(server.stats().connections, 1);
  b.sock.destroy();
  await b.closedP;
  for (let i = 0; i < 200 && server.stats().connections !== 0; i++) await sleep(5);
  assert.equal(server.stats().connections, 0);
  assert.equal(server.stats().subscriptions, 0);
  await server.close();
});

test('listen: a subscriber that does not read becomes a slow consumer (flushes follow the socket)', T, async () => {
  const logs = [];
  const server = await createServer({ maxPending: 256 * 1024, log: (lvl, text) => logs.push(text) });
  const l = await server.listen();
  const sub = tcp(l.port);
  await sub.until('\r\n');
  sub.write('CONNECT {"verbose":false}\r\nSUB big 1\r\nPING\r\n');
  await sub.until('PONG');
  sub.sock.pause();  // stop reading: the kernel buffers fill, then the node's pending bytes
  const pub = tcp(l.port);
  await pub.until('\r\n');
  pub.write('CONNECT {"verbose":false}\r\n');
  const payload = 'x'.repeat(60_000);
  for (let i = 0; i < 400 && server.stats().slowConsumers === 0; i++) {
    pub.write(`PUB big ${payload.length}\r\n${payload}\r\n`);
    if (i % 10 === 9) await sleep(5);
  }
  for (let i = 0; i < 400 && server.stats().slowConsumers === 0; i++) await sleep(5);
  assert.equal(server.stats().slowConsumers, 1, 'slow consumer detected');
  sub.sock.resume();
  await sub.closedP;
  assert.equal(pub.closed, false, 'the publisher stays connected');
  await server.close();
});

test('listen: listener.close() stops accepting and closes its connections; server.close() closes listeners', T, async () => {
  const server = await createServer();
  const l1 = await server.listen();
  const l2 = await server.listen({ port: 0 });
  assert.notEqual(l1.port, l2.port);
  const a = tcp(l1.port);
  await a.until('\r\n');
  await l1.close();
  await a.closedP;
  await assert.rejects(new Promise((resolve, reject) => {
    const s = net.connect(l1.port, '127.0.0.1', () => { s.destroy(); resolve(); });
    s.on('error', reject);
  }));
  const b = tcp(l2.port);
  await b.until('\r\n');
  await server.close();
  await b.closedP;
  await assert.rejects(server.listen(), /closed/);
});

test('listen: the nats client (TCP) and nats.ws (in-process WebSocket) see each other', T, async (t) => {
  let natsws;
  try {
    natsws = await import('nats.ws');
  } catch {
    t.skip('nats.ws is not installed (npm ci in wasm/)');
    return;
  }
  const server = await createServer();
  const l = await server.listen();
  const nws = await natsws.connect({ servers: 'ws://natrium', wsFactory: server.wsFactory });
  const sub = nws.subscribe('echo');
  (async () => { for await (const m of sub) m.respond(m.data); })();
  await nws.flush();
  // A raw TCP requester.
  const a = tcp(l.port);
  await a.until('\r\n');
  a.write('CONNECT {"verbose":false}\r\nSUB inbox 1\r\nPUB echo inbox 2\r\nhi\r\n');
  await a.until('MSG inbox 1 2\r\nhi\r\n');
  await nws.close();
  await server.close();
});

test('listen({ websocket: true }): a WebSocket client through the ws package', T, async (t) => {
  let WebSocket;
  try {
    ({ WebSocket } = await import('ws'));
  } catch {
    t.skip('the ws package is not installed');
    return;
  }
  const server = await createServer();
  const l = await server.listen({ websocket: true });
  assert.equal(l.url, `ws://127.0.0.1:${l.port}`);
  const ws = new WebSocket(l.url);
  let text = '';
  ws.on('message', (d) => { text += Buffer.from(d).toString('latin1'); });
  await new Promise((r) => ws.once('open', r));
  ws.send(Buffer.from('CONNECT {"verbose":false}\r\nSUB a 1\r\nPUB a 2\r\nok\r\nPING\r\n'));
  for (let i = 0; i < 500 && !text.includes('PONG'); i++) await sleep(5);
  assert.match(text, /^INFO .*\r\nMSG a 1 2\r\nok\r\nPONG\r\n$/s);
  const closed = new Promise((r) => ws.once('close', r));
  await server.close();
  await closed;
});
