import { createHash } from 'node:crypto';
import { generateHotp, verifyHotpCodes } from './oath';
import { OathCodeCache } from './oath-code-cache';

const seedOf = (s: string) => createHash('sha1').update(s).digest();
const token = (tokenId: string, tag: string) => ({ tokenId, digits: 6, algorithm: 'SHA1' as const, seed: { alg: 'A256GCM' as const, keyId: 'k1', iv: 'iv', tag, ct: 'ct' } });

describe('OathCodeCache', () => {
  it('gives the RFC 4226 codes of the window and opens the seed only when the window moves past what it holds', () => {
    const cache = new OathCodeCache();
    const seed = seedOf('a');
    let opened = 0;
    const open = () => { opened += 1; return seed; };
    for (let counter = 0; counter < 40; counter++) {
      const codeAt = cache.hotp(token('t1', 'x'), counter, open);
      for (let c = counter; c <= counter + 10; c++) expect(codeAt(c)).toBe(generateHotp(seed, c));
      // What a sign-in with the token's next code finds.
      expect(verifyHotpCodes({ codeAt, code: generateHotp(seed, counter + 3), counter, lookAhead: 10 })).toEqual({ ok: true, counter: counter + 3, nextCounter: counter + 4 });
    }
    expect(opened).toBeLessThanOrEqual(4); // 40 sign-ins, 16 counters per opening
  });

  it('starts afresh for a token whose seed was sealed again (a new seed), and keeps tokens apart', () => {
    const cache = new OathCodeCache();
    const [a, b] = [seedOf('a'), seedOf('b')];
    expect(cache.hotp(token('t1', 'x'), 0, () => a)(5)).toBe(generateHotp(a, 5));
    expect(cache.hotp(token('t1', 'y'), 0, () => b)(5)).toBe(generateHotp(b, 5));
    expect(cache.hotp(token('t2', 'y'), 0, () => a)(5)).toBe(generateHotp(a, 5));
  });

  it('forgets the least recently used token beyond its size', () => {
    const cache = new OathCodeCache(2);
    for (const id of ['t1', 't2', 't3']) cache.hotp(token(id, 'x'), 0, () => seedOf(id))(0);
    expect(cache.size).toBe(2);
    let opened = false;
    cache.hotp(token('t1', 'x'), 0, () => { opened = true; return seedOf('t1'); })(0);
    expect(opened).toBe(true);
  });
});
