import { generateHotp, generateTotp, totpStep, verifyHotp, verifyTotp, OathAlgorithm } from './oath';
import { OathError } from './oath.error';

const RFC_SEED_SHA1 = Buffer.from('12345678901234567890', 'ascii');
const RFC_SEED_SHA256 = Buffer.from('12345678901234567890123456789012', 'ascii');
const RFC_SEED_SHA512 = Buffer.from('1234567890123456789012345678901234567890123456789012345678901234', 'ascii');
const SEEDS: Record<OathAlgorithm, Buffer> = { SHA1: RFC_SEED_SHA1, SHA256: RFC_SEED_SHA256, SHA512: RFC_SEED_SHA512 };

describe('HOTP (RFC 4226 Appendix D)', () => {
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  it.each(expected.map((code, counter) => [counter, code]))('counter %i -> %s', (counter, code) => {
    expect(generateHotp(RFC_SEED_SHA1, counter as number)).toBe(code);
  });
});

describe('TOTP (RFC 6238 Appendix B)', () => {
  const vectors: [number, string, OathAlgorithm][] = [
    [59, '94287082', 'SHA1'], [59, '46119246', 'SHA256'], [59, '90693936', 'SHA512'],
    [1111111109, '07081804', 'SHA1'], [1111111109, '68084774', 'SHA256'], [1111111109, '25091201', 'SHA512'],
    [1111111111, '14050471', 'SHA1'], [1111111111, '67062674', 'SHA256'], [1111111111, '99943326', 'SHA512'],
    [1234567890, '89005924', 'SHA1'], [1234567890, '91819424', 'SHA256'], [1234567890, '93441116', 'SHA512'],
    [2000000000, '69279037', 'SHA1'], [2000000000, '90698825', 'SHA256'], [2000000000, '38618901', 'SHA512'],
    [20000000000, '65353130', 'SHA1'], [20000000000, '77737706', 'SHA256'], [20000000000, '47863826', 'SHA512'],
  ];
  it.each(vectors)('T=%i -> %s (%s)', (seconds, code, algorithm) => {
    expect(generateTotp(SEEDS[algorithm], seconds * 1000, { digits: 8, algorithm })).toBe(code);
  });

  it.each(vectors)('verifies T=%i %s (%s) and reports its step', (seconds, code, algorithm) => {
    const result = verifyTotp({ seed: SEEDS[algorithm], code, timeMs: seconds * 1000, driftSteps: 0, digits: 8, algorithm });
    expect(result).toEqual({ ok: true, step: Math.floor(seconds / 30) });
  });
});

describe('verifyTotp', () => {
  const seed = RFC_SEED_SHA1;
  const now = 1_700_000_000_000;
  const step = totpStep(now);
  const codeAt = (s: number) => generateHotp(seed, s);
  const base = { seed, timeMs: now, driftSteps: 1 };

  it('accepts codes within the drift window and returns the step they belong to', () => {
    expect(verifyTotp({ ...base, code: codeAt(step - 1) })).toEqual({ ok: true, step: step - 1 });
    expect(verifyTotp({ ...base, code: codeAt(step) })).toEqual({ ok: true, step });
    expect(verifyTotp({ ...base, code: codeAt(step + 1) })).toEqual({ ok: true, step: step + 1 });
  });

  it('rejects codes outside the drift window', () => {
    expect(verifyTotp({ ...base, code: codeAt(step - 2) })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyTotp({ ...base, code: codeAt(step + 2) })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyTotp({ ...base, driftSteps: 0, code: codeAt(step - 1) })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyTotp({ ...base, driftSteps: 2, code: codeAt(step - 2) })).toEqual({ ok: true, step: step - 2 });
  });

  it('rejects a replayed code and any code of an earlier step', () => {
    const first = verifyTotp({ ...base, code: codeAt(step) });
    expect(first).toEqual({ ok: true, step });
    const lastUsedStep = first.ok ? first.step : -1;
    expect(verifyTotp({ ...base, code: codeAt(step), lastUsedStep })).toEqual({ ok: false, reason: 'replayed' });
    expect(verifyTotp({ ...base, code: codeAt(step - 1), lastUsedStep })).toEqual({ ok: false, reason: 'replayed' });
    // The next step's code is still good.
    expect(verifyTotp({ ...base, code: codeAt(step + 1), lastUsedStep })).toEqual({ ok: true, step: step + 1 });
  });

  it('uses the period: a 60 s token has other steps', () => {
    const code = generateTotp(seed, now, { period: 60 });
    expect(verifyTotp({ ...base, driftSteps: 0, code, period: 60 })).toEqual({ ok: true, step: totpStep(now, 60) });
  });

  it.each([['12345'], ['1234567'], ['12345a'], [' 12345'], [''], ['１２３４５６'], [undefined as unknown as string], [123456 as unknown as string]])(
    'treats malformed code %p as a mismatch without throwing',
    (code) => {
      expect(verifyTotp({ ...base, code })).toEqual({ ok: false, reason: 'mismatch' });
    },
  );

  it('does not accept a 6-digit code as the tail of an 8-digit one', () => {
    const eight = generateTotp(seed, now, { digits: 8 });
    expect(verifyTotp({ ...base, code: eight.slice(2), digits: 8 })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyTotp({ ...base, code: eight, digits: 8 })).toEqual({ ok: true, step });
  });

  it('never looks at negative steps near the epoch', () => {
    expect(verifyTotp({ seed, timeMs: 0, driftSteps: 3, code: codeAt(0) })).toEqual({ ok: true, step: 0 });
  });

  it('rejects unsupported options with a typed error', () => {
    expect(() => verifyTotp({ ...base, code: '123456', digits: 7 as 6 })).toThrow(OathError);
    expect(() => generateTotp(seed, now, { period: 45 as 30 })).toThrow(OathError);
    expect(() => generateHotp(Buffer.alloc(0), 0)).toThrow(OathError);
    expect(() => generateHotp(seed, -1)).toThrow(OathError);
  });
});

