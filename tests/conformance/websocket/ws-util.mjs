// Helpers for the websocket suite: the suite's server (NATS_WS_URL, set by
// run.sh), private server instances with their own `websocket {}` config, a
// raw `ws` client that collects the server's NATS protocol bytes, and raw
// HTTP over TCP for the handshake refusals.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { sleep, within } from '../helpers.mjs';

// nats.ws looks for a global WebSocket (browsers have one; Node 20 does not).
globalThis.WebSocket ??= WebSocket;

export const WS_URL = process.env.NATS_WS_URL;
export const SERVER_BIN = process.env.NATS_SERVER_BIN;
export { WebSocket };

export async function freePorts(n) {
  const servers = Array.from({ length: n }, () => net.createServer());
  const ports = await Promise.all(servers.map((s) => new Promise((r) => s.listen(0, '127.0.0.1', () => r(s.address().port)))));
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/**
 * Starts SERVER_BIN with a config file holding `websocket { <wsBody> }` (plus
 * `extra` top-level lines) on free 127.0.0.1 ports, in a temp dir; resolves
 * once /healthz answers. `expectFailure`: resolve with the exit code and the
 * output instead (for configurations the server must refuse).
 */
export async function startServer({ wsBody = 'no_tls: true', extra = '', args = [], expectFailure = false } = {}) {
  const [port, mport, wsport] = await freePorts(3);
  const dir = mkdtempSync(join(tmpdir(), 'natrium-ws-'));
  const conf = join(dir, 'server.conf');
  writeFileSync(conf, `listen: "127.0.0.1:${port}"\nhttp: "127.0.0.1:${mport}"\n${extra}\n` +
    `websocket {\n  host: 127.0.0.1\n  port: ${wsport}\n  ${wsBody}\n}\n`);
  const proc = spawn(SERVER_BIN, ['-c', conf, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  let log = '';
  proc.stdout.on('data', (d) => { log += d; });
  proc.stderr.on('data', (d) => { log += d; });
  const s = {
    proc, dir, port, mport, wsport, log: () => log,
    natsUrl: `nats://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${wsport}`, mon: `http://127.0.0.1:${mport}`,
  };
  if (expectFailure) {
    const code = await within(new Promise((r) => proc.once('exit', r)), 10_000, 'the server to exit');
    rmSync(dir, { recursive: true, force: true });
    return { code, log };
  }
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`${SERVER_BIN} exited during startup:\n${log}`);
    }
    try {
      const r = await fetch(`${s.mon}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return s;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stopServer(s);
      throw new Error(`${SERVER_BIN} not ready within 10s:\n${log}`);
    }
    await sleep(50);
  }
}

/** Stops the instance by its PID (TERM, then KILL after 3 s) and removes its dir. */
export async function stopServer(s) {
  if (!s) return;
  if (s.proc.exitCode === null && s.proc.signalCode === null) {
    const exited = new Promise((r) => s.proc.once('exit', r));
    s.proc.kill('SIGTERM');
    const timer = setTimeout(() => s.proc.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(s.dir, { recursive: true, force: true });
}

/**
 * A raw WebSocket connection that accumulates what the server sends (text of
 * every data message, in order) and records frames' kinds.
 * `waitFor(re)` resolves with the match once the accumulated text matches.
 */
export async function rawClient(url = WS_URL, options = {}) {
  const ws = new WebSocket(url, options);
  const c = { ws, text: '', messages: [], binary: [], pongs: [], closed: null, error: null };
  ws.on('message', (data, isBinary) => {
    const s = Buffer.from(data).toString('latin1');
    c.text += s;
    c.messages.push(s);
    c.binary.push(isBinary);
  });
  ws.on('pong', (data) => c.pongs.push(Buffer.from(data).toString()));
  c.closedP = new Promise((r) => ws.on('close', (code, reason) => {
    c.closed = { code, reason: reason.toString() };
    r(c.closed);
  }));
  ws.on('error', (e) => { c.error = e; });
  c.waitFor = async (re, ms = 5000, what = String(re)) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = c.text.match(re);
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`timed out after ${ms}ms waiting for ${what}; got ${JSON.stringify(c.text.slice(-300))}`);
      if (c.closed) throw new Error(`closed (${c.closed.code}) waiting for ${what}; got ${JSON.stringify(c.text.slice(-300))}`);
      await sleep(5);
    }
  };
  c.send = (data) => new Promise((resolve, reject) => ws.send(Buffer.from(data), { binary: true }, (e) => (e ? reject(e) : resolve())));
  await within(new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  }), 5000, `open ${url}`);
  await c.waitFor(/^INFO \{.*\} ?\r\n/, 5000, 'INFO');
  return c;
}

/** True once `text` holds a whole HTTP response (a 101's headers, or headers and Content-Length bytes). */
function completeResponse(text) {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return false;
  if (/^HTTP\/1\.1 101 /.test(text)) return true;
  const len = text.slice(0, end).match(/\r\ncontent-length: *(\d+)/i);
  return len !== null && text.length >= end + 4 + Number(len[1]);
}

/**
 * Sends `request` (raw HTTP text) over TCP to port and resolves with what the
 * server answered: once a whole response arrived (the connection is left
 * open), the server closed, or `ms` passed: { text, closed, ms }.
 */
export function rawHttp(port, request, ms = 5000) {
  return new Promise((resolve) => {
    const started = Date.now();
    const sock = net.connect(port, '127.0.0.1');
    let text = '';
    let done = false;
    const finish = (closed) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ text, closed, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), ms);
    sock.on('connect', () => { if (request) sock.write(request); });
    sock.on('data', (d) => {
      text += d.toString('latin1');
      if (request && completeResponse(text)) finish(false);
    });
    sock.on('close', () => finish(true));
    sock.on('error', () => finish(true));
  });
}

/** An upgrade request for raw tests; `headers` override or add (null removes). */
export function upgradeRequest({ method = 'GET', path = '/', headers = {} } = {}) {
  const h = {
    Host: 'localhost',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version': '13',
    ...headers,
  };
  let text = `${method} ${path} HTTP/1.1\r\n`;
  for (const [k, v] of Object.entries(h)) if (v !== null) text += `${k}: ${v}\r\n`;
  return `${text}\r\n`;
}

/** The status code of a raw HTTP answer (0 if none). */
export function statusOf(text) {
  const m = text.match(/^HTTP\/1\.1 (\d{3})/);
  return m ? Number(m[1]) : 0;
}
