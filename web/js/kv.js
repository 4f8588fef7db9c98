// Key-Value panel: create a bucket, put / get / delete keys, a live watch
// (optionally with the whole history), the current values, per-key history.
import { KvWatchInclude } from 'nats.ws';
import { app, requireJs, sc } from './app.js';
import { el, field, select, guard, intValue, log, pushLimited, clock, describeError, requireValue } from './ui.js';

let kv = null;          // the open bucket
let bucketName = '';
let watcher = null;
let bucketSel;
let withHistory;
let watchLog;
let valuesBody;
let out;
const values = new Map();  // key -> entry

export function init(panel) {
  const name = el('input', { id: 'kv-name', class: 'mono', value: 'config' });
  const history = el('input', { id: 'kv-history', type: 'number', min: 1, max: 64, value: 5 });
  const ttl = el('input', { id: 'kv-ttl', type: 'number', min: 0, placeholder: 'none' });
  const storage = select('kv-storage', ['memory', 'file'], 'memory');
  bucketSel = el('select', { id: 'kv-bucket', onchange: guard(() => openBucket(bucketSel.value), 'open bucket') });
  withHistory = el('input', { id: 'kv-watch-history', type: 'checkbox', checked: true,
    onchange: guard(() => startWatch(), 'watch') });
  const key = el('input', { id: 'kv-key', class: 'mono', value: 'app.theme' });
  const value = el('input', { id: 'kv-value', class: 'mono', value: 'dark' });
  out = el('div', { id: 'kv-out' });
  watchLog = el('ul', { id: 'kv-watch', class: 'msgs' });
  valuesBody = el('tbody', { id: 'kv-values' });
  const k = () => requireValue(key, 'Key');
  panel.append(
    el('h2', { text: 'Key-Value' }),
    el('p', { class: 'hint', text: 'A bucket is a stream (KV_<bucket>) keeping the last values of each key (up to its history). Watchers see every change.' }),
    el('form', { class: 'form', onsubmit: guard(async (ev) => {
      ev.preventDefault();
      await createBucket(requireValue(name, 'Bucket'), {
        history: intValue(history, 1, 'History'), ttlSeconds: intValue(ttl, 0, 'TTL'), storage: storage.value });
    }, 'create bucket') },
    field('Bucket', name), field('History', history), field('TTL (s)', ttl), field('Storage', storage),
    el('div', { class: 'actions' }, el('button', { id: 'kv-create', class: 'primary', type: 'submit' }, 'Create bucket'))),
    el('div', { class: 'cols' },
      el('div', {},
        el('h3', { text: 'Keys' }),
        el('form', { class: 'form', onsubmit: (ev) => ev.preventDefault() },
          field('Open bucket', bucketSel), field('Key', key), field('Value', value, 'wide'),
          el('div', { class: 'actions wide' },
            el('button', { id: 'kv-put', type: 'button', class: 'primary', onclick: guard(() => put(k(), value.value), 'put') }, 'Put'),
            el('button', { id: 'kv-get', type: 'button', onclick: guard(() => get(k()), 'get') }, 'Get'),
            el('button', { id: 'kv-delete', type: 'button', onclick: guard(() => del(k()), 'delete') }, 'Delete'),
            el('button', { id: 'kv-history-btn', type: 'button', onclick: guard(() => showHistory(k()), 'history') }, 'History'))),
        out,
        el('h3', { text: 'Current values' }),
        el('table', {}, el('thead', {}, el('tr', {}, ...['Key', 'Value', 'Revision', 'Operation'].map((h) => el('th', { text: h })))),
          valuesBody)),
      el('div', {},
        el('div', { class: 'row' }, el('h3', { text: 'Watch' }), el('span', { class: 'grow' }),
          el('label', { class: 'hint' }, withHistory, ' include history')),
        watchLog)));
  renderValues();
  app.on('streams', (streams) => refreshBuckets(streams));
  app.on('reset', () => {
    stopWatch();
    kv = null;
    bucketName = '';
    values.clear();
    renderValues();
    watchLog.replaceChildren();
    out.replaceChildren();
    bucketSel.replaceChildren();
  });
}

function refreshBuckets(streams) {
  const names = streams.map((si) => si.config.name).filter((n) => n.startsWith('KV_')).map((n) => n.slice(3));
  const current = [...bucketSel.options].map((o) => o.value).join(',');
  if (current !== names.join(',')) {
    bucketSel.replaceChildren(...names.map((n) => el('option', { value: n, text: n })));
  }
  if (bucketName && names.includes(bucketName)) bucketSel.value = bucketName;
  else if (bucketName && !names.includes(bucketName)) closeBucket();
  if (!bucketName && names.length) openBucket(names[0]).catch((err) => log(`open bucket: ${describeError(err)}`, 'err'));
}

