import { randomBytes } from 'node:crypto';
import { DuplicateRequestCache, duplicateRequestKey } from './duplicate-request-cache';

const answer = (s: string) => Buffer.from(s);

describe('DuplicateRequestCache', () => {
  it('keys on source address, port, identifier and request authenticator', () => {
    const authenticator = randomBytes(16);
    const base = duplicateRequestKey('10.0.0.1', 1645, { identifier: 7, authenticator });
    expect(duplicateRequestKey('10.0.0.1', 1645, { identifier: 7, authenticator: Buffer.from(authenticator) })).toBe(base);
    expect(duplicateRequestKey('10.0.0.2', 1645, { identifier: 7, authenticator })).not.toBe(base);
    expect(duplicateRequestKey('10.0.0.1', 1646, { identifier: 7, authenticator })).not.toBe(base);
    expect(duplicateRequestKey('10.0.0.1', 1645, { identifier: 8, authenticator })).not.toBe(base);
    expect(duplicateRequestKey('10.0.0.1', 1645, { identifier: 7, authenticator: randomBytes(16) })).not.toBe(base);
  });

  it('drops a retransmission while the first copy is being processed, then replays the answer', () => {
    const sut = new DuplicateRequestCache();
    expect(sut.begin('k', 1000)).toBe('new');
    expect(sut.begin('k', 1500)).toBe('in-progress');
    expect(sut.get('k', 1500)).toBeUndefined();
    sut.set('k', answer('accept'), 2000);
    expect(sut.begin('k', 3000)).toEqual({ cached: answer('accept') });
    expect(sut.get('k', 3000)).toEqual(answer('accept'));
  });

  it('forgets answers after the TTL (default 30 s)', () => {
    const sut = new DuplicateRequestCache();
    sut.begin('k', 0);
    sut.set('k', answer('a'), 0);
    expect(sut.get('k', 29_999)).toEqual(answer('a'));
    expect(sut.get('k', 30_000)).toBeUndefined();
    expect(sut.begin('k', 30_000)).toBe('new');
  });

  it('releases a stuck in-progress mark after inProgressTtlMs, and delete() releases it at once', () => {
    const sut = new DuplicateRequestCache({ inProgressTtlMs: 5000 });
    sut.begin('k', 0);
    expect(sut.begin('k', 4999)).toBe('in-progress');
    expect(sut.begin('k', 5000)).toBe('new');
    sut.delete('k');
    expect(sut.begin('k', 5001)).toBe('new');
  });

  it('keeps at most maxEntries, evicting the oldest first', () => {
    const sut = new DuplicateRequestCache({ maxEntries: 3 });
    for (const k of ['a', 'b', 'c', 'd']) sut.set(k, answer(k), 10);
    expect(sut.size).toBe(3);
    expect(sut.get('a', 10)).toBeUndefined();
    expect(sut.get('d', 10)).toEqual(answer('d'));
    sut.set('b', answer('b2'), 11); // rewritten entries become the newest
    sut.set('e', answer('e'), 12);
    expect(sut.get('c', 12)).toBeUndefined();
    expect(sut.get('b', 12)).toEqual(answer('b2'));
  });

  it('sweeps expired entries as new ones arrive', () => {
    const sut = new DuplicateRequestCache({ ttlMs: 100 });
    for (let i = 0; i < 50; i++) sut.set(`k${i}`, answer('x'), i);
    sut.set('late', answer('y'), 1000);
    expect(sut.size).toBe(1);
  });

  it('keeps last-write order through many rewrites while an unfinished request holds the front', () => {
    const sut = new DuplicateRequestCache({ ttlMs: 100, inProgressTtlMs: 1_000_000, maxEntries: 5000 });
    expect(sut.begin('stuck', 0)).toBe('new');
    for (let i = 0; i < 20_000; i++) {
      const k = `k${i % 3000}`;
      sut.begin(k, 1);
      sut.set(k, answer(String(i)), 1);
    }
    expect(sut.size).toBe(3001);
    expect(sut.get('k1999', 1)).toEqual(answer('19999'));
    expect(sut.begin('stuck', 2)).toBe('in-progress');
    sut.delete('stuck');
    sut.set('late', answer('y'), 200); // the front is free: every expired answer goes
    expect(sut.size).toBe(1);
    for (let i = 0; i < 5000; i++) sut.set(`m${i}`, answer('m'), 201);
    expect(sut.size).toBe(5000);
    expect(sut.get('late', 201)).toBeUndefined(); // the oldest went first
    expect(sut.get('m1', 201)).toEqual(answer('m'));
  });

  it('refuses nonsensical limits', () => {
    expect(() => new DuplicateRequestCache({ ttlMs: 0 })).toThrow(RangeError);
    expect(() => new DuplicateRequestCache({ maxEntries: 0 })).toThrow(RangeError);
  });
});
