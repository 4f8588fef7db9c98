// The monitoring port never blocks the client path: HTTP clients that stall
// (a request never finished, a response never read) do not slow message
// routing, and the monitor keeps answering others.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { connect, StringCodec } from 'nats';
import { SERVER, TEST_TIMEOUT, uniq, within } from './helpers.mjs';

const MONITOR_URL = process.env.NATS_MONITOR_URL;
const sc = StringCodec();

function openRaw(url) {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(u.port), u.hostname, () => resolve(s));
    s.on('error', reject);
  });
}

test('monitor: stalled HTTP clients do not block NATS traffic or other monitor requests', { timeout: TEST_TIMEOUT },
  async (t) => {
    if (!MONITOR_URL) return t.skip('NATS_MONITOR_URL not set (run through run.sh)');
    const stalled = [];
    try {
      // Ten clients that send half a request and then nothing.
      for (let i = 0; i < 10; i++) {
        const s = await openRaw(MONITOR_URL);
        s.write('GET /connz?subs=detail HTTP/1.1\r\nHost: x\r\n');
        stalled.push(s);
      }
      // Ten that ask for /connz and never read the answer.
      for (let i = 0; i < 10; i++) {
        const s = await openRaw(MONITOR_URL);
        s.pause();
        s.write('GET /connz?subs=detail HTTP/1.1\r\nHost: x\r\n\r\n');
        stalled.push(s);
      }
      const nc = await connect({ servers: SERVER, timeout: 5_000 });
      try {
        const subject = uniq('slowhttp');
        const n = 5_000;
        const sub = nc.subscribe(subject, { max: n });
        await nc.flush();
        for (let i = 0; i < n; i++) nc.publish(subject, sc.encode(String(i)));
        let count = 0;
        await within((async () => { for await (const _ of sub) count++; })(), 5_000, `${n} messages`);
        assert.equal(count, n);
        const r = await fetch(`${MONITOR_URL}/varz`, { signal: AbortSignal.timeout(5_000) });
        assert.equal(r.status, 200);
        const varz = await r.json();
        assert.ok(varz.in_msgs >= n);
      } finally {
        await nc.close();
      }
    } finally {
      for (const s of stalled) s.destroy();
    }
  });
