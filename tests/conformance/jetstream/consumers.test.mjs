// Consumer management API ($JS.API.CONSUMER.*): the three create subject
// forms, defaults echoed, validation errors, updates, info, names/list
// paging, delete, ephemeral inactivity cleanup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  T, NS, TS_RE, uname, subj, conn, api, ok, addStream, addConsumer, consumerInfo, streamInfo, publishMany, eventually,
} from './helpers.mjs';

const CREATE = 'io.nats.jetstream.api.v1.consumer_create_response';

/** A stream on `<s>.*` with messages a, b, a. */
async function setup(t) {
  const nc = await conn(t);
  const name = uname();
  const s = subj(name);
  await addStream(t, nc, { name, subjects: [`${s}.*`] });
  await publishMany(nc, [`${s}.a`, `${s}.b`, `${s}.a`]);
  return { nc, name, s };
}

const ZERO_SEQS = { consumer_seq: 0, stream_seq: 0 };

test('consumer create (CONSUMER.CREATE.<stream>.<durable>): reply fields and pull defaults', T, async (t) => {
  const { nc, name } = await setup(t);
  const r = await api(nc, `$JS.API.CONSUMER.CREATE.${name}.D`, { stream_name: name, config: { durable_name: 'D', ack_policy: 'explicit' } });
  assert.deepEqual(Object.keys(r), ['type', 'stream_name', 'name', 'created', 'config', 'delivered', 'ack_floor',
    'num_ack_pending', 'num_redelivered', 'num_waiting', 'num_pending']);
  assert.equal(r.type, CREATE);
  assert.equal(r.stream_name, name);
  assert.equal(r.name, 'D');
  assert.match(r.created, TS_RE);
  assert.deepEqual(r.config, {
    durable_name: 'D', name: 'D', deliver_policy: 'all', ack_policy: 'explicit', ack_wait: 30 * NS.s, max_deliver: -1,
    replay_policy: 'instant', max_waiting: 512, max_ack_pending: 1000, num_replicas: 0,
  });
  assert.deepEqual(r.delivered, ZERO_SEQS);
  assert.deepEqual(r.ack_floor, ZERO_SEQS);
  assert.deepEqual([r.num_ack_pending, r.num_redelivered, r.num_waiting, r.num_pending], [0, 0, 0, 3]);
  assert.equal((await streamInfo(nc, name)).state.consumer_count, 1);
});

test('consumer create (legacy CONSUMER.DURABLE.CREATE): same consumer, config without "name"', T, async (t) => {
  const { nc, name } = await setup(t);
  const r = ok(await api(nc, `$JS.API.CONSUMER.DURABLE.CREATE.${name}.D2`, { stream_name: name, config: { durable_name: 'D2', ack_policy: 'explicit' } }));
  assert.equal(r.name, 'D2');
  assert.equal(r.config.durable_name, 'D2');
  assert.equal('name' in r.config, false);
  assert.equal(r.num_pending, 3);
});

test('consumer create (CONSUMER.CREATE.<stream>.<name>.<filter>): filter in the subject must match', T, async (t) => {
  const { nc, name, s } = await setup(t);
  const r = ok(await api(nc, `$JS.API.CONSUMER.CREATE.${name}.F.${s}.a`,
    { stream_name: name, config: { durable_name: 'F', filter_subject: `${s}.a`, ack_policy: 'explicit' } }));
  assert.equal(r.config.filter_subject, `${s}.a`);
  assert.equal(r.num_pending, 2);
  const bad = await api(nc, `$JS.API.CONSUMER.CREATE.${name}.G.${s}.b`,
    { stream_name: name, config: { durable_name: 'G', filter_subject: `${s}.a`, ack_policy: 'explicit' } });
  assert.deepEqual(bad, { type: CREATE, error: { code: 400, err_code: 10131, description: 'Consumer create request did not match filtered subject from create subject' } });
});

