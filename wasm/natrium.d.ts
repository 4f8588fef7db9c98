// Type declarations for natrium-wasm (natrium.mjs).

export interface ServerOptions {
  /** INFO server_name; defaults to the server id. */
  name?: string;
  /** Seeds the node's PRNG (server id, queue-group picks). Same seed, same server id. Default 1. */
  seed?: number | bigint;
  /**
   * Enable JetStream (streams, consumers, KV). Everything is kept in memory
   * (file-storage streams too) and lost when the server is closed. Default false.
   */
  jetstream?: boolean;
  /** Emit debug / protocol-trace log lines to `log`. */
  debug?: boolean;
  trace?: boolean;
  /** Receives the node's log lines (slow consumers, and with debug/trace more); without it they are dropped. */
  log?: (level: 'error' | 'warn' | 'info' | 'debug' | 'trace', text: string) => void;
  /** Limits (nats-server defaults apply when left out). */
  maxPayload?: number;
  maxControlLine?: number;
  maxConnections?: number;
  /** Per connection; 0: unlimited. */
  maxSubscriptions?: number;
  maxPending?: number;
  /** Server PING interval (default 120000 ms; the first PING comes after min(interval, 2 s)). */
  pingIntervalMs?: number;
  /** Unanswered PINGs before the server closes with 'Stale Connection' (default 2). */
  pingMaxOut?: number;
  writeDeadlineMs?: number;
  /** INFO host and port (nothing listens on them). */
  host?: string;
  port?: number;
}

export interface ServerStats {
  inMsgs: number;
  outMsgs: number;
  inBytes: number;
  outBytes: number;
  totalConnections: number;
  slowConsumers: number;
  connections: number;
  subscriptions: number;
}

export interface CloseInfo {
  /**
   * 'server': the server closed it (protocol error, stale connection, slow consumer...);
   * 'client': Connection.close(); 'shutdown': NatriumServer.close();
   * 'error': the server's WebAssembly instance failed (see `error`).
   */
  by: 'server' | 'client' | 'shutdown' | 'error';
  error: Error | null;
  /** For 'server': whether everything it had to send was delivered first. */
  flushed: boolean;
}

/** A raw virtual connection: the client end of a NATS connection, in bytes. */
export declare class Connection {
  readonly server: NatriumServer;
  readonly id: number;
  readonly closed: boolean;
  /** Protocol bytes from the server, in order, in chunks of any size. Called in a microtask, never inside write(). */
  ondata: ((chunk: Uint8Array) => void) | null;
  /** Called once, after the last data. */
  onclose: ((info: CloseInfo) => void) | null;
  /** Sends protocol bytes to the server (strings are UTF-8 encoded). Throws once closed. */
  write(data: string | Uint8Array | ArrayBuffer | ArrayBufferView): void;
  /** Closes from the client side; undelivered data is dropped. */
  close(): void;
  on(type: 'data', fn: (chunk: Uint8Array) => void): this;
  on(type: 'close', fn: (info: CloseInfo) => void): this;
  off(type: 'data' | 'close', fn: (...args: any[]) => void): this;
}

/**
 * Enough of the browser WebSocket API for nats.ws. Message events carry chunks
 * of the NATS protocol (ArrayBuffer, or Blob with binaryType 'blob'). The URL is
 * ignored. bufferedAmount is always 0.
 */
export declare class NatriumWebSocket extends EventTarget {
  static readonly CONNECTING: 0;
  static readonly OPEN: 1;
  static readonly CLOSING: 2;
  static readonly CLOSED: 3;
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSING: 2;
  readonly CLOSED: 3;
  constructor(server: NatriumServer, url?: string | URL, protocols?: string | string[]);
  readonly url: string;
  readonly protocol: string;
  readonly extensions: string;
  readonly bufferedAmount: number;
  readonly readyState: 0 | 1 | 2 | 3;
  binaryType: 'blob' | 'arraybuffer';
  onopen: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  onclose: ((ev: Event & { code: number; reason: string; wasClean: boolean }) => void) | null;
  onerror: ((ev: Event) => void) | null;
  send(data: string | ArrayBuffer | ArrayBufferView | Blob): void;
  close(code?: number, reason?: string): void;
}

export declare class NatriumServer {
  readonly serverId: string;
  readonly name: string;
  readonly closed: boolean;
  /** A WebSocket constructor bound to this server: `globalThis.WebSocket = server.WebSocket`. */
  readonly WebSocket: { new (url: string | URL, protocols?: string | string[]): NatriumWebSocket };
  /** For nats.ws: `connect({ servers: 'ws://natrium', wsFactory: server.wsFactory })`. */
  readonly wsFactory: (url: string) => { socket: NatriumWebSocket; encrypted: boolean };
  /** Opens a raw virtual connection. */
  connect(): Connection;
  /** A WebSocket look-alike on a new virtual connection (it opens in a later task). */
  socket(url?: string): NatriumWebSocket;
  stats(): ServerStats;
  /** Closes every connection ('shutdown') and frees the server. */
  close(): Promise<void>;
}

/** Starts an in-process server: its own WebAssembly instance (about 270 kB, ~10 ms). */
export declare function createServer(options?: ServerOptions): Promise<NatriumServer>;
export default createServer;
