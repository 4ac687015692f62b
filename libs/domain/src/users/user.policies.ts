import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { Settings } from '../settings/settings.events';
import { AuthenticationFailed, UserBlockedForFraud, UserLockedOut } from './user.events';
import { makeEvent } from '../events/event-record';
import { Restriction, UserState } from './user.state';

const MINUTE = 60_000;

function activeAt(restriction: Restriction | null, now: Date): boolean {
  if (!restriction) return false;
  return restriction.until === null || now.getTime() < Date.parse(restriction.until);
}

function plusMinutes(now: Date, minutes: number): string | null {
  return minutes > 0 ? new Date(now.getTime() + minutes * MINUTE).toISOString() : null;
}

// Locked out now? A time-limited lockout ends by itself once `until` has passed.
export function isLockedOut(state: UserState, now: Date): boolean {
  return activeAt(state.lockedOut, now);
}

export function isBlocked(state: UserState, now: Date): boolean {
  return activeAt(state.blocked, now);
}

// Unknown and deleted users are the same to an authenticating caller.
export function assertUserExists(state: UserState, userId?: string): void {
  if (!state.exists || (userId !== undefined && state.userId !== userId)) {
    throw DomainError.rule(DomainErrorCode.UnknownUser, 'userId', 'No such user.');
  }
  if (state.deleted) throw DomainError.rule(DomainErrorCode.UserDeleted, 'userId', 'The user has been deleted.');
}

export type AuthenticationAllowed = { ok: true } | { ok: false; error: DomainError };

export function canAuthenticate(state: UserState, now: Date): AuthenticationAllowed {
  const no = (code: DomainErrorCode, rule: string): AuthenticationAllowed => ({ ok: false, error: DomainError.rule(code, undefined, rule) });
  if (!state.exists || state.deleted) return no(DomainErrorCode.UnknownUser, 'No such user.');
  if (!state.enabled) return no(DomainErrorCode.UserDisabled, 'The user is disabled.');
  if (isBlocked(state, now)) {
    const until = state.blocked!.until;
    return no(DomainErrorCode.UserBlocked, until ? `The user is blocked after a fraud report until ${until}.` : 'The user is blocked after a fraud report.');
  }
  if (isLockedOut(state, now)) {
    const until = state.lockedOut!.until;
    return no(DomainErrorCode.UserLocked, until ? `The user is locked out until ${until}.` : 'The user is locked out until an administrator unlocks it.');
  }
  return { ok: true };
}

export function assertCanAuthenticate(state: UserState, now: Date): void {
  const result = canAuthenticate(state, now);
  if (!result.ok) throw result.error;
}

// Failures still inside the counting window (resetCounterMinutes) at `now`.
export function countRecentFailures(state: UserState, settings: Settings, now: Date): number {
  const cutoff = now.getTime() - settings.lockout.resetCounterMinutes * MINUTE;
  return state.recentFailures.filter((at) => Date.parse(at) > cutoff).length;
}

// One failed attempt: always an AuthenticationFailed; plus a UserLockedOut when this failure
// brings the count within resetCounterMinutes to failuresBeforeLockout (0 disables lockout).
// A user already locked out is not locked again (the running lockout keeps its end).
export function evaluateFailure(
  state: UserState,
  settings: Settings,
  now: Date,
  details: { reason?: string; source?: string } = {},
): Array<AuthenticationFailed | UserLockedOut> {
  const userId = state.userId!;
  const at = now.toISOString();
  const events: Array<AuthenticationFailed | UserLockedOut> = [
    makeEvent('AuthenticationFailed', { userId, at, reason: details.reason ?? 'authentication failed', source: details.source ?? 'unknown' }),
  ];
  const { failuresBeforeLockout, resetCounterMinutes, autoUnlockMinutes } = settings.lockout;
  if (failuresBeforeLockout === 0 || isLockedOut(state, now)) return events;
  const count = countRecentFailures(state, settings, now) + 1;
  if (count >= failuresBeforeLockout) {
    events.push(
      makeEvent('UserLockedOut', {
        userId,
        at,
        until: plusMinutes(now, autoUnlockMinutes),
        reason: `${count} failed attempts within ${resetCounterMinutes} minutes`,
      }),
    );
  }
  return events;
}

// Block for fraud: for settings.fraud.blockMinutes, or until unblocked when that is 0.
export function fraudBlock(state: UserState, settings: Settings, now: Date, reason: string): UserBlockedForFraud {
  return makeEvent('UserBlockedForFraud', { userId: state.userId!, at: now.toISOString(), until: plusMinutes(now, settings.fraud.blockMinutes), reason });
}

// A user reported fraud (e.g. answered "fraud" to a push or a call): block only if the
// cluster is set to block automatically.
export function evaluateFraudReport(state: UserState, settings: Settings, now: Date, reason = 'fraud reported'): UserBlockedForFraud[] {
  assertUserExists(state);
  return settings.fraud.autoBlock ? [fraudBlock(state, settings, now, reason)] : [];
}
