// Browser test of the playground served by natrium-server (/playground/ on the
// monitoring port), in Debian's Chromium driven by playwright-core.
//
//   NATRIUM_SERVER_BIN   the server (default build/release/native/natrium-server)
//   CHROMIUM_BIN         the browser (default /usr/bin/chromium)
//   PLAYGROUND_SCREENSHOTS=0   do not write docs/images/playground-*.png
//   PLAYGROUND_WS_REFERENCE=1  when natrium-server has no WebSocket listener, test the
//                              connection switch against /usr/sbin/nats-server instead
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const serverBin = path.resolve(root, process.env.NATRIUM_SERVER_BIN ?? 'build/release/native/natrium-server');
const chromiumBin = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const shotsDir = process.env.PLAYGROUND_SCREENSHOTS === '0' ? null : path.join(root, 'docs/images');
const WAIT = 10_000;

let tmp;
let natrium;      // { proc, port, mport, wsPort | null }
let reference;    // nats-server for the WebSocket switch, when used
let browser;
let page;
const pageErrors = [];

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const c = net.connect({ host: '127.0.0.1', port }, () => { c.destroy(); resolve(true); });
    c.once('error', () => resolve(false));
    c.setTimeout(500, () => { c.destroy(); resolve(false); });
  });
}

async function waitPort(port, proc, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (proc.exitCode !== null) return false;
    if (await canConnect(port)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

function start(bin, args, logName) {
  const out = fs.openSync(path.join(tmp, logName), 'w');
  const proc = spawn(bin, args, { stdio: ['ignore', out, out] });
  fs.closeSync(out);
  return proc;
}

async function stop(proc) {
  if (!proc || proc.exitCode !== null || proc.signalCode) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

function logOf(name) {
  try { return fs.readFileSync(path.join(tmp, name), 'utf8').slice(-2000); } catch { return ''; }
}

// Starts natrium-server with a websocket block; without WebSocket support
// (the config is refused or the port never opens), starts it without one.
async function startNatrium() {
  const [port, mport, wsPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const conf = path.join(tmp, 'natrium.conf');
  fs.writeFileSync(conf, `websocket {\n  port: ${wsPort}\n  no_tls: true\n}\n`);
  const base = ['-a', '127.0.0.1', '-p', String(port), '-m', String(mport), '-js', '-sd', path.join(tmp, 'js')];
  let proc = start(serverBin, [...base, '-c', conf], 'natrium-ws.log');
  if (await waitPort(mport, proc, WAIT) && await waitPort(wsPort, proc, 2000)) return { proc, port, mport, wsPort };
  await stop(proc);
  proc = start(serverBin, base, 'natrium.log');
  if (!await waitPort(mport, proc, WAIT)) throw new Error(`natrium-server did not start:\n${logOf('natrium.log')}`);
  return { proc, port, mport, wsPort: null };
}

async function startReference() {
  const [port, wsPort] = await Promise.all([freePort(), freePort()]);
  const conf = path.join(tmp, 'reference.conf');
  fs.writeFileSync(conf, `websocket {\n  port: ${wsPort}\n  no_tls: true\n}\n`);
  const proc = start('/usr/sbin/nats-server', ['-a', '127.0.0.1', '-p', String(port), '-c', conf], 'reference.log');
  if (!await waitPort(wsPort, proc, WAIT)) throw new Error(`nats-server did not start:\n${logOf('reference.log')}`);
  return { proc, port, wsPort };
}

// A raw NATS client over TCP: proves that the page's messages reach the native server.
async function rawSubscriber(port, subject) {
  const sock = net.connect({ host: '127.0.0.1', port });
  let buf = '';
  sock.setEncoding('utf8');
  sock.on('data', (d) => { buf += d; });
  sock.on('error', () => {});
  await new Promise((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
  sock.write(`CONNECT {"verbose":false,"pedantic":false}\r\nSUB ${subject} 1\r\nPING\r\n`);
  await until(() => buf.includes('PONG'), 'raw client PONG');
  return { text: () => buf, close: () => sock.destroy() };
}

async function until(fn, what, ms = WAIT) {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function shot(name, locator) {
  if (!shotsDir) return;
  fs.mkdirSync(shotsDir, { recursive: true });
  const file = path.join(shotsDir, `playground-${name}.png`);
  if (locator) await locator.screenshot({ path: file });
  else await page.screenshot({ path: file, fullPage: true });
}

const tab = (name) => page.click(`.tabs [data-tab="${name}"]`);
const text = (sel) => page.locator(sel).first().textContent({ timeout: WAIT });

async function publish(subject, payload, count = 1) {
  await tab('core');
  await page.fill('#pub-subject', subject);
  await page.fill('#pub-payload', payload);
  await page.fill('#pub-count', String(count));
  await page.click('#pub-btn');
}

async function subscribe(subject, queue = '') {
  await tab('core');
  await page.fill('#sub-subject', subject);
  await page.fill('#sub-queue', queue);
  await page.click('#sub-btn');
  await page.waitForSelector(`#sub-list [data-sub="${subject}"]`, { timeout: WAIT });
}

before(async () => {
  assert.ok(fs.existsSync(serverBin), `no natrium-server at ${serverBin} (set NATRIUM_SERVER_BIN or build it)`);
  assert.ok(fs.existsSync(chromiumBin), `no Chromium at ${chromiumBin} (apt-get install chromium)`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'natrium-playground-'));
  natrium = await startNatrium();
  browser = await chromium.launch({
    executablePath: chromiumBin,
    timeout: 30_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(WAIT);
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

after(async () => {
  await browser?.close().catch(() => {});
  await stop(natrium?.proc);
  await stop(reference?.proc);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('the monitoring port serves the playground', async () => {
  const base = `http://127.0.0.1:${natrium.mport}`;
  const redirect = await fetch(`${base}/playground`, { redirect: 'manual' });
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.get('location'), '/playground/');
  const index = await fetch(`${base}/playground/`);
  assert.equal(index.status, 200, 'natrium-server was built without web/dist: run scripts/build-playground.sh, then rebuild');
  assert.match(index.headers.get('content-type'), /^text\/html/);
  assert.match(await index.text(), /Natrium playground/);
  const js = await fetch(`${base}/playground/js/main.js`);
  assert.match(js.headers.get('content-type'), /^text\/javascript/);
  const css = await fetch(`${base}/playground/css/playground.css`);
  assert.match(css.headers.get('content-type'), /^text\/css/);
  assert.equal((await fetch(`${base}/playground/nope.js`)).status, 404);
  assert.equal((await fetch(`${base}/varz`)).status, 200, 'the monitoring endpoints still answer');
});

test('in-browser server: wildcards, streams, KV, examples', async (t) => {
  await page.goto(`http://127.0.0.1:${natrium.mport}/playground/`);
  await page.waitForSelector('#conn-status[data-state="connected"]');
  assert.match(await text('#conn-status'), /in-browser server.*JetStream/);

  await t.test('orders.* gets orders.created, not orders.payment.failed', async () => {
    await subscribe('orders.*');
    await publish('orders.created', '{"id":1}');
    await publish('orders.payment.failed', '{"id":1}');
    const flowFailed = '#flow-list [data-flow-subject="orders.payment.failed"]';
    await page.waitForSelector(`${flowFailed} .chip[data-sub="orders.*"][data-state="none"]`);
    await page.waitForSelector('#flow-list [data-flow-subject="orders.created"] .chip[data-sub="orders.*"][data-state="got"]');
    await page.waitForTimeout(300);  // time for a wrong delivery to show up
    const card = '#sub-list [data-sub="orders.*"]';
    assert.equal(await text(`${card} .badge.count`), '1');
    const msgs = await text(`${card} .msgs`);
    assert.match(msgs, /orders\.created/);
    assert.doesNotMatch(msgs, /payment/);
  });

  await t.test('a stream counts the messages published to it', async () => {
    await tab('js');
    await page.fill('#stream-name', 'TEST');
    await page.fill('#stream-subjects', 'test.>');
    await page.click('#stream-btn');
    const cell = '#stream-rows [data-stream="TEST"] [data-field="messages"]';
    await until(async () => (await text(cell)) === '0', 'stream TEST');
    await publish('test.a', 'm{{i}}', 3);
    await tab('js');
    await until(async () => (await text(cell)) === '3', 'TEST to hold 3 messages');
    assert.equal(await text('#stream-rows [data-stream="TEST"] [data-field="last_seq"]'), '3');
  });

  await t.test('a KV put shows in the watch', async () => {
    await tab('kv');
    await page.fill('#kv-name', 'settings');
    await page.fill('#kv-history', '3');
    await page.click('#kv-create');
    await until(async () => (await page.inputValue('#kv-bucket')) === 'settings', 'bucket settings open');
    await page.fill('#kv-key', 'color');
    await page.fill('#kv-value', 'blue');
    await page.click('#kv-put');
    await page.waitForSelector('#kv-watch li[data-key="color"][data-op="PUT"]');
    assert.match(await text('#kv-watch li[data-key="color"]'), /blue/);
    assert.equal(await text('#kv-values [data-key="color"] [data-field="value"]'), 'blue');
  });

  await t.test('example: ORDERS stream with a push and a pull consumer, acked by hand', async () => {
    await page.click('[data-example="orders-stream"]');
    const shipper = '#cons-rows [data-consumer="ORDERS/shipper"]';
    await until(async () => (await page.locator(shipper).count()) === 1
      && (await text(`${shipper} [data-field="num_ack_pending"]`)) === '2', 'shipper to have 2 unacked');
    assert.equal(await text(`${shipper} [data-field="num_pending"]`), '2');
    await page.locator('#cons-inbox li[data-consumer="ORDERS/shipper"] [data-act="ack"]').first().click();
    await until(async () => (await text(`${shipper} [data-field="num_ack_pending"]`)) === '1', 'the ack to count');
    await page.waitForSelector('#cons-inbox li[data-consumer="ORDERS/monitor"]');
  });

  await t.test('example: EMAIL_JOBS work queue drained by two workers', async () => {
    await page.click('[data-example="email-jobs"]');
    const row = '#stream-rows [data-stream="EMAIL_JOBS"]';
    await until(async () => (await page.locator(row).count()) === 1
      && (await text(`${row} [data-field="last_seq"]`)) === '8'
      && (await text(`${row} [data-field="messages"]`)) === '0', 'the workers to empty EMAIL_JOBS');
    const jobs = await page.locator('#worker-log li').evaluateAll((lis) => lis.map((li) => li.dataset.worker));
    assert.equal(jobs.length, 8, 'each job handled once');
    assert.ok(jobs.includes('worker-1') && jobs.includes('worker-2'), `both workers worked: ${jobs}`);
    await shot('jetstream');
  });

  await t.test('example: config KV with a watcher', async () => {
    await page.click('[data-example="config-kv"]');
    await page.waitForSelector('#kv-watch li[data-key="app.retries"][data-op="DEL"]');
    await page.waitForSelector('#kv-out [data-history="app.theme"]');
    await shot('kv');
  });

  await t.test('example: orders.* vs orders.> and user.lookup', async () => {
    await tab('core');
    await page.click('button:has-text("Unsubscribe all")');
    await page.click('[data-example="wildcards"]');
    // the newest row of each subject is the first
    const failed = page.locator('#flow-list [data-flow-subject="orders.payment.failed"]').first();
    const created = page.locator('#flow-list [data-flow-subject="orders.created"]').first();
    await failed.locator('.chip[data-sub="orders.>"][data-state="got"]').waitFor();
    assert.equal(await failed.locator('.chip[data-sub="orders.*"][data-state="none"]').count(), 1);
    await created.locator('.chip[data-sub="orders.*"][data-state="got"]').waitFor();
    await created.locator('.chip[data-sub="orders.>"][data-state="got"]').waitFor();
    await page.click('[data-example="user-lookup"]');
    await page.waitForSelector('#req-results [data-result="no-responders"]');
    assert.match(await text('#req-results [data-result="reply"]'), /Ada Lovelace/);
    await shot('overview');
    await page.click('[data-example="queue"]');
    const row = page.locator('#flow-list [data-flow-subject="orders.created"]').first();
    await row.locator('.chip[data-queue="billing"][data-state="got"]').waitFor();
    await until(async () => (await row.locator('.chip[data-queue="billing"][data-state="queue-other"]').count()) === 2,
      'the other two billing members to be marked');
    assert.equal(await row.locator('.chip[data-queue="billing"][data-state="got"]').count(), 1);
    await shot('flow', page.locator('#panel-flow'));
  });

  assert.equal(await page.locator('#errors .error').count(), 0, `errors shown: ${await text('#errors')}`);
  assert.deepEqual(pageErrors, []);
});

test('native server over WebSocket', async (t) => {
  let target = natrium.wsPort ? { port: natrium.port, wsPort: natrium.wsPort, name: 'natrium-server' } : null;
  if (!target && process.env.PLAYGROUND_WS_REFERENCE === '1') {
    reference = await startReference();
    target = { port: reference.port, wsPort: reference.wsPort, name: 'nats-server (reference)' };
  }
  if (!target) {
    t.skip('natrium-server has no WebSocket listener yet (set PLAYGROUND_WS_REFERENCE=1 to test the switch against nats-server)');
    return;
  }
  t.diagnostic(`WebSocket switch against ${target.name}`);
  const raw = await rawSubscriber(target.port, 'ws.hello');
  try {
    await page.check('#mode-ws');
    await page.fill('#ws-url', `ws://127.0.0.1:${target.wsPort}`);
    await page.click('#conn-btn');
    await page.waitForSelector('#conn-status[data-state="connected"]');
    assert.match(await text('#conn-status'), new RegExp(`ws://127.0.0.1:${target.wsPort}`));
    await subscribe('ws.hello');
    await publish('ws.hello', 'over the wire');
    await until(async () => (await text('#sub-list [data-sub="ws.hello"] .badge.count')) === '1', `${target.name} echo`);
    await until(() => raw.text().includes('MSG ws.hello 1'), 'the raw TCP client to get the message');
    assert.match(raw.text(), /over the wire/);
    if (target.name === 'natrium-server') {  // started with -js: JetStream through the page too
      await page.click('[data-example="orders-stream"]');
      const shipper = '#cons-rows [data-consumer="ORDERS/shipper"]';
      await until(async () => (await page.locator(shipper).count()) === 1
        && (await text(`${shipper} [data-field="num_ack_pending"]`)) === '2', 'ORDERS/shipper on the native server');
      assert.equal(await text('#stream-rows [data-stream="ORDERS"] [data-field="messages"]'), '5');
    }
  } finally {
    raw.close();
  }
  assert.equal(await page.locator('#errors .error').count(), 0, `errors shown: ${await text('#errors')}`);
  assert.deepEqual(pageErrors, []);
});
