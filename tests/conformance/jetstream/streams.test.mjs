// Stream management API ($JS.API.STREAM.*): create with defaults, idempotent
// create, validation errors, info, update, names/list paging, delete.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  T, NS, ZERO_TS, TS_RE, uname, subj, conn, api, ok, addStream, streamInfo, deleteStream, publishMany,
} from './helpers.mjs';

const CREATE = 'io.nats.jetstream.api.v1.stream_create_response';
const UPDATE = 'io.nats.jetstream.api.v1.stream_update_response';
const INFO = 'io.nats.jetstream.api.v1.stream_info_response';

/** The config every 2.9.10 stream echoes for `{name, subjects}`. */
function defaults(name, subjects) {
  return {
    name,
    subjects,
    retention: 'limits',
    max_consumers: -1,
    max_msgs: -1,
    max_bytes: -1,
    max_age: 0,
    max_msgs_per_subject: -1,
    max_msg_size: -1,
    discard: 'old',
    storage: 'file',
    num_replicas: 1,
    duplicate_window: 120 * NS.s,
    allow_direct: false,
    mirror_direct: false,
    sealed: false,
    deny_delete: false,
    deny_purge: false,
    allow_rollup_hdrs: false,
  };
}

const EMPTY_STATE = {
  messages: 0, bytes: 0, first_seq: 0, first_ts: ZERO_TS, last_seq: 0, last_ts: ZERO_TS, consumer_count: 0,
};

/** Create expecting an error; the stream is deleted afterwards should the server accept it. */
async function createErr(t, nc, subject, body) {
  const r = await api(nc, subject, body);
  if (!r.error) {
    const name = subject.split('.').pop();
    t.after(() => deleteStream(nc, name));
  }
  return r;
}

test('stream create: the reply echoes the config with every default filled in', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  const r = await addStream(t, nc, { name, subjects: [`${subj(name)}.>`] });
  assert.deepEqual(Object.keys(r), ['type', 'config', 'created', 'state', 'did_create']);
  assert.equal(r.type, CREATE);
  assert.deepEqual(r.config, defaults(name, [`${subj(name)}.>`]));
  assert.match(r.created, TS_RE);
  assert.deepEqual(r.state, EMPTY_STATE);
  assert.equal(r.did_create, true);
});

test('stream create: explicit settings are kept, memory storage, description before subjects', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  const cfg = {
    name, description: 'a test stream', subjects: [`${subj(name)}.a`, `${subj(name)}.b.*`], storage: 'memory',
    max_msgs: 10, max_bytes: 4096, max_age: 60 * NS.s, max_msgs_per_subject: 3, max_msg_size: 512, discard: 'new',
    duplicate_window: 5 * NS.s, allow_direct: true, allow_rollup_hdrs: true, deny_delete: true, max_consumers: 4,
  };
  const r = await addStream(t, nc, cfg);
  assert.deepEqual(r.config, { ...defaults(name, cfg.subjects), ...cfg });
  assert.deepEqual(Object.keys(r.config).slice(0, 3), ['name', 'description', 'subjects']);
});

test('stream create: no subjects means the stream name is its subject', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  const r = await addStream(t, nc, { name, subjects: undefined });
  assert.deepEqual(r.config.subjects, [name]);
});

test('stream create: max_age under 2 minutes lowers the default duplicate_window to max_age', T, async (t) => {
  const nc = await conn(t);
  const r = await addStream(t, nc, { max_age: NS.s });
  assert.equal(r.config.max_age, NS.s);
  assert.equal(r.config.duplicate_window, NS.s);
});

test('stream create: the same config again succeeds and returns the original stream', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  const first = await addStream(t, nc, { name, max_msgs: 5 });
  const again = await api(nc, `$JS.API.STREAM.CREATE.${name}`, { name, subjects: [`${subj(name)}.>`], max_msgs: 5 });
  assert.equal(again.error, undefined);
  assert.equal(again.created, first.created);
  assert.deepEqual(again.config, first.config);
  assert.equal(again.did_create, true);
});

test('stream create: same name, different config -> 400/10058', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  await addStream(t, nc, { name });
  const r = await api(nc, `$JS.API.STREAM.CREATE.${name}`, { name, subjects: [`${subj(name)}.x`] });
  assert.deepEqual(r, {
    type: CREATE, error: { code: 400, err_code: 10058, description: 'stream name already in use with a different configuration' },
  });
});

