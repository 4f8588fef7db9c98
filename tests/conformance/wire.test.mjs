// Exact wire behaviour over raw TCP (no client library), as nats-server 2.9.10 does it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Raw } from './raw.mjs';
import { PORT, TEST_TIMEOUT, uniq, pattern } from './helpers.mjs';

const T = { timeout: TEST_TIMEOUT };
const MAX_PAYLOAD = 1048576;
const MAX_CONTROL_LINE = 4096;

async function raw(t, opts, conn) {
  const c = opts === undefined ? await Raw.connect(conn) : await Raw.open(opts, conn);
  t.after(() => c.close());
  return c;
}

/** A fresh connection that must be told off with exactly `err` and then closed. */
async function expectErrAndClose(t, opts, input, err) {
  const c = await raw(t, opts);
  if (opts !== undefined) assert.equal(await c.sync(), '', 'CONNECT accepted');
  c.send(input);
  const rest = await c.expectClosed(3000);
  assert.equal(rest, err === null ? '' : `-ERR '${err}'\r\n`, `reply to ${JSON.stringify(input.slice(0, 60))}`);
}

/** A fresh connection that must close (nats-server sends no -ERR for these). */
async function expectClose(t, opts, input) {
  const c = await raw(t, opts);
  c.send(input);
  await c.expectClosed(3000);
}

test('wire: INFO is the first line: `INFO {json} \\r\\n` with the expected fields', T, async (t) => {
  const c = await raw(t);
  assert.match(c.infoLine, /^INFO \{.*\} \r\n$/, `INFO line shape: ${JSON.stringify(c.infoLine.slice(-20))}`);
  const info = c.info;
  for (const k of ['server_id', 'server_name', 'version', 'proto', 'host', 'port', 'headers', 'max_payload', 'client_id', 'client_ip']) {
    assert.ok(k in info, `INFO has ${k}: ${c.infoLine}`);
  }
  assert.ok(typeof info.server_id === 'string' && info.server_id.length > 0);
  assert.ok(typeof info.server_name === 'string' && info.server_name.length > 0);
  assert.match(info.version, /^\d+\.\d+\.\d+/);
  assert.equal(info.proto, 1);
  assert.equal(info.host, '127.0.0.1');
  assert.equal(info.port, PORT);
  assert.equal(info.headers, true);
  assert.equal(info.max_payload, MAX_PAYLOAD);
  assert.ok(Number.isInteger(info.client_id) && info.client_id > 0);
  assert.equal(info.client_ip, '127.0.0.1');
  assert.ok(!info.auth_required, 'no auth required');
  assert.ok(!info.tls_required, 'no TLS required');
  assert.equal(c.pending(), '', 'nothing but INFO before the client speaks');
  const c2 = await raw(t);
  assert.ok(c2.info.client_id > info.client_id, `client_id grows: ${info.client_id} then ${c2.info.client_id}`);
  assert.equal(c2.info.server_id, info.server_id);
});

test('wire: PING -> PONG, before and after CONNECT; client PONG gets no reply', T, async (t) => {
  const c = await raw(t);
  c.send('PING\r\n');
  assert.equal(await c.readLine(), 'PONG\r\n');
  c.send('CONNECT {"verbose":false,"pedantic":false}\r\nPING\r\n');
  assert.equal(await c.readLine(), 'PONG\r\n');
  c.send('PONG\r\n');
  assert.equal(await c.sync(), '', 'PONG from the client is not answered');
  c.send('PING\r\nPING\r\nPING\r\n');
  assert.equal(await c.readUntil('PONG\r\nPONG\r\nPONG\r\n'), '');
});