test('consumer create (ephemeral, CONSUMER.CREATE.<stream>): generated name, inactive_threshold 5s, no durable_name', T, async (t) => {
  const { nc, name } = await setup(t);
  const r = ok(await api(nc, `$JS.API.CONSUMER.CREATE.${name}`, { stream_name: name, config: { ack_policy: 'explicit' } }));
  assert.match(r.name, /^[A-Za-z0-9]{8}$/);
  assert.deepEqual(r.config, {
    deliver_policy: 'all', ack_policy: 'explicit', ack_wait: 30 * NS.s, max_deliver: -1, replay_policy: 'instant',
    max_waiting: 512, max_ack_pending: 1000, inactive_threshold: 5 * NS.s, num_replicas: 0,
  });
});

test('consumer create: push with ack none has no ack_wait / max_ack_pending / max_waiting', T, async (t) => {
  const { nc, name } = await setup(t);
  const r = ok(await api(nc, `$JS.API.CONSUMER.CREATE.${name}.PUSH`,
    { stream_name: name, config: { durable_name: 'PUSH', ack_policy: 'none', deliver_subject: `dl.${name}` } }));
  assert.deepEqual(r.config, {
    durable_name: 'PUSH', name: 'PUSH', deliver_policy: 'all', ack_policy: 'none', max_deliver: -1, replay_policy: 'instant',
    deliver_subject: `dl.${name}`, num_replicas: 0,
  });
});

test('consumer create: without ack_policy a pull consumer is ack none', T, async (t) => {
  const { nc, name } = await setup(t);
  const r = ok(await api(nc, `$JS.API.CONSUMER.CREATE.${name}.NA`, { stream_name: name, config: { durable_name: 'NA' } }));
  assert.equal(r.config.ack_policy, 'none');
  assert.equal(r.config.max_waiting, 512);
  assert.equal('ack_wait' in r.config, false);
});

test('consumer create: same config again returns the existing consumer (same created)', T, async (t) => {
  const { nc, name } = await setup(t);
  const cfg = { stream_name: name, config: { durable_name: 'D', ack_policy: 'explicit' } };
  const a = ok(await api(nc, `$JS.API.CONSUMER.CREATE.${name}.D`, cfg));
  const b = ok(await api(nc, `$JS.API.CONSUMER.CREATE.${name}.D`, cfg));
  assert.equal(b.created, a.created);
  assert.deepEqual(b.config, a.config);
});

test('consumer create: durable / stream name mismatches, missing stream, bad JSON', T, async (t) => {
  const { nc, name } = await setup(t);
  const mismatch = { type: CREATE, error: { code: 400, err_code: 10017, description: 'consumer name in subject does not match durable name in request' } };
  assert.deepEqual(await api(nc, `$JS.API.CONSUMER.CREATE.${name}.A`, { stream_name: name, config: { durable_name: 'B', ack_policy: 'explicit' } }), mismatch);
  assert.deepEqual(await api(nc, `$JS.API.CONSUMER.DURABLE.CREATE.${name}.A`, { stream_name: name, config: { durable_name: 'B', ack_policy: 'explicit' } }), mismatch);
  assert.deepEqual(await api(nc, `$JS.API.CONSUMER.CREATE.${name}.A`, { stream_name: `${name}X`, config: { durable_name: 'A' } }),
    { type: CREATE, error: { code: 400, err_code: 10056, description: 'stream name in subject does not match request' } });
  const missing = uname();
  assert.deepEqual(await api(nc, `$JS.API.CONSUMER.CREATE.${missing}.A`, { stream_name: missing, config: { durable_name: 'A' } }),
    { type: CREATE, error: { code: 404, err_code: 10059, description: 'stream not found' } });
  const invalid = { type: CREATE, error: { code: 400, err_code: 10025, description: 'invalid JSON' } };
  assert.deepEqual(await api(nc, `$JS.API.CONSUMER.CREATE.${name}.A`, 'x'), invalid);
  assert.deepEqual(await api(nc, `$JS.API.CONSUMER.CREATE.${name}.A`, { stream_name: name, config: { durable_name: 'A', ack_policy: 'bogus' } }), invalid);
  assert.deepEqual(await api(nc, `$JS.API.CONSUMER.CREATE.${name}.A`, { stream_name: name, config: { durable_name: 'A', deliver_policy: 'bogus' } }), invalid);
});

