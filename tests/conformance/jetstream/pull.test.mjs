// Pull consumers over the raw protocol: MSG.NEXT requests and their status
// replies (404, 408, 409, 400), exact consumer state after fetch and acks,
// ack kinds (+ACK, -NAK with delay, +TERM, +WPI, +NXT), AckAck, redelivery
// after ack_wait, max_deliver with its advisory, ack policies all / none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  T, NS, uname, subj, conn, api, addStream, addConsumer, consumerInfo, counters, publishMany, rawConn, rawPub, rawNext,
  readMsgs, expectNoMsg, parseAck, norm, sleep,
} from './helpers.mjs';

/**
 * A stream `<s>.*` holding `n` messages m1..mn on `<s>.a`, a pull consumer P
 * with `cfg`, and a raw client subscribed to `inbox.>` (sid 1).
 */
async function setup(t, cfg = {}, n = 5, subjects) {
  const nc = await conn(t);
  const name = uname();
  const s = subj(name);
  await addStream(t, nc, { name, subjects: [`${s}.*`] });
  await publishMany(nc, subjects ?? Array.from({ length: n }, () => `${s}.a`));
  await addConsumer(nc, name, { durable_name: 'P', ack_policy: 'explicit', ...cfg });
  const c = await rawConn(t);
  const inbox = `inbox.${s}`;
  c.send(`SUB ${inbox}.> 1\r\n`);
  await c.sync();
  c.inbox = inbox;
  const next = (req, tag = 'r') => rawNext(c, name, 'P', req, `${inbox}.${tag}`);
  const info = async () => counters(await consumerInfo(nc, name, 'P'));
  return { nc, c, name, s, inbox, next, info };
}

const seqs = (c, d) => ({ consumer_seq: c, stream_seq: d });

/**
 * Send an ack body to a message's reply subject; with `tag`, ask for an
 * AckAck on `<c.inbox>.<tag>` (sid 1) and check it is an empty message.
 */
async function ack(c, m, body = '+ACK', tag) {
  const reply = tag ? `${c.inbox}.${tag}` : undefined;
  rawPub(c, m.reply, body, reply);
  if (reply) {
    const aa = await c.readMsg();
    assert.equal(norm(aa.line), `MSG ${reply} 1 0\r\n`, 'AckAck is an empty message');
  }
}

test('MSG.NEXT batch: messages arrive under their stream subject with $JS.ACK reply subjects', T, async (t) => {
  const { c, name, s, next } = await setup(t);
  next({ batch: 3 });
  const msgs = await readMsgs(c, 3);
  for (const [i, m] of msgs.entries()) {
    assert.equal(m.op, 'MSG', 'no headers were published, so a plain MSG');
    assert.equal(m.subject, `${s}.a`, 'subject is the stored subject, not the inbox');
    assert.equal(m.sid, '1', 'delivered to the inbox subscription');
    assert.equal(m.payload.toString(), `m${i + 1}`);
    const a = parseAck(m.reply);
    assert.deepEqual({ ...a, ts: undefined }, { stream: name, consumer: 'P', delivered: 1, sseq: i + 1, cseq: i + 1, ts: undefined, pending: 4 - i });
    assert.match(a.ts, /^\d{19}$/, 'timestamp in unix nanoseconds');
  }
  assert.equal(await c.sync(), '', 'no status message after a satisfied batch');
});

test('MSG.NEXT: body forms (empty = 1, plain integer, JSON)', T, async (t) => {
  const { c, next } = await setup(t);
  next('');
  assert.equal((await readMsgs(c, 1))[0].payload.toString(), 'm1');
  next('2');
  assert.deepEqual((await readMsgs(c, 2)).map((m) => m.payload.toString()), ['m2', 'm3']);
  next({ batch: 2 });
  assert.deepEqual((await readMsgs(c, 2)).map((m) => m.payload.toString()), ['m4', 'm5']);
  assert.equal(await c.sync(), '');
});

