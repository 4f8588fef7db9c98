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
  /**
   * INFO host and port. Left out, the first listen() of the server (before any
   * connection) puts the listener's address there; otherwise 0.0.0.0 and 4222.
   */
  host?: string;
  port?: number;
}

/** Options of NatriumServer.listen() (Node only). */
export interface ListenOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Address to bind; default '127.0.0.1'. */
  host?: string;
  /**
   * Accept WebSocket connections (NATS over WebSocket, as nats.ws and wsconnect
   * speak it) instead of plain TCP. Needs the `ws` package installed. Default false.
   */
  websocket?: boolean;
}

/** A running listener: every accepted socket is a connection of the server. */
export interface Listener {
  readonly port: number;
  readonly host: string;
  /** `nats://host:port`, or `ws://host:port` for a WebSocket listener. */
  readonly url: string;
  readonly websocket: boolean;
  /** Stops accepting and closes the connections accepted here. Safe to call twice. */
  close(): Promise<void>;
  /** The listener no longer keeps Node's event loop alive (its connections still do). */
  unref(): this;
  ref(): this;
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

/** NatriumServer.WebSocket: a WebSocket constructor whose sockets all go to that server. */
export interface BoundNatriumWebSocketConstructor {
  new (url: string | URL, protocols?: string | string[]): NatriumWebSocket;
  readonly prototype: NatriumWebSocket;
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSING: 2;
  readonly CLOSED: 3;
}

export declare class NatriumServer {
  readonly serverId: string;
  readonly name: string;
  readonly closed: boolean;
  /**
   * A WebSocket constructor bound to this server, for clients that construct
   * their own sockets: `globalThis.WebSocket = server.WebSocket` (in TypeScript
   * `(globalThis as any).WebSocket = server.WebSocket`). The URL is ignored.
   */
  readonly WebSocket: BoundNatriumWebSocketConstructor;
  /**
   * The `wsFactory` connect option of nats.ws and of @nats-io/nats-core's
   * wsconnect: `connect({ servers: 'ws://natrium', wsFactory: server.wsFactory })`.
   * The socket is a NatriumWebSocket, typed `any` so that it fits both clients'
   * `WebSocket`-typed factories.
   */
  readonly wsFactory: (url: string, opts?: unknown) => Promise<{ socket: any; encrypted: boolean }>;
  /** Opens a raw virtual connection. */
  connect(): Connection;
  /** A WebSocket look-alike on a new virtual connection (it opens in a later task). */
  socket(url?: string): NatriumWebSocket;
  stats(): ServerStats;
  /**
   * Node only: a TCP (or WebSocket) listener whose connections are this
   * server's, so any NATS client (nats, @nats-io/transport-node, nats.c, the
   * natrium or nats CLI) can connect to `listener.url`. Closed by server.close().
   */
  listen(options?: ListenOptions): Promise<Listener>;
  /** Closes every connection ('shutdown') and its listeners, and frees the server. */
  close(): Promise<void>;
}

/** Starts an in-process server: its own WebAssembly instance. */
export declare function createServer(options?: ServerOptions): Promise<NatriumServer>;
export default createServer;