test('wire: verbose:true gives +OK to CONNECT, SUB, PUB, UNSUB (not PING)', T, async (t) => {
  const s = uniq('verbose');
  const c = await raw(t);
  c.send('CONNECT {"verbose":true,"pedantic":false}\r\n');
  assert.equal(await c.readLine(), '+OK\r\n');
  c.send(`SUB ${s} 1\r\n`);
  assert.equal(await c.readLine(), '+OK\r\n');
  c.send(`PUB ${s} 2\r\nhi\r\n`);
  // +OK for the PUB comes before the MSG it produces on this same connection
  assert.equal(await c.readUntil(`MSG ${s} 1 2\r\nhi\r\n`), '+OK\r\n');
  c.send('UNSUB 1\r\n');
  assert.equal(await c.readLine(), '+OK\r\n');
  c.send('UNSUB 77\r\n'); // unknown sid: still +OK, no error
  assert.equal(await c.readLine(), '+OK\r\n');
  assert.equal(await c.sync(), '', 'PING answered with PONG only');
  c.send(`SUB ${s}..bad 2\r\n`);
  assert.equal(await c.sync(), "-ERR 'Invalid Subject'\r\n", 'invalid SUB: -ERR and no +OK');
});

test('wire: pedantic PUB to a wildcard subject: -ERR \'Invalid Publish Subject\', connection stays open', T, async (t) => {
  const s = uniq('ped');
  const listener = await raw(t, {});
  listener.send(`SUB ${s}.literal 1\r\n`);
  assert.equal(await listener.sync(), '');
  const c = await raw(t, { pedantic: true });
  c.send(`PUB ${s}.* 2\r\nhi\r\n`);
  assert.equal(await c.sync(), "-ERR 'Invalid Publish Subject'\r\n");
  c.send(`PUB ${s}.> 2\r\nhi\r\n`);
  assert.equal(await c.sync(), "-ERR 'Invalid Publish Subject'\r\n");
  c.send(`PUB ${s}.literal 2\r\nok\r\n`);
  assert.equal(await c.sync(), '', 'still usable after the error');
  const m = await listener.readMsg();
  assert.equal(m.subject, `${s}.literal`);
  assert.equal(m.payload.toString(), 'ok', 'the wildcard PUBs did not reach the literal subscriber');
  assert.equal(await listener.sync(), '');
  // not pedantic: no error
  const loose = await raw(t, { pedantic: false });
  loose.send(`PUB ${s}.* 2\r\nhi\r\n`);
  assert.equal(await loose.sync(), '');
});

test('wire: CONNECT defaults: no CONNECT means verbose; CONNECT without "pedantic" is pedantic', T, async (t) => {
  const s = uniq('defaults');
  const c = await raw(t); // never sends CONNECT
  c.send(`PUB ${s} 1\r\nx\r\n`);
  assert.equal(await c.sync(), '+OK\r\n', 'ops before CONNECT are answered as verbose');
  const d = await raw(t);
  d.send('CONNECT {"verbose":false}\r\n');
  d.send(`PUB ${s}.* 1\r\nx\r\n`);
  assert.equal(await d.sync(), "-ERR 'Invalid Publish Subject'\r\n", 'pedantic defaults to true');
});

test('wire: SUB with an invalid subject: -ERR \'Invalid Subject\', connection stays open', T, async (t) => {
  const s = uniq('badsub');
  const c = await raw(t, {});
  for (const bad of [`${s}..x`, `${s}.`, `.${s}`, `${s}.>.x`, `${s}.>.>`]) {
    c.send(`SUB ${bad} 9\r\n`);
    assert.equal(await c.sync(), "-ERR 'Invalid Subject'\r\n", `SUB ${bad}`);
  }
  // wildcard characters inside a token are literal: valid subjects
  for (const [i, ok] of [`${s}.a*`, `${s}.b>`, `${s}.*.x`, `${s}.>`].entries()) {
    c.send(`SUB ${ok} ${i + 1}\r\n`);
    assert.equal(await c.sync(), '', `SUB ${ok} accepted`);
  }
  c.send(`PUB ${s}.a* 1\r\nz\r\n`);
  const got = [await c.readMsg(), await c.readMsg()];
  for (const m of got) assert.equal(m.subject, `${s}.a*`);
  assert.deepEqual(got.map((m) => m.sid).sort(), ['1', '4'], 'the literal a* subscription and the > one');
  assert.equal(await c.sync(), '');
});

