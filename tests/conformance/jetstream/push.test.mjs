// Push consumers over the raw protocol: delivery to deliver_subject with
// $JS.ACK reply subjects, interest rules (exact subscription; queue group for
// deliver_group), idle heartbeats, flow control and stalls, deliver policies,
// acks and redelivery.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  T, NS, uname, subj, conn, api, addStream, addConsumer, consumerInfo, counters, publishMany, rawConn, rawPub, readMsgs,
  expectNoMsg, parseAck, norm, enc, hdrs,
} from './helpers.mjs';

/** A stream `<s>.*` with `n` messages m1..mn on `<s>.a`. */
async function setup(t, n = 3) {
  const nc = await conn(t);
  const name = uname();
  const s = subj(name);
  await addStream(t, nc, { name, subjects: [`${s}.*`] });
  await publishMany(nc, Array.from({ length: n }, () => `${s}.a`));
  return { nc, name, s, dl: `dl.${s}` };
}

test('push: messages go to deliver_subject as MSG <stream subject> <sid> $JS.ACK.<...>; push_bound in info', T, async (t) => {
  const { nc, name, s, dl } = await setup(t);
  const c = await rawConn(t);
  c.send(`SUB ${dl} 7\r\n`);
  await c.sync();
  await addConsumer(nc, name, { durable_name: 'PU', ack_policy: 'explicit', deliver_subject: dl });
  const msgs = await readMsgs(c, 3);
  for (const [i, m] of msgs.entries()) {
    assert.equal(m.op, 'MSG');
    assert.equal(m.subject, `${s}.a`);
    assert.equal(m.sid, '7');
    assert.equal(m.payload.toString(), `m${i + 1}`);
    const a = parseAck(m.reply);
    assert.deepEqual([a.stream, a.consumer, a.delivered, a.sseq, a.cseq, a.pending], [name, 'PU', 1, i + 1, i + 1, 2 - i]);
  }
  const info = await consumerInfo(nc, name, 'PU');
  assert.equal(info.push_bound, true);
  assert.deepEqual(counters(info), {
    delivered: { consumer_seq: 3, stream_seq: 3 }, ack_floor: { consumer_seq: 0, stream_seq: 0 },
    num_ack_pending: 3, num_redelivered: 0, num_waiting: 0, num_pending: 0,
  });
  // New messages are pushed as they are stored.
  await publishMany(nc, [`${s}.b`]);
  const [m4] = await readMsgs(c, 1);
  assert.deepEqual([m4.subject, parseAck(m4.reply).sseq], [`${s}.b`, 4]);
});

test('push: headers published with the message are delivered (HMSG) unchanged', T, async (t) => {
  const { nc, name, s, dl } = await setup(t, 0);
  await nc.request(`${s}.h`, enc('with headers'), { headers: hdrs({ 'X-Thing': 'v1' }) });
  const c = await rawConn(t);
  c.send(`SUB ${dl} 1\r\n`);
  await c.sync();
  await addConsumer(nc, name, { durable_name: 'H', ack_policy: 'none', deliver_subject: dl });
  const [m] = await readMsgs(c, 1);
  assert.equal(m.op, 'HMSG');
  assert.equal(m.headers, 'NATS/1.0\r\nX-Thing: v1\r\n\r\n');
  assert.equal(m.payload.toString(), 'with headers');
  assert.equal(m.subject, `${s}.h`);
});

test('push: a wildcard subscription is no interest; delivery starts with an exact subscription', T, async (t) => {
  const { nc, name, dl } = await setup(t, 2);
  const c = await rawConn(t);
  c.send(`SUB ${dl.split('.').slice(0, -1).join('.')}.> 1\r\n`);
  await c.sync();
  await addConsumer(nc, name, { durable_name: 'W', ack_policy: 'explicit', deliver_subject: dl });
  await expectNoMsg(c, 300);
  assert.equal((await consumerInfo(nc, name, 'W')).push_bound, undefined);
  c.send(`SUB ${dl} 2\r\n`);
  // Once active the consumer publishes normally, so the wildcard subscription
  // (sid 1) gets the messages too; the new one (sid 2) may miss the very first
  // burst in nats-server 2.9.10 (see the deliver_group test), so only the
  // wildcard copies are counted.
  const seen = [];
  while (seen.length < 2) {
    const m = await c.readMsg();
    if (m.sid === '1') seen.push(m.payload.toString());
  }
  assert.deepEqual(seen, ['m1', 'm2']);
  assert.equal((await consumerInfo(nc, name, 'W')).push_bound, true);
});