test('consumer state after fetch and each ack (delivered, ack_floor, num_ack_pending, num_pending)', T, async (t) => {
  const { c, next, info } = await setup(t);
  assert.deepEqual(await info(), {
    delivered: seqs(0, 0), ack_floor: seqs(0, 0), num_ack_pending: 0, num_redelivered: 0, num_waiting: 0, num_pending: 5,
  });
  next({ batch: 3 });
  const msgs = await readMsgs(c, 3);
  assert.deepEqual(await info(), {
    delivered: seqs(3, 3), ack_floor: seqs(0, 0), num_ack_pending: 3, num_redelivered: 0, num_waiting: 0, num_pending: 2,
  });
  await ack(c, msgs[1], '+ACK', 'ackack.1');
  assert.deepEqual(await info(), {
    delivered: seqs(3, 3), ack_floor: seqs(0, 0), num_ack_pending: 2, num_redelivered: 0, num_waiting: 0, num_pending: 2,
  }, 'acking the middle message does not move the floor');
  await ack(c, msgs[0], '+ACK', 'ackack.2');
  assert.deepEqual((await info()).ack_floor, seqs(2, 2), 'the floor jumps over already acked messages');
  await ack(c, msgs[2], '', 'ackack.3');
  assert.deepEqual(await info(), {
    delivered: seqs(3, 3), ack_floor: seqs(3, 3), num_ack_pending: 0, num_redelivered: 0, num_waiting: 0, num_pending: 2,
  }, 'an empty body is an ack');
});

test('consumer info: last_active timestamps appear once something was delivered / acked', T, async (t) => {
  const { nc, c, name, next } = await setup(t);
  const before = await consumerInfo(nc, name, 'P');
  assert.deepEqual(Object.keys(before.delivered), ['consumer_seq', 'stream_seq']);
  next({ batch: 1 });
  const [m] = await readMsgs(c, 1);
  await ack(c, m, '+ACK', 'aa');
  const after = await consumerInfo(nc, name, 'P');
  assert.deepEqual(Object.keys(after.delivered), ['consumer_seq', 'stream_seq', 'last_active']);
  assert.deepEqual(Object.keys(after.ack_floor), ['consumer_seq', 'stream_seq', 'last_active']);
});

test('AckAck: every ack kind with a reply subject gets an empty reply; +NXT instead delivers the next message', T, async (t) => {
  const { c, s, inbox, next } = await setup(t);
  next({ batch: 4 });
  const msgs = await readMsgs(c, 4);
  await ack(c, msgs[0], '+ACK', 'aa.1');
  await ack(c, msgs[1], '-NAK', 'aa.2');
  await ack(c, msgs[2], '+WPI', 'aa.3');
  await ack(c, msgs[3], '+TERM', 'aa.4');
  // Message 2 was nak-ed and waits for a new request: +NXT is one (ack message 3, then pull one).
  rawPub(c, msgs[2].reply, '+NXT', `${inbox}.nxt`);
  const [n] = await readMsgs(c, 1);
  assert.equal(n.subject, `${s}.a`);
  assert.equal(parseAck(n.reply).sseq, 2, '+NXT acks and fetches the next available (the nak-ed message 2)');
});

test('no_wait on an empty consumer -> HMSG `NATS/1.0 404 No Messages`', T, async (t) => {
  const { c, inbox, next } = await setup(t, {}, 0);
  next({ batch: 1, no_wait: true }, 'nw');
  const m = await c.readMsg();
  assert.equal(m.op, 'HMSG');
  assert.equal(m.headers, 'NATS/1.0 404 No Messages\r\n\r\n');
  assert.equal(norm(m.line), `HMSG ${inbox}.nw 1 28 28\r\n`);
  assert.equal(m.payload.length, 0);
});

test('no_wait with fewer messages than the batch: the messages, then 408 Request Timeout with what is left', T, async (t) => {
  const { c, next, info } = await setup(t, {}, 3);
  next({ batch: 10, no_wait: true }, 'nw');
  const msgs = await readMsgs(c, 4);
  assert.deepEqual(msgs.slice(0, 3).map((m) => m.payload.toString()), ['m1', 'm2', 'm3']);
  assert.equal(msgs[3].headers, 'NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: 7\r\nNats-Pending-Bytes: 0\r\n\r\n');
  assert.equal((await info()).num_waiting, 0);
});

