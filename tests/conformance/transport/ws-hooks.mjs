// Module resolve hooks (node:module register) for ws-preload.mjs: redirect the
// two TCP client packages to their WebSocket shims, except for the shims' own
// imports of the real packages.
const shims = {
  nats: new URL('./nats-ws-shim.mjs', import.meta.url).href,
  '@nats-io/transport-node': new URL('./transport-node-ws-shim.mjs', import.meta.url).href,
};
const shimUrls = new Set(Object.values(shims));

export async function resolve(specifier, context, next) {
  const target = shims[specifier];
  if (target && !shimUrls.has(context.parentURL)) return { url: target, shortCircuit: true };
  return next(specifier, context);
}
