// The playground's entry point: panels, tabs, the connection switch, examples.
import { app } from './app.js';
import { connectTo } from './conn.js';
import { examples } from './examples.js';
import { $, guard, showError } from './ui.js';
import * as subs from './subs.js';
import * as publish from './publish.js';
import * as flow from './flow.js';
import * as reqrep from './reqrep.js';
import * as streams from './streams.js';
import * as consumers from './consumers.js';
import * as kv from './kv.js';

// Nothing may end as an uncaught exception: show it in the page instead.
window.addEventListener('error', (ev) => { showError(ev.error ?? ev.message, 'error'); ev.preventDefault(); });
window.addEventListener('unhandledrejection', (ev) => { showError(ev.reason, 'error'); ev.preventDefault(); });

function showTab(name) {
  for (const b of document.querySelectorAll('.tabs [data-tab]')) b.setAttribute('aria-selected', String(b.dataset.tab === name));
  for (const t of document.querySelectorAll('.tab')) t.hidden = t.id !== `tab-${name}`;
}

function defaultWsUrl() {
  const fromQuery = new URLSearchParams(location.search).get('ws');
  if (fromQuery) return fromQuery;
  const host = location.hostname || '127.0.0.1';
  return `ws://${host.includes(':') ? `[${host}]` : host}:8080`;
}

function start() {
  subs.init($('#panel-sub'));
  publish.init($('#panel-pub'));
  flow.init($('#panel-flow'));
  reqrep.init($('#panel-reqrep'));
  streams.init($('#panel-streams'));
  consumers.init($('#panel-consumers'));
  kv.init($('#panel-kv'));

  for (const b of document.querySelectorAll('.tabs [data-tab]')) b.addEventListener('click', () => showTab(b.dataset.tab));
  for (const b of document.querySelectorAll('[data-example]')) {
    const run = examples[b.dataset.example];
    b.addEventListener('click', guard(async () => {
      b.disabled = true;
      try {
        await run(showTab);
      } finally {
        b.disabled = false;
      }
    }, `example ${b.textContent}`));
  }
  $('#activity-clear').addEventListener('click', () => $('#activity-log').replaceChildren());

  const url = $('#ws-url');
  url.value = defaultWsUrl();
  const form = $('#conn-form');
  const mode = () => form.elements.mode.value;
  const sync = () => { url.disabled = mode() !== 'ws'; };
  form.addEventListener('change', sync);
  form.addEventListener('submit', guard(async (ev) => {
    ev.preventDefault();
    await connectTo(mode(), url.value.trim());
  }, 'connect'));
  sync();
  window.playground = app;  // for the console (and the browser test)
  guard(() => connectTo('wasm'), 'in-browser server')();
}

start();
