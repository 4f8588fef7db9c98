// The WebSocket upgrade and the websocket {} settings: refusals (405, 400,
// 403) as nats-server's wsUpgrade answers them, same_origin and
// allowed_origins, handshake_timeout, compression (permessage-deflate), the
// configuration checks, /varz and the ports file. Settings other than the
// suite's start private servers (NATS_SERVER_BIN) on free ports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as wsConnect, StringCodec } from 'nats.ws';
import { TEST_TIMEOUT, uniq, within } from '../helpers.mjs';
import {
  WS_URL, WebSocket, rawClient, rawHttp, startServer, stopServer, statusOf, upgradeRequest,
} from './ws-util.mjs';

const T = { timeout: TEST_TIMEOUT };
const sc = StringCodec();
const suitePort = () => Number(new URL(WS_URL).port);

async function server(t, opts) {
  const s = await startServer(opts);
  t.after(() => stopServer(s));
  return s;
}

/** Opens a `ws` connection; resolves with { ok, status, extensions (the 101's Sec-WebSocket-Extensions) }. */
function tryOpen(url, options = {}) {
  return within(new Promise((resolve) => {
    const ws = new WebSocket(url, options);
    let negotiated = '';
    ws.once('upgrade', (res) => { negotiated = res.headers['sec-websocket-extensions'] ?? ''; });
    ws.once('open', () => resolve({ ok: true, ws, extensions: negotiated }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ ok: false, status: res.statusCode });
      ws.terminate();
    });
    ws.once('error', (e) => resolve({ ok: false, status: 0, error: e }));
  }), 5000, `open ${url}`).then((r) => {
    if (r.ok) r.ws.terminate();
    return r;
  });
}

test('handshake: refusals as the reference answers them (405, 400) with Sec-WebSocket-Version: 13', T, async () => {
  const port = suitePort();
  const cases = [
    [{ method: 'POST' }, 405],
    [{ headers: { 'Sec-WebSocket-Key': null } }, 400],
    [{ headers: { 'Sec-WebSocket-Version': '12' } }, 400],
    [{ headers: { Upgrade: 'h2c' } }, 400],
    [{ headers: { Connection: 'keep-alive' } }, 400],
  ];
  for (const [req, status] of cases) {
    const r = await rawHttp(port, upgradeRequest(req), 3000);
    assert.equal(statusOf(r.text), status, `${JSON.stringify(req)}: ${r.text.slice(0, 80)}`);
    assert.match(r.text, /\r\nSec-Websocket-Version: 13\r\n/i);
    assert.match(r.text, /\r\nContent-Type: text\/plain; charset=utf-8\r\n/i);
  }
  // Bytes after the request, before the answer: not upgraded, closed (the
  // reference means a 400 but, having hijacked the connection, sends nothing).
  const early = await rawHttp(port, `${upgradeRequest()}PING\r\n`, 3000);
  assert.notEqual(statusOf(early.text), 101);
  assert.ok(early.closed || statusOf(early.text) === 400, `answer: ${early.text.slice(0, 40)}`);
});

test('handshake: any path upgrades; header tokens are matched case-insensitively in lists', T, async () => {
  const r = await rawHttp(suitePort(), upgradeRequest({
    path: '/some/path?x=1',
    headers: { Upgrade: 'WebSocket', Connection: 'keep-alive, upgrade', 'Sec-WebSocket-Version': '13' },
  }), 1500);
  assert.equal(statusOf(r.text), 101);
  assert.match(r.text, /\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/i);
  assert.ok(!/Sec-WebSocket-Extensions/i.test(r.text.split('\r\n\r\n')[0]), 'no compression unless enabled');
});

test('handshake: without origin settings any Origin is accepted', T, async () => {
  const r = await tryOpen(WS_URL, { origin: 'http://anything.example:1234' });
  assert.equal(r.ok, true);
});

test('same_origin: Origin must match the request Host (scheme ports default), no Origin is fine', T, async (t) => {
  const s = await server(t, { wsBody: 'no_tls: true\n  same_origin: true' });
  const host = `127.0.0.1:${s.wsport}`;
  assert.equal((await tryOpen(s.wsUrl, { origin: `http://${host}` })).ok, true);
  assert.equal((await tryOpen(s.wsUrl)).ok, true, 'no Origin header: a non-browser client');
  assert.equal((await tryOpen(s.wsUrl, { origin: 'http://127.0.0.1:1' })).status, 403);
  assert.equal((await tryOpen(s.wsUrl, { origin: 'http://other.example' })).status, 403);
  // Host without a port means port 80, as for an http Origin without one.
  const r = await rawHttp(s.wsport, upgradeRequest({ headers: { Host: 'example.com', Origin: 'http://EXAMPLE.com' } }), 1500);
  assert.equal(statusOf(r.text), 101);
  const r2 = await rawHttp(s.wsport, upgradeRequest({ headers: { Host: 'example.com', Origin: 'https://example.com' } }), 1500);
  assert.equal(statusOf(r2.text), 403, 'https defaults to 443');
  assert.match(r2.text, /\r\n\r\nForbidden\n$/);
});

