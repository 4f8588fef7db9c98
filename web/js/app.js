// The page's shared state: the connection and the JetStream handles, plus a
// tiny event bus ('connected', 'reset', 'streams') that panels listen on.
import { StringCodec } from 'nats.ws';

export const sc = StringCodec();

// Messages published from the page carry this header, so the message-flow view
// can tell which subscriptions each one reached.
export const FLOW_HEADER = 'Playground-Id';

const listeners = new Map();

export const app = {
  mode: 'wasm',        // 'wasm' (in-browser server) or 'ws' (native server over WebSocket)
  server: null,        // the in-browser NatriumServer
  nc: null,            // the nats.ws connection
  jsm: null,           // JetStreamManager, null without JetStream
  js: null,            // JetStreamClient
  streams: [],         // the last StreamInfo list (polled)
  on(event, fn) {
    if (!listeners.has(event)) listeners.set(event, []);
    listeners.get(event).push(fn);
  },
  emit(event, ...args) {
    for (const fn of listeners.get(event) ?? []) {
      try {
        fn(...args);
      } catch (err) {
        console.error(err);  // a panel's bug must not stop the others
      }
    }
  },
};

export function requireNc() {
  if (!app.nc || app.nc.isClosed()) throw new Error('not connected: press Connect first');
  return app.nc;
}

export function requireJs() {
  requireNc();
  if (!app.jsm) throw new Error('JetStream is not enabled on this server');
  return app;
}
