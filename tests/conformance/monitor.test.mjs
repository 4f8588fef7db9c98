// Monitoring HTTP API (-m): /varz /connz /subsz /routez /jsz /accountz /healthz,
// their options, errors and JSONP, compared with the reference.
//
// Differential part: the same scenario (named connections, subscriptions,
// messages, one closed connection) runs on a fresh instance of the server under
// test (NATS_SERVER_BIN, set by run.sh) and on a fresh reference nats-server
// (NATS_REFERENCE_SERVER, default /usr/sbin/nats-server), each started here on
// free ports so that counts are exact. Answers must have the same JSON shapes
// (keys in order, value types, recursively) and the same values wherever they
// are deterministic. Known differences are listed in ALLOWED below.
//
// Suite-server part: /healthz and /metrics on NATS_MONITOR_URL (the server
// run.sh started); /metrics is Natrium's own, so it is skipped on the reference.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { TEST_TIMEOUT, sleep, uniq, within } from './helpers.mjs';

const T = { timeout: TEST_TIMEOUT };
const REFERENCE = process.env.NATS_REFERENCE_SERVER ?? '/usr/sbin/nats-server';
const UNDER_TEST = process.env.NATS_SERVER_BIN;
const MONITOR_URL = process.env.NATS_MONITOR_URL;

// Keys one side has and the other has not, by endpoint: the reference has a
// system account ($SYS, with service imports into $G); Natrium adds its version.
const ALLOWED = {
  varz: { extra: ['natrium_version'], missing: ['system_account'] },
  accountz: { extra: [], missing: ['system_account'] },
  'accountz?acc=$G': { extra: [], missing: ['system_account', 'account_detail.imports'] },
};

// ---------------------------------------------------------------- helpers

async function freePorts(n) {
  const servers = Array.from({ length: n }, () => net.createServer());
  const ports = await Promise.all(servers.map((s) => new Promise((r) => s.listen(0, '127.0.0.1', () => r(s.address().port)))));
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

async function startServer(bin, extra = []) {
  const [port, mport] = await freePorts(2);
  const args = ['-a', '127.0.0.1', '-p', String(port), '-m', String(mport), ...extra];
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout.on('data', (d) => { log += d; });
  proc.stderr.on('data', (d) => { log += d; });
  const s = { bin, proc, port, mport, mon: `http://127.0.0.1:${mport}`, log: () => log };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${bin} exited during startup:\n${log}`);
    try {
      const r = await fetch(`${s.mon}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return s;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`${bin} not ready within 10s:\n${log}`);
    await sleep(50);
  }
}