test('stream create: subjects overlapping another stream -> 400/10065', T, async (t) => {
  const nc = await conn(t);
  const a = uname();
  await addStream(t, nc, { name: a, subjects: [`${subj(a)}.*`] });
  const b = uname();
  const r = await createErr(t, nc, `$JS.API.STREAM.CREATE.${b}`, { name: b, subjects: [`${subj(a)}.x`] });
  assert.deepEqual(r, { type: CREATE, error: { code: 400, err_code: 10065, description: 'subjects overlap with an existing stream' } });
  const c = uname();
  const r2 = await createErr(t, nc, `$JS.API.STREAM.CREATE.${c}`, { name: c, subjects: [`${subj(a)}.>`] });
  assert.equal(r2.error?.err_code, 10065, 'a wider wildcard overlaps too');
});

test('stream create: num_replicas 3 on a single server -> 500/10074', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  const r = await createErr(t, nc, `$JS.API.STREAM.CREATE.${name}`, { name, subjects: [subj(name)], num_replicas: 3 });
  assert.deepEqual(r, { type: CREATE, error: { code: 500, err_code: 10074, description: 'replicas > 1 not supported in non-clustered mode' } });
});

test('stream create: invalid and over-long names -> 500/10052', T, async (t) => {
  const nc = await conn(t);
  for (const name of ['BAD*NAME', 'BAD>NAME']) {
    const r = await createErr(t, nc, `$JS.API.STREAM.CREATE.${name}`, { name, subjects: ['badname.x'] });
    assert.deepEqual(r, {
      type: CREATE, error: { code: 500, err_code: 10052, description: "stream name is required and can not contain '.', '*', '>'" },
    }, name);
  }
  const long = 'N'.repeat(256);
  const r = await createErr(t, nc, `$JS.API.STREAM.CREATE.${long}`, { name: long, subjects: ['longname.x'] });
  assert.deepEqual(r.error, { code: 500, err_code: 10052, description: 'stream name is too long, maximum allowed is 255' });
});

test('stream create: name in the subject must match the body (missing name too) -> 400/10056', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  const want = { type: CREATE, error: { code: 400, err_code: 10056, description: 'stream name in subject does not match request' } };
  assert.deepEqual(await createErr(t, nc, `$JS.API.STREAM.CREATE.${name}`, { name: `${name}X`, subjects: [subj(name)] }), want);
  assert.deepEqual(await createErr(t, nc, `$JS.API.STREAM.CREATE.${name}`, { subjects: [subj(name)] }), want);
});

test('stream create: bad JSON, empty body and unknown enum values -> 400/10025', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  const want = { type: CREATE, error: { code: 400, err_code: 10025, description: 'invalid JSON' } };
  assert.deepEqual(await createErr(t, nc, `$JS.API.STREAM.CREATE.${name}`, '{bad'), want);
  assert.deepEqual(await createErr(t, nc, `$JS.API.STREAM.CREATE.${name}`, ''), want);
  for (const field of ['storage', 'retention', 'discard']) {
    const r = await createErr(t, nc, `$JS.API.STREAM.CREATE.${name}`, { name, subjects: [subj(name)], [field]: 'bogus' });
    assert.deepEqual(r, want, field);
  }
});

test('stream create: config validation errors are 500/10052 with a specific description', T, async (t) => {
  const nc = await conn(t);
  const cases = [
    [{ duplicate_window: 2 * NS.s, max_age: NS.s }, 'duplicates window can not be larger then max age'],
    [{ max_age: -1 }, 'duplicates window can not be negative'],
    [{ subjects: ['a..b'] }, 'invalid subject'],
    [{ subjects: ['$JS.API.>'] }, 'subjects overlap with jetstream api'],
    [{ subjects: ['dup.x', 'dup.x'] }, 'duplicate subjects detected'],
    [{ description: 'd'.repeat(4097) }, 'stream description is too long, maximum allowed is 4096'],
    [{ sealed: true }, 'stream configuration for create can not be sealed'],
    [{ discard_new_per_subject: true }, 'discard new per subject requires discard new policy to be set'],
    [{ discard: 'new', discard_new_per_subject: true }, 'discard new per subject requires max msgs per subject > 0'],
    [{ deny_purge: true, allow_rollup_hdrs: true }, 'roll-ups require the purge permission'],
  ];
  for (const [extra, description] of cases) {
    const name = uname();
    const r = await createErr(t, nc, `$JS.API.STREAM.CREATE.${name}`, { name, subjects: [`${subj(name)}.>`], ...extra });
    assert.deepEqual(r, { type: CREATE, error: { code: 500, err_code: 10052, description } }, JSON.stringify(extra));
  }
});

