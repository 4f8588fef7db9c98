// A tiny raw NATS protocol client over node:net, for exact wire checks.
// No client library: what the server sends is what the tests see.
import net from 'node:net';
import { HOST, PORT } from './helpers.mjs';

const CRLF = Buffer.from('\r\n');

export class Raw {
  constructor(sock) {
    this.sock = sock;
    this.rx = Buffer.alloc(0); // received, not yet framed
    this.buf = Buffer.alloc(0); // framed protocol, server PINGs removed
    this.serverPings = 0;
    this.autoPong = true;
    this.closed = false;
    this.error = null;
    this.waiters = new Set();
    sock.on('data', (d) => { this.rx = Buffer.concat([this.rx, d]); this.#frame(); this.#wake(); });
    sock.on('error', (e) => { this.error = e; });
    sock.on('close', () => {
      this.buf = Buffer.concat([this.buf, this.rx]); // whatever could not be framed
      this.rx = Buffer.alloc(0);
      this.closed = true;
      this.#wake();
    });
  }

  /**
   * Cut the received bytes into protocol frames (a control line, or a
   * MSG/HMSG line with its payload). A server-initiated `PING` (servers send
   * them on their own timers, nats-server about 2 s after connect) is
   * answered with PONG like any client does and kept out of what the tests
   * read; `serverPings` counts them.
   */
  #frame() {
    for (;;) {
      const i = this.rx.indexOf(CRLF);
      if (i < 0) return;
      const line = this.rx.subarray(0, i).toString('latin1');
      let len = i + 2;
      if (line.startsWith('MSG ') || line.startsWith('HMSG ')) {
        const size = Number(line.slice(line.lastIndexOf(' ') + 1));
        if (Number.isInteger(size) && size >= 0) {
          len += size + 2;
          if (this.rx.length < len) return; // wait for the payload
        }
      }
      const frame = this.rx.subarray(0, len);
      this.rx = this.rx.subarray(len);
      if (line === 'PING') {
        this.serverPings++;
        if (this.autoPong && !this.sock.destroyed) this.sock.write('PONG\r\n');
      } else {
        this.buf = Buffer.concat([this.buf, frame]);
      }
    }
  }

  #wake() { for (const w of [...this.waiters]) w(); }

  /**
   * Connect and read the INFO line. Returns the client with `infoLine` (the
   * exact text of the first line, CRLF included) and `info` (parsed JSON).
   */
  static async connect({ host = HOST, port = PORT, timeout = 3000 } = {}) {
    const sock = net.connect({ host, port, noDelay: true });
    await new Promise((resolve, reject) => {
      const t = setTimeout(() => { sock.destroy(); reject(new Error(`connect to ${host}:${port} timed out`)); }, timeout);
      sock.once('connect', () => { clearTimeout(t); resolve(); });
      sock.once('error', (e) => { clearTimeout(t); reject(e); });
    });
    const c = new Raw(sock);
    c.port = port;
    c.infoLine = await c.readLine(timeout);
    if (!c.infoLine.startsWith('INFO ')) throw new Error(`first line is not INFO: ${JSON.stringify(c.infoLine)}`);
    c.info = JSON.parse(c.infoLine.slice(5).trim());
    return c;
  }

  /** Connect, then send CONNECT with the given options (and nothing else). */
  static async open(opts = {}, conn = {}) {
    const c = await Raw.connect(conn);
    c.send(`CONNECT ${JSON.stringify({ verbose: false, pedantic: false, ...opts })}\r\n`);
    return c;
  }

  send(data) {
    this.sock.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Write `data` one byte per TCP write, waiting `gapMs` between writes. */
  async sendByteByByte(data, gapMs = 1) {
    const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    for (let i = 0; i < b.length; i++) {
      await new Promise((r) => this.sock.write(b.subarray(i, i + 1), r));
      await new Promise((r) => setTimeout(r, gapMs));
    }
  }

  /** Everything received and not yet consumed, as text. */
  pending() { return this.buf.toString('latin1'); }

  /** Wait until `pred()` is true; rejects on timeout. */
  #waitFor(pred, timeout, what) {
    return new Promise((resolve, reject) => {
      const check = () => {
        let v;
        try { v = pred(); } catch (e) { done(); reject(e); return; }
        if (v !== undefined && v !== false) { done(); resolve(v); }
      };
      const t = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeout}ms waiting for ${what}; unread: ${JSON.stringify(this.pending().slice(0, 300))}; unframed: ${JSON.stringify(this.rx.toString('latin1').slice(0, 300))}; closed=${this.closed}`));
      }, timeout);
      const done = () => { clearTimeout(t); this.waiters.delete(check); };
      this.waiters.add(check);
      check();
    });
  }

  /** Consume and return `n` bytes. */
  readBytes(n, timeout = 3000) {
    return this.#waitFor(() => {
      if (this.buf.length >= n) {
        const out = this.buf.subarray(0, n);
        this.buf = this.buf.subarray(n);
        return Buffer.from(out);
      }
      if (this.closed) throw new Error(`connection closed before ${n} bytes; unread ${JSON.stringify(this.pending())}`);
      return undefined;
    }, timeout, `${n} bytes`);
  }

  /** Consume and return the next line, CRLF included. */
  readLine(timeout = 3000) {
    return this.#waitFor(() => {
      const i = this.buf.indexOf(CRLF);
      if (i >= 0) {
        const line = this.buf.subarray(0, i + 2).toString('latin1');
        this.buf = this.buf.subarray(i + 2);
        return line;
      }
      if (this.closed) throw new Error(`connection closed while waiting for a line; unread ${JSON.stringify(this.pending())}`);
      return undefined;
    }, timeout, 'a CRLF-terminated line');
  }

  /**
   * Consume received text up to and including the first occurrence of
   * `marker`; returns the text before the marker.
   */
  readUntil(marker, timeout = 3000) {
    const m = Buffer.from(marker, 'latin1');
    return this.#waitFor(() => {
      const i = this.buf.indexOf(m);
      if (i >= 0) {
        const out = this.buf.subarray(0, i).toString('latin1');
        this.buf = this.buf.subarray(i + m.length);
        return { text: out };
      }
      if (this.closed) throw new Error(`connection closed before ${JSON.stringify(marker)}; unread ${JSON.stringify(this.pending())}`);
      return undefined;
    }, timeout, JSON.stringify(marker)).then((r) => r.text);
  }

  /**
   * Send PING and return everything the server sent before the matching PONG.
   * PONG is the server's answer after it processed all earlier input, so the
   * result is exactly what the earlier ops produced on this connection.
   */
  async sync(timeout = 3000) {
    this.send('PING\r\n');
    return this.readUntil('PONG\r\n', timeout);
  }

  /** Wait for the server to close the connection; returns all unread text. */
  async expectClosed(timeout = 3000) {
    await this.#waitFor(() => this.closed, timeout, 'the server to close the connection');
    const rest = this.pending();
    this.buf = Buffer.alloc(0);
    return rest;
  }

  /** Read one MSG or HMSG: { op, subject, sid, reply, hdrLen, size, headers, payload }. */
  async readMsg(timeout = 3000) {
    const line = await this.readLine(timeout);
    const parts = line.slice(0, -2).split(' ');
    const op = parts[0];
    let subject, sid, reply = null, hdrLen = 0, size;
    if (op === 'MSG' && (parts.length === 4 || parts.length === 5)) {
      [subject, sid] = parts.slice(1, 3);
      if (parts.length === 5) reply = parts[3];
      size = Number(parts[parts.length - 1]);
    } else if (op === 'HMSG' && (parts.length === 5 || parts.length === 6)) {
      [subject, sid] = parts.slice(1, 3);
      if (parts.length === 6) reply = parts[3];
      hdrLen = Number(parts[parts.length - 2]);
      size = Number(parts[parts.length - 1]);
    } else {
      throw new Error(`not a MSG/HMSG line: ${JSON.stringify(line)}`);
    }
    const body = await this.readBytes(size + 2, timeout);
    if (body.subarray(size).toString('latin1') !== '\r\n') {
      throw new Error(`message body not followed by CRLF: ${JSON.stringify(body.toString('latin1'))}`);
    }
    return {
      line,
      op,
      subject,
      sid,
      reply,
      hdrLen,
      size,
      headers: body.subarray(0, hdrLen).toString('latin1'),
      payload: body.subarray(hdrLen, size),
    };
  }

  close() {
    this.sock.destroy();
  }
}

/** Open `n` raw connections with the same CONNECT options. */
export async function openMany(n, opts = {}) {
  return Promise.all(Array.from({ length: n }, () => Raw.open(opts)));
}