test('expires -> `NATS/1.0 408 Request Timeout` with Nats-Pending-Messages / Nats-Pending-Bytes', T, async (t) => {
  const { c, inbox, next, info } = await setup(t, {}, 0);
  const t0 = Date.now();
  next({ batch: 3, expires: 300 * NS.ms }, 'exp');
  assert.equal(await c.sync(), '', 'the request is registered (processed inline) before the PONG');
  assert.equal((await info()).num_waiting, 1);
  const m = await c.readMsg(3000);
  const dt = Date.now() - t0;
  assert.ok(dt >= 250 && dt < 2500, `expired after ${dt}ms`);
  const header = 'NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: 3\r\nNats-Pending-Bytes: 0\r\n\r\n';
  assert.equal(m.headers, header);
  assert.equal(norm(m.line), `HMSG ${inbox}.exp 1 ${header.length} ${header.length}\r\n`);
  assert.equal((await info()).num_waiting, 0);
});

test('a waiting request is served by a later publish', T, async (t) => {
  const { nc, c, s, next, info } = await setup(t, {}, 0);
  next({ batch: 1, expires: 5 * NS.s });
  assert.equal(await c.sync(), '');
  assert.equal((await info()).num_waiting, 1);
  await publishMany(nc, [`${s}.b`]);
  const [m] = await readMsgs(c, 1);
  assert.equal(m.subject, `${s}.b`);
  assert.equal(parseAck(m.reply).pending, 0);
  assert.equal((await info()).num_waiting, 0);
});

test('max_waiting exceeded -> `NATS/1.0 409 Exceeded MaxWaiting`', T, async (t) => {
  const { c, inbox, next, info } = await setup(t, { max_waiting: 2 }, 0);
  next({ batch: 1, expires: 5 * NS.s }, 'w1');
  next({ batch: 1, expires: 5 * NS.s }, 'w2');
  next({ batch: 1, expires: 5 * NS.s }, 'w3');
  const m = await c.readMsg();
  assert.equal(m.headers, 'NATS/1.0 409 Exceeded MaxWaiting\r\n\r\n');
  assert.equal(norm(m.line), `HMSG ${inbox}.w3 1 36 36\r\n`);
  assert.equal((await info()).num_waiting, 2);
});

test('request limits: max_batch, max_expires, max_bytes -> 409 with the limit in the description', T, async (t) => {
  const { c, next } = await setup(t, { max_batch: 2, max_expires: 2 * NS.s, max_bytes: 1000 });
  next({ batch: 3 });
  assert.equal((await c.readMsg()).headers, 'NATS/1.0 409 Exceeded MaxRequestBatch of 2\r\n\r\n');
  next({ batch: 1, expires: 3 * NS.s });
  assert.equal((await c.readMsg()).headers, 'NATS/1.0 409 Exceeded MaxRequestExpires of 2s\r\n\r\n');
  next({ batch: 1, max_bytes: 2000 });
  assert.equal((await c.readMsg()).headers, 'NATS/1.0 409 Exceeded MaxRequestMaxBytes of 1000\r\n\r\n');
});

test('max_bytes smaller than the next message -> 409 Message Size Exceeds MaxBytes', T, async (t) => {
  const { c, next, info } = await setup(t);
  next({ batch: 1, max_bytes: 10 });
  assert.equal((await c.readMsg()).headers,
    'NATS/1.0 409 Message Size Exceeds MaxBytes\r\nNats-Pending-Messages: 1\r\nNats-Pending-Bytes: 10\r\n\r\n');
  assert.equal((await info()).delivered.stream_seq, 0, 'nothing was delivered');
});

