import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows a burst, then refuses with the seconds until the next token, and refills over time', () => {
    let now = 0;
    const sut = new RateLimiter({ burst: 3, perSecond: 0.5 }, () => now);
    expect([sut.take('a'), sut.take('a'), sut.take('a')].every((d) => d.ok)).toBe(true);
    expect(sut.take('a')).toEqual({ ok: false, retryAfterSeconds: 2 });
    // Other keys have their own bucket.
    expect(sut.take('b')).toEqual({ ok: true });
    now += 2_000;
    expect(sut.take('a')).toEqual({ ok: true });
    expect(sut.take('a').ok).toBe(false);
  });

  it('forgets full buckets when it holds too many keys', () => {
    let now = 0;
    const sut = new RateLimiter({ burst: 1, perSecond: 1 }, () => now, 2);
    sut.take('a');
    sut.take('b');
    now += 5_000;
    expect(sut.take('c')).toEqual({ ok: true });
    expect(sut.take('c').ok).toBe(false);
  });

  it('keeps a limited key limited through a flood of new keys, and stays bounded', () => {
    let now = 0;
    const sut = new RateLimiter({ burst: 3, perSecond: 1 / 60 }, () => now, 100);
    for (let i = 0; i < 3; i++) sut.take('victim');
    expect(sut.take('victim').ok).toBe(false);
    // Unknown names, far more than the map holds, each one request.
    for (let i = 0; i < 10_000; i++) {
      now += 1;
      sut.take(`flood-${i}`);
    }
    expect(sut.size).toBeLessThanOrEqual(100);
    expect(sut.take('victim').ok).toBe(false);
  });
});
