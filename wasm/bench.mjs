// Throughput of the in-process server: one publisher, one subscriber, 16-byte
// payloads, through the JS API (raw connections), through nats.ws clients and
// over TCP through listen(). Not a test: it prints msgs/s.
//   node wasm/bench.mjs [messages]
import { createServer } from './natrium.mjs';

const total = Number(process.argv[2] ?? 2_000_000);
const payload = 'x'.repeat(16);
const pubLine = `PUB bench 16\r\n${payload}\r\n`;          // 32 bytes in
const msgBytes = `MSG bench 1 16\r\n${payload}\r\n`.length;  // 34 bytes out
const yieldNow = () => new Promise((resolve) => setImmediate(resolve));
// CPU seconds of this process (all its threads): msgs per CPU second varies less
// than msgs/s on a machine shared with other work.
const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const perCpu = (n, c0) => `; ${Math.round(n / (cpuNow() - c0)).toLocaleString('en-US')} msgs per CPU second`;

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
  const c0 = cpuNow();
  const t0 = performance.now();
  for (let i = 0; i < writes; i++) {
    pub.write(single ?? chunk);
    if ((i & 1023) === 1023) await yieldNow();  // let the subscriber read, as a socket would
  }
  while (received() < expect) await yieldNow();
  const ms = performance.now() - t0;
  const rate = sent / (ms / 1000);
  console.log(`${label}: ${sent} msgs in ${ms.toFixed(0)} ms = ${Math.round(rate).toLocaleString('en-US')} msgs/s` +
    ` (${((expect / 1e6) / (ms / 1000)).toFixed(1)} MB/s delivered)${perCpu(sent, c0)}`);
  if (received() !== expect) throw new Error(`received ${received()} bytes, expected ${expect}`);
  const stats = server.stats();
  if (stats.slowConsumers !== 0) throw new Error('slow consumer');
  await server.close();
  return rate;
}

// A real client: nats.ws (devDependency) over the in-process WebSocket
// look-alike, or the nats-protocol over TCP through listen() (raw socket
// writes of 256 PUBs, as a client's write buffer would send them).
async function runNatsWs(n) {
  let nws;
  try {
    nws = await import('nats.ws');
  } catch {
    console.log('nats.ws client: skipped (npm ci in wasm/ installs it)');
    return;
  }
  const server = await createServer({ name: 'bench' });
  const sub = await nws.connect({ servers: 'ws://natrium', wsFactory: server.wsFactory });
  const pub = await nws.connect({ servers: 'ws://natrium', wsFactory: server.wsFactory });
  let got = 0;
  let done;
  const finished = new Promise((r) => { done = r; });
  sub.subscribe('bench', { callback: () => { if (++got === n) done(); } });
  await sub.flush();
  const data = new Uint8Array(16);
  const c0 = cpuNow();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    pub.publish('bench', data);
    if ((i & 4095) === 4095) await yieldNow();
  }
  await finished;
  const ms = performance.now() - t0;
  console.log(`16 B msgs, nats.ws client to nats.ws client (in process): ${n} msgs in ${ms.toFixed(0)} ms = ` +
    `${Math.round(n / (ms / 1000)).toLocaleString('en-US')} msgs/s${perCpu(n, c0)}`);
  await pub.close();
  await sub.close();
  await server.close();
}

async function runTcp(n) {
  const net = await import('node:net');
  const server = await createServer({ name: 'bench' });
  const l = await server.listen();
  const open = () => new Promise((resolve) => {
    const s = net.connect(l.port, '127.0.0.1', () => resolve(s));
    s.setNoDelay(true);
  });
  const sub = await open();
  const pub = await open();
  let bytes = 0;
  let ready;
  const subscribed = new Promise((r) => { ready = r; });
  let text = '';
  sub.on('data', (b) => {
    if (ready) {
      text += b.toString('latin1');
      if (text.includes('PONG\r\n')) { ready(); ready = null; }
      return;
    }
    bytes += b.length;
  });
  pub.on('data', () => {});
  sub.write('CONNECT {"verbose":false}\r\nSUB bench 1\r\nPING\r\n');
  await subscribed;
  pub.write('CONNECT {"verbose":false}\r\n');
  const chunk = Buffer.from(pubLine.repeat(256));
  const writes = Math.ceil(n / 256);
  const expect = writes * 256 * msgBytes;
  const c0 = cpuNow();
  const t0 = performance.now();
  for (let i = 0; i < writes; i++) {
    if (!pub.write(chunk)) await new Promise((r) => pub.once('drain', r));
  }
  while (bytes < expect) await new Promise((r) => setTimeout(r, 1));
  const ms = performance.now() - t0;
  console.log(`16 B msgs, TCP through listen(), 256 PUBs per socket write: ${writes * 256} msgs in ${ms.toFixed(0)} ms = ` +
    `${Math.round((writes * 256) / (ms / 1000)).toLocaleString('en-US')} msgs/s${perCpu(writes * 256, c0)}`);
  sub.destroy();
  pub.destroy();
  await server.close();
}

// Warm up the JIT, then measure.
await run('warm-up', 100_000, 256);
await run('16 B msgs, 256 PUBs per write()', total, 256);
await run('16 B msgs, one PUB per write()', Math.min(total, 500_000), 1);
await runNatsWs(Math.min(total, 500_000));
await runTcp(Math.min(total, 1_000_000));