export async function createBucket(name, { history = 1, ttlSeconds = 0, storage = 'memory' } = {}) {
  const { js } = requireJs();
  if (!/^[a-zA-Z0-9_-]+$/.test(name)) throw new Error(`"${name}" is not a valid bucket name (letters, digits, _ and -)`);
  const opts = { history, storage };
  if (ttlSeconds > 0) opts.ttl = ttlSeconds * 1000;
  await js.views.kv(name, opts);
  log(`bucket ${name} created (history ${history}${ttlSeconds ? `, ttl ${ttlSeconds}s` : ''})`);
  await openBucket(name, true);
}

export async function openBucket(name, reopen = false) {
  const { js } = requireJs();
  if (!name || (name === bucketName && !reopen)) return;
  stopWatch();
  kv = await js.views.kv(name, { bindOnly: true });
  bucketName = name;
  values.clear();
  renderValues();
  watchLog.replaceChildren();
  if (![...bucketSel.options].some((o) => o.value === name)) bucketSel.append(el('option', { value: name, text: name }));
  bucketSel.value = name;
  await startWatch();
}

function closeBucket() {
  stopWatch();
  kv = null;
  bucketName = '';
  values.clear();
  renderValues();
}

function requireKv() {
  requireJs();
  if (!kv) throw new Error('create or open a bucket first');
  return kv;
}

export async function put(key, value) {
  const rev = await requireKv().put(key, sc.encode(value));
  result('ok', `put ${bucketName} ${key} = ${value} (revision ${rev})`);
  return rev;
}

async function get(key) {
  const e = await requireKv().get(key);
  if (!e || e.operation !== 'PUT') result('warn', `${key}: no value${e ? ` (${e.operation} at revision ${e.revision})` : ''}`);
  else result('ok', `${key} = ${sc.decode(e.value)} (revision ${e.revision}, ${e.created.toISOString()})`);
}

export async function del(key) {
  await requireKv().delete(key);
  result('ok', `deleted ${key}`);
}

export async function showHistory(key) {
  const iter = await requireKv().history({ key });
  const rows = [];
  for await (const e of iter) {
    rows.push(el('tr', {}, el('td', { class: 'num', text: String(e.revision) }), el('td', { text: e.operation }),
      el('td', { class: 'mono', text: e.operation === 'PUT' ? sc.decode(e.value) : '' }),
      el('td', { class: 'mono', text: clock(e.created) })));
  }
  out.replaceChildren(el('div', { class: 'result', dataset: { history: key } },
    `history of ${key} (${rows.length} revision${rows.length === 1 ? '' : 's'} kept):`,
    el('table', {}, el('thead', {}, el('tr', {}, ...['Rev', 'Op', 'Value', 'Time'].map((h) => el('th', { text: h })))),
      el('tbody', {}, rows))));
}

function result(kind, text) {
  out.replaceChildren(el('div', { class: `result ${kind}`, text }));
}

async function startWatch() {
  stopWatch();
  if (!kv) return;
  const include = withHistory.checked ? KvWatchInclude.AllHistory : KvWatchInclude.LastValue;
  watchLog.replaceChildren();
  const w = await kv.watch({ key: '>', include });
  watcher = w;
  log(`watching bucket ${bucketName}${withHistory.checked ? ' with history' : ''}`);
  (async () => {
    for await (const e of w) {
      if (watcher !== w) break;
      values.set(e.key, e);
      renderValues();
      pushLimited(watchLog, el('li', { dataset: { key: e.key, op: e.operation, rev: String(e.revision) } },
        el('span', { class: 't', text: clock(e.created) }),
        el('span', { class: 'badge', text: e.operation }), ' ',
        el('span', { class: 's', text: e.key }),
        e.operation === 'PUT' ? sc.decode(e.value) : '', el('span', { class: 't', text: ` rev ${e.revision}` })), 100);
    }
  })().catch((err) => log(`watch ${bucketName}: ${describeError(err)}`, 'err'));
}

function stopWatch() {
  if (watcher) watcher.stop();
  watcher = null;
}

function renderValues() {
  const rows = [...values.values()].sort((a, b) => a.key.localeCompare(b.key)).map((e) =>
    el('tr', { dataset: { key: e.key } }, el('td', { class: 'subject', text: e.key }),
      el('td', { class: 'mono', dataset: { field: 'value' }, text: e.operation === 'PUT' ? sc.decode(e.value) : '' }),
      el('td', { class: 'num', text: String(e.revision) }), el('td', { text: e.operation })));
  valuesBody.replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: 4, class: 'empty', text: kv ? 'No keys yet.' : 'No bucket open.' }))]));
}