test('stream info: fields of an empty stream, paging fields are zero', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  const c = await addStream(t, nc, { name });
  const r = await api(nc, `$JS.API.STREAM.INFO.${name}`);
  assert.deepEqual(Object.keys(r), ['type', 'total', 'offset', 'limit', 'config', 'created', 'state']);
  assert.equal(r.type, INFO);
  assert.deepEqual([r.total, r.offset, r.limit], [0, 0, 0]);
  assert.deepEqual(r.config, c.config);
  assert.equal(r.created, c.created);
  assert.deepEqual(r.state, EMPTY_STATE);
});

test('stream info: state after publishing (messages, bytes, seqs, timestamps, num_subjects)', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  const s = subj(name);
  await addStream(t, nc, { name });
  await publishMany(nc, [`${s}.a`, `${s}.b`, `${s}.a`]);
  const { state } = await streamInfo(nc, name);
  assert.deepEqual(Object.keys(state), ['messages', 'bytes', 'first_seq', 'first_ts', 'last_seq', 'last_ts', 'num_subjects', 'consumer_count']);
  assert.equal(state.messages, 3);
  assert.equal(state.first_seq, 1);
  assert.equal(state.last_seq, 3);
  assert.equal(state.num_subjects, 2);
  assert.equal(state.consumer_count, 0);
  assert.match(state.first_ts, TS_RE);
  assert.match(state.last_ts, TS_RE);
  assert.ok(Date.parse(state.last_ts) >= Date.parse(state.first_ts));
  // File store record: 22 bytes of framing + subject + payload + 8 bytes of hash.
  const rec = (subject, payload) => 22 + subject.length + payload.length + 8;
  assert.equal(state.bytes, rec(`${s}.a`, 'm1') + rec(`${s}.b`, 'm2') + rec(`${s}.a`, 'm3'));
});

test('stream info: subjects_filter adds per-subject counts and paging fields', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  const s = subj(name);
  await addStream(t, nc, { name });
  await publishMany(nc, [`${s}.a`, `${s}.b`, `${s}.a`, `${s}.c.d`]);
  const r = await streamInfo(nc, name, { subjects_filter: '>' });
  assert.deepEqual([r.total, r.offset, r.limit], [3, 0, 100000]);
  assert.deepEqual(r.state.subjects, { [`${s}.a`]: 2, [`${s}.b`]: 1, [`${s}.c.d`]: 1 });
  const f = await streamInfo(nc, name, { subjects_filter: `${s}.a` });
  assert.deepEqual(f.state.subjects, { [`${s}.a`]: 2 });
  assert.equal(f.total, 1);
});

test('stream info: deleted_details lists interior deletes', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  const s = subj(name);
  await addStream(t, nc, { name });
  await publishMany(nc, [`${s}.a`, `${s}.a`, `${s}.a`, `${s}.a`]);
  ok(await api(nc, `$JS.API.STREAM.MSG.DELETE.${name}`, { seq: 2 }));
  ok(await api(nc, `$JS.API.STREAM.MSG.DELETE.${name}`, { seq: 3 }));
  const plain = await streamInfo(nc, name);
  assert.equal(plain.state.num_deleted, 2);
  assert.equal(plain.state.deleted, undefined);
  const detailed = await streamInfo(nc, name, { deleted_details: true });
  assert.deepEqual(detailed.state.deleted, [2, 3]);
  assert.equal(detailed.state.messages, 2);
});

test('stream info/delete/update/purge/msg get on a missing stream -> 404/10059', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  const err = { code: 404, err_code: 10059, description: 'stream not found' };
  assert.deepEqual(await api(nc, `$JS.API.STREAM.INFO.${name}`), { type: INFO, error: err, total: 0, offset: 0, limit: 0 });
  assert.deepEqual(await api(nc, `$JS.API.STREAM.DELETE.${name}`),
    { type: 'io.nats.jetstream.api.v1.stream_delete_response', error: err });
  assert.deepEqual(await api(nc, `$JS.API.STREAM.UPDATE.${name}`, { name, subjects: [subj(name)] }), { type: UPDATE, error: err });
  assert.deepEqual(await api(nc, `$JS.API.STREAM.PURGE.${name}`),
    { type: 'io.nats.jetstream.api.v1.stream_purge_response', error: err, purged: 0 });
  assert.deepEqual(await api(nc, `$JS.API.STREAM.MSG.GET.${name}`, { seq: 1 }),
    { type: 'io.nats.jetstream.api.v1.stream_msg_get_response', error: err });
  assert.deepEqual(await api(nc, `$JS.API.STREAM.MSG.DELETE.${name}`, { seq: 1 }),
    { type: 'io.nats.jetstream.api.v1.stream_msg_delete_response', error: err });
});

