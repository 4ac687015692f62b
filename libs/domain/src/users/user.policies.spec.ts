import { SecretBox } from '../crypto/secret-box';
import { DomainErrorCode } from '../errors/domain-error';
import { toRecord } from '../events/event-record';
import { Settings } from '../settings/settings.events';
import { DEFAULT_SETTINGS } from '../settings/default-settings';
import { canAuthenticate, evaluateFailure, evaluateFraudReport, isBlocked, isLockedOut } from './user.policies';
import { evolveUser, foldUser, UserState } from './user.state';
import { CreateUser } from './user.commands';
import { decideCreateUser } from './user.decide';

function createdUser(): UserState {
  return foldUser(decideCreateUser(foldUser([]), CreateUser.create({ userId: 'u1', username: 'alice' }), { usernameTaken: false, settings: DEFAULT_SETTINGS, sealer: new SecretBox('k1', Buffer.alloc(32, 1)) }));
}

const T0 = new Date('2025-03-01T12:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function fail(state: UserState, when: Date, settings: Settings = DEFAULT_SETTINGS): UserState {
  return foldUser(evaluateFailure(state, settings, when, { reason: 'bad otp', source: 'radius:c1' }), state);
}

describe('lockout', () => {
  it('records each failure and locks on the fifth within ten minutes, for fifteen minutes', () => {
    let state = createdUser();
    for (let i = 0; i < 4; i++) {
      const events = evaluateFailure(state, DEFAULT_SETTINGS, at(i));
      expect(events.map((e) => e.type)).toEqual(['AuthenticationFailed']);
      state = foldUser(events, state);
    }
    const events = evaluateFailure(state, DEFAULT_SETTINGS, at(4), { reason: 'bad otp', source: 'radius:c1' });
    expect(events[0]).toMatchObject({ type: 'AuthenticationFailed', data: { userId: 'u1', at: at(4).toISOString(), reason: 'bad otp', source: 'radius:c1' } });
    expect(events[1]).toMatchObject({ type: 'UserLockedOut', data: { userId: 'u1', at: at(4).toISOString(), until: at(19).toISOString() } });
    state = foldUser(events, state);
    expect(isLockedOut(state, at(5))).toBe(true);
    expect(canAuthenticate(state, at(5))).toMatchObject({ ok: false, error: { code: DomainErrorCode.UserLocked } });
  });

  it('unlocks by itself when autoUnlockMinutes have passed', () => {
    let state = createdUser();
    for (let i = 0; i < 5; i++) state = fail(state, at(i));
    expect(isLockedOut(state, at(18.99))).toBe(true);
    expect(isLockedOut(state, at(19))).toBe(false);
    expect(canAuthenticate(state, at(19))).toEqual({ ok: true });
  });

  it('starts a fresh count after an automatic unlock', () => {
    let state = createdUser();
    for (let i = 0; i < 5; i++) state = fail(state, at(i));
    const events = evaluateFailure(state, DEFAULT_SETTINGS, at(20));
    expect(events.map((e) => e.type)).toEqual(['AuthenticationFailed']);
  });

  it('forgets failures older than resetCounterMinutes', () => {
    let state = createdUser();
    for (const minute of [0, 1, 2, 3]) state = fail(state, at(minute));
    // At minute 10 the failure from minute 0 has left the window: 4 in window, no lockout.
    expect(evaluateFailure(state, DEFAULT_SETTINGS, at(10)).map((e) => e.type)).toEqual(['AuthenticationFailed']);
    expect(evaluateFailure(state, DEFAULT_SETTINGS, at(9.9)).map((e) => e.type)).toEqual(['AuthenticationFailed', 'UserLockedOut']);
  });

  it('a success resets the count', () => {
    let state = createdUser();
    for (let i = 0; i < 4; i++) state = fail(state, at(i));
    state = evolveUser(state, { type: 'AuthenticationSucceeded', schemaVersion: 1, payload: { userId: 'u1', at: at(4).toISOString(), source: 'sdk' } });
    expect(evaluateFailure(state, DEFAULT_SETTINGS, at(5)).map((e) => e.type)).toEqual(['AuthenticationFailed']);
  });

  it('locks until an administrator unlocks when autoUnlockMinutes is 0', () => {
    const settings = { ...DEFAULT_SETTINGS, lockout: { ...DEFAULT_SETTINGS.lockout, failuresBeforeLockout: 2, autoUnlockMinutes: 0 } };
    let state = fail(createdUser(), at(0), settings);
    const events = evaluateFailure(state, settings, at(1));
    expect(events[1]).toMatchObject({ type: 'UserLockedOut', data: { until: null } });
    state = foldUser(events, state);
    expect(isLockedOut(state, at(60 * 24 * 365))).toBe(true);
    state = evolveUser(state, toRecord({ type: 'UserUnlocked', schemaVersion: 1, data: { userId: 'u1' } }));
    expect(isLockedOut(state, at(2))).toBe(false);
  });

  it('never locks when failuresBeforeLockout is 0', () => {
    const settings = { ...DEFAULT_SETTINGS, lockout: { ...DEFAULT_SETTINGS.lockout, failuresBeforeLockout: 0 } };
    let state = createdUser();
    for (let i = 0; i < 20; i++) state = fail(state, at(i / 10), settings);
    expect(isLockedOut(state, at(3))).toBe(false);
  });

  it('does not lock again while a lockout is running', () => {
    let state = createdUser();
    for (let i = 0; i < 5; i++) state = fail(state, at(i));
    for (let i = 0; i < 5; i++) {
      expect(evaluateFailure(state, DEFAULT_SETTINGS, at(5 + i)).map((e) => e.type)).toEqual(['AuthenticationFailed']);
      state = fail(state, at(5 + i));
    }
    expect(state.lockedOut?.until).toBe(at(19).toISOString());
  });
});

