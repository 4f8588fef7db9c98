// NatriumServer.listen() (Node only): a TCP listener, or with `websocket: true`
// a WebSocket listener (the `ws` package), that bridges every accepted socket
// to a connection of the in-process server. natrium.mjs imports this module
// only when listen() is called, so browsers never load node:net.
//
// Per connection:
// - socket -> server: each chunk read is written to the connection at once;
//   when the node stalls a publisher (set_reading) the socket is paused, and
//   resumed when the node says so.
// - server -> socket: each chunk the node sends is written to the socket, and
//   the node learns it was flushed only when the socket took it. Until then the
//   node keeps the connection's later output in its own bounded buffer
//   (maxPending), so a client that does not read becomes a slow consumer and is
//   closed, as with the native server.
// - close: the client closing (or resetting) its socket closes the connection;
//   the server closing the connection ends the socket after the last byte
//   (a protocol error's -ERR arrives), or destroys it without a flush (slow
//   consumer, server.close(), listener.close()).

// Module names in variables: bundlers leave the imports alone.
const NODE_NET = 'node:net';
const WS = 'ws';

function isNode() {
  return typeof process !== 'undefined' && process.versions != null && process.versions.node != null;
}

/** Bridges `conn` (a transport connection) to a transport: { write, end, destroy, pause, resume }. */
function bridge(conn, t) {
  conn.ondata = (chunk) => {
    t.write(chunk, (err) => { if (!err) conn.server._flushed(conn, chunk.length); });
  };
  conn.onclose = (info) => {
    if (info.by === 'server' && info.flushed) t.end();
    else t.destroy();
  };
  conn.onreading = (enabled) => (enabled ? t.resume() : t.pause());
}

function openConnection(server) {
  try {
    return server._connectTransport();
  } catch {
    return null;  // server closed or failed: the caller drops the socket
  }
}

function toInput(conn, data) {
  if (conn.closed) return;
  try {
    conn.write(data);
  } catch {
    conn.close();
  }
}

async function listenTcp(server, port, host) {
  const net = await import(NODE_NET);
  const sockets = new Set();
  const srv = net.createServer({ noDelay: true }, (socket) => {
    const conn = openConnection(server);
    if (!conn) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    bridge(conn, {
      write: (bytes, done) => socket.write(bytes, done),
      end: () => socket.end(),
      destroy: () => socket.destroy(),
      pause: () => socket.pause(),
      resume: () => socket.resume(),
    });
    socket.on('data', (b) => toInput(conn, b));
    socket.on('error', () => { /* 'close' follows */ });
    socket.on('close', () => {
      sockets.delete(socket);
      conn.close();
    });
  });
  await new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, host, () => {
      srv.off('error', reject);
      resolve();
    });
  });
  return {
    srv,
    address: srv.address(),
    scheme: 'nats',
    stop: () => new Promise((resolve) => {
      srv.close(() => resolve());
      for (const s of sockets) s.destroy();
    }),
  };
}

async function listenWebSocket(server, port, host) {
  let ws;
  try {
    ws = await import(WS);
  } catch (err) {
    throw new Error("natrium: listen({ websocket: true }) needs the 'ws' package (npm install ws)", { cause: err });
  }
  const WebSocketServer = ws.WebSocketServer ?? ws.default?.WebSocketServer ?? ws.Server ?? ws.default?.Server;
  const wss = new WebSocketServer({ port, host, perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    wss.once('error', reject);
    wss.once('listening', () => {
      wss.off('error', reject);
      resolve();
    });
  });
  wss.on('connection', (socket) => {
    const conn = openConnection(server);
    if (!conn) {
      socket.terminate();
      return;
    }
    bridge(conn, {
      write: (bytes, done) => socket.send(bytes, { binary: true }, done),
      end: () => socket.close(1000),
      destroy: () => socket.terminate(),
      pause: () => socket.pause?.(),
      resume: () => socket.resume?.(),
    });
    socket.on('message', (data) => {
      // Buffer, or Buffer[] for fragmented messages with some binaryType settings.
      if (Array.isArray(data)) for (const d of data) toInput(conn, d);
      else toInput(conn, data);
    });
    socket.on('error', () => { /* 'close' follows */ });
    socket.on('close', () => conn.close());
  });
  return {
    srv: wss._server ?? null,
    address: wss.address(),
    scheme: 'ws',
    stop: () => new Promise((resolve) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => resolve());
    }),
  };
}

/**
 * Starts a listener for `server`. Options: port (0: any free port), host
 * (default 127.0.0.1), websocket (default false).
 */
export async function listen(server, options = {}) {
  if (!isNode()) throw new Error('natrium: listen() needs Node (browsers cannot accept connections)');
  const { port = 0, host = '127.0.0.1', websocket = false } = options ?? {};
  const impl = websocket ? await listenWebSocket(server, port, host) : await listenTcp(server, port, host);
  let closing = null;
  const listener = {
    port: impl.address.port,
    host,
    url: `${impl.scheme}://${host.includes(':') ? `[${host}]` : host}:${impl.address.port}`,
    websocket: Boolean(websocket),
    _onclosed: null,
    /** Stops accepting and closes the connections accepted here. Safe to call twice. */
    close() {
      if (!closing) {
        closing = impl.stop().then(() => { listener._onclosed?.(); });
      }
      return closing;
    },
    /** The listener no longer keeps Node's event loop alive (its connections still do). */
    unref() {
      impl.srv?.unref();
      return listener;
    },
    ref() {
      impl.srv?.ref();
      return listener;
    },
  };
  return listener;
}