test('push: deliver_group is no interest without a queue subscription in that group', T, async (t) => {
  const { nc, name, dl } = await setup(t, 2);
  const c = await rawConn(t);
  c.send(`SUB ${dl} 1\r\nSUB ${dl} other 2\r\n`);
  await c.sync();
  const r = await addConsumer(nc, name, { durable_name: 'G', ack_policy: 'explicit', deliver_subject: dl, deliver_group: 'grp' });
  assert.equal(r.config.deliver_group, 'grp');
  await expectNoMsg(c, 300);
  const info = await consumerInfo(nc, name, 'G');
  assert.equal(info.push_bound, undefined);
  assert.equal(info.num_pending, 2);
});

test('push: deliver_group with queue subscribers: each message goes to one member', T, async (t) => {
  const { nc, name, dl } = await setup(t, 4);
  // Subscribe first: nats-server 2.9.10 can deliver on the interest
  // notification before a subscription made after the consumer is matchable.
  const q = await rawConn(t);
  q.send(`SUB ${dl} grp 5\r\nSUB ${dl} grp 6\r\n`);
  await q.sync();
  await addConsumer(nc, name, { durable_name: 'G', ack_policy: 'explicit', deliver_subject: dl, deliver_group: 'grp' });
  const got = await readMsgs(q, 4);
  assert.deepEqual(got.map((m) => m.payload.toString()), ['m1', 'm2', 'm3', 'm4']);
  assert.ok(got.every((m) => m.sid === '5' || m.sid === '6'));
  await expectNoMsg(q, 100);
  assert.equal((await consumerInfo(nc, name, 'G')).push_bound, true);
});

test('push: idle_heartbeat -> HMSG `NATS/1.0 100 Idle Heartbeat` with Nats-Last-Consumer / Nats-Last-Stream', T, async (t) => {
  const { nc, name, s, dl } = await setup(t, 3);
  const c = await rawConn(t);
  c.send(`SUB ${dl} 1\r\n`);
  await c.sync();
  await addConsumer(nc, name, { durable_name: 'HB', ack_policy: 'explicit', deliver_subject: dl, idle_heartbeat: 300 * NS.ms });
  await readMsgs(c, 3);
  const t0 = Date.now();
  const hb = await c.readMsg(2000);
  assert.ok(Date.now() - t0 >= 150, 'only after an idle period');
  const header = 'NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 3\r\nNats-Last-Stream: 3\r\n\r\n';
  assert.equal(hb.headers, header);
  assert.equal(hb.payload.length, 0);
  assert.ok(!hb.reply, 'heartbeats carry no reply subject');
  assert.equal(norm(hb.line), `HMSG ${dl} 1 ${header.length} ${header.length}\r\n`);
  // Heartbeats repeat and follow the consumer's last sequences.
  await publishMany(nc, [`${s}.b`]);
  let m;
  do { m = await c.readMsg(2000); } while (m.op === 'HMSG');
  assert.equal(parseAck(m.reply).sseq, 4);
  do { m = await c.readMsg(2000); } while (m.op !== 'HMSG');
  assert.equal(m.headers, 'NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 4\r\nNats-Last-Stream: 4\r\n\r\n');
});

test('push: flow control request past 1 MiB pending, stall with Nats-Consumer-Stalled, resume on reply', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  const s = subj(name);
  await addStream(t, nc, { name, subjects: [`${s}.*`] });
  const big = 'y'.repeat(100_000);
  for (let i = 0; i < 25; i++) await nc.request(`${s}.a`, enc(big));
  const dl = `dl.${s}`;
  const c = await rawConn(t);
  c.send(`SUB ${dl} 1\r\n`);
  await c.sync();
  await addConsumer(nc, name, { durable_name: 'FC', ack_policy: 'none', deliver_subject: dl, flow_control: true, idle_heartbeat: 300 * NS.ms });
  let n = 0;
  let fc = null;
  let stalled = null;
  while (!stalled) {
    const m = await c.readMsg(5000);
    if (m.op === 'MSG') { n++; continue; }
    if (m.headers === 'NATS/1.0 100 FlowControl Request\r\n\r\n') {
      assert.equal(fc, null, 'one outstanding flow control request');
      assert.match(m.reply, new RegExp(`^\\$JS\\.FC\\.${name}\\.FC\\.[A-Za-z0-9]+$`));
      assert.equal(m.payload.length, 0);
      assert.equal(n, 11, 'requested once more than 1 MiB (of a 2 MiB window) is pending');
      fc = m.reply;
      continue;
    }
    assert.match(m.headers, /^NATS\/1\.0 100 Idle Heartbeat\r\n/);
    if (m.headers.includes('Nats-Consumer-Stalled')) stalled = m;
  }
  assert.equal(n, 21, 'delivery stops once over the 2 MiB window');
  assert.equal(stalled.headers,
    `NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 21\r\nNats-Last-Stream: 21\r\nNats-Consumer-Stalled: ${fc}\r\n\r\n`);
  rawPub(c, fc, '');
  while (n < 25) {
    const m = await c.readMsg(5000);
    if (m.op === 'MSG') n++;
  }
  assert.equal(n, 25);
});