test('MSG.NEXT on a push consumer -> 409 Consumer is push based; bad JSON -> 400 Bad Request', T, async (t) => {
  const { nc, c, name, inbox, next } = await setup(t);
  await addConsumer(nc, name, { durable_name: 'PUSH', ack_policy: 'explicit', deliver_subject: `nobody.${name}` });
  rawNext(c, name, 'PUSH', { batch: 1 }, `${inbox}.p`);
  assert.equal((await c.readMsg()).headers, 'NATS/1.0 409 Consumer is push based\r\n\r\n');
  next('{bad json');
  const m = await c.readMsg();
  assert.match(m.headers, /^NATS\/1\.0 400 Bad Request - .+\r\n\r\n$/);
  next({ batch: 1, idle_heartbeat: NS.s, expires: NS.s });
  assert.equal((await c.readMsg()).headers, 'NATS/1.0 400 Bad Request - heartbeat value too large\r\n\r\n');
});

test('pull request idle_heartbeat: `100 Idle Heartbeat` to the request inbox while waiting', T, async (t) => {
  const { c, inbox, next } = await setup(t, {}, 2);
  next({ batch: 2 });
  await readMsgs(c, 2);
  next({ batch: 1, expires: 1200 * NS.ms, idle_heartbeat: 400 * NS.ms }, 'hb');
  const hb = await c.readMsg(2000);
  const header = 'NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 2\r\nNats-Last-Stream: 2\r\n\r\n';
  assert.equal(hb.headers, header);
  assert.equal(norm(hb.line), `HMSG ${inbox}.hb 1 ${header.length} ${header.length}\r\n`);
  let m;
  do { m = await c.readMsg(2000); } while (m.headers.startsWith('NATS/1.0 100'));
  assert.equal(m.headers, 'NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: 1\r\nNats-Pending-Bytes: 0\r\n\r\n');
});

test('redelivery after ack_wait: delivered count 2 in the ack subject, num_redelivered 1', T, async (t) => {
  const { c, name, next, info } = await setup(t, { ack_wait: 500 * NS.ms }, 1);
  next({ batch: 1 });
  const [first] = await readMsgs(c, 1);
  assert.equal(parseAck(first.reply).delivered, 1);
  const t0 = Date.now();
  next({ batch: 1, expires: 3 * NS.s });
  const [again] = await readMsgs(c, 1);
  const dt = Date.now() - t0;
  assert.ok(dt >= 350, `redelivered after ${dt}ms`);
  const a = parseAck(again.reply);
  assert.deepEqual([a.stream, a.delivered, a.sseq, a.cseq, a.pending], [name, 2, 1, 2, 0]);
  assert.deepEqual(await info(), {
    delivered: seqs(2, 1), ack_floor: seqs(0, 0), num_ack_pending: 1, num_redelivered: 1, num_waiting: 0, num_pending: 0,
  });
  await ack(c, again, '+ACK', 'aa');
  assert.deepEqual((await info()).ack_floor, seqs(2, 1));
});

test('max_deliver: once the last delivery times out, a pull finds nothing and MAX_DELIVERIES is advised', T, async (t) => {
  const { c, name, next, info } = await setup(t, { ack_wait: 300 * NS.ms, max_deliver: 2 }, 1);
  const ev = await rawConn(t);
  ev.send(`SUB $JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${name}.P 9\r\n`);
  await ev.sync();
  next({ batch: 1 });
  await readMsgs(c, 1);
  next({ batch: 1, expires: 2 * NS.s }, 'again');
  const [second] = await readMsgs(c, 1);
  assert.equal(parseAck(second.reply).delivered, 2);
  // The advisory is raised when the consumer next looks for a message to send
  // (here: a waiting pull request) and finds the timed-out one exhausted.
  next({ batch: 1, expires: 1200 * NS.ms }, 'third');
  const adv = await ev.readMsg(3000);
  assert.equal(norm(adv.line), `MSG $JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${name}.P 9 ${adv.size}\r\n`);
  const body = JSON.parse(adv.payload.toString());
  assert.deepEqual(Object.keys(body), ['type', 'id', 'timestamp', 'stream', 'consumer', 'stream_seq', 'deliveries']);
  assert.equal(body.type, 'io.nats.jetstream.advisory.v1.max_deliver');
  assert.deepEqual([body.stream, body.consumer, body.stream_seq, body.deliveries], [name, 'P', 1, 2]);
  const end = await c.readMsg(3000);
  assert.match(end.headers, /^NATS\/1\.0 408 Request Timeout\r\n/, 'no third delivery');
  const st = await info();
  assert.equal(st.num_ack_pending, 0);
  assert.equal(st.num_redelivered, 1);
});

