import { DEFAULT_SETTINGS, type UserState } from '@twofold/domain';
import { counterAllowed, isUpstreamKind, upstreamPayload } from './upstream-checks';

const token = (kind: 'totp' | 'hotp', counter = 0) => ({ tokenId: 't1', kind, algorithm: 'SHA1', digits: 6, period: 30, counter, label: '', lastUsedCounter: null }) as unknown as UserState['tokens'][number];
const user = (t: UserState['tokens'][number]) => ({ tokens: [t] }) as unknown as UserState;
const nowMs = Date.parse('2026-12-01T10:00:00Z');
const step = Math.floor(nowMs / 30_000);

describe('upstream checks on the master', () => {
  it('accepts only the security kinds', () => {
    expect(['failed_attempt', 'success', 'code_used', 'oath_success', 'challenge_success', 'fraud'].every(isUpstreamKind)).toBe(true);
    expect(isUpstreamKind('UserDeleted')).toBe(false);
    expect(isUpstreamKind('constructor')).toBe(false);
  });

  it('refuses malformed payloads instead of guessing', () => {
    expect(upstreamPayload('code_used', { userId: 'u', tokenId: 't1', counter: 1.5 })).toMatch(/counter/);
    expect(upstreamPayload('code_used', { userId: 'u', tokenId: 't1', counter: -1 })).toMatch(/counter/);
    expect(upstreamPayload('fraud', { userId: 42 })).toMatch(/userId/);
    expect(upstreamPayload('fraud', { userId: 'u', source: 'x'.repeat(201) })).toMatch(/source/);
    expect(upstreamPayload('fraud', { userId: 'u' })).toEqual({ userId: 'u' });
  });

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