test('push: explicit ack and redelivery after ack_wait (delivered count in the ack subject)', T, async (t) => {
  const { nc, name, dl } = await setup(t, 2);
  const c = await rawConn(t);
  c.send(`SUB ${dl} 1\r\n`);
  await c.sync();
  await addConsumer(nc, name, { durable_name: 'R', ack_policy: 'explicit', deliver_subject: dl, ack_wait: 400 * NS.ms });
  const [m1] = await readMsgs(c, 2);
  rawPub(c, m1.reply, '+ACK');
  const [r] = await readMsgs(c, 1);
  assert.deepEqual([parseAck(r.reply).sseq, parseAck(r.reply).delivered, parseAck(r.reply).cseq], [2, 2, 3]);
  rawPub(c, r.reply, '+ACK');
  await c.sync();
  const info = counters(await consumerInfo(nc, name, 'R'));
  assert.deepEqual(info.ack_floor, { consumer_seq: 3, stream_seq: 2 });
  assert.deepEqual([info.num_ack_pending, info.num_redelivered], [0, 0], 'num_redelivered counts pending redeliveries only');
});

test('push: deliver policies last / new / by_start_sequence / last_per_subject', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  const s = subj(name);
  await addStream(t, nc, { name, subjects: [`${s}.*`] });
  await publishMany(nc, ['a', 'b', 'a', 'c'].map((x) => `${s}.${x}`));
  const c = await rawConn(t);
  const cases = [
    ['LAST', { deliver_policy: 'last' }, [4]],
    ['SEQ', { deliver_policy: 'by_start_sequence', opt_start_seq: 2 }, [2, 3, 4]],
    ['LPS', { deliver_policy: 'last_per_subject', filter_subject: `${s}.a` }, [3]],
  ];
  for (const [i, [d, cfg, want]] of cases.entries()) {
    c.send(`SUB dl.${s}.${d} ${i + 1}\r\n`);
    await c.sync();
    await addConsumer(nc, name, { durable_name: d, ack_policy: 'none', deliver_subject: `dl.${s}.${d}`, ...cfg });
    const got = await readMsgs(c, want.length);
    assert.deepEqual(got.map((m) => parseAck(m.reply).sseq), want, d);
    await expectNoMsg(c, 100);
    c.send(`UNSUB ${i + 1}\r\n`);
  }
  c.send(`SUB dl.${s}.NEW 9\r\n`);
  await c.sync();
  await addConsumer(nc, name, { durable_name: 'NEW', ack_policy: 'none', deliver_subject: `dl.${s}.NEW`, deliver_policy: 'new' });
  await expectNoMsg(c, 200);
  await publishMany(nc, [`${s}.d`]);
  const [m] = await readMsgs(c, 1);
  assert.deepEqual([m.sid, m.subject, parseAck(m.reply).sseq, parseAck(m.reply).cseq], ['9', `${s}.d`, 5, 1]);
});

test('push: filter_subject delivers only matching subjects', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  const s = subj(name);
  await addStream(t, nc, { name, subjects: [`${s}.*`] });
  await publishMany(nc, ['a', 'b', 'a', 'c'].map((x) => `${s}.${x}`));
  const c = await rawConn(t);
  c.send(`SUB dl.${s} 1\r\n`);
  await c.sync();
  await addConsumer(nc, name, { durable_name: 'F', ack_policy: 'explicit', deliver_subject: `dl.${s}`, filter_subject: `${s}.a` });
  const msgs = await readMsgs(c, 2);
  assert.deepEqual(msgs.map((m) => [m.subject, parseAck(m.reply).sseq, parseAck(m.reply).cseq, parseAck(m.reply).pending]),
    [[`${s}.a`, 1, 1, 1], [`${s}.a`, 3, 2, 0]]);
  await expectNoMsg(c, 200);
});

test('push: ephemeral consumer created with a subscriber is bound and delivers at once', T, async (t) => {
  const { nc, name, dl } = await setup(t, 2);
  const c = await rawConn(t);
  c.send(`SUB ${dl} 1\r\n`);
  await c.sync();
  const r = await api(nc, `$JS.API.CONSUMER.CREATE.${name}`, { stream_name: name, config: { ack_policy: 'none', deliver_subject: dl } });
  assert.equal(r.push_bound, true);
  const msgs = await readMsgs(c, 2);
  assert.deepEqual(msgs.map((m) => parseAck(m.reply).consumer), [r.name, r.name]);
});
