// Which connections go over WebSocket: those to the server under test.
const tcp = new URL(process.env.NATS_URL ?? 'nats://127.0.0.1:4222');
const main = new Set([`${tcp.hostname}:${tcp.port || 4222}`, `nats://${tcp.hostname}:${tcp.port || 4222}`]);

/** True when every server in `servers` is the server under test. */
export function isServerUnderTest(servers) {
  const list = servers === undefined ? [] : Array.isArray(servers) ? servers : [servers];
  if (list.length === 0) return true; // the clients' default: NATS_URL's server in these suites
  return list.every((s) => main.has(String(s)));
}

export const WS_URL = process.env.NATS_WS_URL;
