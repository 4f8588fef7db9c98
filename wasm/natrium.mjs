// natrium-wasm: an in-process NATS server for browsers and Node.
//
//   import { createServer } from 'natrium-wasm';
//   const server = await createServer({ name: 'test' });
//   const conn = server.connect();            // a raw virtual connection
//   conn.ondata = (bytes) => { ... };          // Uint8Array chunks of protocol
//   conn.write('CONNECT {}\r\nPING\r\n');
//   const ws = server.socket();               // a WebSocket look-alike for nats.ws
//   const l = await server.listen();          // Node: a TCP port for any NATS client
//
// How it runs: every server is its own WebAssembly instance holding one core
// node (core/server/node.h). Calls from JS (write, close, a timer) are passed
// to the node at once; what the node wants done (bytes to send, connections to
// close, logs) is drained from it and delivered to callbacks in a microtask, so
// no callback ever runs inside a call into the node and callbacks may call
// write() or close() freely. One setTimeout follows the node's next deadline
// (pings, stale connections, write deadlines).

import createNatriumModule from './dist/natrium-module.mjs';

// Keys of nat_config_set_num / nat_config_set_str (wasm/exports.cpp).
const CONFIG_NUM = {
  seedLo: 1, seedHi: 2, jetstream: 3, debug: 4, trace: 5, maxPayload: 6, maxControlLine: 7,
  maxConnections: 8, maxSubscriptions: 9, maxPending: 10, pingIntervalMs: 11, pingMaxOut: 12,
  writeDeadlineMs: 13, port: 14,
};
const CONFIG_STR = { name: 100, host: 101 };
const STATS = {
  inMsgs: 1, outMsgs: 2, inBytes: 3, outBytes: 4, totalConnections: 5, slowConsumers: 6,
  connections: 7, subscriptions: 8,
};
const ACTION_SEND = 1;
const ACTION_CLOSE = 2;
const ACTION_LOG = 3;
const ACTION_READING = 4;  // manual-flush connections only (listen())
const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace'];
// Input written since the last drain after which write() drains at once, so a
// publisher that writes in a tight loop does not pile its subscribers' output up
// inside the node (where it would count against max_pending).
const DRAIN_AFTER_BYTES = 256 * 1024;
const TIMER_MAX_MS = 0x7fffffff;

