import { SecretBox } from '../crypto/secret-box';
import { DomainErrorCode } from '../errors/domain-error';
import { Settings } from '../settings/settings.events';
import type { SealedSecret } from '../events/event';
import { makeEvent } from '../events/event-record';
import { DEFAULT_SETTINGS } from '../settings/default-settings';
import { CreateUser } from '../users/user.commands';
import { decideCreateUser } from '../users/user.decide';
import { canAuthenticate, isBlocked, isLockedOut } from '../users/user.policies';
import { evolveUser, foldUser, UserState } from '../users/user.state';
import { decideGrantBypass, GrantBypass } from '../rollout/bypass';
import { applySecurityEvents, decideSecurityOutcome, isOnceOnlyOutcome, SecurityOutcome, securityOutcomeReadsSettings } from './security-outcome';

const T0 = new Date('2026-03-01T12:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const source = 'radius:vpn';
const nonce = 'n0nce-0123456789';
const expiresAt = '2026-03-01T12:05:00.000Z';

function alice(): UserState {
  const created = foldUser(decideCreateUser(foldUser([]), CreateUser.create({ userId: 'u1', username: 'alice' }), { usernameTaken: false, settings: DEFAULT_SETTINGS, sealer: new SecretBox('k1', Buffer.alloc(32, 1)) }));
  return evolveUser(created, makeEvent('OathTokenAssigned', { userId: 'u1', tokenId: 't1', kind: 'hotp', algorithm: 'SHA1', digits: 6, period: 30, counter: 0, seed: { keyId: 'k1', sealed: 'not opened here' } as unknown as SealedSecret, label: '' }));
}

// Decide and fold, as every recorder does: the state the next sign-in sees.
function record(state: UserState, outcome: SecurityOutcome, now: Date, settings: Settings = DEFAULT_SETTINGS): UserState {
  return applySecurityEvents(state, decideSecurityOutcome(state, outcome, { now, settings }));
}
const failed: SecurityOutcome = { kind: 'failed_attempt', userId: 'u1', reason: 'wrong one-time code', source };
const types = (state: UserState, outcome: SecurityOutcome, now = T0, settings: Settings = DEFAULT_SETTINGS) => decideSecurityOutcome(state, outcome, { now, settings }).map((e) => e.type);

describe('decideSecurityOutcome', () => {
  it('a failed attempt counts, and the one that reaches the threshold locks the account until autoUnlockMinutes', () => {
    let state = alice();
    for (let i = 0; i < 4; i++) {
      expect(types(state, failed, at(i))).toEqual(['AuthenticationFailed']);
      state = record(state, failed, at(i));
    }
    const events = decideSecurityOutcome(state, failed, { now: at(4), settings: DEFAULT_SETTINGS });
    expect(events[0]).toMatchObject({ type: 'AuthenticationFailed', data: { userId: 'u1', reason: 'wrong one-time code', source, at: at(4).toISOString() } });
    expect(events[1]).toMatchObject({ type: 'UserLockedOut', data: { userId: 'u1', until: at(19).toISOString() } });
    state = applySecurityEvents(state, events);
    expect(canAuthenticate(state, at(5))).toMatchObject({ ok: false, error: { code: DomainErrorCode.UserLocked } });
    // Still locked: a further failure is recorded but does not move the end of the lockout.
    expect(types(state, failed, at(6))).toEqual(['AuthenticationFailed']);
  });

  it('unlocks by itself once autoUnlockMinutes have passed, and counts afresh', () => {
    let state = alice();
    for (let i = 0; i < 5; i++) state = record(state, failed, at(i));
    expect(isLockedOut(state, at(18))).toBe(true);
    expect(isLockedOut(state, at(20))).toBe(false);
    expect(canAuthenticate(state, at(20))).toEqual({ ok: true });
    // The old failures are outside the counting window: one more failure does not lock again.
    expect(types(state, failed, at(30))).toEqual(['AuthenticationFailed']);
  });

  it('failures outside resetCounterMinutes do not add up; lockout 0 never locks', () => {
    let state = alice();
    for (let i = 0; i < 8; i++) state = record(state, failed, at(i * 11));
    expect(isLockedOut(state, at(80))).toBe(false);
    const never = { ...DEFAULT_SETTINGS, lockout: { ...DEFAULT_SETTINGS.lockout, failuresBeforeLockout: 0 } } as Settings;
    let other = alice();
    for (let i = 0; i < 20; i++) other = record(other, failed, at(0), never);
    expect(other.lockedOut).toBeNull();
  });

  it('a success resets the failure count', () => {
    let state = alice();
    for (let i = 0; i < 4; i++) state = record(state, failed, at(i));
    state = record(state, { kind: 'success', userId: 'u1', source }, at(4));
    expect(state.recentFailures).toEqual([]);
    expect(state.lastAuthenticatedAt).toBe(at(4).toISOString());
    expect(types(state, failed, at(5))).toEqual(['AuthenticationFailed']);
  });

  it('an accepted OATH code records its counter and the success; the same or an older counter is refused', () => {
    let state = alice();
    const accepted = (counter: number): Extract<SecurityOutcome, { kind: 'oath_success' }> => ({ kind: 'oath_success', userId: 'u1', tokenId: 't1', counter, source });
    // One event: the success carries the code it spent (AuthenticationSucceeded v2).
    const [signIn, ...more] = decideSecurityOutcome(state, accepted(7), { now: T0, settings: DEFAULT_SETTINGS });
    expect(more).toEqual([]);
    expect(signIn).toEqual({ type: 'AuthenticationSucceeded', schemaVersion: 2, data: { userId: 'u1', at: T0.toISOString(), source, code: { tokenId: 't1', counter: 7 } } });
    state = record(state, accepted(7), T0);
    expect(state.tokens[0].lastUsedCounter).toBe(7);
    expect(state.lastAuthenticatedAt).toBe(T0.toISOString());
    for (const counter of [7, 3]) {
      expect(() => decideSecurityOutcome(state, accepted(counter), { now: T0, settings: DEFAULT_SETTINGS })).toThrow(expect.objectContaining({ code: DomainErrorCode.CodeAlreadyUsed, field: 'counter' }));
    }
    expect(() => decideSecurityOutcome(state, { kind: 'code_used', userId: 'u1', tokenId: 't1', counter: 7, source }, { now: T0, settings: DEFAULT_SETTINGS })).toThrow(expect.objectContaining({ code: DomainErrorCode.CodeAlreadyUsed }));
    expect(types(state, { kind: 'code_used', userId: 'u1', tokenId: 't1', counter: 8, source })).toEqual(['OathCodeUsed']);
    expect(() => decideSecurityOutcome(state, { ...accepted(9), tokenId: 'nope' }, { now: T0, settings: DEFAULT_SETTINGS })).toThrow(expect.objectContaining({ code: DomainErrorCode.UnknownToken }));
  });

  it('a sign-in recorded by an earlier release (OathCodeUsed, then AuthenticationSucceeded v1) folds to the state one v2 event gives', () => {
    const v1 = [
      { type: 'OathCodeUsed', schemaVersion: 1, payload: { userId: 'u1', tokenId: 't1', counter: 7 } },
      { type: 'AuthenticationSucceeded', schemaVersion: 1, payload: { userId: 'u1', at: T0.toISOString(), source } },
    ];
    const before = { ...alice(), recentFailures: [T0.toISOString()] };
    const old = v1.reduce(evolveUser, before);
    const now = record(before, { kind: 'oath_success', userId: 'u1', tokenId: 't1', counter: 7, source }, T0);
    // The same user, one version fewer (one event instead of two).
    expect({ ...now, version: 0 }).toEqual({ ...old, version: 0 });
    expect(old.version - now.version).toBe(1);
    expect(now.tokens[0]).toMatchObject({ counter: 8, lastUsedCounter: 7 });
    expect(now.recentFailures).toEqual([]);
    // A v1 success spent no code.
    const plain = evolveUser(before, v1[1]);
    expect(plain.tokens[0]).toMatchObject({ counter: 0, lastUsedCounter: null });
  });

  it('a challenge is consumed once with its answer; a second answer is refused as a whole', () => {
    let state = alice();
    const oath: SecurityOutcome = { kind: 'oath_success', userId: 'u1', tokenId: 't1', counter: 1, source, challenge: { nonce, expiresAt } };
    expect(types(state, oath)).toEqual(['OtpChallengeConsumed', 'AuthenticationSucceeded']);
    state = record(state, oath, T0);
    // A fresh code on the spent State: nothing of it is recorded (not even the new counter).
    expect(() => decideSecurityOutcome(state, { ...oath, counter: 2 }, { now: T0, settings: DEFAULT_SETTINGS })).toThrow(expect.objectContaining({ code: DomainErrorCode.CodeAlreadyUsed, field: 'nonce' }));
    const sms: SecurityOutcome = { kind: 'challenge_success', userId: 'u1', challenge: { nonce: 'sms-nonce-000001', expiresAt }, source };
    expect(types(state, sms)).toEqual(['OtpChallengeConsumed', 'AuthenticationSucceeded']);
    state = record(state, sms, T0);
    expect(() => decideSecurityOutcome(state, sms, { now: T0, settings: DEFAULT_SETTINGS })).toThrow(expect.objectContaining({ code: DomainErrorCode.CodeAlreadyUsed, field: 'nonce' }));
  });

  it('a fraud report blocks for fraud.blockMinutes when the cluster blocks automatically, and not otherwise', () => {
    const fraud: SecurityOutcome = { kind: 'fraud', userId: 'u1', reason: 'fraud reported on a push', source };
    const state = record(alice(), fraud, T0);
    expect(state.blocked).toMatchObject({ until: at(60).toISOString() });
    expect(isBlocked(state, at(59))).toBe(true);
    expect(isBlocked(state, at(61))).toBe(false);
    const manual = { ...DEFAULT_SETTINGS, fraud: { autoBlock: false, blockMinutes: 60 } } as Settings;
    expect(types(alice(), fraud, T0, manual)).toEqual([]);
    const forever = { ...DEFAULT_SETTINGS, fraud: { autoBlock: true, blockMinutes: 0 } } as Settings;
    expect(record(alice(), fraud, T0, forever).blocked).toMatchObject({ until: null });
  });

  it('a bypass use and an unenrolled pass record the success; a once-only bypass is used once, a replaced one not at all', () => {
    const grant = (state: UserState, bypassId: string, once: boolean) =>
      applySecurityEvents(state, decideGrantBypass(state, GrantBypass.create({ userId: 'u1', bypassId, seconds: 600, reason: 'phone lost', once }), { now: T0, grantedBy: 'admin' }));
    const used = (bypassId: string): SecurityOutcome => ({ kind: 'bypass_used', userId: 'u1', bypassId, source });
    let state = grant(alice(), 'b1', true);
    for (let i = 0; i < 4; i++) state = record(state, failed, at(0));
    expect(types(state, used('b1'))).toEqual(['UserBypassUsed', 'AuthenticationSucceeded']);
    state = record(state, used('b1'), at(1));
    expect(state.recentFailures).toEqual([]);
    expect(state.bypass).toMatchObject({ bypassId: 'b1', uses: 1 });
    // Another node used it first: the second use is refused as a whole, nothing of it recorded.
    expect(() => decideSecurityOutcome(state, used('b1'), { now: at(2), settings: DEFAULT_SETTINGS })).toThrow(expect.objectContaining({ code: DomainErrorCode.BypassNotActive }));
    state = grant(state, 'b2', false);
    expect(() => decideSecurityOutcome(state, used('b1'), { now: at(2), settings: DEFAULT_SETTINGS })).toThrow(expect.objectContaining({ code: DomainErrorCode.BypassNotActive }));
    state = record(record(state, used('b2'), at(2)), used('b2'), at(3));
    expect(state.bypass).toMatchObject({ bypassId: 'b2', uses: 2 });
    const pass: SecurityOutcome = { kind: 'unenrolled_pass', userId: 'u1', source };
    expect(types(state, pass)).toEqual(['UnenrolledSignInAllowed', 'AuthenticationSucceeded']);
    expect(record(state, pass, at(4)).lastAuthenticatedAt).toBe(at(4).toISOString());
    expect(isOnceOnlyOutcome(used('b2'))).toBe(true);
    expect(isOnceOnlyOutcome(pass)).toBe(false);
  });

  it('refuses every outcome for an unknown or deleted user, and a bad field with validation_failed', () => {
    const deleted = evolveUser(alice(), makeEvent('UserDeleted', { userId: 'u1' }));
    const outcomes: SecurityOutcome[] = [
      failed, { kind: 'success', userId: 'u1', source }, { kind: 'fraud', userId: 'u1', reason: 'x', source },
      { kind: 'oath_success', userId: 'u1', tokenId: 't1', counter: 1, source }, { kind: 'challenge_success', userId: 'u1', challenge: { nonce, expiresAt }, source },
      { kind: 'bypass_used', userId: 'u1', bypassId: 'b1', source }, { kind: 'unenrolled_pass', userId: 'u1', source },
    ];
    for (const outcome of outcomes) {
      expect(() => decideSecurityOutcome(foldUser([]), outcome, { now: T0, settings: DEFAULT_SETTINGS })).toThrow(expect.objectContaining({ code: DomainErrorCode.UnknownUser }));
      expect(() => decideSecurityOutcome(deleted, outcome, { now: T0, settings: DEFAULT_SETTINGS })).toThrow(expect.objectContaining({ code: DomainErrorCode.UserDeleted }));
    }
    expect(() => decideSecurityOutcome(alice(), { kind: 'oath_success', userId: 'u1', tokenId: 't1', counter: -1, source }, { now: T0, settings: DEFAULT_SETTINGS })).toThrow(expect.objectContaining({ code: DomainErrorCode.ValidationFailed }));
    expect(() => decideSecurityOutcome(alice(), { kind: 'challenge_success', userId: 'u1', challenge: { nonce, expiresAt: 'soon' }, source }, { now: T0, settings: DEFAULT_SETTINGS })).toThrow(expect.objectContaining({ code: DomainErrorCode.ValidationFailed }));
  });

  it('only failures and fraud reports depend on the settings (a recorder may skip reading them for the rest)', () => {
    const strict = { ...DEFAULT_SETTINGS, lockout: { failuresBeforeLockout: 1, resetCounterMinutes: 60, autoUnlockMinutes: 0 }, fraud: { autoBlock: false, blockMinutes: 0 }, otp: { ...DEFAULT_SETTINGS.otp, totpDriftSteps: 0 } } as Settings;
    const others: SecurityOutcome[] = [
      { kind: 'success', userId: 'u1', source }, { kind: 'code_used', userId: 'u1', tokenId: 't1', counter: 2, source },
      { kind: 'oath_success', userId: 'u1', tokenId: 't1', counter: 3, source, challenge: { nonce, expiresAt } }, { kind: 'challenge_success', userId: 'u1', challenge: { nonce, expiresAt }, source },
      { kind: 'unenrolled_pass', userId: 'u1', source },
    ];
    for (const outcome of others) {
      expect(securityOutcomeReadsSettings(outcome)).toBe(false);
      expect(decideSecurityOutcome(alice(), outcome, { now: T0, settings: strict })).toEqual(decideSecurityOutcome(alice(), outcome, { now: T0, settings: DEFAULT_SETTINGS }));
    }
    for (const outcome of [failed, { kind: 'fraud', userId: 'u1', reason: 'x', source } as SecurityOutcome]) {
      expect(securityOutcomeReadsSettings(outcome)).toBe(true);
      expect(types(alice(), outcome, T0, strict)).not.toEqual(types(alice(), outcome, T0, DEFAULT_SETTINGS));
    }
  });
});
