#!/usr/bin/env node
// A stand-in for a server binary (NATS_SERVER_BIN of the conformance runs):
//   server-bin.mjs -a HOST -p PORT [-js] [-sd DIR] [-n NAME] [-D] [-V]
// starts an in-process natrium-wasm server in this Node process and listens on
// HOST:PORT over TCP, for the tests that start private servers of their own.
// Streams live in memory whatever -sd says (a restart loses them), and there
// is no monitoring port (-m is accepted and ignored, with a warning).
// SIGTERM / SIGINT close the server and exit 0.
import { createServer } from '../../natrium.mjs';

const args = process.argv.slice(2);
const opt = { host: '127.0.0.1', port: 4222, jetstream: false, name: undefined, debug: false, trace: false };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const value = () => {
    if (i + 1 >= args.length) { console.error(`server-bin: ${a} needs a value`); process.exit(2); }
    return args[++i];
  };
  switch (a) {
    case '-a': case '--addr': case '--net': opt.host = value(); break;
    case '-p': case '--port': opt.port = Number(value()); break;
    case '-js': case '--jetstream': opt.jetstream = true; break;
    case '-sd': case '--store_dir': value(); break;  // memory only
    case '-n': case '--name': case '--server_name': opt.name = value(); break;
    case '-m': case '--http_port': value(); console.error('server-bin: no monitoring in natrium-wasm; -m ignored'); break;
    case '-D': opt.debug = true; break;
    case '-V': opt.trace = true; break;
    case '-DV': opt.debug = true; opt.trace = true; break;
    default: console.error(`server-bin: unknown option ${a}`); process.exit(2);
  }
}

const server = await createServer({
  jetstream: opt.jetstream,
  name: opt.name,
  host: opt.host,
  port: opt.port,
  debug: opt.debug,
  trace: opt.trace,
  log: (level, text) => console.error(`[${level}] ${text}`),
});
let listener;
try {
  listener = await server.listen({ host: opt.host, port: opt.port });
} catch (err) {
  console.error(`server-bin: cannot listen on ${opt.host}:${opt.port}: ${err.message}`);
  process.exit(1);
}
console.error(`[info] natrium-wasm ${server.serverId} listening on ${listener.url}${opt.jetstream ? ' (JetStream, memory)' : ''}`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