test("wire: unknown operation: -ERR 'Unknown Protocol Operation' and close", T, async (t) => {
  await expectErrAndClose(t, {}, 'FOO bar\r\n', 'Unknown Protocol Operation');
  await expectErrAndClose(t, {}, 'PUBX foo 1\r\n', 'Unknown Protocol Operation');
  await expectErrAndClose(t, undefined, 'HELLO\r\n', 'Unknown Protocol Operation');
});

test("wire: PUB payload longer than its size: -ERR 'Unknown Protocol Operation' and close", T, async (t) => {
  await expectErrAndClose(t, {}, `PUB ${uniq('len')} 1\r\nabc\r\n`, 'Unknown Protocol Operation');
});

test("wire: payload over max_payload: -ERR 'Maximum Payload Violation' and close", T, async (t) => {
  await expectErrAndClose(t, {}, `PUB ${uniq('big')} ${MAX_PAYLOAD + 1}\r\n`, 'Maximum Payload Violation');
  await expectErrAndClose(t, { headers: true }, `HPUB ${uniq('big')} 12 ${MAX_PAYLOAD + 1}\r\n`, 'Maximum Payload Violation');
  await expectErrAndClose(t, {}, `PUB ${uniq('big')} reply ${MAX_PAYLOAD * 4}\r\n`, 'Maximum Payload Violation');
});

test('wire: payload of exactly max_payload is accepted and delivered', T, async (t) => {
  const s = uniq('max');
  const sub = await raw(t, {});
  sub.send(`SUB ${s} 1\r\n`);
  assert.equal(await sub.sync(), '');
  const c = await raw(t, {});
  const body = Buffer.from(pattern(MAX_PAYLOAD, 5));
  c.send(Buffer.concat([Buffer.from(`PUB ${s} ${MAX_PAYLOAD}\r\n`), body, Buffer.from('\r\n')]));
  assert.equal(await c.sync(5000), '');
  const m = await sub.readMsg(5000);
  assert.equal(m.line, `MSG ${s} 1 ${MAX_PAYLOAD}\r\n`);
  assert.ok(m.payload.equals(body));
});

test("wire: control line over 4096 bytes: -ERR 'maximum control line exceeded' and close", T, async (t) => {
  const s = uniq('cl');
  // The limit applies to the arguments after the op: "SUBJECT SIZE".
  const okSubject = s + '.' + 'a'.repeat(MAX_CONTROL_LINE - 2 - s.length - 1); // args exactly 4096
  const c = await raw(t, {});
  c.send(`PUB ${okSubject} 2\r\nhi\r\n`);
  assert.equal(await c.sync(), '', 'a 4096-byte argument is fine');
  const longSubject = okSubject + 'a'; // args 4097
  await expectErrAndClose(t, {}, `PUB ${longSubject} 2\r\nhi\r\n`, 'maximum control line exceeded');
  await expectErrAndClose(t, {}, `SUB ${s}.${'b'.repeat(5000)} 1\r\n`, 'maximum control line exceeded');
  // no CRLF at all: the server must not buffer an endless control line
  await expectErrAndClose(t, {}, `PUB ${s}.${'c'.repeat(8000)}`, 'maximum control line exceeded');
});

test('wire: MSG line format, with and without reply, empty payload, CRLF inside payload', T, async (t) => {
  const s = uniq('msg');
  const sub = await raw(t, {});
  sub.send(`SUB ${s}.* 5\r\nSUB ${s}.q grp 6\r\n`);
  assert.equal(await sub.sync(), '');
  const pub = await raw(t, {});
  pub.send(`PUB ${s}.a 5\r\nhello\r\n`);
  pub.send(`PUB ${s}.b ${s}.reply 3\r\nabc\r\n`);
  pub.send(`PUB ${s}.c 0\r\n\r\n`);
  pub.send(`PUB ${s}.d 6\r\na\r\nb\r\n\r\n`);
  pub.send(`PUB ${s}.q 1\r\nq\r\n`);
  assert.equal(await pub.sync(), '');
  const expected =
    `MSG ${s}.a 5 5\r\nhello\r\n` +
    `MSG ${s}.b 5 ${s}.reply 3\r\nabc\r\n` +
    `MSG ${s}.c 5 0\r\n\r\n` +
    `MSG ${s}.d 5 6\r\na\r\nb\r\n\r\n`;
  const got = await sub.readUntil(`MSG ${s}.d 5 6\r\na\r\nb\r\n\r\n`);
  assert.equal(got + `MSG ${s}.d 5 6\r\na\r\nb\r\n\r\n`, expected);
  const q = await sub.readMsg();
  assert.equal(q.line, `MSG ${s}.q 5 1\r\n`, 'a * subscription matches s.q');
  const q2 = await sub.readMsg();
  assert.equal(q2.line, `MSG ${s}.q 6 1\r\n`, 'queue subscription MSG carries its own sid, no queue name');
  assert.equal(await sub.sync(), '');
});