test('allowed_origins: scheme, host and port must match an entry', T, async (t) => {
  const s = await server(t, { wsBody: 'no_tls: true\n  allowed_origins: ["http://app.example:8080", "https://secure.example"]' });
  assert.equal((await tryOpen(s.wsUrl, { origin: 'http://app.example:8080' })).ok, true);
  assert.equal((await tryOpen(s.wsUrl, { origin: 'https://secure.example:443' })).ok, true);
  assert.equal((await tryOpen(s.wsUrl)).ok, true, 'no Origin header');
  assert.equal((await tryOpen(s.wsUrl, { origin: 'http://app.example:8081' })).status, 403);
  assert.equal((await tryOpen(s.wsUrl, { origin: 'https://app.example:8080' })).status, 403);
  assert.equal((await tryOpen(s.wsUrl, { origin: 'http://secure.example' })).status, 403);
  assert.equal((await tryOpen(s.wsUrl, { origin: 'http://evil.example' })).status, 403);
  assert.match(s.log(), /websocket handshake error: origin not allowed: not in the allowed list/);
});

test('handshake_timeout: a connection that does not finish its upgrade in time is closed', T, async (t) => {
  const s = await server(t, { wsBody: 'no_tls: true\n  handshake_timeout: "500ms"' });
  const silent = await rawHttp(s.wsport, '', 5000);
  assert.equal(silent.closed, true, 'closed by the server');
  assert.ok(silent.ms >= 400 && silent.ms < 3000, `closed after ${silent.ms} ms`);
  const partial = await rawHttp(s.wsport, 'GET / HTTP/1.1\r\nHost: x\r\n', 5000);
  assert.equal(partial.closed, true);
  assert.ok(partial.ms < 3000, `partial request closed after ${partial.ms} ms`);
  // A client that upgrades in time stays connected past the timeout.
  const c = await rawClient(s.wsUrl);
  await new Promise((r) => setTimeout(r, 800));
  await c.send('CONNECT {}\r\nPING\r\n');
  await c.waitFor(/PONG\r\n/);
  c.ws.terminate();
});

test('compression: negotiated when enabled and offered; messages stay correct both ways', T, async (t) => {
  const s = await server(t, { wsBody: 'no_tls: true\n  compression: true' });
  const r = await tryOpen(s.wsUrl);  // ws offers permessage-deflate by default
  assert.equal(r.extensions, 'permessage-deflate; server_no_context_takeover; client_no_context_takeover');
  const plain = await tryOpen(s.wsUrl, { perMessageDeflate: false });
  assert.equal(plain.extensions, '', 'not offered: not used');
  const suite = await tryOpen(WS_URL);
  assert.equal(suite.extensions, '', 'offered but not enabled on the server');

  const c = await rawClient(s.wsUrl);
  t.after(() => c.ws.terminate());
  const subj = uniq('z');
  const body = 'compressible '.repeat(20_000);
  await c.send(`CONNECT {}\r\nSUB ${subj} 1\r\nPUB ${subj} ${body.length}\r\n${body}\r\nPING\r\n`);
  await c.waitFor(/PONG\r\n/, 10_000);
  assert.ok(c.text.includes(`MSG ${subj} 1 ${body.length}\r\n${body}\r\n`), 'the compressed round trip is intact');

  const nc = await within(wsConnect({ servers: s.wsUrl, reconnect: false }), 5000, 'nats.ws connect');
  t.after(() => nc.close());
  const sub = nc.subscribe(subj);
  await nc.flush();
  nc.publish(subj, sc.encode('small'));
  nc.publish(subj, sc.encode(body));
  const got = [];
  for await (const m of sub) {
    got.push(sc.decode(m.data));
    if (got.length === 2) break;
  }
  assert.deepEqual(got, ['small', body]);
});

test('config: without no_tls (and no TLS) the server refuses to start', T, async () => {
  const r = await startServer({ wsBody: 'same_origin: false', expectFailure: true });
  assert.notEqual(r.code, 0);
  assert.match(r.log, /websocket requires TLS configuration/);
});

test('config: an unknown field in the websocket block is an error', T, async () => {
  const r = await startServer({ wsBody: 'no_tls: true\n  bogus_field: 1', expectFailure: true });
  assert.notEqual(r.code, 0);
  assert.match(r.log, /unknown field "bogus_field"/);
});

test('varz: the websocket object reports the configuration; ports file lists the listener', T, async (t) => {
  const s = await server(t, {
    wsBody: 'no_tls: true\n  same_origin: true\n  allowed_origins: ["http://a.example:8080"]\n  compression: true\n  handshake_timeout: "3s"',
    args: ['--ports_file_dir', '.'],
  });
  const varz = await (await fetch(`${s.mon}/varz`)).json();
  assert.deepEqual(varz.websocket, {
    host: '127.0.0.1',
    port: s.wsport,
    handshake_timeout: 3_000_000_000,
    no_tls: true,
    same_origin: true,
    allowed_origins: ['http://a.example:8080'],
    compression: true,
  });
  assert.match(s.log(), new RegExp(`Listening for websocket clients on ws://127\\.0\\.0\\.1:${s.wsport}`));
  assert.match(s.log(), /Websocket not configured with TLS\. DO NOT USE IN PRODUCTION!/);
  const file = readdirSync(s.dir).find((f) => f.endsWith('.ports'));
  assert.ok(file, 'a ports file');
  const ports = JSON.parse(readFileSync(join(s.dir, file), 'utf8'));
  assert.deepEqual(ports.websocket, [`ws://127.0.0.1:${s.wsport}`]);
});

test('varz: only the configured websocket fields appear (omitempty)', T, async (t) => {
  const s = await server(t, { wsBody: 'no_tls: true' });
  const varz = await (await fetch(`${s.mon}/varz`)).json();
  assert.deepEqual(Object.keys(varz.websocket), ['host', 'port', 'no_tls']);
});