test('consumer create: deliver policy / start option conflicts -> 400/10094', T, async (t) => {
  const { nc, name, s } = await setup(t);
  const cases = [
    [{ deliver_policy: 'by_start_sequence' }, 'consumer delivery policy is deliver by start sequence, but optional start sequence is not set'],
    [{ deliver_policy: 'by_start_time' }, 'consumer delivery policy is deliver by start time, but optional start time is not set'],
    [{ deliver_policy: 'all', opt_start_seq: 3 }, 'consumer delivery policy is deliver all, but optional start sequence is also set'],
    [{ deliver_policy: 'last', opt_start_seq: 3 }, 'consumer delivery policy is deliver last, but optional start sequence is also set'],
    [{ deliver_policy: 'new', opt_start_time: '2020-01-01T00:00:00Z' }, 'consumer delivery policy is deliver new, but optional start time is also set'],
    [{ deliver_policy: 'last_per_subject' }, 'consumer delivery policy is deliver last per subject, but optional filter subject is not set'],
    [{ deliver_policy: 'by_start_sequence', opt_start_seq: 1, opt_start_time: '2020-01-01T00:00:00Z' },
      'consumer delivery policy is deliver by start sequence, but optional start time is also set'],
  ];
  for (const [extra, description] of cases) {
    const r = await api(nc, `$JS.API.CONSUMER.CREATE.${name}.X`, { stream_name: name, config: { durable_name: 'X', ack_policy: 'explicit', ...extra } });
    assert.deepEqual(r, { type: CREATE, error: { code: 400, err_code: 10094, description } }, JSON.stringify(extra));
  }
  assert.equal(ok(await addConsumer(nc, name, { durable_name: 'LPS', ack_policy: 'explicit', deliver_policy: 'last_per_subject', filter_subject: `${s}.a` })).num_pending, 1);
});

test('consumer create: push/pull option conflicts and other config errors (400 with their codes)', T, async (t) => {
  const { nc, name, s } = await setup(t);
  const cases = [
    [{ filter_subject: 'not.in.stream' }, 10093, 'consumer filter subject is not a valid subset of the interest subjects'],
    [{ deliver_subject: 'dl.x', max_waiting: 5 }, 10080, 'consumer in push mode can not set max waiting'],
    [{ idle_heartbeat: NS.s }, 10088, 'consumer idle heartbeat requires a push based consumer'],
    [{ flow_control: true }, 10089, 'consumer flow control requires a push based consumer'],
    [{ rate_limit_bps: 100 }, 10086, 'consumer in pull mode can not have rate limit set'],
    [{ deliver_subject: `${s}.a` }, 10081, 'consumer deliver subject forms a cycle'],
    [{ deliver_subject: 'dl.*' }, 10079, 'consumer deliver subject has wildcards'],
    [{ backoff: [NS.s], max_deliver: 1 }, 10116, 'max deliver is required to be > length of backoff values'],
    [{ deliver_subject: 'dl.x', ack_policy: 'none', max_ack_pending: 5 }, 10082, 'consumer requires ack policy for max ack pending'],
    [{ deliver_subject: 'dl.x', idle_heartbeat: 50 * NS.ms }, 10083, 'consumer idle heartbeat needs to be >= 100ms'],
  ];
  for (const [extra, code, description] of cases) {
    const r = await api(nc, `$JS.API.CONSUMER.CREATE.${name}.X`, { stream_name: name, config: { durable_name: 'X', ack_policy: 'explicit', ...extra } });
    assert.deepEqual(r, { type: CREATE, error: { code: 400, err_code: code, description } }, JSON.stringify(extra));
  }
});

