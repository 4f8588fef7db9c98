// Built-in examples: each sets up what it needs (replacing what it created
// before) and shows the tab where it happens.
import { app, requireJs, requireNc } from './app.js';
import { subscribe, subscriptions, unsubscribe } from './subs.js';
import { publishTracked } from './flow.js';
import { startReplier, request } from './reqrep.js';
import { createStream, deleteStreamIfExists, poll } from './streams.js';
import { createConsumer, fetchBatch, listenPush } from './consumers.js';
import { startWorkers, stopWorkers } from './workers.js';
import { createBucket, put, del, showHistory } from './kv.js';
import { log } from './ui.js';

const pause = (ms) => new Promise((r) => setTimeout(r, ms));

function resubscribe(subject, queue = '') {
  for (const s of subscriptions()) if (s.subject === subject && s.queue === queue) unsubscribe(s.id);
  return subscribe(subject, queue);
}

export const examples = {
  // orders.* matches one token after "orders.", orders.> one or more.
  async wildcards(showTab) {
    requireNc();
    showTab('core');
    resubscribe('orders.*');
    resubscribe('orders.>');
    await app.nc.flush();
    publishTracked('orders.created', '{"order_id": 1001, "total": 42.5}');
    publishTracked('orders.payment.failed', '{"order_id": 1001, "reason": "card declined"}');
  },

  // Three subscribers in queue group "billing" share the messages.
  async queue(showTab) {
    requireNc();
    showTab('core');
    for (let i = 0; i < 3; i++) subscribe('orders.created', 'billing');
    await app.nc.flush();
    for (let i = 1; i <= 6; i++) publishTracked('orders.created', `{"order_id": ${2000 + i}}`);
  },

  // A stream ORDERS with a push consumer (monitor) and a pull consumer (shipper).
  async 'orders-stream'(showTab) {
    requireJs();
    showTab('js');
    await deleteStreamIfExists('ORDERS');
    await createStream({ name: 'ORDERS', subjects: ['orders.>'], retention: 'limits', storage: 'memory', num_replicas: 1 });
    const push = { durable_name: 'monitor', deliver_subject: 'deliver.orders.monitor', ack_policy: 'explicit' };
    await createConsumer('ORDERS', push);
    await createConsumer('ORDERS', { durable_name: 'shipper', ack_policy: 'explicit', filter_subject: 'orders.created' });
    listenPush('ORDERS', 'monitor', push);
    await app.nc.flush();
    for (let i = 1; i <= 4; i++) publishTracked('orders.created', `{"order_id": ${3000 + i}}`);
    publishTracked('orders.payment.failed', '{"order_id": 3001}');
    await app.nc.flush();
    await pause(200);
    await fetchBatch('ORDERS', 'shipper', 2);
    await poll();
    log('ORDERS: "monitor" got every order pushed; "shipper" fetched 2 of its 4 orders.created (2 pending). Ack, nak or term them below.');
  },

  // A work-queue stream: two workers compete for the jobs; acked jobs leave the stream.
  async 'email-jobs'(showTab) {
    requireJs();
    showTab('js');
    stopWorkers('EMAIL_JOBS', 'senders');
    await deleteStreamIfExists('EMAIL_JOBS');
    await createStream({ name: 'EMAIL_JOBS', subjects: ['email.jobs.>'], retention: 'workqueue', storage: 'memory', num_replicas: 1 });
    await createConsumer('EMAIL_JOBS', { durable_name: 'senders', ack_policy: 'explicit' });
    for (let i = 1; i <= 8; i++) publishTracked(`email.jobs.${i % 2 ? 'welcome' : 'receipt'}`, `{"job": ${i}, "to": "user${i}@example.com"}`);
    await app.nc.flush();
    await poll();
    startWorkers('EMAIL_JOBS', 'senders', 2);
  },

  // A KV bucket "config" with a watcher: puts, an update, a delete, a key's history.
  async 'config-kv'(showTab) {
    requireJs();
    showTab('kv');
    await deleteStreamIfExists('KV_config');
    await createBucket('config', { history: 5 });  // reopens it and restarts the watch
    await put('app.theme', 'dark');
    await put('app.retries', '3');
    await put('app.theme', 'light');
    await put('app.timeout_ms', '2500');
    await del('app.retries');
    await showHistory('app.theme');
    await poll();
  },

  // A replier on user.lookup, a request to it and one to a subject nobody answers.
  async 'user-lookup'(showTab) {
    requireNc();
    showTab('core');
    startReplier('user.lookup', '{"id": 42, "name": "Ada Lovelace", "request": {{data}}}');
    await app.nc.flush();
    await request('user.lookup', '{"id": 42}', 2000);
    await request('user.delete', '{"id": 42}', 2000);
  },
};
