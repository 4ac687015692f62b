// Deterministic JSON: object keys sorted by UTF-16 code units, no whitespace, numbers and
// strings as JSON.stringify writes them. For JSON data this matches RFC 8785 (JCS), so any
// other implementation can recompute a record hash byte for byte.
export function canonicalJson(value: unknown): string {
  const out = encode(value, new Set<object>(), '$');
  if (out === undefined) throw new TypeError('canonicalJson: value at $ is not representable in JSON');
  return out;
}

function encode(value: unknown, ancestors: Set<object>, path: string): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number at ${path}`);
      return JSON.stringify(value);
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined; // dropped from objects, null in arrays, as JSON.stringify does
    case 'bigint':
      throw new TypeError(`canonicalJson: bigint at ${path}`);
  }
  const obj = value as Record<string, unknown> & { toJSON?: () => unknown };
  if (typeof obj.toJSON === 'function') return encode(obj.toJSON(), ancestors, path);
  if (ancestors.has(obj)) throw new TypeError(`canonicalJson: circular reference at ${path}`);
  ancestors.add(obj);
  try {
    if (Array.isArray(obj)) {
      const items = obj.map((item, i) => encode(item, ancestors, `${path}[${i}]`) ?? 'null');
      return `[${items.join(',')}]`;
    }
    const parts: string[] = [];
    for (const key of Object.keys(obj).sort()) {
      const encoded = encode(obj[key], ancestors, `${path}.${key}`);
      if (encoded !== undefined) parts.push(`${JSON.stringify(key)}:${encoded}`);
    }
    return `{${parts.join(',')}}`;
  } finally {
    ancestors.delete(obj);
  }
}