test('consumer update: allowed changes apply; ack policy and pull->push changes -> 500/10012', T, async (t) => {
  const { nc, name } = await setup(t);
  const c = await addConsumer(nc, name, { durable_name: 'U', ack_policy: 'explicit' });
  const u = ok(await api(nc, `$JS.API.CONSUMER.CREATE.${name}.U`,
    { stream_name: name, config: { durable_name: 'U', ack_policy: 'explicit', max_deliver: 5, ack_wait: 10 * NS.s, description: 'd' } }));
  assert.equal(u.created, c.created);
  assert.equal(u.config.max_deliver, 5);
  assert.equal(u.config.ack_wait, 10 * NS.s);
  assert.equal(u.config.description, 'd');
  const ap = await api(nc, `$JS.API.CONSUMER.CREATE.${name}.U`, { stream_name: name, config: { durable_name: 'U', ack_policy: 'all' } });
  assert.deepEqual(ap, { type: CREATE, error: { code: 500, err_code: 10012, description: 'ack policy can not be updated' } });
  const push = await api(nc, `$JS.API.CONSUMER.CREATE.${name}.U`,
    { stream_name: name, config: { durable_name: 'U', ack_policy: 'explicit', deliver_subject: `dl.${name}` } });
  assert.deepEqual(push, { type: CREATE, error: { code: 500, err_code: 10012, description: 'max waiting can not be updated' } });
  const dp = await api(nc, `$JS.API.CONSUMER.CREATE.${name}.U`,
    { stream_name: name, config: { durable_name: 'U', ack_policy: 'explicit', max_deliver: 5, deliver_policy: 'new' } });
  assert.deepEqual(dp, { type: CREATE, error: { code: 500, err_code: 10012, description: 'deliver policy can not be updated' } });
});

test('consumer info: fields; missing consumer -> 404/10014; missing stream -> 404/10059', T, async (t) => {
  const { nc, name } = await setup(t);
  const c = await addConsumer(nc, name, { durable_name: 'I', ack_policy: 'explicit' });
  const i = await api(nc, `$JS.API.CONSUMER.INFO.${name}.I`);
  assert.equal(i.type, 'io.nats.jetstream.api.v1.consumer_info_response');
  const { type, ...rest } = i;
  const { type: _t, ...created } = c;
  assert.deepEqual(rest, created);
  assert.deepEqual(await api(nc, `$JS.API.CONSUMER.INFO.${name}.NOPE`),
    { type: 'io.nats.jetstream.api.v1.consumer_info_response', error: { code: 404, err_code: 10014, description: 'consumer not found' } });
  const missing = uname();
  assert.deepEqual(await api(nc, `$JS.API.CONSUMER.INFO.${missing}.I`),
    { type: 'io.nats.jetstream.api.v1.consumer_info_response', error: { code: 404, err_code: 10059, description: 'stream not found' } });
});

test('consumer names and list: sorted, paging with offset, limits 1024 / 256', T, async (t) => {
  const { nc, name } = await setup(t);
  for (const d of ['C3', 'C1', 'C2']) await addConsumer(nc, name, { durable_name: d, ack_policy: 'explicit' });
  assert.deepEqual(await api(nc, `$JS.API.CONSUMER.NAMES.${name}`),
    { type: 'io.nats.jetstream.api.v1.consumer_names_response', total: 3, offset: 0, limit: 1024, consumers: ['C1', 'C2', 'C3'] });
  const paged = await api(nc, `$JS.API.CONSUMER.NAMES.${name}`, { offset: 2 });
  assert.deepEqual([paged.total, paged.offset, paged.consumers], [3, 2, ['C3']]);
  const list = await api(nc, `$JS.API.CONSUMER.LIST.${name}`, { offset: 1 });
  assert.equal(list.type, 'io.nats.jetstream.api.v1.consumer_list_response');
  assert.deepEqual([list.total, list.offset, list.limit], [3, 1, 256]);
  assert.deepEqual(list.consumers.map((c) => c.name), ['C2', 'C3']);
  assert.deepEqual(Object.keys(list.consumers[0]), ['stream_name', 'name', 'created', 'config', 'delivered', 'ack_floor',
    'num_ack_pending', 'num_redelivered', 'num_waiting', 'num_pending']);
});

test('consumer names/list: empty stream gives an empty list; missing stream -> 404/10059 with paging fields', T, async (t) => {
  const { nc, name } = await setup(t);
  assert.deepEqual(await api(nc, `$JS.API.CONSUMER.NAMES.${name}`),
    { type: 'io.nats.jetstream.api.v1.consumer_names_response', total: 0, offset: 0, limit: 1024, consumers: [] });
  assert.deepEqual(await api(nc, `$JS.API.CONSUMER.LIST.${name}`),
    { type: 'io.nats.jetstream.api.v1.consumer_list_response', total: 0, offset: 0, limit: 256, consumers: [] });
  const missing = uname();
  assert.deepEqual(await api(nc, `$JS.API.CONSUMER.NAMES.${missing}`), {
    type: 'io.nats.jetstream.api.v1.consumer_names_response', error: { code: 404, err_code: 10059, description: 'stream not found' },
    total: 0, offset: 0, limit: 0, consumers: [],
  });
});

