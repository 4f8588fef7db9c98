// Streams panel: create a stream (subjects, retention, storage, limits), the
// list with live state (polled every second: messages, bytes, first and last
// sequence, consumers), purge, delete, and reading one stored message.
import { app, requireJs, sc } from './app.js';
import { el, field, select, guard, intValue, fmtBytes, splitList, requireValue, log, describeError } from './ui.js';

const POLL_MS = 1000;
let tbody;
let polling = false;
let getStream;
let getOut;

export function init(panel) {
  const name = el('input', { id: 'stream-name', class: 'mono', value: 'ORDERS' });
  const subjects = el('input', { id: 'stream-subjects', class: 'mono', value: 'orders.>' });
  const retention = select('stream-retention', ['limits', 'interest', 'workqueue'], 'limits');
  const storage = select('stream-storage', ['memory', 'file'], 'memory');
  const maxMsgs = el('input', { id: 'stream-max-msgs', type: 'number', placeholder: 'unlimited' });
  const maxBytes = el('input', { id: 'stream-max-bytes', type: 'number', placeholder: 'unlimited' });
  const maxAge = el('input', { id: 'stream-max-age', type: 'number', placeholder: 'unlimited' });
  const maxMsgSize = el('input', { id: 'stream-max-msg-size', type: 'number', placeholder: 'unlimited' });
  const discard = select('stream-discard', ['old', 'new'], 'old');
  const create = guard(async (ev) => {
    ev.preventDefault();
    const cfg = {
      name: requireValue(name, 'Name'),
      subjects: splitList(subjects.value),
      retention: retention.value,
      storage: storage.value,
      discard: discard.value,
      max_msgs: intValue(maxMsgs, -1, 'Max messages'),
      max_bytes: intValue(maxBytes, -1, 'Max bytes'),
      max_age: intValue(maxAge, 0, 'Max age') * 1e9,
      max_msg_size: intValue(maxMsgSize, -1, 'Max message size'),
      num_replicas: 1,
    };
    await createStream(cfg);
  }, 'create stream');
  tbody = el('tbody', { id: 'stream-rows' });
  getStream = el('select', { id: 'get-stream' });
  const getSeq = el('input', { id: 'get-seq', type: 'number', min: 1, value: 1 });
  getOut = el('div', { id: 'get-out' });
  panel.append(
    el('h2', { text: 'Streams' }),
    el('p', { class: 'hint', text: 'A stream stores the messages published to its subjects. The in-browser server keeps every stream in memory.' }),
    el('form', { class: 'form', onsubmit: create },
      field('Name', name), field('Subjects', subjects), field('Retention', retention), field('Storage', storage),
      field('Max messages', maxMsgs), field('Max bytes', maxBytes), field('Max age (s)', maxAge),
      field('Max message size', maxMsgSize), field('Discard', discard),
      el('div', { class: 'actions' }, el('button', { id: 'stream-btn', class: 'primary', type: 'submit' }, 'Create stream'))),
    el('div', { class: 'scroll' }, el('table', { id: 'stream-table' },
      el('thead', {}, el('tr', {}, ...['Stream', 'Subjects', 'Retention', 'Storage', 'Messages', 'Bytes',
        'First seq', 'Last seq', 'Consumers', ''].map((h) => el('th', { text: h })))),
      tbody)),
    el('h3', { text: 'Read a stored message' }),
    el('form', { class: 'row', onsubmit: guard(async (ev) => {
      ev.preventDefault();
      await getMessage(getStream.value, intValue(getSeq, 1, 'Sequence'));
    }, 'get message') }, field('Stream', getStream), field('Sequence', getSeq), el('button', { type: 'submit' }, 'Get')),
    getOut);
  renderRows();
  app.on('connected', () => poll());
  app.on('reset', () => { app.streams = []; renderRows(); getOut.replaceChildren(); });
  setInterval(() => poll(), POLL_MS);
}

export async function createStream(cfg) {
  const { jsm } = requireJs();
  const si = await jsm.streams.add(cfg);
  log(`stream ${si.config.name} created (subjects ${si.config.subjects.join(' ')}, ${si.config.retention}, ${si.config.storage})`);
  await poll();
  return si;
}

export async function deleteStreamIfExists(name) {
  const { jsm } = requireJs();
  try {
    await jsm.streams.delete(name);
  } catch (err) {
    if (err.api_error?.err_code !== 10059) throw err;  // 10059: stream not found
  }
}

// Lists the streams, keeps them in app.streams and tells the other panels.
export async function poll() {
  if (polling || !app.jsm) return;
  polling = true;
  try {
    const page = await app.jsm.streams.list().next();
    app.streams = [...page].sort((a, b) => a.config.name.localeCompare(b.config.name));
    renderRows();
    app.emit('streams', app.streams);
  } catch (err) {
    if (app.nc && !app.nc.isClosed()) log(`stream list: ${describeError(err)}`, 'err');
  } finally {
    polling = false;
  }
}

function renderRows() {
  if (!tbody) return;
  const rows = app.streams.map((si) => {
    const c = si.config;
    const s = si.state;
    const name = c.name;
    return el('tr', { dataset: { stream: name } },
      el('td', { class: 'subject', text: name }),
      el('td', { class: 'subject', text: (c.subjects ?? []).join(' ') }),
      el('td', { text: c.retention }), el('td', { text: c.storage }),
      el('td', { class: 'num', dataset: { field: 'messages' }, text: String(s.messages) }),
      el('td', { class: 'num', dataset: { field: 'bytes' }, text: fmtBytes(s.bytes) }),
      el('td', { class: 'num', dataset: { field: 'first_seq' }, text: String(s.first_seq) }),
      el('td', { class: 'num', dataset: { field: 'last_seq' }, text: String(s.last_seq) }),
      el('td', { class: 'num', text: String(s.consumer_count) }),
      el('td', { class: 'actions' },
        el('button', { class: 'small', onclick: guard(async () => {
          await app.jsm.streams.purge(name); log(`stream ${name} purged`); await poll();
        }, `purge ${name}`) }, 'purge'),
        el('button', { class: 'small danger', onclick: guard(async () => {
          await app.jsm.streams.delete(name); log(`stream ${name} deleted`); await poll();
        }, `delete ${name}`) }, 'delete')));
  });
  tbody.replaceChildren(...(rows.length ? rows
    : [el('tr', {}, el('td', { colspan: 10, class: 'empty', text: app.jsm || !app.nc ? 'No streams.' : 'JetStream is not enabled on this server.' }))]));
  const keep = getStream.value;
  getStream.replaceChildren(...app.streams.map((si) => el('option', { value: si.config.name, text: si.config.name })));
  if (app.streams.some((si) => si.config.name === keep)) getStream.value = keep;
}

async function getMessage(stream, seq) {
  const { jsm } = requireJs();
  if (!stream) throw new Error('no stream selected');
  try {
    const m = await jsm.streams.getMessage(stream, { seq });
    const hdrs = m.header ? [...m.header].map(([k, v]) => `${k}: ${v.join(', ')}`).join('; ') : '';
    getOut.replaceChildren(el('div', { class: 'result ok' },
      `${stream} #${m.seq} ${m.subject} ${m.time ? m.time.toISOString() : ''}${hdrs ? ` [${hdrs}]` : ''}: ${sc.decode(m.data)}`));
  } catch (err) {
    getOut.replaceChildren(el('div', { class: 'result err', text: `${stream} #${seq}: ${describeError(err)}` }));
  }
}