describe('fraud block', () => {
  it('blocks for blockMinutes and then expires', () => {
    const state = foldUser(evaluateFraudReport(createdUser(), DEFAULT_SETTINGS, T0, 'push denied as fraud'), createdUser());
    expect(state.blocked).toMatchObject({ until: at(60).toISOString(), reason: 'push denied as fraud' });
    expect(isBlocked(state, at(59))).toBe(true);
    expect(canAuthenticate(state, at(59))).toMatchObject({ ok: false, error: { code: DomainErrorCode.UserBlocked } });
    expect(isBlocked(state, at(60))).toBe(false);
    expect(canAuthenticate(state, at(60))).toEqual({ ok: true });
  });

  it('blocks until unblocked when blockMinutes is 0', () => {
    const settings = { ...DEFAULT_SETTINGS, fraud: { autoBlock: true, blockMinutes: 0 } };
    const state = foldUser(evaluateFraudReport(createdUser(), settings, T0), createdUser());
    expect(state.blocked?.until).toBeNull();
    expect(isBlocked(state, at(100000))).toBe(true);
  });

  it('does not block on a report when autoBlock is off', () => {
    const settings = { ...DEFAULT_SETTINGS, fraud: { autoBlock: false, blockMinutes: 60 } };
    expect(evaluateFraudReport(createdUser(), settings, T0)).toEqual([]);
  });
});

describe('canAuthenticate', () => {
  it('rejects unknown, deleted and disabled users', () => {
    expect(canAuthenticate(foldUser([]), T0)).toMatchObject({ ok: false, error: { code: DomainErrorCode.UnknownUser } });
    const deleted = evolveUser(createdUser(), { type: 'UserDeleted', schemaVersion: 1, payload: { userId: 'u1' } });
    expect(canAuthenticate(deleted, T0)).toMatchObject({ ok: false, error: { code: DomainErrorCode.UnknownUser } });
    const disabled = evolveUser(createdUser(), { type: 'UserDisabled', schemaVersion: 1, payload: { userId: 'u1' } });
    expect(canAuthenticate(disabled, T0)).toMatchObject({ ok: false, error: { code: DomainErrorCode.UserDisabled } });
  });
});
