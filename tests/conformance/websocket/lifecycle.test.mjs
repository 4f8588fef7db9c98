// WebSocket connections in the server's life: a client that stops reading is
// a slow consumer like a TCP one (closed at max_pending, counted in varz
// slow_consumers, others carry on), and a server that shuts down says so in a
// close frame (1001 "Server Shutdown").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tcpConnect } from 'nats';
import { TEST_TIMEOUT, uniq, within, sleep } from '../helpers.mjs';
import { rawClient, startServer, stopServer } from './ws-util.mjs';

const T = { timeout: TEST_TIMEOUT };

test('slow consumer: a WebSocket subscriber that does not read is closed at max_pending', T, async (t) => {
  const s = await startServer({ extra: 'max_pending: 1MB\nmax_payload: 64KB' });
  t.after(() => stopServer(s));
  const subj = uniq('slow');
  const c = await rawClient(s.wsUrl, { perMessageDeflate: false });
  t.after(() => c.ws.terminate());
  await c.send(`CONNECT {"verbose":false}\r\nSUB ${subj} 1\r\nPING\r\n`);
  await c.waitFor(/PONG\r\n/);
  c.ws._socket.pause();  // stop reading: the kernel buffers fill, then the server's

  const pub = await within(tcpConnect({ servers: s.natsUrl, reconnect: false }), 5000, 'tcp connect');
  t.after(() => pub.close());
  const chunk = new Uint8Array(32 * 1024).fill(120);
  let slow = 0;
  for (let round = 0; round < 100 && slow === 0; round++) {
    for (let i = 0; i < 64; i++) pub.publish(subj, chunk);  // 2 MiB a round
    await pub.flush();
    const varz = await (await fetch(`${s.mon}/varz`)).json();
    slow = varz.slow_consumers;
    if (slow === 0) await sleep(20);
  }
  assert.ok(slow >= 1, 'varz counts the slow consumer');
  const connz = await (await fetch(`${s.mon}/connz?state=closed`)).json();
  const closed = connz.connections.find((x) => /Slow Consumer/.test(x.reason ?? ''));
  assert.ok(closed, `a closed connection with a slow consumer reason: ${JSON.stringify(connz.connections.map((x) => x.reason))}`);
  // The publisher is unaffected.
  await pub.flush();
  assert.equal(pub.isClosed(), false);
});

test('shutdown: WebSocket clients get a close frame 1001 "Server Shutdown"', T, async (t) => {
  const s = await startServer();
  t.after(() => stopServer(s));
  const c = await rawClient(s.wsUrl);
  t.after(() => c.ws.terminate());
  await c.send('CONNECT {}\r\nPING\r\n');
  await c.waitFor(/PONG\r\n/);
  const exited = new Promise((r) => s.proc.once('exit', r));
  s.proc.kill('SIGTERM');
  const closed = await within(c.closedP, 5000, 'close frame');
  assert.deepEqual(closed, { code: 1001, reason: 'Server Shutdown' });
  await within(exited, 5000, 'exit');
});
