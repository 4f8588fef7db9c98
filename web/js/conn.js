// The connection switch: the in-browser server (natrium-wasm, JetStream on,
// memory storage) or a native server over WebSocket (ws:// URL).
import { connect, Events } from 'nats.ws';
import { createServer } from 'natrium-wasm';
import { app } from './app.js';
import { $, log, showError, describeError } from './ui.js';

let generation = 0;  // bumps on every (re)connect, so stale status loops stop

function setStatus(state, text) {
  const s = $('#conn-status');
  s.dataset.state = state;
  s.textContent = text;
}

export async function disconnect() {
  generation++;
  app.emit('reset');
  const { nc, server } = app;
  app.nc = null;
  app.jsm = null;
  app.js = null;
  app.server = null;
  app.streams = [];
  if (nc && !nc.isClosed()) await nc.close().catch(() => {});
  if (server) await server.close().catch(() => {});
}

export async function connectTo(mode, url) {
  await disconnect();
  const gen = generation;
  app.mode = mode;
  setStatus('connecting', mode === 'wasm' ? 'starting the in-browser server…' : `connecting to ${url}…`);
  let nc;
  try {
    if (mode === 'wasm') {
      app.server = await createServer({ name: 'natrium-playground', jetstream: true });
      nc = await connect({ servers: 'ws://in-browser', wsFactory: app.server.wsFactory, name: 'playground' });
    } else {
      if (!/^wss?:\/\//.test(url)) throw new Error(`"${url}" is not a ws:// or wss:// URL`);
      nc = await connect({ servers: url, name: 'playground', timeout: 5000, maxReconnectAttempts: 10 });
    }
  } catch (err) {
    setStatus('error', 'not connected');
    if (mode === 'wasm') throw err;
    const why = err.code === 'UNKNOWN_ERROR' || !err.message ? 'the WebSocket connection failed' : describeError(err);
    throw new Error(`cannot connect to ${url}: ${why}. Is a server listening there for WebSocket ` +
      '(natrium-server or nats-server with websocket { port: 8080, no_tls: true } in its config file)?');
  }
  if (gen !== generation) { await nc.close().catch(() => {}); return; }
  app.nc = nc;
  try {
    app.jsm = await nc.jetstreamManager({ timeout: 3000 });
    app.js = nc.jetstream();
  } catch {
    app.jsm = null;
    app.js = null;
    log('JetStream is not available on this server: the JetStream and Key-Value tabs are disabled', 'err');
  }
  const info = nc.info ?? {};
  const where = mode === 'wasm' ? 'in-browser server' : url;
  setStatus('connected', `connected: ${where} (${info.server_name ?? info.server_id ?? '?'}${app.jsm ? ', JetStream' : ''})`);
  log(`connected to ${where}, server ${info.server_name ?? ''} version ${info.version ?? '?'}`);
  watchStatus(nc, gen, where);
  app.emit('connected');
}

async function watchStatus(nc, gen, where) {
  nc.closed().then((err) => {
    if (gen !== generation) return;
    setStatus('closed', 'connection closed');
    if (err) showError(err, 'connection');
    else log(`connection to ${where} closed`);
  });
  try {
    for await (const s of nc.status()) {
      if (gen !== generation) break;
      if (s.type === Events.Disconnect) setStatus('connecting', 'disconnected, reconnecting…');
      else if (s.type === Events.Reconnect) setStatus('connected', `reconnected: ${where}`);
      else if (s.type === Events.Error) showError(s.data, 'connection');
    }
  } catch {
    // the status iterator ends with the connection
  }
}