describe('verifyHotp', () => {
  const seed = RFC_SEED_SHA1;

  it('accepts the expected counter and returns the next one', () => {
    expect(verifyHotp({ seed, code: '969429', counter: 3, lookAhead: 0 })).toEqual({ ok: true, counter: 3, nextCounter: 4 });
  });

  it('resynchronises within the look-ahead window only', () => {
    expect(verifyHotp({ seed, code: '162583', counter: 3, lookAhead: 5 })).toEqual({ ok: true, counter: 7, nextCounter: 8 });
    expect(verifyHotp({ seed, code: '162583', counter: 3, lookAhead: 3 })).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('never accepts a code below the stored counter again', () => {
    const first = verifyHotp({ seed, code: '969429', counter: 3, lookAhead: 2 });
    expect(first.ok).toBe(true);
    const next = first.ok ? first.nextCounter : 0;
    expect(verifyHotp({ seed, code: '969429', counter: next, lookAhead: 10 })).toEqual({ ok: false, reason: 'mismatch' });
  });

  // With the RFC seed, counters 2386 and 2394 show the same 6-digit code (found by search; about
  // one counter in 100,000 has such a twin within a look-ahead of 10).
  const TWINS = [2386, 2394] as const;

  it('takes the lowest counter that shows the code, so a code shared with a later counter does not skip the token ahead', () => {
    const code = generateHotp(seed, TWINS[0]);
    expect(generateHotp(seed, TWINS[1])).toBe(code);
    expect(verifyHotp({ seed, code, counter: TWINS[0], lookAhead: 10 })).toEqual({ ok: true, counter: TWINS[0], nextCounter: TWINS[0] + 1 });
    // The token's next presses go on being accepted (taking the twin refused the next 8).
    for (let c = TWINS[0] + 1; c <= TWINS[0] + 9; c++) {
      expect(verifyHotp({ seed, code: generateHotp(seed, c), counter: c, lookAhead: 10 })).toEqual({ ok: true, counter: c, nextCounter: c + 1 });
    }
  });

  it('refuses the code accepted last again, even where a later counter of the window shares it', () => {
    const code = generateHotp(seed, TWINS[0]);
    expect(verifyHotp({ seed, code, counter: TWINS[0] + 1, lookAhead: 10 })).toEqual({ ok: false, reason: 'mismatch' });
    // A token that really is at the twin resynchronises one press later.
    expect(verifyHotp({ seed, code: generateHotp(seed, TWINS[1] + 1), counter: TWINS[0] + 1, lookAhead: 10 })).toEqual({ ok: true, counter: TWINS[1] + 1, nextCounter: TWINS[1] + 2 });
  });

  it('treats malformed codes as a mismatch', () => {
    expect(verifyHotp({ seed, code: '96942', counter: 3, lookAhead: 2 })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyHotp({ seed, code: '969429 ', counter: 3, lookAhead: 2 })).toEqual({ ok: false, reason: 'mismatch' });
  });
});

