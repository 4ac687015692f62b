// Loaded with NODE_OPTIONS="--require .../test-hosts-preload.js" into a CLI or server child process:
// resolves the names in TEST_RESOLVE_HOSTS ("name=address,name=address") without touching
// /etc/hosts, so tests can reach a node by a DNS name that is not its node name.
'use strict';
const dns = require('node:dns');

const table = new Map(
  (process.env.TEST_RESOLVE_HOSTS || '').split(',').filter(Boolean).map((pair) => {
    const [name, address] = pair.split('=');
    return [name.toLowerCase(), address];
  }),
);
const original = dns.lookup;
dns.lookup = function lookup(hostname, options, callback) {
  const address = typeof hostname === 'string' ? table.get(hostname.toLowerCase()) : undefined;
  if (!address) return original.call(dns, hostname, options, callback);
  const cb = typeof options === 'function' ? options : callback;
  const family = address.includes(':') ? 6 : 4;
  const all = typeof options === 'object' && options !== null && options.all;
  process.nextTick(() => (all ? cb(null, [{ address, family }]) : cb(null, address, family)));
  return undefined;
};
