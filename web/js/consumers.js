// Consumers panel: create push or pull consumers (durable, ack policy, filter),
// their live state (num_pending, num_ack_pending, redelivered), fetch from a
// pull consumer, listen to a push consumer, and ack / nak / term by hand.
import { app, requireJs, requireNc, sc } from './app.js';
import { el, field, select, guard, intValue, log, pushLimited, clock, describeError, requireValue } from './ui.js';
import { toggleWorkers, workersRunning, initWorkers } from './workers.js';

let tbody;
let inbox;
let streamSel;
let batchInput;
let listing = false;
let consumers = [];                // [{ stream, info }]
const listeners = new Map();       // "stream/name" -> subscription on the deliver subject

export function init(panel) {
  streamSel = el('select', { id: 'cons-stream' });
  const name = el('input', { id: 'cons-name', class: 'mono', value: 'shipper' });
  const kind = select('cons-kind', [['pull', 'pull'], ['push', 'push']], 'pull');
  const deliverSubject = el('input', { id: 'cons-deliver', class: 'mono', placeholder: 'deliver.<name>' });
  const deliverGroup = el('input', { id: 'cons-group', class: 'mono', placeholder: '(none)' });
  const ackPolicy = select('cons-ack', ['explicit', 'all', 'none'], 'explicit');
  const deliverPolicy = select('cons-policy', ['all', 'last', 'new', 'last_per_subject'], 'all');
  const filter = el('input', { id: 'cons-filter', class: 'mono', placeholder: '(all subjects)' });
  const maxDeliver = el('input', { id: 'cons-max-deliver', type: 'number', placeholder: 'unlimited' });
  const ackWait = el('input', { id: 'cons-ack-wait', type: 'number', value: 30 });
  const create = guard(async (ev) => {
    ev.preventDefault();
    const n = requireValue(name, 'Durable name');
    const cfg = {
      durable_name: n,
      ack_policy: ackPolicy.value,
      deliver_policy: deliverPolicy.value,
      ack_wait: intValue(ackWait, 30, 'Ack wait') * 1e9,
      max_deliver: intValue(maxDeliver, -1, 'Max deliver'),
    };
    if (filter.value.trim()) cfg.filter_subject = filter.value.trim();
    if (kind.value === 'push') {
      cfg.deliver_subject = deliverSubject.value.trim() || `deliver.${n}`;
      if (deliverGroup.value.trim()) cfg.deliver_group = deliverGroup.value.trim();
    }
    await createConsumer(streamSel.value, cfg);
  }, 'create consumer');
  tbody = el('tbody', { id: 'cons-rows' });
  batchInput = el('input', { id: 'fetch-batch', type: 'number', min: 1, max: 256, value: 3 });
  inbox = el('ul', { id: 'cons-inbox', class: 'msgs' });
  panel.append(
    el('h2', { text: 'Consumers' }),
    el('p', { class: 'hint', text: 'A pull consumer hands out messages when asked (Fetch); a push consumer sends them to its deliver subject (Listen). Unacknowledged messages come back after the ack wait; nak asks for redelivery now, term never again.' }),
    el('form', { class: 'form', onsubmit: create },
      field('Stream', streamSel), field('Durable name', name), field('Type', kind), field('Ack policy', ackPolicy),
      field('Deliver policy', deliverPolicy), field('Filter subject', filter), field('Deliver subject (push)', deliverSubject),
      field('Deliver group (push)', deliverGroup), field('Max deliver', maxDeliver), field('Ack wait (s)', ackWait),
      el('div', { class: 'actions' }, el('button', { id: 'cons-btn', class: 'primary', type: 'submit' }, 'Create consumer'))),
    el('div', { class: 'scroll' }, el('table', { id: 'cons-table' },
      el('thead', {}, el('tr', {}, ...['Stream', 'Consumer', 'Type', 'Filter', 'Ack', 'Delivered', 'Ack floor',
        'Pending', 'Ack pending', 'Redelivered', 'Waiting', ''].map((h) => el('th', { text: h })))),
      tbody)),
    el('div', { class: 'row' }, el('h3', { text: 'Delivered messages' }), el('span', { class: 'grow' }),
      field('Fetch batch', batchInput), el('button', { class: 'small', onclick: () => inbox.replaceChildren() }, 'clear')),
    inbox);
  initWorkers(panel);
  render();
  app.on('streams', (streams) => refresh(streams));
  app.on('reset', () => {
    for (const sub of listeners.values()) sub.unsubscribe();
    listeners.clear();
    consumers = [];
    render();
    inbox.replaceChildren();
  });
}

export async function createConsumer(stream, cfg) {
  const { jsm } = requireJs();
  if (!stream) throw new Error('create a stream first');
  const ci = await jsm.consumers.add(stream, cfg);
  log(`consumer ${stream}/${ci.name} created (${ci.config.deliver_subject ? 'push' : 'pull'}, ack ${ci.config.ack_policy})`);
  return ci;
}

async function refresh(streams) {
  const keep = streamSel.value;
  streamSel.replaceChildren(...streams.map((si) => el('option', { value: si.config.name, text: si.config.name })));
  if (streams.some((si) => si.config.name === keep)) streamSel.value = keep;
  if (listing || !app.jsm) return;
  listing = true;
  try {
    const all = [];
    for (const si of streams) {
      if (!si.state.consumer_count) continue;
      const page = await app.jsm.consumers.list(si.config.name).next();
      for (const info of page) all.push({ stream: si.config.name, info });
    }
    consumers = all.sort((a, b) => `${a.stream}/${a.info.name}`.localeCompare(`${b.stream}/${b.info.name}`));
    render();
  } catch (err) {
    if (app.nc && !app.nc.isClosed()) log(`consumer list: ${describeError(err)}`, 'err');
  } finally {
    listing = false;
  }
}

