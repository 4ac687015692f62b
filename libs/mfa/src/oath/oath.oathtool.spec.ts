import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { base32Encode } from '@twofold/domain';
import { generateHotp, generateTotp, verifyTotp, OathAlgorithm, OathDigits, TotpPeriod } from './oath';

// Cross-checks against the real OATH Toolkit binary, the reference most admins already trust.
const OATHTOOL = '/usr/bin/oathtool';
const oathtool = (args: string[]) => execFileSync(OATHTOOL, args, { encoding: 'utf8' }).trim().split('\n');

describe('cross-check with oathtool', () => {
  const algorithms: OathAlgorithm[] = ['SHA1', 'SHA256', 'SHA512'];
  const seeds = [randomBytes(20), randomBytes(32), randomBytes(64), randomBytes(10)];
  const times = ['2024-02-29 12:34:56 UTC', '1999-12-31 23:59:59 UTC', '2038-01-19 03:14:08 UTC'];

  it.each(algorithms)('TOTP %s matches for random seeds, 6/8 digits, 30/60 s periods', (algorithm) => {
    for (const seed of seeds) {
      for (const when of times) {
        for (const digits of [6, 8] as OathDigits[]) {
          for (const period of [30, 60] as TotpPeriod[]) {
            const [expected] = oathtool([`--totp=${algorithm.toLowerCase()}`, '-b', base32Encode(seed), '--now', when, '-d', String(digits), '-s', `${period}s`]);
            expect(generateTotp(seed, Date.parse(when.replace(' UTC', 'Z').replace(' ', 'T')), { algorithm, digits, period })).toBe(expected);
          }
        }
      }
    }
  });

  it('HOTP matches a window of counters (hex seed)', () => {
    for (const seed of seeds) {
      const start = 1000 + seed[0];
      const expected = oathtool(['--hotp', '-c', String(start), '-w', '9', seed.toString('hex')]);
      const ours = Array.from({ length: 10 }, (_, i) => generateHotp(seed, start + i));
      expect(ours).toEqual(expected);
    }
  });

  it('accepts what oathtool shows for the previous, current and next step', () => {
    const seed = randomBytes(20);
    const nowSeconds = 1_717_171_717;
    for (const offset of [-30, 0, 30]) {
      const [code] = oathtool(['--totp', '-b', base32Encode(seed), '--now', `@${nowSeconds + offset}`]);
      const result = verifyTotp({ seed, code, timeMs: nowSeconds * 1000, driftSteps: 1 });
      expect(result).toEqual({ ok: true, step: Math.floor((nowSeconds + offset) / 30) });
    }
    const [tooOld] = oathtool(['--totp', '-b', base32Encode(seed), '--now', `@${nowSeconds - 90}`]);
    expect(verifyTotp({ seed, code: tooOld, timeMs: nowSeconds * 1000, driftSteps: 1 }).ok).toBe(false);
  });
});