test('stream update: allowed changes are applied and echoed, created and state kept', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  const s = subj(name);
  const c = await addStream(t, nc, { name, subjects: [`${s}.a`], max_msgs: 10 });
  await publishMany(nc, [`${s}.a`]);
  const next = {
    name, description: 'updated', subjects: [`${s}.a`, `${s}.b`], max_msgs: 20, max_bytes: 100000, max_age: 3600 * NS.s,
    max_msgs_per_subject: 5, max_msg_size: 1000, discard: 'new', duplicate_window: 10 * NS.s, allow_direct: true,
    allow_rollup_hdrs: true, deny_delete: true,
  };
  const r = await api(nc, `$JS.API.STREAM.UPDATE.${name}`, next);
  assert.deepEqual(Object.keys(r), ['type', 'config', 'created', 'state']);
  assert.equal(r.type, UPDATE);
  assert.deepEqual(r.config, { ...defaults(name, next.subjects), ...next });
  assert.equal(r.created, c.created);
  assert.equal(r.state.messages, 1);
  const info = await streamInfo(nc, name);
  assert.deepEqual(info.config, r.config);
  assert.equal(ok(await api(nc, `${s}.b`, 'on the new subject')).seq, 2, 'the added subject is captured');
});

test('stream update: storage, retention, max_consumers cannot change -> 500/10052', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  const base = { name, subjects: [subj(name)] };
  await addStream(t, nc, base);
  const cases = [
    [{ storage: 'memory' }, 'stream configuration update can not change storage type'],
    [{ retention: 'workqueue' }, 'stream configuration update can not change retention policy'],
    [{ max_consumers: 5 }, 'stream configuration update can not change MaxConsumers'],
  ];
  for (const [extra, description] of cases) {
    const r = await api(nc, `$JS.API.STREAM.UPDATE.${name}`, { ...base, ...extra });
    assert.deepEqual(r, { type: UPDATE, error: { code: 500, err_code: 10052, description } }, JSON.stringify(extra));
  }
});

test('stream update: deny_delete / deny_purge cannot be cancelled; subject and body names must match', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  const base = { name, subjects: [subj(name)], deny_delete: true, deny_purge: true };
  await addStream(t, nc, base);
  let r = await api(nc, `$JS.API.STREAM.UPDATE.${name}`, { ...base, deny_delete: false });
  assert.deepEqual(r.error, { code: 500, err_code: 10052, description: 'stream configuration update can not cancel deny message deletes' });
  r = await api(nc, `$JS.API.STREAM.UPDATE.${name}`, { ...base, deny_purge: false });
  assert.deepEqual(r.error, { code: 500, err_code: 10052, description: 'stream configuration update can not cancel deny purge' });
  r = await api(nc, `$JS.API.STREAM.UPDATE.${name}`, { ...base, name: `${name}X` });
  assert.deepEqual(r.error, { code: 400, err_code: 10056, description: 'stream name in subject does not match request' });
  r = await api(nc, `$JS.API.STREAM.UPDATE.${name}`, '{');
  assert.deepEqual(r.error, { code: 400, err_code: 10025, description: 'invalid JSON' });
  r = await api(nc, `$JS.API.STREAM.UPDATE.${name}`, { ...base, republish: { src: '>', dest: 'rp.>' } });
  assert.deepEqual(r.error, { code: 500, err_code: 10052, description: 'stream configuration update can not change RePublish' });
});

test('stream update: sealing forces discard new, deny delete/purge, no rollup, max_age 0; unsealing refused', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  const base = { name, subjects: [subj(name)], max_age: 3600 * NS.s, allow_rollup_hdrs: true };
  await addStream(t, nc, base);
  const r = ok(await api(nc, `$JS.API.STREAM.UPDATE.${name}`, { ...base, sealed: true }));
  assert.equal(r.config.sealed, true);
  assert.equal(r.config.discard, 'new');
  assert.equal(r.config.deny_delete, true);
  assert.equal(r.config.deny_purge, true);
  assert.equal(r.config.allow_rollup_hdrs, false);
  assert.equal(r.config.max_age, 0);
  const u = await api(nc, `$JS.API.STREAM.UPDATE.${name}`, { ...r.config, sealed: false });
  assert.deepEqual(u.error, { code: 500, err_code: 10052, description: 'stream configuration update can not unseal a sealed stream' });
});

