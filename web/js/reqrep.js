// Request and reply: repliers (a subject, an optional queue group, a response
// template, a delay) and requests with a timeout. No responders and timeouts
// are shown as results, not errors.
import { app, requireNc, sc } from './app.js';
import { validSubscribeSubject, validPublishSubject } from './subject.js';
import { el, field, guard, intValue, log, pushLimited, clock, describeError, requireValue } from './ui.js';

let nextId = 1;
const repliers = new Map();  // id -> { sub, card }
let listBox;
let results;

export function init(panel) {
  const rSubject = el('input', { id: 'rep-subject', class: 'mono', value: 'user.lookup' });
  const rQueue = el('input', { id: 'rep-queue', class: 'mono', placeholder: '(none)' });
  const rTemplate = el('input', { id: 'rep-template', class: 'mono', value: '{"found": true, "request": {{data}}}' });
  const rDelay = el('input', { id: 'rep-delay', type: 'number', min: 0, value: 0 });
  const qSubject = el('input', { id: 'req-subject', class: 'mono', value: 'user.lookup' });
  const qPayload = el('input', { id: 'req-payload', class: 'mono', value: '{"id": 42}' });
  const qTimeout = el('input', { id: 'req-timeout', type: 'number', min: 1, value: 2000 });
  listBox = el('div', { id: 'rep-list' });
  results = el('ul', { id: 'req-results', class: 'msgs' });
  panel.append(
    el('h2', { text: 'Request and reply' }),
    el('div', { class: 'cols' },
      el('div', {},
        el('h3', { text: 'Replier' }),
        el('p', { class: 'hint', text: '{{data}} and {{subject}} in the response are replaced by the request\'s.' }),
        el('form', { class: 'form', onsubmit: guard((ev) => {
          ev.preventDefault();
          startReplier(requireValue(rSubject, 'Subject'), rTemplate.value, {
            queue: rQueue.value.trim(), delayMs: intValue(rDelay, 0, 'Delay') });
        }, 'replier') },
        field('Subject', rSubject), field('Queue group', rQueue),
        field('Response', rTemplate, 'wide'), field('Delay (ms)', rDelay),
        el('div', { class: 'actions' }, el('button', { id: 'rep-btn', class: 'primary', type: 'submit' }, 'Start replier'))),
        listBox),
      el('div', {},
        el('h3', { text: 'Request' }),
        el('form', { class: 'form', onsubmit: guard(async (ev) => {
          ev.preventDefault();
          await request(requireValue(qSubject, 'Subject'), qPayload.value, intValue(qTimeout, 2000, 'Timeout'));
        }, 'request') },
        field('Subject', qSubject), field('Timeout (ms)', qTimeout), field('Payload', qPayload, 'wide'),
        el('div', { class: 'actions' }, el('button', { id: 'req-btn', class: 'primary', type: 'submit' }, 'Send request'))),
        results)));
  app.on('reset', () => {
    repliers.clear();
    listBox.replaceChildren();
    results.replaceChildren();
  });
}

export function startReplier(subject, template, { queue = '', delayMs = 0 } = {}) {
  const nc = requireNc();
  if (!validSubscribeSubject(subject)) throw new Error(`"${subject}" is not a valid subject`);
  const id = nextId++;
  const sub = nc.subscribe(subject, queue ? { queue } : {});
  const count = el('span', { class: 'badge count', text: '0' });
  const card = el('div', { class: 'card', dataset: { replier: subject } },
    el('div', { class: 'card-head' },
      el('span', { class: 'subject', text: subject }),
      queue ? el('span', { class: 'badge', text: `queue ${queue}` }) : null,
      el('span', { class: 'grow' }), el('span', { class: 'hint', text: 'answered' }), count,
      el('button', { class: 'small danger', onclick: () => stopReplier(id) }, 'stop')));
  repliers.set(id, { sub, card });
  listBox.append(card);
  log(`replier #${id} answers ${subject}`);
  let n = 0;
  (async () => {
    for await (const m of sub) {
      if (!m.reply) continue;
      const data = sc.decode(m.data);
      const body = template.replaceAll('{{data}}', data || '""').replaceAll('{{subject}}', m.subject);
      if (delayMs > 0) await new Promise((r) => setTimeout(r, Math.min(delayMs, 60000)));
      if (!sub.isClosed()) m.respond(sc.encode(body));
      count.textContent = String(++n);
    }
  })().catch((err) => log(`replier #${id} ended: ${err.message}`, 'err'));
}

function stopReplier(id) {
  const r = repliers.get(id);
  if (!r) return;
  r.sub.unsubscribe();
  r.card.remove();
  repliers.delete(id);
}

export async function request(subject, payload, timeoutMs) {
  const nc = requireNc();
  if (!validPublishSubject(subject)) throw new Error(`"${subject}" is not a valid subject to send a request to`);
  const start = performance.now();
  let item;
  try {
    const m = await nc.request(subject, sc.encode(payload), { timeout: timeoutMs });
    const ms = (performance.now() - start).toFixed(1);
    item = el('li', { class: 'ok', dataset: { result: 'reply' } }, el('span', { class: 't', text: clock() }),
      el('span', { class: 's', text: subject }), `reply in ${ms} ms: `, sc.decode(m.data));
  } catch (err) {
    const kind = err.code === '503' ? 'no-responders' : err.code === 'TIMEOUT' ? 'timeout' : 'error';
    item = el('li', { class: 'err', dataset: { result: kind } }, el('span', { class: 't', text: clock() }),
      el('span', { class: 's', text: subject }), describeError(err));
  }
  pushLimited(results, item, 30);
}