test('wire: HPUB -> HMSG format; header stripped for a subscriber without headers', T, async (t) => {
  const s = uniq('hmsg');
  const hsub = await raw(t, { headers: true });
  hsub.send(`SUB ${s} 1\r\n`);
  assert.equal(await hsub.sync(), '');
  const plain = await raw(t, { headers: false });
  plain.send(`SUB ${s} 2\r\n`);
  assert.equal(await plain.sync(), '');
  const pub = await raw(t, { headers: true });
  const hdr = 'NATS/1.0\r\nA: b\r\nA: c\r\n\r\n';
  pub.send(`HPUB ${s} ${hdr.length} ${hdr.length + 2}\r\n${hdr}hi\r\n`);
  pub.send(`HPUB ${s} ${s}.r 12 12\r\nNATS/1.0\r\n\r\n\r\n`);
  assert.equal(await pub.sync(), '');
  const m1 = await hsub.readMsg();
  assert.equal(m1.line, `HMSG ${s} 1 ${hdr.length} ${hdr.length + 2}\r\n`);
  assert.equal(m1.headers, hdr);
  assert.equal(m1.payload.toString(), 'hi');
  const m2 = await hsub.readMsg();
  assert.equal(m2.line, `HMSG ${s} 1 ${s}.r 12 12\r\n`);
  assert.equal(m2.headers, 'NATS/1.0\r\n\r\n');
  assert.equal(m2.payload.length, 0);
  const p1 = await plain.readMsg();
  assert.equal(p1.line, `MSG ${s} 2 2\r\n`, 'headers removed for a connection without headers:true');
  assert.equal(p1.payload.toString(), 'hi');
  const p2 = await plain.readMsg();
  assert.equal(p2.line, `MSG ${s} 2 ${s}.r 0\r\n`);
});

test('wire: HPUB on a connection without headers:true closes it', T, async (t) => {
  await expectClose(t, { headers: false }, `HPUB ${uniq('nohdr')} 12 14\r\nNATS/1.0\r\n\r\nhi\r\n`);
});

test('wire: UNSUB with max delivers exactly max messages', T, async (t) => {
  const s = uniq('unsubmax');
  const c = await raw(t, {});
  c.send(`SUB ${s} 1\r\nUNSUB 1 2\r\n`);
  assert.equal(await c.sync(), '');
  const pub = await raw(t, {});
  pub.send(`PUB ${s} 1\r\na\r\nPUB ${s} 1\r\nb\r\nPUB ${s} 1\r\nc\r\n`);
  assert.equal(await pub.sync(), '');
  assert.equal(await c.sync(), `MSG ${s} 1 1\r\na\r\nMSG ${s} 1 1\r\nb\r\n`);
  pub.send(`PUB ${s} 1\r\nd\r\n`);
  assert.equal(await pub.sync(), '');
  assert.equal(await c.sync(), '', 'subscription gone after max');
  // max already reached by earlier deliveries: removed at once
  c.send(`SUB ${s} 2\r\n`);
  assert.equal(await c.sync(), '');
  pub.send(`PUB ${s} 1\r\ne\r\n`);
  assert.equal(await pub.sync(), '');
  assert.equal(await c.sync(), `MSG ${s} 2 1\r\ne\r\n`);
  c.send('UNSUB 2 1\r\n');
  assert.equal(await c.sync(), '');
  pub.send(`PUB ${s} 1\r\nf\r\n`);
  assert.equal(await pub.sync(), '');
  assert.equal(await c.sync(), '');
  // plain UNSUB
  c.send(`SUB ${s} 3\r\nUNSUB 3\r\n`);
  assert.equal(await c.sync(), '');
  pub.send(`PUB ${s} 1\r\ng\r\n`);
  assert.equal(await pub.sync(), '');
  assert.equal(await c.sync(), '');
});

