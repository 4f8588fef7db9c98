// Throughput of the in-process server through the JS API: one publisher, one
// subscriber, 16-byte payloads. Not a test: it prints msgs/s.
//   node wasm/bench.mjs [messages]
import { createServer } from './natrium.mjs';

const total = Number(process.argv[2] ?? 2_000_000);
const payload = 'x'.repeat(16);
const pubLine = `PUB bench 16\r\n${payload}\r\n`;          // 32 bytes in
const msgBytes = `MSG bench 1 16\r\n${payload}\r\n`.length;  // 34 bytes out
const yieldNow = () => new Promise((resolve) => setImmediate(resolve));

async function setup() {
  const server = await createServer({ name: 'bench' });
  const sub = server.connect();
  const pub = server.connect();
  let received = 0;
  let ready = null;
  sub.ondata = (b) => {
    if (ready) {
      const text = new TextDecoder().decode(b);
      if (text.includes('PONG\r\n')) ready();
      return;
    }
    received += b.length;
  };
  pub.ondata = () => {};
  await new Promise((resolve) => {
    ready = resolve;
    sub.write('CONNECT {"verbose":false}\r\nSUB bench 1\r\nPING\r\n');
  });
  ready = null;
  pub.write('CONNECT {"verbose":false}\r\n');
  return { server, sub, pub, received: () => received };
}

async function run(label, n, perWrite) {
  const { server, pub, received } = await setup();
  const chunk = new TextEncoder().encode(pubLine.repeat(perWrite));
  const single = perWrite === 1 ? new TextEncoder().encode(pubLine) : null;
  const writes = Math.ceil(n / perWrite);
  const sent = writes * perWrite;
  const expect = sent * msgBytes;
  const t0 = performance.now();
  for (let i = 0; i < writes; i++) {
    pub.write(single ?? chunk);
    if ((i & 1023) === 1023) await yieldNow();  // let the subscriber read, as a socket would
  }
  while (received() < expect) await yieldNow();
  const ms = performance.now() - t0;
  const rate = sent / (ms / 1000);
  console.log(`${label}: ${sent} msgs in ${ms.toFixed(0)} ms = ${Math.round(rate).toLocaleString('en-US')} msgs/s` +
    ` (${((expect / 1e6) / (ms / 1000)).toFixed(1)} MB/s delivered)`);
  if (received() !== expect) throw new Error(`received ${received()} bytes, expected ${expect}`);
  const stats = server.stats();
  if (stats.slowConsumers !== 0) throw new Error('slow consumer');
  await server.close();
  return rate;
}

// Warm up the JIT, then measure.
await run('warm-up', 100_000, 256);
await run('16 B msgs, 256 PUBs per write()', total, 256);
await run('16 B msgs, one PUB per write()', Math.min(total, 500_000), 1);