test('consumer delete: success; again -> 404/10014; missing stream -> 404/10059', T, async (t) => {
  const { nc, name } = await setup(t);
  await addConsumer(nc, name, { durable_name: 'DEL', ack_policy: 'explicit' });
  const DELR = 'io.nats.jetstream.api.v1.consumer_delete_response';
  assert.deepEqual(await api(nc, `$JS.API.CONSUMER.DELETE.${name}.DEL`), { type: DELR, success: true });
  assert.deepEqual(await api(nc, `$JS.API.CONSUMER.DELETE.${name}.DEL`),
    { type: DELR, error: { code: 404, err_code: 10014, description: 'consumer not found' } });
  assert.deepEqual(await api(nc, `$JS.API.CONSUMER.DELETE.${uname()}.DEL`),
    { type: DELR, error: { code: 404, err_code: 10059, description: 'stream not found' } });
  assert.equal((await streamInfo(nc, name)).state.consumer_count, 0);
});

test('consumer: initial delivered.stream_seq and num_pending per deliver policy', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  const s = subj(name);
  await addStream(t, nc, { name, subjects: [`${s}.*`] });
  await publishMany(nc, ['a', 'b', 'a', 'c', 'b'].map((x) => `${s}.${x}`));
  const third = (await api(nc, `$JS.API.STREAM.MSG.GET.${name}`, { seq: 3 })).message.time;
  const cases = [
    [{ deliver_policy: 'all' }, 0, 5],
    [{ deliver_policy: 'last' }, 4, 1],
    [{ deliver_policy: 'new' }, 5, 0],
    [{ deliver_policy: 'by_start_sequence', opt_start_seq: 3 }, 2, 3],
    [{ deliver_policy: 'by_start_time', opt_start_time: third }, 2, 3],
    [{ deliver_policy: 'last_per_subject', filter_subject: `${s}.a` }, 2, 1],
    [{ deliver_policy: 'last', filter_subject: `${s}.b` }, 4, 1],
  ];
  for (const [i, [extra, sseq, pending]] of cases.entries()) {
    const r = await addConsumer(nc, name, { durable_name: `P${i}`, ack_policy: 'explicit', ...extra });
    assert.deepEqual({ delivered: r.delivered, ack_floor: r.ack_floor, num_pending: r.num_pending },
      { delivered: { consumer_seq: 0, stream_seq: sseq }, ack_floor: ZERO_SEQS, num_pending: pending }, JSON.stringify(extra));
  }
});

test('ephemeral push consumer without interest is removed after its inactive_threshold', T, async (t) => {
  const { nc, name } = await setup(t);
  const r = ok(await api(nc, `$JS.API.CONSUMER.CREATE.${name}`,
    { stream_name: name, config: { ack_policy: 'none', deliver_subject: `nobody.${name}`, inactive_threshold: 500 * NS.ms } }));
  assert.equal(r.config.inactive_threshold, 500 * NS.ms);
  await eventually(async () => (await api(nc, `$JS.API.CONSUMER.INFO.${name}.${r.name}`)).error?.err_code === 10014,
    5000, 'the ephemeral consumer to be removed');
  // nats-server drops the consumer from lookups a moment before the stream's count.
  await eventually(async () => (await streamInfo(nc, name)).state.consumer_count === 0, 2000, 'consumer_count 0');
});

test('durable consumer survives without interest; its info keeps counting new messages', T, async (t) => {
  const { nc, name, s } = await setup(t);
  await addConsumer(nc, name, { durable_name: 'KEEP', ack_policy: 'explicit', deliver_subject: `nobody.${name}` });
  await publishMany(nc, [`${s}.c`]);
  const i = await consumerInfo(nc, name, 'KEEP');
  assert.equal(i.num_pending, 4);
  assert.equal(i.push_bound, undefined, 'push_bound is omitted without a subscriber');
});