test('wire: queue subscriptions on one connection: one delivery per message', T, async (t) => {
  const s = uniq('rq');
  const c = await raw(t, {});
  c.send(`SUB ${s} g 1\r\nSUB ${s} g 2\r\nSUB ${s} 3\r\n`);
  assert.equal(await c.sync(), '');
  const pub = await raw(t, {});
  for (let i = 0; i < 20; i++) pub.send(`PUB ${s} 1\r\nx\r\n`);
  assert.equal(await pub.sync(), '');
  const sids = [];
  for (let i = 0; i < 40; i++) sids.push((await c.readMsg()).sid);
  assert.equal(sids.filter((x) => x === '3').length, 20, 'plain sid gets all 20');
  assert.equal(sids.filter((x) => x === '1' || x === '2').length, 20, 'group gets each once');
  assert.equal(await c.sync(), '');
});

test("wire: no_responders without headers:true is rejected: -ERR 'no responders requires headers support' and close", T, async (t) => {
  const c = await raw(t);
  c.send('CONNECT {"verbose":false,"pedantic":false,"no_responders":true}\r\n');
  assert.equal(await c.expectClosed(), "-ERR 'no responders requires headers support'\r\n");
  const d = await raw(t);
  d.send('CONNECT {"verbose":false,"pedantic":false,"no_responders":true,"headers":false}\r\n');
  assert.equal(await d.expectClosed(), "-ERR 'no responders requires headers support'\r\n");
});

test('wire: no responders status message is an HMSG with NATS/1.0 503', T, async (t) => {
  const s = uniq('nr');
  const c = await raw(t, { headers: true, no_responders: true });
  c.send(`SUB ${s}.inbox 7\r\nPUB ${s}.svc ${s}.inbox 2\r\nhi\r\n`);
  const m = await c.readMsg();
  assert.equal(m.line, `HMSG ${s}.inbox 7 16 16\r\n`);
  assert.equal(m.headers, 'NATS/1.0 503\r\n\r\n');
  assert.equal(m.payload.length, 0);
  assert.equal(await c.sync(), '');
  // without a reply subject, nothing comes back
  c.send(`PUB ${s}.svc 2\r\nhi\r\n`);
  assert.equal(await c.sync(), '');
  // without no_responders in CONNECT, nothing comes back either
  const d = await raw(t, { headers: true });
  d.send(`SUB ${s}.inbox2 1\r\nPUB ${s}.svc ${s}.inbox2 2\r\nhi\r\n`);
  assert.equal(await d.sync(), '');
});

test("wire: CONNECT with an unsupported protocol: -ERR 'invalid client protocol' and close", T, async (t) => {
  const c = await raw(t);
  c.send('CONNECT {"verbose":false,"protocol":2}\r\n');
  assert.equal(await c.expectClosed(), "-ERR 'invalid client protocol'\r\n");
});

test('wire: malformed control lines close the connection', T, async (t) => {
  await expectClose(t, {}, `PUB ${uniq('m')}\r\n`); // missing size
  await expectClose(t, {}, `PUB ${uniq('m')} abc\r\n`); // non-numeric size
  await expectClose(t, {}, `SUB ${uniq('m')}\r\n`); // missing sid
  await expectClose(t, undefined, 'CONNECT {not json\r\n');
});