test('-NAK: redelivered at once, MSG_NAKED advisory; -NAK {"delay"} waits', T, async (t) => {
  const { c, name, next } = await setup(t, {}, 2);
  const ev = await rawConn(t);
  ev.send(`SUB $JS.EVENT.ADVISORY.CONSUMER.MSG_NAKED.${name}.P 9\r\n`);
  await ev.sync();
  next({ batch: 2 });
  const [m1, m2] = await readMsgs(c, 2);
  await ack(c, m1, '-NAK', 'aa.1');
  const adv = JSON.parse((await ev.readMsg()).payload.toString());
  assert.deepEqual(Object.keys(adv), ['type', 'id', 'timestamp', 'stream', 'consumer', 'consumer_seq', 'stream_seq', 'deliveries']);
  assert.deepEqual([adv.type, adv.stream, adv.consumer, adv.consumer_seq, adv.stream_seq, adv.deliveries],
    ['io.nats.jetstream.advisory.v1.nak', name, 'P', 1, 1, 1]);
  next({ batch: 1, expires: 2 * NS.s });
  const [r1] = await readMsgs(c, 1);
  assert.deepEqual([parseAck(r1.reply).sseq, parseAck(r1.reply).delivered], [1, 2]);
  const t0 = Date.now();
  await ack(c, m2, `-NAK {"delay": ${600 * NS.ms}}`, 'aa.2');
  next({ batch: 1, expires: 3 * NS.s });
  const [r2] = await readMsgs(c, 1);
  const dt = Date.now() - t0;
  assert.equal(parseAck(r2.reply).sseq, 2);
  assert.ok(dt >= 450, `nak delay honoured (${dt}ms)`);
});

test('+TERM: never redelivered, MSG_TERMINATED advisory, leaves ack pending', T, async (t) => {
  const { c, name, next, info } = await setup(t, { ack_wait: 300 * NS.ms }, 1);
  const ev = await rawConn(t);
  ev.send(`SUB $JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.${name}.P 9\r\n`);
  await ev.sync();
  next({ batch: 1 });
  const [m] = await readMsgs(c, 1);
  await ack(c, m, '+TERM', 'aa');
  const adv = JSON.parse((await ev.readMsg()).payload.toString());
  assert.deepEqual([adv.type, adv.stream, adv.consumer, adv.consumer_seq, adv.stream_seq, adv.deliveries],
    ['io.nats.jetstream.advisory.v1.terminated', name, 'P', 1, 1, 1]);
  assert.equal((await info()).num_ack_pending, 0);
  next({ batch: 1, expires: 800 * NS.ms });
  assert.match((await c.readMsg(3000)).headers, /^NATS\/1\.0 408 Request Timeout\r\n/);
});

test('+WPI: resets the ack timer, so redelivery comes a full ack_wait after the last WPI', T, async (t) => {
  const { c, next } = await setup(t, { ack_wait: 600 * NS.ms }, 1);
  next({ batch: 1 });
  const [m] = await readMsgs(c, 1);
  await sleep(400);
  const t0 = Date.now();
  await ack(c, m, '+WPI', 'aa');
  next({ batch: 1, expires: 3 * NS.s });
  const [again] = await readMsgs(c, 1);
  const dt = Date.now() - t0;
  assert.equal(parseAck(again.reply).delivered, 2);
  assert.ok(dt >= 450, `redelivered ${dt}ms after the WPI`);
});

