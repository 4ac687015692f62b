import { OathAlgorithm, OathKind, PhoneNumber, UserProfile } from '../events/catalogue';
import { SealedSecret } from '../events/event';
import { EventLike, recordOf } from '../events/event-record';
import { upcast } from '../events/upcasting';
import { sessionVersionAfter } from './session-version';

export interface OathTokenState {
  tokenId: string;
  kind: OathKind;
  algorithm: OathAlgorithm;
  digits: number;
  period: number;
  // HOTP: the next counter to try. TOTP: unused (0).
  counter: number;
  seed: SealedSecret;
  label: string;
  // Highest TOTP step / HOTP counter ever accepted; a code at or below it is a replay.
  lastUsedCounter: number | null;
}

export interface Restriction {
  at: string;
  until: string | null; // null: until an administrator lifts it
  reason: string;
}

// Stream `user-<userId>`. Times are ISO-8601 strings, as in the events.
export interface UserState {
  version: number;
  exists: boolean;
  deleted: boolean;
  userId: string | null;
  profile: UserProfile | null;
  enabled: boolean;
  pinHash: string | null;
  passwordHash: string | null;
  tokens: OathTokenState[];
  // Failures since the last success, unlock or lockout (the lockout policy windows them).
  recentFailures: string[];
  lockedOut: Restriction | null;
  blocked: Restriction | null;
  lastAuthenticatedAt: string | null;
  // Nonces of one-time challenges already answered (newest last, bounded); absent in older states.
  consumedChallenges?: Array<{ nonce: string; expiresAt: string }>;
  // Stream version of the last event that ends earlier sign-ins (session-version.ts); absent in older states.
  sessionVersion?: number;
}

export const INITIAL_USER_STATE: UserState = Object.freeze({
  version: 0,
  exists: false,
  deleted: false,
  userId: null,
  profile: null,
  enabled: false,
  pinHash: null,
  passwordHash: null,
  tokens: [],
  recentFailures: [],
  lockedOut: null,
  blocked: null,
  lastAuthenticatedAt: null,
}) as UserState;

// Bounded so that a user under a long attack with lockout disabled does not grow without end.
export const MAX_REMEMBERED_FAILURES = 100;
// Challenges live minutes; a user does not answer more than this many within one validity window.
export const MAX_REMEMBERED_CHALLENGES = 50;

type Payload = Record<string, unknown>;

function updateToken(state: UserState, tokenId: string, fn: (t: OathTokenState) => OathTokenState): OathTokenState[] {
  return state.tokens.map((t) => (t.tokenId === tokenId ? fn(t) : t));
}

// Pure fold of one user stream's events (fresh DomainEvents or log records, any schema version).
export function evolveUser(state: UserState, event: EventLike): UserState {
  const { type, payload: p } = upcast(recordOf(event));
  const s: UserState = { ...state, version: state.version + 1, ...sessionVersionAfter(type, state.version + 1) };
  switch (type) {
    case 'UserCreated': {
      const { userId, username, displayName, email, phones, preferredMethod, language } = p as Payload & UserProfile & { userId: string };
      return { ...s, exists: true, deleted: false, enabled: true, userId, profile: { username, displayName, email, phones: [...((phones as PhoneNumber[] | undefined) ?? [])], preferredMethod, language } };
    }
    case 'UserUpdated':
      return s.profile ? { ...s, profile: { ...s.profile, ...(p.changes as Partial<UserProfile>) } } : s;
    case 'UserPinSet':
      return { ...s, pinHash: p.pinHash as string };
    case 'UserPinCleared':
      return { ...s, pinHash: null };
    case 'UserPasswordSet':
      return { ...s, passwordHash: p.passwordHash as string };
    case 'UserEnabled':
      return { ...s, enabled: true };
    case 'UserDisabled':
      return { ...s, enabled: false };
    case 'UserLockedOut':
      return { ...s, lockedOut: { at: p.at as string, until: p.until as string | null, reason: p.reason as string }, recentFailures: [] };
    case 'UserUnlocked':
      return { ...s, lockedOut: null, recentFailures: [] };
    case 'UserBlockedForFraud':
      return { ...s, blocked: { at: p.at as string, until: p.until as string | null, reason: p.reason as string } };
    case 'UserFraudUnblocked':
      return { ...s, blocked: null };
    case 'OathTokenAssigned': {
      const token: OathTokenState = {
        tokenId: p.tokenId as string,
        kind: p.kind as OathKind,
        algorithm: p.algorithm as OathAlgorithm,
        digits: p.digits as number,
        period: p.period as number,
        counter: p.counter as number,
        seed: p.seed as SealedSecret,
        label: p.label as string,
        lastUsedCounter: null,
      };
      return { ...s, tokens: [...s.tokens.filter((t) => t.tokenId !== token.tokenId), token] };
    }
    case 'OathTokenRemoved':
      return { ...s, tokens: s.tokens.filter((t) => t.tokenId !== p.tokenId) };
    case 'OtpChallengeConsumed': {
      const consumed = [...(s.consumedChallenges ?? []), { nonce: String(p.nonce), expiresAt: String(p.expiresAt) }];
      return { ...s, consumedChallenges: consumed.slice(-MAX_REMEMBERED_CHALLENGES) };
    }
    case 'OathCodeUsed': {
      const used = p.counter as number;
      return {
        ...s,
        tokens: updateToken(s, p.tokenId as string, (t) => ({
          ...t,
          lastUsedCounter: Math.max(t.lastUsedCounter ?? -1, used),
          counter: t.kind === 'hotp' ? Math.max(t.counter, used + 1) : t.counter,
        })),
      };
    }
    case 'AuthenticationFailed':
      return { ...s, recentFailures: [...s.recentFailures, p.at as string].slice(-MAX_REMEMBERED_FAILURES) };
    case 'AuthenticationSucceeded':
      return { ...s, recentFailures: [], lastAuthenticatedAt: p.at as string };
    case 'UserDeleted':
      // Forget secrets as well as the profile: nothing of the user stays usable in memory.
      return { ...INITIAL_USER_STATE, version: s.version, exists: true, deleted: true, userId: s.userId };
    default:
      return s;
  }
}

export function foldUser(events: Iterable<EventLike>, state: UserState = INITIAL_USER_STATE): UserState {
  let s = state;
  for (const e of events) s = evolveUser(s, e);
  return s;
}
