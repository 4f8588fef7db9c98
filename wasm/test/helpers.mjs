// Test helpers: read a virtual connection as text and wait for what arrives.
const decoder = new TextDecoder('latin1');  // byte-exact: one char per byte

export function reader(conn) {
  const r = {
    text: '',
    closed: null,
    _waiters: new Set(),
    _check() {
      for (const w of r._waiters) w();
    },
    /** Resolves when pred(text) is true; fails after ms. */
    until(pred, what = 'condition', ms = 3000) {
      return new Promise((resolve, reject) => {
        const done = () => {
          if (!pred(r.text)) return false;
          r._waiters.delete(check);
          clearTimeout(timer);
          resolve(r.text);
          return true;
        };
        const check = () => {
          if (done()) return;
          if (r.closed) {
            r._waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`connection closed while waiting for ${what}; got ${JSON.stringify(r.text)}`));
          }
        };
        const timer = setTimeout(() => {
          r._waiters.delete(check);
          reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(r.text)}`));
        }, ms);
        r._waiters.add(check);
        check();
      });
    },
    /** Waits for the connection to close. */
    untilClosed(ms = 3000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!r.closed) return;
          r._waiters.delete(check);
          clearTimeout(timer);
          resolve(r.closed);
        };
        const timer = setTimeout(() => {
          r._waiters.delete(check);
          reject(new Error(`timed out waiting for close; got ${JSON.stringify(r.text)}`));
        }, ms);
        r._waiters.add(check);
        check();
      });
    },
    /** Waits for a string, then removes everything up to and including it. */
    async take(s, ms) {
      await r.until((t) => t.includes(s), JSON.stringify(s), ms);
      const i = r.text.indexOf(s) + s.length;
      const got = r.text.slice(0, i);
      r.text = r.text.slice(i);
      return got;
    },
  };
  conn.ondata = (bytes) => {
    r.text += decoder.decode(bytes);
    r._check();
  };
  conn.onclose = (info) => {
    r.closed = info;
    r._check();
  };
  return r;
}

/** Opens a connection, sends CONNECT and waits past INFO. Returns { conn, r, info }. */
export async function client(server, connectJson = '{"verbose":false}') {
  const conn = server.connect();
  const r = reader(conn);
  const infoLine = await r.take('\r\n');
  conn.write(`CONNECT ${connectJson}\r\n`);
  return { conn, r, info: JSON.parse(infoLine.slice(5)) };
}

/**
 * Sends PING and waits for its PONG: everything sent before has been processed.
 * Removes that PONG from the text and leaves the rest for the test to check.
 */
export async function flush(c) {
  c.conn.write('PING\r\n');
  await c.r.until((t) => t.includes('PONG\r\n'), 'PONG');
  const i = c.r.text.indexOf('PONG\r\n');
  c.r.text = c.r.text.slice(0, i) + c.r.text.slice(i + 6);
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
