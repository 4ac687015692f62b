import type { OathCodeCache } from '../oath/oath-code-cache';
import { canAuthenticate, DomainErrorCode, errorCodeOf, isLockedOut, Settings, UserState } from '@twofold/domain';
import type { EngineClient, SignInRead } from './engine.ports';
import type { AuthenticationEngineDeps, AuthOutcome, RejectReason } from './engine.types';
import type { ChallengeRef } from './challenge-once';
import { isCodeReplay } from './challenge-once';
import { failureText, lockedReject, reject } from './reject-messages';
import type { SendLimit } from './send-limit';

// What every part of the engine shares: its ports and its settings, resolved once.
export interface EngineContext {
  deps: AuthenticationEngineDeps;
  clock(): number;
  outOfBandTimeoutMs: number;
  hotpLookAhead: number;
  codes: OathCodeCache; // HOTP windows of recent sign-ins
}

// One sign-in attempt: the user loaded and gated once, with the settings it is decided under.
export interface SignInAttempt {
  userId: string;
  username: string;
  state: UserState;
  settings: Settings;
  client: EngineClient;
  source: string;
  now: number;
  pinVerified?: boolean;
  application?: string;
  sendLimit?: SendLimit;
}

export interface LoadOptions {
  now?: number; // when the caller already read the clock (to open a sealed State with it)
  missing?: RejectReason; // what an unknown or deleted user is told (a State's user: invalid_state)
  username?: string; // the transport named the user again: it must be the State's
  application?: string;
  sendLimit?: SendLimit;
  read?: SignInRead; // the user's state and the settings, already read with the user's id
}

// Loads the user, checks the gate (disabled, blocked, locked) and reads the settings: an attempt,
// or the reject to answer.
export async function loadSignInAttempt(ctx: EngineContext, userId: string, client: EngineClient, source: string, options: LoadOptions = {}): Promise<SignInAttempt | AuthOutcome> {
  const state = options.read ? options.read.state : await ctx.deps.directory.getUserState(userId);
  const missing = options.missing ?? 'unknown_user';
  if (!state || !state.profile || state.deleted) return reject(missing);
  if (options.username !== undefined && options.username.trim().toLowerCase() !== state.profile.username) return reject(missing);
  const now = options.now ?? ctx.clock();
  const closed = gate(state, now);
  if (closed) return closed;
  const settings = options.read ? options.read.settings : await ctx.deps.directory.getSettings();
  return {
    userId, username: state.profile.username, state, settings, client, source, now,
    ...(options.application ? { application: options.application } : {}),
    ...(options.sendLimit ? { sendLimit: options.sendLimit } : {}),
  };
}

export function isSignInAttempt(value: SignInAttempt | AuthOutcome): value is SignInAttempt {
  return !('kind' in value);
}

// Why a user who exists may not sign in now, as every transport names it (engine rejects, SDK errors).
export const GATE_REASONS = {
  [DomainErrorCode.UserDisabled]: 'user_disabled',
  [DomainErrorCode.UserBlocked]: 'user_blocked',
  [DomainErrorCode.UserLocked]: 'user_locked',
} as const satisfies Partial<Record<DomainErrorCode, RejectReason>>;
export type GateReason = (typeof GATE_REASONS)[keyof typeof GATE_REASONS];
const GATE_REASON_OF: Partial<Record<DomainErrorCode, GateReason>> = GATE_REASONS;

// canAuthenticate's refusal as a reason; any other refusal reads as an unknown user.
export function gateReason(code: DomainErrorCode): GateReason | 'unknown_user' {
  return GATE_REASON_OF[code] ?? 'unknown_user';
}

// Disabled, blocked and locked users are told why; unknown and deleted ones are not.
export function gate(state: UserState, now: number): AuthOutcome | null {
  const allowed = canAuthenticate(state, new Date(now));
  if (allowed.ok) return null;
  const reason = gateReason(allowed.error.code);
  if (reason === 'user_locked') return lockedReject(state, state.userId!);
  return reason === 'unknown_user' ? reject('unknown_user') : reject(reason, state.userId ?? undefined);
}

export function accept(attempt: SignInAttempt): AuthOutcome {
  return { kind: 'accept', userId: attempt.userId, username: attempt.username };
}

// A challenge prompt asks for the PIN unless it was checked up front (SDK); the State remembers.
export function pinHint(attempt: SignInAttempt): string {
  return attempt.state.pinHash !== null && !attempt.pinVerified ? 'your PIN followed by ' : '';
}

export function pinDone(attempt: SignInAttempt): { p?: 1 } {
  return attempt.pinVerified ? { p: 1 } : {};
}

export function challengeExpiry(attempt: SignInAttempt): number {
  return attempt.now + attempt.settings.otp.validitySeconds * 1000;
}

// ---- what an attempt records: one security outcome each ----

// An out-of-band approval held by the request (nothing once-only to consume).
export async function succeed(ctx: EngineContext, attempt: SignInAttempt): Promise<AuthOutcome> {
  try {
    await ctx.deps.security.record({ kind: 'success', userId: attempt.userId, source: attempt.source });
  } catch (error) {
    // The code is already burned; a lost success record only delays the failure-counter reset.
    ctx.deps.logger?.warn({ userId: attempt.userId, code: errorCodeOf(error) ?? 'error' }, 'could not record a successful authentication');
  }
  return accept(attempt);
}

// A challenge State (SMS, polled push/voice) answered: consumed and the success, in one append.
export async function succeedChallenge(ctx: EngineContext, attempt: SignInAttempt, challenge: ChallengeRef): Promise<AuthOutcome> {
  try {
    await ctx.deps.security.record({ kind: 'challenge_success', userId: attempt.userId, challenge, source: attempt.source });
  } catch (error) {
    if (isCodeReplay(error)) return reject('invalid_state', attempt.userId);
    throw error;
  }
  return accept(attempt);
}

// `shown`: what the caller is told when it must not learn the exact reason (the log keeps it).
export async function fail(ctx: EngineContext, attempt: SignInAttempt, reason: RejectReason, shown: RejectReason = reason): Promise<AuthOutcome> {
  try {
    const after = await ctx.deps.security.record({ kind: 'failed_attempt', userId: attempt.userId, reason: failureText(reason), source: attempt.source });
    // This failure may be the one that locked the account (the write side says): tell the user now.
    if (isLockedOut(after, new Date(ctx.clock()))) return lockedReject(after, attempt.userId);
  } catch (error) {
    ctx.deps.logger?.warn({ userId: attempt.userId, code: errorCodeOf(error) ?? 'error' }, 'could not record a failed authentication');
  }
  return reject(shown, attempt.userId);
}
