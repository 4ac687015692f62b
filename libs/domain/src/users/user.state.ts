import { SecretSealer } from '../crypto/secret-box';
import { StoredSecretHash } from '../crypto/secret-hasher';
import { ContactDetails, OathAlgorithm, OathKind, ProfileWithoutContact, SpentOathCode, StoredContact, USER_EVENT_TYPES, UserEvent, UserProfile } from './user.events';
import { SealedSecret } from '../events/event';
import { EventLike, EventRecord, recordOf } from '../events/event-record';
import { narrowEvent } from '../events/narrow-event';
import { registerUpcaster } from '../events/upcasting';
import { isSealed, openContact } from './user-contact';
import { sessionVersionAfter } from './session-version';

// The bypass a user holds (the latest granted); kept after it lapses or is used up, so a use
// recorded on a slave during an outage still finds it when it reaches the master.
export interface UserBypass {
  bypassId: string; at: string; until: string; once: boolean; reason: string; grantedBy: string;
  // Sign-ins that used it; with `once`, the first one ends it.
  uses: number;
  // Ended early by an administrator (UserBypassRevoked).
  revokedAt?: string; revokedBy?: string;
}

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

// While `sealedContact` is present the contact is not opened yet: `email` is null and `phones` empty
// until openUserContact fills them (and drops it). States written before v2 never have it.
export type UserStateProfile = UserProfile & { sealedContact?: SealedSecret };