test('stream update: moving subjects onto another stream -> 400/10065', T, async (t) => {
  const nc = await conn(t);
  const a = uname();
  const b = uname();
  await addStream(t, nc, { name: a, subjects: [`${subj(a)}.*`] });
  await addStream(t, nc, { name: b, subjects: [`${subj(b)}.*`] });
  const r = await api(nc, `$JS.API.STREAM.UPDATE.${b}`, { name: b, subjects: [`${subj(b)}.*`, `${subj(a)}.x`] });
  assert.deepEqual(r, { type: UPDATE, error: { code: 400, err_code: 10065, description: 'subjects overlap with an existing stream' } });
});

test('stream names: subject filter, sorted, paging with offset', T, async (t) => {
  const nc = await conn(t);
  const prefix = subj(uname('P'));
  const names = [uname('A'), uname('B'), uname('C')].sort();
  for (const [i, name] of names.entries()) await addStream(t, nc, { name, subjects: [`${prefix}.${i}.*`] });
  const r = await api(nc, '$JS.API.STREAM.NAMES', { subject: `${prefix}.>` });
  assert.deepEqual(r, { type: 'io.nats.jetstream.api.v1.stream_names_response', total: 3, offset: 0, limit: 1024, streams: names });
  const one = await api(nc, '$JS.API.STREAM.NAMES', { subject: `${prefix}.1.x` });
  assert.deepEqual(one.streams, [names[1]]);
  assert.equal(one.total, 1);
  const paged = await api(nc, '$JS.API.STREAM.NAMES', { subject: `${prefix}.>`, offset: 1 });
  assert.deepEqual([paged.total, paged.offset, paged.limit], [3, 1, 1024]);
  assert.deepEqual(paged.streams, names.slice(1));
  // No match: `streams` is JSON null in NAMES (an empty list in LIST).
  const none = await api(nc, '$JS.API.STREAM.NAMES', { subject: `${prefix}.nothing.here` });
  assert.deepEqual(none, { type: 'io.nats.jetstream.api.v1.stream_names_response', total: 0, offset: 0, limit: 1024, streams: null });
  const noneList = await api(nc, '$JS.API.STREAM.LIST', { subject: `${prefix}.nothing.here` });
  assert.deepEqual(noneList, { type: 'io.nats.jetstream.api.v1.stream_list_response', total: 0, offset: 0, limit: 256, streams: [] });
});

test('stream list: infos with subject filter and offset, limit 256', T, async (t) => {
  const nc = await conn(t);
  const prefix = subj(uname('P'));
  const names = [uname('A'), uname('B')].sort();
  for (const [i, name] of names.entries()) await addStream(t, nc, { name, subjects: [`${prefix}.${i}`] });
  const r = await api(nc, '$JS.API.STREAM.LIST', { subject: `${prefix}.>` });
  assert.equal(r.type, 'io.nats.jetstream.api.v1.stream_list_response');
  assert.deepEqual([r.total, r.offset, r.limit], [2, 0, 256]);
  assert.deepEqual(r.streams.map((s) => s.config.name), names);
  assert.deepEqual(Object.keys(r.streams[0]), ['config', 'created', 'state']);
  assert.deepEqual(r.streams[0].config, defaults(names[0], [`${prefix}.0`]));
  const paged = await api(nc, '$JS.API.STREAM.LIST', { subject: `${prefix}.>`, offset: 1 });
  assert.deepEqual(paged.streams.map((s) => s.config.name), [names[1]]);
  assert.equal(paged.offset, 1);
});

test('stream delete: success, then gone from info and names; its subjects are free again', T, async (t) => {
  const nc = await conn(t);
  const name = uname();
  await addStream(t, nc, { name });
  const r = await api(nc, `$JS.API.STREAM.DELETE.${name}`);
  assert.deepEqual(r, { type: 'io.nats.jetstream.api.v1.stream_delete_response', success: true });
  assert.equal((await api(nc, `$JS.API.STREAM.INFO.${name}`)).error.err_code, 10059);
  const names = await api(nc, '$JS.API.STREAM.NAMES', { subject: `${subj(name)}.>` });
  assert.deepEqual([names.total, names.streams], [0, null]);
  const other = uname();
  await addStream(t, nc, { name: other, subjects: [`${subj(name)}.>`] });
});
