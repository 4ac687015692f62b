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

const unusual = (): never => {
  throw UNUSUAL;
};

function quick(value: unknown, depth: number): string | undefined {
  const text = scalar(value, unusual);
  if (text !== OBJECT) return text;
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
  const text = scalar(value, (what) => {
    throw new TypeError(`canonicalJson: ${what} at ${spell(path)}`);
  });
  if (text !== OBJECT) return text;
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

const OBJECT = Symbol('object');

// A value that is not an object or array, as JSON text (undefined: dropped from objects and null
// in arrays, as JSON.stringify does); OBJECT for an object or array; `refuse` for what JSON
// cannot hold.
function scalar(value: unknown, refuse: (what: string) => never): string | undefined | typeof OBJECT {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : refuse('non-finite number');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'bigint':
      return refuse('bigint');
  }
  return OBJECT;
}

function spell(path: Array<string | number>): string {
  return '$' + path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
}