test('ack policy all: acking message N acks everything up to N', T, async (t) => {
  const { c, next, info } = await setup(t, { ack_policy: 'all' });
  next({ batch: 4 });
  const msgs = await readMsgs(c, 4);
  await ack(c, msgs[2], '+ACK', 'aa');
  assert.deepEqual(await info(), {
    delivered: seqs(4, 4), ack_floor: seqs(3, 3), num_ack_pending: 1, num_redelivered: 0, num_waiting: 0, num_pending: 1,
  });
});

test('ack policy none: nothing pending, the ack floor follows delivery', T, async (t) => {
  const { c, next, info } = await setup(t, { ack_policy: 'none' });
  next({ batch: 2 });
  const msgs = await readMsgs(c, 2);
  assert.equal(parseAck(msgs[1].reply).cseq, 2, 'ack reply subjects are still sent');
  assert.deepEqual(await info(), {
    delivered: seqs(2, 2), ack_floor: seqs(2, 2), num_ack_pending: 0, num_redelivered: 0, num_waiting: 0, num_pending: 3,
  });
});

test('filter_subject: only matching messages, pending counts per filter', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  const s = subj(name);
  await addStream(t, nc, { name, subjects: [`${s}.>`] });
  await publishMany(nc, [`${s}.a.1`, `${s}.b.1`, `${s}.a.2`, `${s}.c`, `${s}.a.3`]);
  const r = await addConsumer(nc, name, { durable_name: 'F', ack_policy: 'explicit', filter_subject: `${s}.a.*` });
  assert.equal(r.num_pending, 3);
  const c = await rawConn(t);
  c.send(`SUB in.${s} 1\r\n`);
  rawNext(c, name, 'F', { batch: 5, no_wait: true }, `in.${s}`);
  const msgs = await readMsgs(c, 4);
  assert.deepEqual(msgs.slice(0, 3).map((m) => [m.subject, parseAck(m.reply).sseq, parseAck(m.reply).cseq, parseAck(m.reply).pending]),
    [[`${s}.a.1`, 1, 1, 2], [`${s}.a.2`, 3, 2, 1], [`${s}.a.3`, 5, 3, 0]]);
  assert.match(msgs[3].headers, /^NATS\/1\.0 408 Request Timeout\r\n/);
});

test('deliver policies over pull: what the first fetch returns', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  const s = subj(name);
  await addStream(t, nc, { name, subjects: [`${s}.*`] });
  await publishMany(nc, ['a', 'b', 'a', 'c', 'b'].map((x) => `${s}.${x}`));
  const third = (await api(nc, `$JS.API.STREAM.MSG.GET.${name}`, { seq: 3 })).message.time;
  const c = await rawConn(t);
  c.send(`SUB in.${s}.> 1\r\n`);
  const cases = [
    ['ALL', { deliver_policy: 'all' }, [1, 2, 3, 4, 5]],
    ['LAST', { deliver_policy: 'last' }, [5]],
    ['NEW', { deliver_policy: 'new' }, []],
    ['SEQ', { deliver_policy: 'by_start_sequence', opt_start_seq: 4 }, [4, 5]],
    ['TIME', { deliver_policy: 'by_start_time', opt_start_time: third }, [3, 4, 5]],
    ['LPS', { deliver_policy: 'last_per_subject', filter_subject: `${s}.a` }, [3]],
  ];
  for (const [d, cfg, want] of cases) {
    await addConsumer(nc, name, { durable_name: d, ack_policy: 'explicit', ...cfg });
    rawNext(c, name, d, { batch: 10, no_wait: true }, `in.${s}.${d}`);
    const got = [];
    for (;;) {
      const m = await c.readMsg();
      if (m.op === 'HMSG' && m.headers.startsWith('NATS/1.0 4')) break;
      got.push(parseAck(m.reply).sseq);
    }
    assert.deepEqual(got, want, d);
  }
});

test('no further deliveries without a pull request (pull consumers never push)', T, async (t) => {
  const { c } = await setup(t, {}, 2);
  await expectNoMsg(c, 300);
});
