// Headless Chromium for the browser suite: one browser per test file, a tiny
// loopback HTTP server that serves an empty page and nats.ws's ES module, and
// `inPage(fn, arg)` to run a function in that page with the module imported
// as `nats` (fn receives { nats, wsUrl, arg }). Chromium is Debian's
// (/usr/bin/chromium, or CHROMIUM_BIN), driven by playwright-core.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

// nats.ws's package exports do not include its files: read it from node_modules.
const natsWsEsm = readFileSync(fileURLToPath(new URL('../node_modules/nats.ws/esm/nats.js', import.meta.url)));

export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
// Without the background-networking flags Chromium's own connections are
// refused on this closed network, many at a time.
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function openBrowserPage() {
  const http = createServer((req, res) => {
    if (req.url === '/nats.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(natsWsEsm);
    } else if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>natrium browser conformance</title><p>ready</p>');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => http.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${http.address().port}`;
  // launch() gives Chromium a fresh temporary profile and removes it on close.
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, timeout: 30_000 })
    .catch(async (e) => { await new Promise((r) => http.close(r)); throw e; });
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${origin}/`, { timeout: 15_000 });
  return {
    origin,
    errors,
    /** Runs `fn({ nats, wsUrl, arg })` in the page; fn must be self-contained. */
    inPage: (fn, wsUrl, arg) => page.evaluate(async ({ src, wsUrl, arg }) => {
      const nats = await import('/nats.js');
      // eslint-disable-next-line no-new-func
      const f = new Function(`return (${src})`)();
      return f({ nats, wsUrl, arg });
    }, { src: fn.toString(), wsUrl, arg }),
    async close() {
      await browser.close().catch(() => {});
      await new Promise((r) => http.close(r));
    },
  };
}