async function stopServer(s) {
  if (!s || s.proc.exitCode !== null) return;
  const exited = new Promise((r) => s.proc.once('exit', r));
  s.proc.kill('SIGTERM');
  const timer = setTimeout(() => s.proc.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

async function get(base, path) {
  const r = await fetch(base + path, { signal: AbortSignal.timeout(5000) });
  const body = await r.text();
  let json;
  try { json = JSON.parse(body); } catch { json = undefined; }
  return { status: r.status, type: r.headers.get('content-type'), body, json };
}

const kind = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * Differences in shape between a (server under test) and b (reference):
 * same keys in the same order, same value kinds, recursively. Arrays of
 * objects are matched by `by[path]` (a key function) or by index.
 */
function shapeDiff(a, b, { path = '', ignoreA = [], ignoreB = [], by = {} } = {}, out = []) {
  if (kind(a) !== kind(b)) {
    out.push(`${path || '$'}: ${kind(a)} vs ${kind(b)} (${JSON.stringify(a)?.slice(0, 60)} vs ${JSON.stringify(b)?.slice(0, 60)})`);
    return out;
  }
  if (kind(a) === 'object') {
    const keep = (k, ignore) => !ignore.includes(path ? `${path}.${k}` : k);
    const ka = Object.keys(a).filter((k) => keep(k, ignoreA));
    const kb = Object.keys(b).filter((k) => keep(k, ignoreB));
    if (ka.join(',') !== kb.join(',')) out.push(`${path || '$'}: keys [${ka}] vs [${kb}]`);
    for (const k of ka) {
      if (k in b) shapeDiff(a[k], b[k], { path: path ? `${path}.${k}` : k, ignoreA, ignoreB, by }, out);
    }
  } else if (kind(a) === 'array') {
    const key = by[path];
    const pairs = key
      ? a.map((x) => [x, b.find((y) => key(y) === key(x))]).filter(([, y]) => y !== undefined)
      : a.slice(0, b.length).map((x, i) => [x, b[i]]);
    if (key && pairs.length !== a.length) out.push(`${path}: elements ${a.map(key)} vs ${b.map(key)}`);
    for (const [x, y] of pairs) shapeDiff(x, y, { path: `${path}[]`, ignoreA, ignoreB, by }, out);
  }
  return out;
}

function assertSameShape(name, a, b, by = {}) {
  // Either side may be the reference (run.sh against nats-server compares it with itself).
  const allowed = ALLOWED[name] ?? { extra: [], missing: [] };
  const ignore = [...allowed.extra, ...allowed.missing];
  const diffs = shapeDiff(a, b, { ignoreA: ignore, ignoreB: ignore, by });
  assert.deepEqual(diffs, [], `${name}: shape differs from the reference`);
}

const byName = (c) => c.name;
const bySubject = (s) => s.subject;

// ---------------------------------------------------------------- scenario

const servers = {};  // ours, ref
const conns = [];
const prefix = uniq('mon');

async function scenario(s) {
  const opts = { servers: `127.0.0.1:${s.port}`, reconnect: false, timeout: 3000 };
  const alpha = await within(connect({ ...opts, name: 'alpha' }), 5000, 'connect alpha');
  const beta = await within(connect({ ...opts, name: 'beta' }), 5000, 'connect beta');
  conns.push(alpha, beta);
  alpha.subscribe(`${prefix}.foo.*`);
  alpha.subscribe(`${prefix}.bar`, { queue: 'q1' });
  alpha.subscribe(`${prefix}.baz`, { max: 5 });
  await alpha.flush();
  for (let i = 0; i < 3; i++) beta.publish(`${prefix}.foo.x`, 'hello');
  await beta.flush();
  await alpha.flush();
  const gamma = await within(connect({ ...opts, name: 'gamma' }), 5000, 'connect gamma');
  gamma.subscribe(`${prefix}.zzz`);
  await gamma.flush();
  await gamma.close();
  const deadline = Date.now() + 5000;
  while (!(await get(s.mon, '/connz?state=closed')).json.connections.some((c) => c.name === 'gamma')) {
    if (Date.now() > deadline) throw new Error('gamma did not show in the closed connections');
    await sleep(20);
  }
}

const haveBoth = () => UNDER_TEST && existsSync(REFERENCE);

before(async () => {
  if (!haveBoth()) return;
  servers.ours = await startServer(UNDER_TEST);
  servers.ref = await startServer(REFERENCE);
  await scenario(servers.ours);
  await scenario(servers.ref);
});

after(async () => {
  await Promise.all(conns.map((nc) => (nc.isClosed() ? undefined : nc.close().catch(() => {}))));
  await stopServer(servers.ours);
  await stopServer(servers.ref);
});

/** The same request on both: [ours, reference]. */
async function both(path) {
  return Promise.all([get(servers.ours.mon, path), get(servers.ref.mon, path)]);
}

function skipUnlessBoth(t) {
  if (haveBoth()) return false;
  t.skip(`needs NATS_SERVER_BIN (set by run.sh) and the reference at ${REFERENCE}`);
  return true;
}

// ---------------------------------------------------------------- differential tests

test('monitor: /varz has the reference shape and counts the scenario exactly', T, async (t) => {
  if (skipUnlessBoth(t)) return;
  const [ours, ref] = await both('/varz');
  assert.equal(ours.status, 200);
  assert.equal(ours.type, ref.type);
  assertSameShape('varz', ours.json, ref.json);
  for (const k of ['version', 'proto', 'host', 'max_connections', 'ping_interval', 'ping_max', 'http_host',
    'http_base_path', 'https_port', 'auth_timeout', 'max_control_line', 'max_payload', 'max_pending',
    'cluster', 'gateway', 'leaf', 'mqtt', 'websocket', 'jetstream', 'tls_timeout', 'write_deadline',
    'connections', 'total_connections', 'routes', 'remotes', 'leafnodes', 'in_msgs', 'out_msgs', 'in_bytes',
    'out_bytes', 'slow_consumers']) {
    assert.deepEqual(ours.json[k], ref.json[k], `varz.${k}`);
  }
  assert.equal(ours.json.port, servers.ours.port);
  assert.equal(ours.json.http_port, servers.ours.mport);
  if (!UNDER_TEST.endsWith('nats-server')) assert.equal(typeof ours.json.natrium_version, 'string');
  assert.deepEqual(Object.keys(ours.json.http_req_stats), Object.keys(ref.json.http_req_stats));
});

test('monitor: /connz (default, subs=1, subs=detail, sort) matches the reference', T, async (t) => {
  if (skipUnlessBoth(t)) return;
  for (const path of ['/connz', '/connz?subs=1', '/connz?subs=detail', '/connz?sort=bytes_to&limit=1',
    '/connz?sort=msgs_from&offset=1', '/connz?auth=true']) {
    const [ours, ref] = await both(path);
    assert.equal(ours.status, 200, path);
    assert.equal(ours.type, ref.type, path);
    assertSameShape(`connz ${path}`, ours.json, ref.json, {
      connections: byName, 'connections[].subscriptions_list_detail': bySubject,
    });
    for (const k of ['num_connections', 'total', 'offset', 'limit']) assert.equal(ours.json[k], ref.json[k], `${path} ${k}`);
    assert.deepEqual(ours.json.connections.map(byName), ref.json.connections.map(byName), `${path}: order`);
    for (const c of ours.json.connections) {
      const r = ref.json.connections.find((x) => x.name === c.name);
      for (const k of ['kind', 'type', 'ip', 'pending_bytes', 'in_msgs', 'out_msgs', 'in_bytes', 'out_bytes',
        'subscriptions', 'lang', 'version']) {
        assert.deepEqual(c[k], r[k], `${path} ${c.name}.${k}`);
      }
      assert.deepEqual([...(c.subscriptions_list ?? [])].sort(), [...(r.subscriptions_list ?? [])].sort(), `${path} ${c.name} subs`);
      const detail = (x) => (x.subscriptions_list_detail ?? []).map(({ cid, ...rest }) => rest)
        .sort((p, q) => p.subject.localeCompare(q.subject));
      assert.deepEqual(detail(c), detail(r), `${path} ${c.name} subscription details`);
      assert.match(c.rtt, /^\d+(\.\d+)?(ns|µs|ms|s)$/, 'rtt is a Go duration');
      assert.match(c.start, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/, 'start is RFC 3339');
    }
  }
});

test('monitor: /connz closed connections (state, reason, subscriptions) match the reference', T, async (t) => {
  if (skipUnlessBoth(t)) return;
  // subs=detail last: the reference then keeps the details in its closed records
  // for every later answer (it does not copy them), a quirk Natrium does not copy.
  for (const path of ['/connz?state=closed&subs=1', '/connz?state=all', '/connz?state=closed&sort=reason',
    '/connz?state=closed&sort=stop', '/connz?state=closed&subs=detail']) {
    const [ours, ref] = await both(path);
    assertSameShape(`connz ${path}`, ours.json, ref.json, {
      connections: byName, 'connections[].subscriptions_list_detail': bySubject,
    });
    for (const k of ['num_connections', 'total']) assert.equal(ours.json[k], ref.json[k], `${path} ${k}`);
    const gamma = (z) => z.connections.find((c) => c.name === 'gamma');
    if (path.includes('closed')) {
      assert.equal(gamma(ours.json).reason, 'Client Closed');
      assert.equal(gamma(ours.json).reason, gamma(ref.json).reason);
      assert.ok(gamma(ours.json).stop >= gamma(ours.json).start, 'stop after start');
    }
    if (path.includes('subs=1')) assert.deepEqual(gamma(ours.json).subscriptions_list, [`${prefix}.zzz`]);
  }
  // cid lookups: the reference searches the closed connections only when state=all.
  const [z] = await both('/connz?state=closed');
  const cid = z.json.connections.find((c) => c.name === 'gamma').cid;
  const one = await get(servers.ours.mon, `/connz?state=all&cid=${cid}`);
  assert.equal(one.json.num_connections, 1);
  assert.equal(one.json.limit, 1);
});

test('monitor: /subsz (stats, list, test filter, paging) matches the reference', T, async (t) => {
  if (skipUnlessBoth(t)) return;
  const [ours, ref] = await both('/subsz');
  assertSameShape('subsz', ours.json, ref.json);
  const [a, b] = await both('/subscriptionsz');
  assertSameShape('subscriptionsz', a.json, b.json);
  for (const path of [`/subsz?subs=1&test=${prefix}.foo.x`, `/subsz?subs=1&test=${prefix}.bar`]) {
    const [o, r] = await both(path);
    assertSameShape(`subsz ${path}`, o.json, r.json, { subscriptions_list: bySubject });
    assert.equal(o.json.total, r.json.total, `${path} total`);
    const strip = (z) => z.subscriptions_list.map(({ cid, ...rest }) => rest);
    assert.deepEqual(strip(o.json), strip(r.json), `${path} list`);
  }
  const [paged] = await both('/subsz?subs=1&offset=1&limit=2');
  assert.equal(paged.json.total, 2);
  assert.equal(paged.json.limit, 2);
});

test('monitor: /routez, /jsz, /accountz, /healthz match the reference', T, async (t) => {
  if (skipUnlessBoth(t)) return;
  const drop = ({ server_id, now, ...rest }) => rest;
  for (const path of ['/routez', '/routez?subs=1', '/jsz', '/jsz?accounts=true&streams=true&consumers=true&config=true']) {
    const [o, r] = await both(path);
    assertSameShape(path, o.json, r.json);
    assert.deepEqual(drop(o.json), drop(r.json), path);
  }
  const [acc, accRef] = await both('/accountz');
  assertSameShape('accountz', acc.json, accRef.json);
  assert.ok(acc.json.accounts.includes('$G') && accRef.json.accounts.includes('$G'));
  const [g, gRef] = await both('/accountz?acc=%24G');
  assertSameShape('accountz?acc=$G', g.json, gRef.json);
  for (const k of ['account_name', 'expired', 'complete', 'jetstream_enabled', 'leafnode_connections', 'client_connections']) {
    assert.deepEqual(g.json.account_detail[k], gRef.json.account_detail[k], `account_detail.${k}`);
  }
  const [h, hRef] = await both('/healthz?js-enabled-only=true');
  assert.equal(h.body, hRef.body);
  assert.equal(h.type, hRef.type);
});

test('monitor: bad options, unknown paths and JSONP answer as the reference', T, async (t) => {
  if (skipUnlessBoth(t)) return;
  for (const path of ['/connz?sort=nope', '/connz?sort=stop', '/connz?state=all&sort=reason', '/connz?limit=x',
    '/connz?offset=1.5', '/connz?cid=-1', '/connz?cid=99999999999999999999', '/connz?state=maybe',
    '/connz?subs=perhaps', '/connz?auth=2', '/subsz?test=a.*', '/subsz?subs=x', '/subsz?limit=ten',
    '/routez?subs=x', '/jsz?accounts=x', '/jsz?leader-only=true', '/healthz?js-server-only=nah',
    '/accountz?acc=nobody', '/nope', '/varz/', '/connz/x']) {
    const [o, r] = await both(path);
    assert.equal(o.status, r.status, `${path} status`);
    assert.equal(o.type, r.type, `${path} content type`);
    assert.equal(o.body, r.body, `${path} body`);
  }
  for (const path of ['/varz?callback=cb', '/connz?callback=my_cb', '/healthz?callback=h']) {
    const [o, r] = await both(path);
    assert.equal(o.type, 'application/javascript');
    assert.equal(o.type, r.type);
    const name = new URL(`http://x${path}`).searchParams.get('callback');
    for (const x of [o, r]) {
      assert.ok(x.body.startsWith(`${name}(`) && x.body.endsWith(')'), `${path}: ${x.body.slice(0, 30)}`);
    }
    const inner = (x) => JSON.parse(x.body.slice(name.length + 1, -1));
    const names = path.startsWith('/varz') ? 'varz' : path;
    assertSameShape(names, inner(o), inner(r), { connections: byName });
  }
  const [root, rootRef] = await both('/');
  assert.equal(root.status, rootRef.status);
  assert.equal(root.type, rootRef.type);
});

test('monitor: with -js, varz.jetstream, /jsz and /healthz have the reference shape (no usage yet)', T, async (t) => {
  if (skipUnlessBoth(t)) return;
  const dirs = [mkdtempSync(join(tmpdir(), 'natrium-mon-js-')), mkdtempSync(join(tmpdir(), 'natrium-mon-js-'))];
  const started = [];
  t.after(async () => {
    for (const s of started) await stopServer(s);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const ours = await startServer(UNDER_TEST, ['-js', '-sd', dirs[0]]);
  started.push(ours);
  const ref = await startServer(REFERENCE, ['-js', '-sd', dirs[1]]);
  started.push(ref);
  const pair = (path) => Promise.all([get(ours.mon, path), get(ref.mon, path)]);
  const [v, vRef] = await pair('/varz');
  assertSameShape('varz', v.json, vRef.json);
  assert.deepEqual(v.json.jetstream.stats, vRef.json.jetstream.stats, 'jetstream.stats');
  assert.equal(v.json.jetstream.config.store_dir, join(dirs[0], 'jetstream'));
  assert.equal(v.json.jetstream.config.max_memory, vRef.json.jetstream.config.max_memory, '75% of memory, as the reference');
  const drop = ({ server_id, now, config, ...rest }) => rest;
  for (const path of ['/jsz', '/jsz?accounts=true', '/jsz?acc=%24G&config=true', '/jsz?accounts=1&offset=1']) {
    const [j, jRef] = await pair(path);
    assertSameShape(path, j.json, jRef.json);
    assert.deepEqual(drop(j.json), drop(jRef.json), path);
  }
  for (const path of ['/healthz', '/healthz?js-enabled-only=true', '/healthz?js-server-only=true', '/accountz?acc=%24G']) {
    const [h, hRef] = await pair(path);
    assert.equal(h.status, hRef.status, path);
    if (path.startsWith('/healthz')) assert.equal(h.body, hRef.body, path);
    else assert.equal(h.json.account_detail.jetstream_enabled, hRef.json.account_detail.jetstream_enabled);
  }
});

// ---------------------------------------------------------------- suite server

test('monitor: the suite server answers /healthz on NATS_MONITOR_URL', T, async (t) => {
  if (!MONITOR_URL) return t.skip('NATS_MONITOR_URL not set (run through run.sh)');
  const h = await get(MONITOR_URL, '/healthz');
  assert.equal(h.status, 200);
  assert.deepEqual(h.json, { status: 'ok' });
});

/** Strict parse of the Prometheus text format 0.0.4; returns { name: [samples] }. */
function parseExposition(text) {
  assert.ok(text.endsWith('\n'), 'ends with a newline');
  const nameRe = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
  const sampleRe = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:\\[\\"n]|[^"\\\n])*",?)*)\})? (\S+)(?: (-?\d+))?$/;
  const types = {};
  const helps = {};
  const samples = {};
  let current = null;
  const seen = new Set();
  for (const line of text.slice(0, -1).split('\n')) {
    if (line.startsWith('# HELP ')) {
      const [, name] = line.match(/^# HELP (\S+) (.*)$/) ?? [];
      assert.ok(name && nameRe.test(name), `bad HELP line: ${line}`);
      assert.ok(!(name in helps), `second HELP for ${name}`);
      helps[name] = true;
    } else if (line.startsWith('# TYPE ')) {
      const [, name, type] = line.match(/^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/) ?? [];
      assert.ok(name && nameRe.test(name), `bad TYPE line: ${line}`);
      assert.ok(!(name in types), `second TYPE for ${name}`);
      assert.ok(!(name in samples), `TYPE after samples of ${name}`);
      types[name] = type;
    } else if (line.startsWith('#')) {
      continue;
    } else {
      const m = line.match(sampleRe);
      assert.ok(m, `bad sample line: ${JSON.stringify(line)}`);
      const [, name, labels, value] = m;
      assert.ok(name in types, `sample without TYPE: ${name}`);
      assert.ok(name in helps, `sample without HELP: ${name}`);
      assert.ok(/^([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|NaN|[+-]Inf)$/.test(value), `bad value: ${line}`);
      if (current !== name) {
        assert.ok(!seen.has(name), `samples of ${name} are not together`);
        seen.add(name);
        current = name;
      }
      (samples[name] ??= []).push({ labels: labels ?? '', value: Number(value) });
    }
  }
  for (const [name, type] of Object.entries(types)) {
    assert.ok(name.startsWith('natrium_'), `${name}: natrium_ prefix`);
    if (type === 'counter') assert.ok(name.endsWith('_total'), `counter ${name} ends in _total`);
    else assert.ok(!name.endsWith('_total'), `${type} ${name} does not end in _total`);
  }
  return { types, samples };
}

test('monitor: /metrics is a strict Prometheus exposition whose counters move', T, async (t) => {
  if (!MONITOR_URL) return t.skip('NATS_MONITOR_URL not set (run through run.sh)');
  const varz = await get(MONITOR_URL, '/varz');
  if (!varz.json || !('natrium_version' in varz.json)) return t.skip('/metrics is Natrium\'s own (not in nats-server)');
  const first = await get(MONITOR_URL, '/metrics');
  assert.equal(first.status, 200);
  assert.equal(first.type, 'text/plain; version=0.0.4; charset=utf-8');
  const a = parseExposition(first.body);
  for (const name of ['natrium_info', 'natrium_connections', 'natrium_connections_total', 'natrium_subscriptions',
    'natrium_in_messages_total', 'natrium_out_messages_total', 'natrium_in_bytes_total', 'natrium_out_bytes_total',
    'natrium_slow_consumers_total', 'natrium_process_resident_memory_bytes', 'natrium_process_cpu_seconds_total',
    'natrium_start_time_seconds']) {
    assert.ok(name in a.samples, `${name} present`);
  }
  assert.match(a.samples.natrium_info[0].labels, /version="[^"]+"/);
  assert.ok(a.samples.natrium_process_resident_memory_bytes[0].value > 0);

  const subject = uniq('metrics');
  const nc = await within(connect({ servers: new URL(process.env.NATS_URL).host, reconnect: false }), 5000, 'connect');
  t.after(() => nc.close().catch(() => {}));
  nc.subscribe(subject);
  await nc.flush();
  for (let i = 0; i < 4; i++) nc.publish(subject, 'abcdef');
  await nc.flush();
  const b = parseExposition((await get(MONITOR_URL, '/metrics')).body);
  const v = (x, name) => x.samples[name][0].value;
  assert.ok(v(b, 'natrium_in_messages_total') >= v(a, 'natrium_in_messages_total') + 4);
  assert.ok(v(b, 'natrium_out_bytes_total') >= v(a, 'natrium_out_bytes_total') + 24);
  assert.ok(v(b, 'natrium_connections_total') >= v(a, 'natrium_connections_total') + 1);
  assert.ok(v(b, 'natrium_subscriptions') >= 1);
});