function render() {
  if (!tbody) return;
  const rows = consumers.map(({ stream, info }) => {
    const c = info.config;
    const push = !!c.deliver_subject;
    const key = `${stream}/${info.name}`;
    const actions = push
      ? [el('button', { class: 'small', onclick: guard(() => listen(stream, info.name, c), `listen ${key}`) },
        listeners.has(key) ? 'stop listening' : 'listen')]
      : [el('button', { class: 'small', onclick: guard(() => fetchBatch(stream, info.name), `fetch ${key}`) }, 'fetch'),
        el('button', { class: 'small', onclick: guard(() => toggleWorkers(stream, info.name, 2), `workers ${key}`) },
          workersRunning(stream, info.name) ? 'stop workers' : '2 workers')];
    return el('tr', { dataset: { consumer: key } },
      el('td', { class: 'subject', text: stream }), el('td', { class: 'subject', text: info.name }),
      el('td', { text: push ? `push → ${c.deliver_subject}${c.deliver_group ? ` (${c.deliver_group})` : ''}` : 'pull' }),
      el('td', { class: 'subject', text: c.filter_subject || '' }), el('td', { text: c.ack_policy }),
      el('td', { class: 'num', text: String(info.delivered.consumer_seq) }),
      el('td', { class: 'num', text: String(info.ack_floor.consumer_seq) }),
      el('td', { class: 'num', dataset: { field: 'num_pending' }, text: String(info.num_pending) }),
      el('td', { class: 'num', dataset: { field: 'num_ack_pending' }, text: String(info.num_ack_pending) }),
      el('td', { class: 'num', dataset: { field: 'num_redelivered' }, text: String(info.num_redelivered) }),
      el('td', { class: 'num', text: String(info.num_waiting ?? 0) }),
      el('td', { class: 'actions' }, ...actions,
        el('button', { class: 'small danger', onclick: guard(async () => {
          listeners.get(key)?.unsubscribe();
          listeners.delete(key);
          await app.jsm.consumers.delete(stream, info.name);
          log(`consumer ${key} deleted`);
        }, `delete ${key}`) }, 'delete')));
  });
  tbody.replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: 12, class: 'empty', text: 'No consumers.' }))]));
}

export async function fetchBatch(stream, name, batch) {
  const { js } = requireJs();
  const n = batch ?? intValue(batchInput, 3, 'Fetch batch');
  if (n < 1 || n > 256) throw new Error('Fetch batch: 1 to 256');
  let got = 0;
  const iter = js.fetch(stream, name, { batch: n, expires: 1000 });
  for await (const m of iter) {
    got++;
    showDelivered(`${stream}/${name}`, m, {
      seq: m.info.streamSequence, deliveries: m.info.redeliveryCount,
      ack: () => m.ack(), nak: () => m.nak(), term: () => m.term(),
    });
  }
  log(`fetched ${got} message${got === 1 ? '' : 's'} from ${stream}/${name}`);
  return got;
}

function listen(stream, name, cfg) {
  const nc = requireNc();
  const key = `${stream}/${name}`;
  if (listeners.has(key)) {
    listeners.get(key).unsubscribe();
    listeners.delete(key);
    render();
    return;
  }
  const sub = nc.subscribe(cfg.deliver_subject, cfg.deliver_group ? { queue: cfg.deliver_group } : {});
  listeners.set(key, sub);
  log(`listening to push consumer ${key} on ${cfg.deliver_subject}`);
  render();
  (async () => {
    for await (const m of sub) {
      if (!m.reply || !m.reply.startsWith('$JS.ACK.')) continue;  // heartbeats, flow control
      const t = m.reply.split('.');
      const send = (what) => nc.publish(m.reply, sc.encode(what));
      showDelivered(key, m, { seq: Number(t[t.length - 4]), deliveries: Number(t[t.length - 5]),
        ack: () => send('+ACK'), nak: () => send('-NAK'), term: () => send('+TERM') });
    }
  })().catch((err) => log(`push consumer ${key}: ${err.message}`, 'err'));
}

export function listenPush(stream, name, cfg) {
  if (!listeners.has(`${stream}/${name}`)) listen(stream, name, cfg);
}

function showDelivered(key, m, { seq, deliveries, ack, nak, term }) {
  const state = el('span', { class: 'badge', text: 'unacked' });
  const buttons = [];
  const act = (label, fn, done) => el('button', { class: 'small', dataset: { act: label }, onclick: guard(() => {
    fn();
    state.textContent = done;
    for (const b of buttons) b.disabled = true;
  }, label) }, label);
  buttons.push(act('ack', ack, 'acked'), act('nak', nak, 'nakked'), act('term', term, 'terminated'));
  pushLimited(inbox, el('li', { dataset: { consumer: key, seq: String(seq) } },
    el('span', { class: 't', text: clock() }), el('span', { class: 'badge', text: key }), ' ',
    el('span', { class: 's', text: `#${seq} ${m.subject}` }),
    deliveries > 1 ? el('span', { class: 'h', text: `delivery ${deliveries} ` }) : null,
    sc.decode(m.data), ' ', state, ' ', ...buttons), 60);
}
