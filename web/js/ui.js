// DOM helpers, error display and the activity log. Every event handler goes
// through guard(), so nothing a user does ends in an uncaught exception.

// el('button', { class: 'small', onclick: fn }, 'text', child...)
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k === 'value') node.value = v;
    else if (k === 'checked') node.checked = !!v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export const $ = (sel, root = document) => root.querySelector(sel);

// A labelled form field: field('Subject', input).
export function field(label, input, cls) {
  return el('label', { class: cls }, label, input);
}

export function select(id, options, value) {
  const s = el('select', { id });
  for (const o of options) {
    const [v, text] = Array.isArray(o) ? o : [o, o];
    s.append(el('option', { value: v, text }));
  }
  if (value !== undefined) s.value = value;
  return s;
}

// The words of a NATS or JetStream error, for people.
export function describeError(err) {
  if (!err) return 'unknown error';
  const code = err.code;
  if (code === '503' || err.isNoResponders?.()) return 'no responders: nobody is subscribed to that subject';
  if (code === 'TIMEOUT') return 'timed out: no reply in time';
  if (err.api_error) {
    const a = err.api_error;
    return `${a.description} (JetStream error ${a.err_code ?? a.code})`;
  }
  if (code === 'CONNECTION_REFUSED') return 'connection refused (is the server running and is its websocket port open?)';
  const msg = err.message || String(err);
  return code && !msg.includes(code) ? `${msg} (${code})` : msg;
}

const errorsBox = () => document.getElementById('errors');

export function showError(err, where) {
  const text = (where ? `${where}: ` : '') + describeError(err);
  log(text, 'err');
  const box = errorsBox();
  if (!box) return;
  const item = el('div', { class: 'error', role: 'alert' }, el('span', { text }),
    el('button', { class: 'link', onclick: () => item.remove(), 'aria-label': 'dismiss' }, '×'));
  box.append(item);
  while (box.children.length > 4) box.firstChild.remove();
  setTimeout(() => item.remove(), 12000);
}

// Wraps an (async) handler: errors are shown in the page, never thrown.
export function guard(fn, where) {
  return async (...args) => {
    try {
      return await fn(...args);
    } catch (err) {
      showError(err, where);
      return undefined;
    }
  };
}

export function log(text, kind = 'info') {
  const list = document.getElementById('activity-log');
  if (!list) return;
  list.prepend(el('li', { class: kind }, el('span', { class: 't', text: clock() }), text));
  while (list.children.length > 200) list.lastChild.remove();
}

export function clock(d = new Date()) {
  return d.toTimeString().slice(0, 8) + '.' + String(d.getMilliseconds()).padStart(3, '0');
}

export function fmtBytes(n) {
  if (n === undefined || n === null) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

// "Key: value" lines to [[key, value], ...]; bad lines throw with their number.
export function parseHeaderLines(text) {
  const out = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`header line ${i + 1}: expected "Key: value"`);
    out.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  });
  return out;
}

// Space- or comma-separated list.
export function splitList(text) {
  return text.split(/[\s,]+/).filter(Boolean);
}

// An integer from an input, or `fallback` when empty; throws on junk.
export function intValue(input, fallback, what) {
  const v = input.value.trim();
  if (v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`${what}: "${v}" is not a whole number`);
  return n;
}

export function requireValue(input, what) {
  const v = input.value.trim();
  if (!v) throw new Error(`${what} is required`);
  return v;
}

// A bounded list of messages (<ul class="msgs">): newest first.
export function pushLimited(list, item, max = 50) {
  list.querySelector('.empty')?.remove();
  list.prepend(item);
  while (list.children.length > max) list.lastChild.remove();
}