// Wall time for the node in milliseconds, with sub-millisecond precision:
// Date.now() alone would give messages stored within the same millisecond the
// same timestamp (the native host stamps in nanoseconds, and deliver policy
// by_start_time must tell them apart). It is the monotonic clock plus an
// offset, checked against Date.now() at most every 20 ms so that it follows a
// clock jump.
let wallOffsetMs = Date.now() - performance.now();
let wallCheckedMono = -Infinity;
function wallAt(mono) {
  if (mono - wallCheckedMono < 20) return wallOffsetMs + mono;
  wallCheckedMono = mono;
  const coarse = Date.now();
  const wall = wallOffsetMs + mono;
  if (wall > coarse - 2 && wall < coarse + 2) return wall;
  wallOffsetMs = coarse - mono;
  return coarse;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function reportAsync(err) {
  // A throwing user callback must not break delivery to the others.
  queueMicrotask(() => { throw err; });
}

function toBytes(data) {
  if (typeof data === 'string') return encoder.encode(data);
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError('write() takes a string, an ArrayBuffer or an ArrayBufferView');
}

/**
 * Starts an in-process server.
 * @param {import('./natrium.d.ts').ServerOptions} [options]
 * @returns {Promise<NatriumServer>}
 */
export async function createServer(options = {}) {
  const module = await createNatriumModule({
    print: (s) => console.log(s),
    printErr: (s) => console.error(s),
  });
  return new NatriumServer(module, options);
}

export class NatriumServer {
  constructor(module, options) {
    this._m = module;
    this._conns = new Map();       // id -> Connection
    this._pending = new Set();     // connections with data or a close to deliver
    this._netListeners = new Set(); // from listen()
    this._scheduled = false;
    this._inputSinceDrain = 0;
    this._timer = null;
    this._timerDue = -1;
    this._failed = null;
    this._destroyed = false;
    this._onlog = typeof options.log === 'function' ? options.log : null;
    this._options = { ...options };
    this._h = this._create(options);
    this._schedule();  // startup output (JetStream's, or its failure) reaches `log`
    const idPtr = module._nat_server_id(this._h);
    this.serverId = decoder.decode(module.HEAPU8.slice(idPtr, idPtr + module._nat_server_id_size(this._h)));
    this.name = options.name ?? this.serverId;
    const server = this;
    // `new server.WebSocket(url)` opens a virtual connection; assign it to
    // globalThis.WebSocket for clients that construct their own sockets (nats.ws).
    this.WebSocket = class BoundNatriumWebSocket extends NatriumWebSocket {
      constructor(url, protocols) { super(server, url, protocols); }
    };
    // nats.ws's `wsFactory` connect option: connect({ servers: 'ws://natrium', wsFactory: server.wsFactory }).
    // Async, as nats.ws and @nats-io/nats-core's wsconnect declare it (both await it).
    this.wsFactory = async (url) => ({ socket: this.socket(url), encrypted: false });
  }

  _create(options) {
    const m = this._m;
    const cfg = m._nat_config_new();
    const setNum = (key, v) => m._nat_config_set_num(cfg, CONFIG_NUM[key], Number(v));
    const seed = BigInt.asUintN(64, BigInt(options.seed ?? 1));
    setNum('seedLo', Number(seed & 0xffffffffn));
    setNum('seedHi', Number(seed >> 32n));
    setNum('jetstream', options.jetstream ? 1 : 0);
    setNum('debug', options.debug ? 1 : 0);
    setNum('trace', options.trace ? 1 : 0);
    for (const key of ['maxPayload', 'maxControlLine', 'maxConnections', 'maxSubscriptions', 'maxPending',
      'pingIntervalMs', 'pingMaxOut', 'writeDeadlineMs', 'port']) {
      if (options[key] !== undefined) setNum(key, options[key]);
    }
    for (const key of Object.keys(CONFIG_STR)) {
      if (options[key] === undefined) continue;
      const bytes = encoder.encode(String(options[key]));
      const ptr = m._nat_scratch(bytes.length);
      m.HEAPU8.set(bytes, ptr);
      m._nat_config_set_str(cfg, CONFIG_STR[key]);
    }
    const mono = performance.now();
    return m._nat_create(cfg, mono, wallAt(mono));  // takes cfg
  }

  /** Opens a raw virtual connection: the client side of a NATS TCP connection. */
  connect() {
    this._check();
    const mono = performance.now();
    const id = this._call(() => this._m._nat_open(this._h, mono, wallAt(mono)));
    const conn = new Connection(this, id);
    this._conns.set(id, conn);
    this._schedule();
    return conn;
  }

  /** A WebSocket look-alike on a new virtual connection (see NatriumWebSocket). */
  socket(url = 'ws://natrium.invalid/') {
    return new this.WebSocket(url);
  }

  /**
   * Node only: accepts TCP connections (or, with `websocket: true`, WebSocket
   * connections through the `ws` package) and bridges each to a connection of
   * this server, so any NATS client can reach it.
   * Resolves to { port, host, url, close(), ref(), unref() }.
   */
  async listen(options = {}) {
    this._check();
    const { listen } = await import('./listen.mjs');
    const listener = await listen(this, options);
    if (this._destroyed || this._failed) {
      await listener.close();
      this._check();
    }
    this._adoptAddress(listener);
    this._netListeners.add(listener);
    listener._onclosed = () => this._netListeners.delete(listener);
    return listener;
  }

  /** Counters of the node (core node_stats). */
  stats() {
    this._check();
    const out = {};
    for (const [k, v] of Object.entries(STATS)) out[k] = this._m._nat_stat(this._h, v);
    return out;
  }

  /** Closes every connection and frees the node. Safe to call twice. */
  async close() {
    if (this._destroyed) return;
    const listeners = [...this._netListeners];
    this._netListeners.clear();
    const stopped = listeners.map((l) => l.close());
    if (!this._failed) {
      for (const conn of [...this._conns.values()]) conn._closeLocal('shutdown');
      try { this._drain(); } catch { /* failing while closing: free anyway */ }
    }
    this._destroyed = true;
    this._clearTimer();
    if (!this._failed) this._m._nat_destroy(this._h);
    this._deliver();
    await Promise.all(stopped);
  }

  get closed() { return this._destroyed; }

  // --- internals -----------------------------------------------------------

  _check() {
    if (this._failed) throw new Error('natrium: server failed: ' + this._failed.message);
    if (this._destroyed) throw new Error('natrium: server closed');
  }

  // Runs a call into WASM; an abort (a failed core assertion) kills the server.
  _call(fn) {
    try {
      return fn();
    } catch (err) {
      this._fail(err);
      throw err;
    }
  }

  // A failure outside any user call: the connections see it in onclose
  // ({ by: 'error' }); the process is not crashed for it.
  _reportFailure(err) {
    console.error('natrium: server failed:', err);
  }

  _fail(err) {
    if (this._failed) return;
    this._failed = err instanceof Error ? err : new Error(String(err));
    this._clearTimer();
    for (const conn of this._conns.values()) conn._markClosed('error', this._failed);
    this._conns.clear();
    this._schedule();
  }

  _write(conn, bytes) {
    this._check();
    const m = this._m;
    const mono = performance.now();
    try {  // _call() inlined: this is the hot path
      const ptr = m._nat_input(this._h, bytes.length);
      m.HEAPU8.set(bytes, ptr);  // after the call: memory may have grown
      m._nat_receive(this._h, conn.id, bytes.length, mono, wallAt(mono));
    } catch (err) {
      this._fail(err);
      throw err;
    }
    this._inputSinceDrain += bytes.length;
    if (this._inputSinceDrain >= DRAIN_AFTER_BYTES) this._drain();
    this._schedule();
  }

  // A connection whose output a transport writes (listen()): the node counts its
  // bytes as pending until the transport reports them written (_flushed), so
  // slow consumers and publisher stalls work as with the native host.
  _connectTransport() {
    const conn = this.connect();
    conn._transport = true;
    this._call(() => this._m._nat_set_manual_flush(this._h, conn.id, 1));
    return conn;
  }

  // INFO carries the host and port the server listens on. The node takes them at
  // creation, so the first listen() of a server that has had no connection yet
  // and was given no `port` recreates the node with the listener's address (same
  // seed, same server id; nothing else has happened to it).
  _adoptAddress(listener) {
    if (this._options.port !== undefined || this._conns.size !== 0) return;
    if (this._m._nat_stat(this._h, STATS.totalConnections) !== 0) return;
    const options = { ...this._options, port: listener.port };
    if (this._options.host === undefined && listener.host !== '0.0.0.0' && listener.host !== '::') {
      options.host = listener.host;
    }
    this._call(() => {
      this._drain();
      this._clearTimer();
      this._m._nat_destroy(this._h);
      this._h = this._create(options);
    });
    this._options = options;
    this._schedule();
  }

  _flushed(conn, n) {
    if (this._failed || this._destroyed || conn.closed) return;
    const mono = performance.now();
    this._call(() => this._m._nat_flushed(this._h, conn.id, n, mono, wallAt(mono)));
    this._schedule();
  }

  _close(conn) {
    if (this._failed || this._destroyed) return;
    const mono = performance.now();
    this._call(() => this._m._nat_close(this._h, conn.id, mono, wallAt(mono)));
    this._conns.delete(conn.id);
    this._schedule();
  }

  _schedule() {
    if (this._scheduled) return;
    this._scheduled = true;
    queueMicrotask(() => this._pump());
  }

  _pump() {
    this._scheduled = false;
    if (!this._failed && !this._destroyed) {
      try { this._drain(); } catch (err) { this._reportFailure(err); }
    }
    this._deliver();
  }

  // Takes every action out of the node. Runs no user code.
  _drain() {
    if (this._failed || this._destroyed) return;
    this._inputSinceDrain = 0;
    const m = this._m;
    const h = this._h;
    this._call(() => {
      let type;
      while ((type = m._nat_next(h)) !== 0) {
        const id = m._nat_action_id(h);
        if (type === ACTION_SEND) {
          const ptr = m._nat_action_data(h);
          const bytes = m.HEAPU8.slice(ptr, ptr + m._nat_action_size(h));
          const conn = this._conns.get(id);
          if (conn) {
            conn._queue.push(bytes);
            this._pending.add(conn);
          }
          // The next nat_next reports the flush: we own a copy now.
        } else if (type === ACTION_CLOSE) {
          const conn = this._conns.get(id);
          if (conn) {
            this._conns.delete(id);
            conn._markClosed('server', null, m._nat_action_flag(h) === 1);
          }
        } else if (type === ACTION_READING) {
          const conn = this._conns.get(id);
          if (conn) {
            conn._reading = m._nat_action_flag(h) === 1;
            this._pending.add(conn);
          }
        } else if (type === ACTION_LOG) {
          const ptr = m._nat_action_data(h);
          const text = decoder.decode(m.HEAPU8.subarray(ptr, ptr + m._nat_action_size(h)));
          this._log(LOG_LEVELS[m._nat_action_flag(h)] ?? 'info', text);
        }
      }
    });
    this._armTimer();
  }

  // Hands drained output to callbacks, in order per connection.
  _deliver() {
    if (this._pending.size === 0) return;
    const conns = [...this._pending];
    this._pending.clear();
    for (const conn of conns) conn._flushToUser();
  }

  _log(level, text) {
    if (this._onlog) {
      try { this._onlog(level, text); } catch (err) { reportAsync(err); }
    }
  }

  _armTimer() {
    const due = this._m._nat_next_deadline(this._h);
    if (due === this._timerDue) return;
    this._clearTimer();
    if (due < 0) return;
    this._timerDue = due;
    const wait = Math.min(TIMER_MAX_MS, Math.max(0, Math.ceil(due - performance.now())));
    this._timer = setTimeout(() => this._onTimer(), wait);
    // In Node, the server's own timer does not keep the process alive: only the
    // clients' activity does (a client without timers of its own can still be
    // pinged as long as something else runs).
    if (typeof this._timer === 'object' && typeof this._timer.unref === 'function') this._timer.unref();
  }

  _clearTimer() {
    if (this._timer !== null) clearTimeout(this._timer);
    this._timer = null;
    this._timerDue = -1;
  }

  _onTimer() {
    this._timer = null;
    this._timerDue = -1;
    if (this._failed || this._destroyed) return;
    try {
      const mono = performance.now();
      this._call(() => this._m._nat_advance(this._h, mono, wallAt(mono)));
    } catch (err) {
      this._reportFailure(err);
      this._deliver();
      return;
    }
    this._pump();
  }
}

/**
 * A raw virtual connection: bytes in with write(), bytes out through ondata.
 * Data that arrives before a data handler is set waits for one (onclose does not).
 */
export class Connection {
  constructor(server, id) {
    this.server = server;
    this.id = id;
    this._queue = [];
    this._ondata = null;
    this._onclose = null;
    this._listeners = { data: new Set(), close: new Set() };
    this._state = 'open';          // 'open' | 'closed'
    this._closeInfo = null;        // set when closed, delivered after the data
    this._closeDelivered = false;
    this._transport = false;       // listen()'s bridge: flushes reported by _flushed
    this._reading = true;          // set_reading from the node (transport connections)
    this._readingSeen = true;
    this.onreading = null;         // listen()'s bridge: fn(enabled)
  }

  get closed() { return this._state === 'closed'; }

  /** Sends protocol bytes to the server. Strings are UTF-8 encoded. */
  write(data) {
    if (this._state !== 'open') throw new Error('natrium: connection closed');
    const bytes = toBytes(data);
    if (bytes.length === 0) return;
    this.server._write(this, bytes);
  }

  /** Closes the connection from the client side. Pending undelivered data is dropped. */
  close() {
    if (this._state !== 'open') return;
    this._closeLocal('client');
    this.server._schedule();
  }

  get ondata() { return this._ondata; }
  set ondata(fn) {
    this._ondata = fn;
    if (fn && this._queue.length) {
      this.server._pending.add(this);
      this.server._schedule();
    }
  }

  get onclose() { return this._onclose; }
  set onclose(fn) {
    this._onclose = fn;
    if (fn && this._closeInfo && !this._closeDelivered) {
      this.server._pending.add(this);
      this.server._schedule();
    }
  }

  /** on('data', fn(Uint8Array)) and on('close', fn({ by, error, flushed })). */
  on(type, fn) { this._listeners[type].add(fn); if (type === 'data') this.ondata = this._ondata; return this; }
  off(type, fn) { this._listeners[type].delete(fn); return this; }

  _closeLocal(by) {
    this._queue.length = 0;
    this.server._close(this);
    this._markClosed(by, null, false);
  }

  _markClosed(by, error, flushed = false) {
    if (this._state === 'closed') return;
    this._state = 'closed';
    this._closeInfo = { by, error, flushed };
    this.server._pending.add(this);
  }

  _hasDataListener() { return this._ondata !== null || this._listeners.data.size > 0; }

  _flushToUser() {
    if (this._reading !== this._readingSeen) {
      this._readingSeen = this._reading;
      if (this.onreading) {
        try { this.onreading(this._reading); } catch (err) { reportAsync(err); }
      }
    }
    if (this._hasDataListener()) {
      while (this._queue.length) {
        // Deliver chunk by chunk; a handler may close the connection mid-way.
        const chunk = this._queue.shift();
        if (this._ondata) {
          try { this._ondata(chunk); } catch (err) { reportAsync(err); }
        }
        for (const fn of this._listeners.data) {
          try { fn(chunk); } catch (err) { reportAsync(err); }
        }
        if (this._closeInfo && this._closeInfo.by !== 'server') break;
      }
    }
    // Close comes after the data; with no data handler at all it does not wait for one.
    if (this._closeInfo && !this._closeDelivered && (this._queue.length === 0 || !this._hasDataListener())) {
      this._closeDelivered = true;
      const info = this._closeInfo;
      if (this._onclose) {
        try { this._onclose(info); } catch (err) { reportAsync(err); }
      }
      for (const fn of this._listeners.close) {
        try { fn(info); } catch (err) { reportAsync(err); }
      }
    }
  }
}

function makeEvent(type, props) {
  const ev = new Event(type);
  for (const [k, v] of Object.entries(props)) Object.defineProperty(ev, k, { value: v, enumerable: true });
  return ev;
}

/**
 * Enough of the browser WebSocket for nats.ws: readyState, binaryType, url,
 * protocol, bufferedAmount (always 0), onopen/onmessage/onclose/onerror,
 * addEventListener/removeEventListener, send(string | ArrayBuffer | view | Blob),
 * close(code, reason). Each message event carries a chunk of the NATS protocol
 * (not one frame per NATS op), as an ArrayBuffer or, with binaryType 'blob', a
 * Blob. The URL is not used: every socket goes to its server.
 */
export class NatriumWebSocket extends EventTarget {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;

  constructor(server, url = 'ws://natrium.invalid/', protocols = []) {
    super();
    this.CONNECTING = 0;
    this.OPEN = 1;
    this.CLOSING = 2;
    this.CLOSED = 3;
    this.url = String(url);
    this.protocol = '';
    this.extensions = '';
    this.bufferedAmount = 0;
    this.binaryType = 'blob';
    this.readyState = 0;
    this.onopen = null;
    this.onmessage = null;
    this.onclose = null;
    this.onerror = null;
    this._server = server;
    this._conn = null;
    this._sendChain = null;   // set while a Blob is being read
    this._closeCode = 1005;
    this._closeReason = '';
    void protocols;
    // Opens in a later task, as a real socket does, so handlers set after the
    // constructor (even after a few awaits) see 'open' and every message.
    setTimeout(() => this._open(), 0);
  }

  _open() {
    if (this.readyState !== 0) return;  // closed before it opened
    try {
      this._conn = this._server.connect();
    } catch (err) {
      this.readyState = 3;
      this._emit(makeEvent('error', { error: err, message: err.message }));
      this._emit(makeEvent('close', { code: 1006, reason: '', wasClean: false }));
      return;
    }
    this._conn.ondata = (bytes) => this._onData(bytes);
    this._conn.onclose = (info) => this._onConnClose(info);
    this.readyState = 1;
    this._emit(new Event('open'));
  }

  _onData(bytes) {
    if (this.readyState !== 1) return;
    let data = bytes.buffer;  // a fresh copy, exactly this chunk
    if (this.binaryType === 'blob' && typeof Blob === 'function') data = new Blob([bytes]);
    this._emit(new MessageEvent('message', { data }));
  }

  _onConnClose(info) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    if (info.by === 'client') {
      this._emit(makeEvent('close', { code: this._closeCode, reason: this._closeReason, wasClean: true }));
      return;
    }
    if (info.error) this._emit(makeEvent('error', { error: info.error, message: info.error.message }));
    if (info.by === 'shutdown') {
      this._emit(makeEvent('close', { code: 1001, reason: 'server shutdown', wasClean: true }));
      return;
    }
    const clean = info.by === 'server' && info.flushed;
    this._emit(makeEvent('close', { code: clean ? 1000 : 1006, reason: '', wasClean: clean }));
  }

  _emit(ev) {
    const handler = this['on' + ev.type];
    if (typeof handler === 'function') {
      try { handler.call(this, ev); } catch (err) { reportAsync(err); }
    }
    this.dispatchEvent(ev);
  }

  send(data) {
    if (this.readyState === 0) {
      throw new DOMException("Failed to execute 'send' on 'WebSocket': Still in CONNECTING state.", 'InvalidStateError');
    }
    if (this.readyState !== 1) return;
    if (typeof Blob === 'function' && data instanceof Blob) {
      const prev = this._sendChain ?? Promise.resolve();
      const next = prev.then(() => data.arrayBuffer()).then((buf) => {
        if (this.readyState === 1) this._conn.write(new Uint8Array(buf));
      });
      this._sendChain = next;
      next.finally(() => { if (this._sendChain === next) this._sendChain = null; });
      return;
    }
    const bytes = toBytes(data);
    if (this._sendChain) {
      const copy = bytes.slice();
      this._sendChain = this._sendChain.then(() => { if (this.readyState === 1) this._conn.write(copy); });
      return;
    }
    this._conn.write(bytes);
  }

  // Unlike a browser, any close code is accepted (browsers throw for codes other
  // than 1000 and 3000-4999; nats.ws sends 1002 on errors and would leave the
  // connection open).
  close(code, reason) {
    if (this.readyState === 2 || this.readyState === 3) return;
    this._closeCode = code ?? 1005;
    this._closeReason = reason ?? '';
    if (this.readyState === 0) {
      // Never opened: the spec fires error and close.
      this.readyState = 3;
      queueMicrotask(() => {
        this._emit(new Event('error'));
        this._emit(makeEvent('close', { code: 1006, reason: '', wasClean: false }));
      });
      return;
    }
    this.readyState = 2;
    this._conn.close();  // onclose of the connection follows in a microtask
  }
}

export default createServer;
