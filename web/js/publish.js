// Publish panel: subject, payload, headers ("Key: value" lines), a count.
import { publishTracked, logPublish } from './flow.js';
import { el, field, guard, intValue, parseHeaderLines, requireValue } from './ui.js';

export function init(panel) {
  const subject = el('input', { id: 'pub-subject', class: 'mono', value: 'orders.created' });
  const payload = el('textarea', { id: 'pub-payload', class: 'mono', rows: 3 }, '{"order_id": 1001, "total": 42.5}');
  const hdrs = el('textarea', { id: 'pub-headers', class: 'mono', rows: 2, placeholder: 'Key: value (one per line)' });
  const count = el('input', { id: 'pub-count', type: 'number', min: 1, max: 1000, value: 1 });
  const send = guard(async (ev) => {
    ev.preventDefault();
    const s = requireValue(subject, 'Subject');
    const n = intValue(count, 1, 'Count');
    if (n < 1 || n > 1000) throw new Error('Count: 1 to 1000');
    const pairs = parseHeaderLines(hdrs.value);
    for (let i = 0; i < n; i++) {
      const body = n > 1 ? payload.value.replaceAll('{{i}}', String(i + 1)) : payload.value.replaceAll('{{i}}', '1');
      const id = publishTracked(s, body, pairs);
      if (i === 0 || i === n - 1) logPublish(s, id);
    }
  }, 'publish');
  panel.append(
    el('h2', { text: 'Publish' }),
    el('p', { class: 'hint', text: '{{i}} in the payload becomes the message number when the count is above 1.' }),
    el('form', { class: 'form', onsubmit: send },
      field('Subject', subject), field('Count', count),
      field('Payload', payload, 'wide'), field('Headers', hdrs, 'wide'),
      el('div', { class: 'actions' }, el('button', { id: 'pub-btn', class: 'primary', type: 'submit' }, 'Publish'))));
}
