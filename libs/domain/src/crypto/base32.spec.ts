import { DomainErrorCode } from '../errors/domain-error';
import { base32Decode, base32Encode } from './base32';

// RFC 4648 section 10 test vectors.
const vectors: Array<[string, string]> = [
  ['', ''],
  ['f', 'MY======'],
  ['fo', 'MZXQ===='],
  ['foo', 'MZXW6==='],
  ['foob', 'MZXW6YQ='],
  ['fooba', 'MZXW6YTB'],
  ['foobar', 'MZXW6YTBOI======'],
];

describe('base32', () => {
  it.each(vectors)('encodes %j as %s', (plain, encoded) => {
    expect(base32Encode(Buffer.from(plain), { padding: true })).toBe(encoded);
    expect(base32Encode(Buffer.from(plain))).toBe(encoded.replace(/=/g, ''));
  });

  it.each(vectors)('decodes %j from %s, padded or not, any case', (plain, encoded) => {
    expect(base32Decode(encoded).toString()).toBe(plain);
    expect(base32Decode(encoded.replace(/=/g, '').toLowerCase()).toString()).toBe(plain);
  });

  it('reads grouped seeds as apps show them', () => {
    expect(base32Decode('GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ').toString()).toBe('12345678901234567890');
  });

  it('round-trips random bytes', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff));
      expect(base32Decode(base32Encode(bytes))).toEqual(bytes);
    }
  });

  it.each(['MZXW1===', 'M', 'MZX', 'MZXW6Y'])('rejects %s', (text) => {
    expect(() => base32Decode(text)).toThrow(expect.objectContaining({ code: DomainErrorCode.InvalidBase32 }));
  });
});
