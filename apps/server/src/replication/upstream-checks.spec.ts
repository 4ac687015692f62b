import { DEFAULT_SETTINGS, type UserState } from '@twofold/domain';
import { counterAllowed } from './upstream-checks';

const token = (kind: 'totp' | 'hotp', counter = 0) => ({ tokenId: 't1', kind, algorithm: 'SHA1', digits: 6, period: 30, counter, label: '', lastUsedCounter: null }) as unknown as UserState['tokens'][number];
const user = (t: UserState['tokens'][number]) => ({ tokens: [t] }) as unknown as UserState;
const nowMs = Date.parse('2026-12-01T10:00:00Z');
const step = Math.floor(nowMs / 30_000);

describe('upstream checks on the master', () => {
  it('a TOTP step is at most the current step plus the drift', () => {
    const drift = DEFAULT_SETTINGS.otp.totpDriftSteps;
    expect(counterAllowed(user(token('totp')), DEFAULT_SETTINGS, 't1', step + drift, nowMs)).toBeNull();
    expect(counterAllowed(user(token('totp')), DEFAULT_SETTINGS, 't1', step + drift + 1, nowMs)).toMatch(/beyond/);
    expect(counterAllowed(user(token('totp')), DEFAULT_SETTINGS, 't1', Number.MAX_SAFE_INTEGER, nowMs)).toMatch(/beyond/);
  });

  it('an HOTP counter is at most the stored counter plus the look-ahead', () => {
    expect(counterAllowed(user(token('hotp', 5)), DEFAULT_SETTINGS, 't1', 15, nowMs)).toBeNull();
    expect(counterAllowed(user(token('hotp', 5)), DEFAULT_SETTINGS, 't1', 16, nowMs)).toMatch(/at most 15/);
  });
});
