// Deterministic JSON: object keys sorted by UTF-16 code units, no whitespace, numbers and
// strings as JSON.stringify writes them. For JSON data this matches RFC 8785 (JCS), so any
// other implementation can recompute a record hash byte for byte.
export function canonicalJson(value: unknown): string {
  let out: string | undefined;
  try {
    out = quick(value, 0);
  } catch (err) {
    if (err !== UNUSUAL) throw err;
    out = encode(value, new Set<object>(), []);
  }
  if (out === undefined) throw new TypeError('canonicalJson: value at $ is not representable in JSON');
  return out;
}

// The same encoding for the usual case (plain data a few levels deep), with no bookkeeping for
// error messages: anything else (a non-finite number, a bigint, toJSON, deep or circular data)
// is handed to encode() below, which writes the same text or the precise error.
const UNUSUAL = Symbol('unusual');
const QUICK_DEPTH = 32;

function quick(value: unknown, depth: number): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw UNUSUAL;
      return JSON.stringify(value);
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'bigint':
      throw UNUSUAL;
  }
  const obj = value as Record<string, unknown> & { toJSON?: unknown };
  if (depth >= QUICK_DEPTH || typeof obj.toJSON === 'function') throw UNUSUAL;
  if (Array.isArray(obj)) {
    let out = '[';
    for (let i = 0; i < obj.length; i++) out += (i > 0 ? ',' : '') + (quick(obj[i], depth + 1) ?? 'null');
    return out + ']';
  }
  let out = '{';
  const keys = Object.keys(obj);
  if (keys.length > 1) keys.sort();
  for (const key of keys) {
    const encoded = quick(obj[key], depth + 1);
    if (encoded !== undefined) out += (out.length > 1 ? ',' : '') + JSON.stringify(key) + ':' + encoded;
  }
  return out + '}';
}

// `path` holds the keys and indexes down to `value`; it is spelled out only in an error (the hot
// path builds no strings for it).
function encode(value: unknown, ancestors: Set<object>, path: Array<string | number>): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number at ${spell(path)}`);
      return JSON.stringify(value);
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined; // dropped from objects, null in arrays, as JSON.stringify does
    case 'bigint':
      throw new TypeError(`canonicalJson: bigint at ${spell(path)}`);
  }
  const obj = value as Record<string, unknown> & { toJSON?: () => unknown };
  if (typeof obj.toJSON === 'function') return encode(obj.toJSON(), ancestors, path);
  if (ancestors.has(obj)) throw new TypeError(`canonicalJson: circular reference at ${spell(path)}`);
  ancestors.add(obj);
  try {
    if (Array.isArray(obj)) {
      let out = '[';
      for (let i = 0; i < obj.length; i++) {
        path.push(i);
        out += (i > 0 ? ',' : '') + (encode(obj[i], ancestors, path) ?? 'null');
        path.pop();
      }
      return out + ']';
    }
    let out = '{';
    for (const key of Object.keys(obj).sort()) {
      path.push(key);
      const encoded = encode(obj[key], ancestors, path);
      path.pop();
      if (encoded !== undefined) out += (out.length > 1 ? ',' : '') + JSON.stringify(key) + ':' + encoded;
    }
    return out + '}';
  } finally {
    ancestors.delete(obj);
  }
}

function spell(path: Array<string | number>): string {
  return '$' + path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
}
