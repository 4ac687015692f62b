import { canonicalJson } from './canonical-json';
import { GENESIS_HASH } from './event-store';
import { computeRecordHash, hashFromCanonicalParts } from './record-hash';

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x', null], c: true } })).toBe('{"a":{"c":true,"d":[1,"x",null]},"b":1}');
  });

  it('gives the same text for objects that differ only in key order', () => {
    expect(canonicalJson({ x: 1, y: { p: 'q', o: [2, 3] } })).toBe(canonicalJson({ y: { o: [2, 3], p: 'q' }, x: 1 }));
  });

  it('drops undefined object members and writes undefined array items as null, like JSON', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1] })).toBe('{"b":[null,1]}');
  });

  it('uses toJSON (dates become ISO strings)', () => {
    expect(canonicalJson({ at: new Date('2026-01-02T03:04:05.000Z') })).toBe('{"at":"2026-01-02T03:04:05.000Z"}');
  });

  it('escapes strings as JSON does', () => {
    expect(canonicalJson({ 'k"': 'line\nbreak é' })).toBe('{"k\\"":"line\\nbreak é"}');
  });

  it.each([[{ n: NaN }], [{ n: Infinity }], [{ n: BigInt(1) }], [undefined]])('rejects %p', (value) => {
    expect(() => canonicalJson(value)).toThrow(TypeError);
  });

  it('rejects circular structures', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(() => canonicalJson(a)).toThrow(/circular/);
  });

  it('writes deeply nested data, and data with toJSON below the top, the same way as shallow data', () => {
    let deep: unknown = { leaf: [1, { z: 'z', a: 'a' }] };
    let expected = '{"leaf":[1,{"a":"a","z":"z"}]}';
    for (let i = 0; i < 40; i++) {
      deep = { [`k${i}`]: deep, a: i };
      expected = `{"a":${i},"k${i}":${expected}}`;
    }
    expect(canonicalJson(deep)).toBe(expected);
    expect(canonicalJson({ b: [{ at: new Date('2026-01-02T03:04:05.000Z') }], a: false })).toBe('{"a":false,"b":[{"at":"2026-01-02T03:04:05.000Z"}]}');
    expect(() => canonicalJson({ a: [{ b: { n: -Infinity } }] })).toThrow(/non-finite number at \$\.a\[0\]\.b\.n/);
  });

  it('accepts a shared (non-circular) sub-object twice', () => {
    const shared = { v: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"v":1},"b":{"v":1}}');
  });
});

describe('computeRecordHash', () => {
  const record = {
    position: 1,
    streamId: 'user-1',
    streamVersion: 1,
    type: 'UserCreated',
    schemaVersion: 1,
    payload: { name: 'Ada', tags: ['a', 'b'] },
    metadata: { actor: 'system', nodeId: 'n1', epoch: 0 },
    timestamp: '2026-01-01T00:00:00.000Z',
    prevHash: GENESIS_HASH,
  };

  it('is SHA-256 hex and changes when any field changes', () => {
    const h = computeRecordHash(record);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(computeRecordHash({ ...record, payload: { name: 'Bob', tags: ['a', 'b'] } })).not.toBe(h);
    expect(computeRecordHash({ ...record, position: 2 })).not.toBe(h);
    expect(computeRecordHash({ ...record, prevHash: 'f'.repeat(64) })).not.toBe(h);
  });

  it('matches the fast path the store uses on canonical stored text', () => {
    const { payload, metadata, ...rest } = record;
    expect(hashFromCanonicalParts(rest, canonicalJson(payload), canonicalJson(metadata))).toBe(computeRecordHash(record));
  });

  it('matches it for names that need escaping or are not ASCII (quotes, backslashes, controls, accents, lone surrogates)', () => {
    const { payload, metadata, ...rest } = record;
    for (const name of ['user-"1"', 'a\\b', 'tab\there', 'del\u007f', 'café', 'emoji 🙂', 'lone \ud800', '']) {
      const odd = { ...rest, streamId: name, type: name, timestamp: name, prevHash: name };
      expect(hashFromCanonicalParts(odd, canonicalJson(payload), canonicalJson(metadata))).toBe(computeRecordHash({ ...odd, payload, metadata }));
    }
  });
});
