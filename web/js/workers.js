// Competing workers on a pull consumer: each asks for one message at a time,
// "works" on it for a moment and acks it. With a work-queue stream the acked
// messages leave the stream, so its message count falls to zero.
import { app, requireJs, sc } from './app.js';
import { el, clock, log, pushLimited, describeError } from './ui.js';

const WORK_MS = 250;
const running = new Map();  // "stream/consumer" -> { stop: boolean }
let logList;

export function initWorkers(panel) {
  logList = el('ul', { id: 'worker-log', class: 'msgs' });
  panel.append(el('h3', { text: 'Workers' }),
    el('p', { class: 'hint', text: 'Workers share one pull consumer: every message goes to exactly one of them.' }),
    logList);
  app.on('reset', () => {
    for (const w of running.values()) w.stop = true;
    running.clear();
    logList.replaceChildren();
  });
}

export function workersRunning(stream, consumer) {
  return running.has(`${stream}/${consumer}`);
}

export function toggleWorkers(stream, consumer, count) {
  const key = `${stream}/${consumer}`;
  if (running.has(key)) {
    running.get(key).stop = true;
    running.delete(key);
    log(`workers on ${key} stopping`);
    return;
  }
  startWorkers(stream, consumer, count);
}

export function stopWorkers(stream, consumer) {
  const key = `${stream}/${consumer}`;
  const w = running.get(key);
  if (w) w.stop = true;
  running.delete(key);
}

export function startWorkers(stream, consumer, count = 2) {
  const { js } = requireJs();
  const key = `${stream}/${consumer}`;
  if (running.has(key)) return;
  const ctl = { stop: false };
  running.set(key, ctl);
  log(`${count} workers on ${key}`);
  for (let i = 1; i <= count; i++) work(js, stream, consumer, `worker-${i}`, ctl);
}

async function work(js, stream, consumer, who, ctl) {
  while (!ctl.stop && app.js === js) {
    try {
      const iter = js.fetch(stream, consumer, { batch: 1, expires: 1000 });
      for await (const m of iter) {
        pushLimited(logList, el('li', { dataset: { worker: who, seq: String(m.info.streamSequence) } },
          el('span', { class: 't', text: clock() }), el('span', { class: 'badge', text: who }), ' ',
          el('span', { class: 's', text: `#${m.info.streamSequence} ${m.subject}` }), sc.decode(m.data)), 60);
        await new Promise((r) => setTimeout(r, WORK_MS));
        if (ctl.stop) { m.nak(); break; }
        m.ack();
      }
    } catch (err) {
      if (ctl.stop || app.js !== js) break;
      if (err.api_error?.err_code === 10014 || err.code === '404') {  // consumer or stream gone
        log(`${who}: ${stream}/${consumer} is gone, stopping`, 'err');
        ctl.stop = true;
        running.delete(`${stream}/${consumer}`);
        break;
      }
      log(`${who} on ${stream}/${consumer}: ${describeError(err)}`, 'err');
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
