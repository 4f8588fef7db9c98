// Subscribe panel: subscriptions (wildcards, queue groups), each with the
// messages it received. The registry here also feeds the message-flow view.
import { app, requireNc, sc, FLOW_HEADER } from './app.js';
import { validSubscribeSubject } from './subject.js';
import { el, field, guard, log, pushLimited, clock, requireValue } from './ui.js';

let nextId = 1;
const subs = new Map();  // id -> { id, subject, queue, sub, count, card }
let listBox;

export function subscriptions() {
  return [...subs.values()];
}

export function init(panel) {
  const subject = el('input', { id: 'sub-subject', class: 'mono', value: 'orders.*', placeholder: 'orders.*' });
  const queue = el('input', { id: 'sub-queue', class: 'mono', placeholder: '(none)' });
  const add = guard(async (ev) => {
    ev.preventDefault();
    subscribe(requireValue(subject, 'Subject'), queue.value.trim());
  }, 'subscribe');
  listBox = el('div', { id: 'sub-list' }, el('p', { class: 'empty', text: 'No subscriptions yet.' }));
  panel.append(
    el('h2', { text: 'Subscribe' }),
    el('p', { class: 'hint', text: '* matches one token, > one or more at the end. Subscriptions with the same queue group share their messages: each message goes to one of them.' }),
    el('form', { class: 'form', onsubmit: add },
      field('Subject', subject), field('Queue group', queue),
      el('div', { class: 'actions' }, el('button', { id: 'sub-btn', class: 'primary', type: 'submit' }, 'Subscribe'),
        el('button', { type: 'button', onclick: guard(() => unsubscribeAll(), 'unsubscribe') }, 'Unsubscribe all'))),
    listBox);
  app.on('reset', () => {
    subs.clear();
    listBox.replaceChildren(el('p', { class: 'empty', text: 'No subscriptions yet.' }));
    app.emit('subs');
  });
}

export function subscribe(subject, queue = '') {
  const nc = requireNc();
  if (!validSubscribeSubject(subject)) throw new Error(`"${subject}" is not a valid subscription subject`);
  if (queue && /[\s.*>]/.test(queue)) throw new Error(`"${queue}" is not a valid queue group name`);
  const id = nextId++;
  const sub = nc.subscribe(subject, queue ? { queue } : {});
  const count = el('span', { class: 'badge count', text: '0' });
  const msgs = el('ul', { class: 'msgs' }, el('li', { class: 'empty', text: 'waiting for messages…' }));
  const card = el('div', { class: 'card', dataset: { sub: subject, queue, subId: String(id) } },
    el('div', { class: 'card-head' },
      el('span', { class: 'subject', text: subject }),
      queue ? el('span', { class: 'badge', text: `queue ${queue}` }) : null,
      el('span', { class: 'badge', text: `#${id}` }),
      el('span', { class: 'grow' }), count,
      el('button', { class: 'small', onclick: () => msgs.replaceChildren() }, 'clear'),
      el('button', { class: 'small danger', onclick: guard(() => unsubscribe(id), 'unsubscribe') }, 'unsubscribe')),
    msgs);
  const entry = { id, subject, queue, sub, count: 0, card };
  subs.set(id, entry);
  listBox.querySelector('.empty')?.remove();
  listBox.append(card);
  log(`subscribed #${id} to ${subject}${queue ? ` (queue ${queue})` : ''}`);
  app.emit('subs');
  (async () => {
    for await (const m of sub) {
      entry.count++;
      count.textContent = String(entry.count);
      pushLimited(msgs, renderMsg(m));
      const flowId = m.headers?.get(FLOW_HEADER);
      if (flowId) app.emit('delivered', Number(flowId), id);
    }
  })().catch((err) => log(`subscription #${id} ended: ${err.message}`, 'err'));
  return entry;
}

export function renderMsg(m, extra) {
  const hdrs = [];
  if (m.headers) {
    for (const [k, vs] of m.headers) if (k !== FLOW_HEADER) hdrs.push(`${k}: ${vs.join(', ')}`);
  }
  return el('li', {},
    el('span', { class: 't', text: clock() }),
    el('span', { class: 's', text: m.subject }),
    m.reply && !m.reply.startsWith('$JS.ACK') ? el('span', { class: 't', text: `reply→${m.reply} ` }) : null,
    hdrs.length ? el('span', { class: 'h', text: `[${hdrs.join('; ')}] ` }) : null,
    sc.decode(m.data) || el('i', { class: 't', text: '(empty)' }),
    extra ?? null);
}

export function unsubscribe(id) {
  const e = subs.get(id);
  if (!e) return;
  e.sub.unsubscribe();
  e.card.remove();
  subs.delete(id);
  log(`unsubscribed #${id} (${e.subject})`);
  if (!subs.size) listBox.replaceChildren(el('p', { class: 'empty', text: 'No subscriptions yet.' }));
  app.emit('subs');
}

export function unsubscribeAll() {
  for (const id of [...subs.keys()]) unsubscribe(id);
}