// Stream `user-<userId>`. Times are ISO-8601 strings, as in the events.
export interface UserState {
  version: number;
  exists: boolean;
  deleted: boolean;
  userId: string | null;
  profile: UserStateProfile | null;
  enabled: boolean;
  // Sealed since schema v2; a bare argon2id string when it came from a v1 event (see StoredSecretHash).
  pinHash: StoredSecretHash | null;
  passwordHash: StoredSecretHash | null;
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
  // Staged rollout (rollout/bypass.ts); absent in older states.
  bypass?: UserBypass | null;
  unenrolledSignIns?: number;
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

function withContact(profile: ProfileWithoutContact, contact: StoredContact | Partial<ContactDetails>, before?: UserStateProfile): UserStateProfile {
  if (isSealed(contact)) return { ...profile, email: null, phones: [], sealedContact: contact };
  // Clear contact comes only from v1 records, which all precede a stream's first v2 record.
  const email = contact.email !== undefined ? contact.email : (before?.email ?? null);
  const phones = contact.phones !== undefined ? [...contact.phones] : [...(before?.phones ?? [])];
  const { sealedContact: _sealed, ...rest } = { ...before, ...profile } as UserStateProfile;
  return { ...rest, email, phones };
}

// Opens the sealed contact so the state carries e-mail and phones in clear (for the write side,
// the read model and the audit, which all hold the cluster key). A state without one is returned as is.
export function openUserContact(state: UserState, sealer: SecretSealer): UserState {
  const profile = state.profile;
  if (!profile?.sealedContact || !state.userId) return state;
  const { sealedContact, ...rest } = profile;
  const { email, phones } = openContact(sealer, state.userId, sealedContact);
  return { ...state, profile: { ...rest, email, phones } };
}

// An OATH step/counter spent (OathCodeUsed, or a v2 AuthenticationSucceeded's code): it and every
// lower one are used; a HOTP token's next counter moves past it.
function codeSpent(s: UserState, { tokenId, counter }: SpentOathCode): UserState {
  return {
    ...s,
    tokens: updateToken(s, tokenId, (t) => ({
      ...t,
      lastUsedCounter: Math.max(t.lastUsedCounter ?? -1, counter),
      counter: t.kind === 'hotp' ? Math.max(t.counter, counter + 1) : t.counter,
    })),
  };
}

// v1 → v2 only adds the optional `code`: a v1 success spent no code of its own.
registerUpcaster('AuthenticationSucceeded', 1, (payload) => payload);

function updateToken(state: UserState, tokenId: string, fn: (t: OathTokenState) => OathTokenState): OathTokenState[] {
  return state.tokens.map((t) => (t.tokenId === tokenId ? fn(t) : t));
}

// A user-stream record (any schema version) read once as a typed event of the current shape; null
// for a type that is not a user event. The one place a record's payload is trusted to be its type's
// (the log only holds what the domain wrote, and upcast brought it to the current version).
export function userEventOf(record: EventRecord): UserEvent | null {
  return narrowEvent(record, USER_EVENT_TYPES);
}

// Pure fold of one user stream's events (fresh DomainEvents or log records, any schema version).
export function evolveUser(state: UserState, event: EventLike): UserState {
  const record = recordOf(event);
  const s: UserState = { ...state, version: state.version + 1, ...sessionVersionAfter(record.type, state.version + 1) };
  const typed = userEventOf(record);
  return typed ? applyUserEvent(s, typed) : s;
}

// `s` already counts the event (version, sessionVersion).
function applyUserEvent(s: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserCreated': {
      const { userId, username, displayName, preferredMethod, language, contact } = event.data;
      return { ...s, exists: true, deleted: false, enabled: true, userId, profile: withContact({ username, displayName, preferredMethod, language }, contact) };
    }
    case 'UserUpdated': {
      if (!s.profile) return s;
      const changed = { ...s.profile, ...event.data.changes };
      const contact = event.data.contact;
      return { ...s, profile: contact ? withContact(changed, contact, s.profile) : changed };
    }
    case 'UserPinSet':
      return { ...s, pinHash: event.data.pinHash };
    case 'UserPinCleared':
      return { ...s, pinHash: null };
    case 'UserPasswordSet':
      return { ...s, passwordHash: event.data.passwordHash };
    case 'UserEnabled':
      return { ...s, enabled: true };
    case 'UserDisabled':
      return { ...s, enabled: false };
    case 'UserLockedOut':
      return { ...s, lockedOut: { at: event.data.at, until: event.data.until, reason: event.data.reason }, recentFailures: [] };
    case 'UserUnlocked':
      return { ...s, lockedOut: null, recentFailures: [] };
    case 'UserBlockedForFraud':
      return { ...s, blocked: { at: event.data.at, until: event.data.until, reason: event.data.reason } };
    case 'UserFraudUnblocked':
      return { ...s, blocked: null };
    case 'OathTokenAssigned': {
      const { tokenId, kind, algorithm, digits, period, counter, seed, label } = event.data;
      const token: OathTokenState = { tokenId, kind, algorithm, digits, period, counter, seed, label, lastUsedCounter: null };
      return { ...s, tokens: [...s.tokens.filter((t) => t.tokenId !== token.tokenId), token] };
    }
    case 'OathTokenRemoved':
      return { ...s, tokens: s.tokens.filter((t) => t.tokenId !== event.data.tokenId) };
    case 'OtpChallengeConsumed': {
      const consumed = [...(s.consumedChallenges ?? []), { nonce: event.data.nonce, expiresAt: event.data.expiresAt }];
      return { ...s, consumedChallenges: consumed.slice(-MAX_REMEMBERED_CHALLENGES) };
    }
    case 'OathCodeUsed':
      return codeSpent(s, event.data);
    case 'AuthenticationFailed':
      return { ...s, recentFailures: [...s.recentFailures, event.data.at].slice(-MAX_REMEMBERED_FAILURES) };
    case 'AuthenticationSucceeded': {
      const signedIn: UserState = { ...s, recentFailures: [], lastAuthenticatedAt: event.data.at };
      return event.data.code ? codeSpent(signedIn, event.data.code) : signedIn;
    }
    case 'UserDeleted':
      // Forget secrets as well as the profile: nothing of the user stays usable in memory.
      return { ...INITIAL_USER_STATE, version: s.version, exists: true, deleted: true, userId: s.userId };
    case 'UserBypassGranted': {
      const { bypassId, at, until, once, reason, grantedBy } = event.data;
      return { ...s, bypass: { bypassId, at, until, once: once === true, reason, grantedBy, uses: 0 } };
    }
    case 'UserBypassRevoked':
      return s.bypass && s.bypass.bypassId === event.data.bypassId ? { ...s, bypass: { ...s.bypass, revokedAt: event.data.at, revokedBy: event.data.revokedBy } } : s;
    case 'UserBypassUsed':
      return s.bypass && s.bypass.bypassId === event.data.bypassId ? { ...s, bypass: { ...s.bypass, uses: s.bypass.uses + 1 } } : s;
    case 'UnenrolledSignInAllowed':
      return { ...s, unenrolledSignIns: (s.unenrolledSignIns ?? 0) + 1 };
    default:
      return s;
  }
}

export function foldUser(events: Iterable<EventLike>, state: UserState = INITIAL_USER_STATE): UserState {
  let s = state;
  for (const e of events) s = evolveUser(s, e);
  return s;
}