test('wire: a PUB split byte by byte across TCP writes is still delivered', T, async (t) => {
  const s = uniq('split');
  const sub = await raw(t, {});
  sub.send(`SUB ${s} 1\r\n`);
  assert.equal(await sub.sync(), '');
  const pub = await raw(t, {});
  assert.equal(await pub.sync(), '');
  await pub.sendByteByByte(`PUB ${s} ${s}.r 12\r\nhello\r\nworld\r\nPING\r\n`);
  assert.equal(await pub.readLine(), 'PONG\r\n');
  const m = await sub.readMsg();
  assert.equal(m.line, `MSG ${s} 1 ${s}.r 12\r\n`);
  assert.equal(m.payload.toString(), 'hello\r\nworld');
  // and a HPUB, too
  const h = await raw(t, { headers: true });
  const hs = await raw(t, { headers: true });
  hs.send(`SUB ${s}.h 1\r\n`);
  assert.equal(await hs.sync(), '');
  const hdr = 'NATS/1.0\r\nK: v\r\n\r\n'; // 18 bytes
  await h.sendByteByByte(`HPUB ${s}.h ${hdr.length} ${hdr.length + 3}\r\n${hdr}abc\r\n`);
  const hm = await hs.readMsg();
  assert.equal(hm.line, `HMSG ${s}.h 1 18 21\r\n`);
  assert.equal(hm.headers, hdr);
  assert.equal(hm.payload.toString(), 'abc');
});

test('wire: many ops pipelined in one write; lowercase ops and tab separators', T, async (t) => {
  const s = uniq('pipe');
  const c = await raw(t, {});
  let batch = `sub\t${s}  1\r\n`;
  for (let i = 0; i < 500; i++) batch += `pub ${s}\t${String(i).length}\r\n${i}\r\n`;
  batch += 'ping\r\n';
  c.send(batch);
  let expected = '';
  for (let i = 0; i < 500; i++) expected += `MSG ${s} 1 ${String(i).length}\r\n${i}\r\n`;
  assert.equal(await c.readUntil('PONG\r\n', 5000), expected);
});

test('wire: echo:false suppresses only the connection\'s own messages', T, async (t) => {
  const s = uniq('noecho');
  const quiet = await raw(t, { echo: false });
  quiet.send(`SUB ${s} 1\r\nPUB ${s} 4\r\nself\r\n`);
  assert.equal(await quiet.sync(), '');
  const other = await raw(t, {});
  other.send(`PUB ${s} 5\r\nother\r\n`);
  assert.equal(await other.sync(), '');
  assert.equal(await quiet.sync(), `MSG ${s} 1 5\r\nother\r\n`);
  const loud = await raw(t, { echo: true });
  loud.send(`SUB ${s} 1\r\nPUB ${s} 4\r\nself\r\n`);
  assert.equal(await loud.sync(), `MSG ${s} 1 4\r\nself\r\n`);
});

test('wire: duplicate sid: the second SUB is ignored', T, async (t) => {
  const s = uniq('dup');
  const c = await raw(t, {});
  c.send(`SUB ${s}.a 1\r\nSUB ${s}.b 1\r\n`);
  assert.equal(await c.sync(), '');
  c.send(`PUB ${s}.b 1\r\nb\r\nPUB ${s}.a 1\r\na\r\n`);
  assert.equal(await c.sync(), `MSG ${s}.a 1 1\r\na\r\n`);
});

test('wire: leniency: opaque string sids, unknown CONNECT fields, extra whitespace, bare-LF control lines', T, async (t) => {
  const s = uniq('lenient');
  const c = await raw(t, { name: 'raw', lang: 'raw', version: '0.0.0', unknown_field: 123 });
  assert.equal(await c.sync(), '', 'unknown CONNECT fields are ignored');
  c.send(`SUB ${s} abc\r\nSUB ${s} my-queue 7\r\n`);
  assert.equal(await c.sync(), '');
  c.send(`PUB ${s}  \t 1 \r\na\r\n`);
  const first = [await c.readMsg(), await c.readMsg()].map((m) => m.line).sort();
  assert.deepEqual(first, [`MSG ${s} 7 1\r\n`, `MSG ${s} abc 1\r\n`]);
  c.send('UNSUB abc\r\n');
  c.send(`PUB ${s} 1\nb\r\n`); // control line ended by LF alone
  assert.equal(await c.sync(), `MSG ${s} 7 1\r\nb\r\n`);
  // but a payload must be followed by CRLF
  await expectErrAndClose(t, {}, `PUB ${s} 1\r\na\n`, 'Unknown Protocol Operation');
});
