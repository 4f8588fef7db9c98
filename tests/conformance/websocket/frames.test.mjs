// WebSocket framing with a raw `ws` 8.18.3 client against the suite's server
// (NATS_WS_URL): the NATS protocol in binary (and text) messages, split over
// several frames or messages, several operations in one frame, ping/pong and
// close frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tcpConnect } from 'nats';
import { SERVER, TEST_TIMEOUT, uniq, within, sleep } from '../helpers.mjs';
import { rawClient } from './ws-util.mjs';

const T = { timeout: TEST_TIMEOUT };
const CONNECT = 'CONNECT {"verbose":false,"pedantic":false,"protocol":1,"headers":true}\r\n';

async function raw(t, options) {
  const c = await rawClient(undefined, options);
  t.after(() => c.ws.terminate());
  return c;
}

/** Sends `text` as one message made of fragments (a first frame and continuation frames). */
function sendFragmented(c, parts) {
  return new Promise((resolve, reject) => {
    parts.forEach((p, i) => {
      const last = i === parts.length - 1;
      c.ws.send(Buffer.from(p, 'latin1'), { binary: true, fin: last }, last ? (e) => (e ? reject(e) : resolve()) : undefined);
    });
  });
}

test('raw ws: INFO arrives in a binary message; the protocol works as over TCP', T, async (t) => {
  const c = await raw(t);
  assert.equal(c.binary[0], true, 'binary frame');
  const info = JSON.parse(c.text.match(/^INFO (\{.*\}) ?\r\n/)[1]);
  assert.equal(info.proto, 1);
  await c.send(`${CONNECT}PING\r\n`);
  await c.waitFor(/PONG\r\n/);
});

test('raw ws: CONNECT, SUB and PUB split across messages at awkward places', T, async (t) => {
  const subj = uniq('split');
  const c = await raw(t);
  const wire = `${CONNECT}SUB ${subj} 1\r\nPUB ${subj} 11\r\nhello world\r\nPING\r\n`;
  // Every 7 bytes: splits inside the verb, the arguments, the CRLF and the payload.
  for (let i = 0; i < wire.length; i += 7) await c.send(wire.slice(i, i + 7));
  const m = await c.waitFor(new RegExp(`MSG ${subj.replace(/\./g, '\\.')} 1 11\\r\\nhello world\\r\\n`));
  assert.ok(m);
  await c.waitFor(/PONG\r\n/);
});

test('raw ws: one message of several fragments (continuation frames) carrying a PUB', T, async (t) => {
  const subj = uniq('frag');
  const c = await raw(t);
  await c.send(`${CONNECT}SUB ${subj} 9\r\n`);
  const body = 'x'.repeat(3000);
  const wire = `PUB ${subj} ${body.length}\r\n${body}\r\nPING\r\n`;
  await sendFragmented(c, [wire.slice(0, 5), wire.slice(5, 1000), wire.slice(1000, 2999), wire.slice(2999)]);
  await c.waitFor(/PONG\r\n/);
  assert.ok(c.text.includes(`MSG ${subj} 9 3000\r\n${body}\r\n`), 'the fragmented PUB was delivered whole');
});

test('raw ws: many operations in one frame', T, async (t) => {
  const subj = uniq('many');
  const c = await raw(t);
  let wire = `${CONNECT}SUB ${subj}.* 1\r\n`;
  for (let i = 0; i < 200; i++) wire += `PUB ${subj}.${i} ${String(i).length}\r\n${i}\r\n`;
  wire += 'PING\r\n';
  await c.send(wire);
  await c.waitFor(/PONG\r\n/);
  const msgs = [...c.text.matchAll(/MSG (\S+) 1 (\d+)\r\n(\d+)\r\n/g)];
  assert.equal(msgs.length, 200);
  msgs.forEach((m, i) => {
    assert.equal(m[1], `${subj}.${i}`);
    assert.equal(m[3], String(i));
  });
});

test('raw ws: text frames carry the protocol too (as the reference reads them)', T, async (t) => {
  const c = await raw(t);
  await new Promise((r, j) => c.ws.send(`${CONNECT}PING\r\n`, { binary: false }, (e) => (e ? j(e) : r())));
  await c.waitFor(/PONG\r\n/);
  assert.ok(c.binary.every((b) => b), 'the server answers in binary messages only');
});

test('raw ws: a ping frame is answered with a pong carrying its payload', T, async (t) => {
  const c = await raw(t);
  c.ws.ping(Buffer.from('are you there'));
  await within((async () => { while (c.pongs.length === 0) await sleep(5); })(), 3000, 'pong');
  assert.deepEqual(c.pongs, ['are you there']);
  await c.send(`${CONNECT}PING\r\n`);
  await c.waitFor(/PONG\r\n/);  // still usable
});

test('raw ws: a close frame is answered with the same status; the connection and its subscriptions go', T, async (t) => {
  const subj = uniq('close');
  const nc = await within(tcpConnect({ servers: SERVER, reconnect: false }), 5000, 'tcp connect');
  t.after(() => nc.close());
  const c = await raw(t);
  await c.send(`${CONNECT}SUB ${subj} 1\r\nPING\r\n`);
  await c.waitFor(/PONG\r\n/);
  c.ws.close(1000, 'bye');
  const closed = await within(c.closedP, 3000, 'close');
  assert.equal(closed.code, 1000);
  // The subscription went with the connection: a request soon finds no responder.
  let noResponders = false;
  for (let i = 0; i < 40 && !noResponders; i++) {
    noResponders = await nc.request(subj, undefined, { timeout: 100 }).then(() => false, (e) => /503|no responders/i.test(String(e)));
  }
  assert.ok(noResponders, 'no responders after the WebSocket client left');
  const e = await raw(t);
  e.ws.close(4000);
  assert.equal((await within(e.closedP, 3000, 'close 4000')).code, 4000);
  const d = await raw(t);  // the listener still serves
  await d.send(`${CONNECT}PING\r\n`);
  await d.waitFor(/PONG\r\n/);
});

test('raw ws: a protocol error gets -ERR, then a close frame with status 1002', T, async (t) => {
  const c = await raw(t);
  await c.send(`${CONNECT}FOO BAR\r\n`);
  const closed = await within(c.closedP, 5000, 'close after the error');
  assert.match(c.text, /-ERR 'Unknown Protocol Operation'\r\n$/);
  assert.equal(closed.code, 1002);
});

test('raw ws: a payload over max_payload gets -ERR and a close frame', T, async (t) => {
  const c = await raw(t);
  await c.send(`${CONNECT}PUB ${uniq('big')} 2000000\r\n`);
  const closed = await within(c.closedP, 5000, 'close after the error');
  assert.match(c.text, /-ERR 'Maximum Payload Violation'\r\n$/);
  assert.ok([1009, 1002].includes(closed.code), `close status ${closed.code}`);
});
