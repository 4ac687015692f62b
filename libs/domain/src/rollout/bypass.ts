import { z } from 'zod';
import { defineCommand } from '../commands/command';
import { idField, reasonField, sourceField } from '../commands/fields';
import { DomainError, DomainErrorCode } from '../errors/domain-error';
import type { AuthMethod, UserEvent } from '../users/user.events';
import { makeEvent } from '../events/event-record';
import { newId } from '../shared/new-id';
import { assertUserExists } from '../users/user.policies';
import type { UserBypass, UserState } from '../users/user.state';

export const BYPASS_MIN_SECONDS = 5;
export const BYPASS_MAX_SECONDS = 7 * 24 * 3600;

export const GrantBypass = defineCommand(
  'GrantBypass',
  z.strictObject({
    userId: idField,
    bypassId: idField.default(() => newId()),
    seconds: z.number().int().min(BYPASS_MIN_SECONDS, `must be at least ${BYPASS_MIN_SECONDS}`).max(BYPASS_MAX_SECONDS, 'must be at most 7 days'),
    reason: reasonField,
    once: z.boolean().default(false),
  }),
);
export type GrantBypass = ReturnType<typeof GrantBypass.create>;

export const RecordBypassUsed = defineCommand('RecordBypassUsed', z.strictObject({ userId: idField, bypassId: idField, source: sourceField }));
export type RecordBypassUsed = ReturnType<typeof RecordBypassUsed.create>;

export const RecordUnenrolledPass = defineCommand('RecordUnenrolledPass', z.strictObject({ userId: idField, source: sourceField }));
export type RecordUnenrolledPass = ReturnType<typeof RecordUnenrolledPass.create>;

// The bypass that lets the user in at `now`, if any.
export function activeBypass(state: Pick<UserState, 'bypass'>, now: Date): UserBypass | null {
  const b = state.bypass;
  if (!b || b.revokedAt) return null;
  if (b.once && b.uses > 0) return null;
  return now.getTime() < Date.parse(b.until) ? b : null;
}

// Whether the user can answer a second factor by this method (the engine's no_second_factor
// cases): TOTP needs a token, SMS and voice a phone number; push goes to the user's devices.
export function hasSecondFactor(state: Pick<UserState, 'tokens' | 'profile'>, method: AuthMethod | string): boolean {
  switch (method) {
    case 'totp': return state.tokens.length > 0;
    case 'sms':
    case 'voice': return (state.profile?.phones.length ?? 0) > 0;
    case 'push': return true;
    default: return false;
  }
}

// grantedBy: the administrator asking (the actor of the command).
export function decideGrantBypass(state: UserState, command: GrantBypass, ctx: { now: Date; grantedBy: string }): UserEvent[] {
  assertUserExists(state, command.userId);
  const until = new Date(ctx.now.getTime() + command.seconds * 1000).toISOString();
  return [makeEvent('UserBypassGranted', {
    userId: command.userId, bypassId: command.bypassId, at: ctx.now.toISOString(), until, once: command.once, reason: command.reason, grantedBy: ctx.grantedBy,
  })];
}

export const RevokeBypass = defineCommand('RevokeBypass', z.strictObject({ userId: idField }));
export type RevokeBypass = ReturnType<typeof RevokeBypass.create>;

// Ends the user's bypass now, on every node (the event replicates; a slave's use of a once-only
// kind waits for the master, which refuses a revoked one). Nothing to revoke is an error.
export function decideRevokeBypass(state: UserState, command: RevokeBypass, ctx: { now: Date; revokedBy: string }): UserEvent[] {
  assertUserExists(state, command.userId);
  const b = activeBypass(state, ctx.now);
  if (!b) throw DomainError.rule(DomainErrorCode.BypassNotActive, 'bypass', 'The user holds no active bypass (none granted, or it lapsed, was used up or revoked already).');
  return [makeEvent('UserBypassRevoked', { userId: command.userId, bypassId: b.bypassId, at: ctx.now.toISOString(), revokedBy: ctx.revokedBy })];
}

// The use and the success in one append. A once-only bypass is used once in the whole cluster: a
// second use (another node was first) is refused. Lapse is checked where the sign-in happens: a
// use recorded by a slave before `until` may reach the master after it.
export function decideRecordBypassUsed(state: UserState, command: RecordBypassUsed, ctx: { now: Date }): UserEvent[] {
  assertUserExists(state, command.userId);
  const b = state.bypass;
  if (!b || b.bypassId !== command.bypassId) {
    throw DomainError.rule(DomainErrorCode.BypassNotActive, 'bypassId', 'The user holds no such bypass (it was replaced or never granted).');
  }
  if (b.revokedAt) throw DomainError.rule(DomainErrorCode.BypassNotActive, 'bypassId', 'This bypass was revoked by an administrator.');
  if (b.once && b.uses > 0) throw DomainError.rule(DomainErrorCode.BypassNotActive, 'bypassId', 'This one-time bypass has already been used.');
  const at = ctx.now.toISOString();
  return [
    makeEvent('UserBypassUsed', { userId: command.userId, bypassId: b.bypassId, at, source: command.source }),
    makeEvent('AuthenticationSucceeded', { userId: command.userId, at, source: command.source }),
  ];
}

export function decideRecordUnenrolledPass(state: UserState, command: RecordUnenrolledPass, ctx: { now: Date }): UserEvent[] {
  assertUserExists(state, command.userId);
  const at = ctx.now.toISOString();
  return [
    makeEvent('UnenrolledSignInAllowed', { userId: command.userId, at, source: command.source }),
    makeEvent('AuthenticationSucceeded', { userId: command.userId, at, source: command.source }),
  ];
}

