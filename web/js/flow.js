// Message flow: for each message published from the page, which of the page's
// subscriptions it reached (green), which did not match its subject (struck
// through), which lost it to another member of their queue group (amber), and
// which streams store it. Matches are computed from the subscriptions' subjects;
// deliveries are confirmed by the messages' Playground-Id header.
import { headers as natsHeaders } from 'nats.ws';
import { app, requireNc, sc, FLOW_HEADER } from './app.js';
import { subscriptions } from './subs.js';
import { subjectMatches, validPublishSubject } from './subject.js';
import { el, clock, log } from './ui.js';

const MAX_ROWS = 40;
let nextFlowId = 1;
const records = new Map();  // flow id -> { id, subject, time, targets: Map(subId -> target), streams, li }
let listBox;

export function init(panel) {
  listBox = el('ol', { id: 'flow-list', class: 'flow-list' });
  panel.append(
    el('div', { class: 'row' }, el('h2', { text: 'Message flow' }), el('span', { class: 'grow' }),
      el('button', { class: 'small', onclick: clear }, 'clear')),
    el('p', { class: 'hint' },
      'Each message published from this page and the subscriptions it reached: ',
      el('span', { class: 'chip got', text: 'received' }), ' ',
      el('span', { class: 'chip none', text: 'no match' }), ' ',
      el('span', { class: 'chip queue-other', text: 'queue: another member got it' }), ' ',
      el('span', { class: 'chip pending', text: 'on its way' }), ' ',
      el('span', { class: 'chip stream', text: 'stored in stream' })),
    listBox);
  clear();
  app.on('delivered', delivered);
  app.on('reset', clear);
}

function clear() {
  records.clear();
  listBox.replaceChildren(el('li', { class: 'empty', text: 'Publish something to see where it goes.' }));
}

// Publishes with the flow header and records where the message should go.
// headerPairs: [[key, value], ...].
export function publishTracked(subject, payload, headerPairs = [], reply) {
  const nc = requireNc();
  if (!validPublishSubject(subject)) throw new Error(`"${subject}" is not a valid subject to publish to (no wildcards, no spaces)`);
  const id = nextFlowId++;
  const h = natsHeaders();
  for (const [k, v] of headerPairs) h.append(k, v);
  h.set(FLOW_HEADER, String(id));
  record(id, subject);
  nc.publish(subject, sc.encode(payload), { headers: h, reply: reply || undefined });
  return id;
}

function record(id, subject) {
  const targets = new Map();
  for (const s of subscriptions()) {
    const match = subjectMatches(s.subject, subject);
    targets.set(s.id, { sub: s, state: match ? 'pending' : 'none' });
  }
  const streams = app.streams
    .filter((si) => (si.config.subjects ?? []).some((f) => subjectMatches(f, subject)))
    .map((si) => si.config.name);
  const li = el('li', { dataset: { flowSubject: subject, flowId: String(id) } });
  const rec = { id, subject, time: clock(), targets, streams, li };
  records.set(id, rec);
  listBox.querySelector('.empty')?.remove();
  listBox.prepend(li);
  while (listBox.children.length > MAX_ROWS) {
    const last = listBox.lastChild;
    records.delete(Number(last.dataset.flowId));
    last.remove();
  }
  render(rec);
}

function delivered(flowId, subId) {
  const rec = records.get(flowId);
  if (!rec) return;
  let t = rec.targets.get(subId);
  if (!t) {
    const s = subscriptions().find((x) => x.id === subId);
    if (!s) return;
    t = { sub: s, state: 'pending' };
    rec.targets.set(subId, t);
  }
  t.state = 'got';
  if (t.sub.queue) {  // the others of its queue group did not get it
    for (const o of rec.targets.values()) {
      if (o !== t && o.sub.queue === t.sub.queue && o.state === 'pending') o.state = 'queue-other';
    }
  }
  render(rec);
}

function render(rec) {
  const targets = [...rec.targets.values()];
  const got = targets.filter((t) => t.state === 'got').length;
  const summary = targets.length === 0 ? 'no subscriptions on this page'
    : `reached ${got} of ${targets.length} subscription${targets.length === 1 ? '' : 's'}`;
  const chips = targets.map((t) => el('span', {
    class: `chip ${t.state}`,
    title: chipTitle(t),
    dataset: { sub: t.sub.subject, queue: t.sub.queue, state: t.state },
  }, t.sub.subject + (t.sub.queue ? ` (${t.sub.queue})` : '') + ` #${t.sub.id}`));
  for (const s of rec.streams) chips.push(el('span', { class: 'chip stream', dataset: { stream: s } }, `stream ${s}`));
  rec.li.replaceChildren(
    el('div', { class: 'flow-subject' }, rec.subject, el('small', { text: `${rec.time} · ${summary}` })),
    el('div', { class: 'chips' }, chips.length ? chips : el('span', { class: 'empty', text: 'nobody listening' })));
}

function chipTitle(t) {
  switch (t.state) {
    case 'got': return 'received';
    case 'none': return 'subject does not match';
    case 'queue-other': return `another member of queue group ${t.sub.queue} received it`;
    default: return 'matches: waiting for delivery';
  }
}

export function logPublish(subject, id) {
  log(`published #${id} to ${subject}`);
}
