import { SecretSealer } from '../crypto/secret-box';
import { StoredSecretHash } from '../crypto/secret-hasher';
import { ContactDetails, OathAlgorithm, OathKind, ProfileWithoutContact, StoredContact, UserProfile } from './user.events';
import { SealedSecret } from '../events/event';
import { EventLike, recordOf } from '../events/event-record';
import { upcast } from '../events/upcasting';
import { isSealed, openContact } from './user-contact';
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

function updateToken(state: UserState, tokenId: string, fn: (t: OathTokenState) => OathTokenState): OathTokenState[] {
  return state.tokens.map((t) => (t.tokenId === tokenId ? fn(t) : t));
}

// Pure fold of one user stream's events (fresh DomainEvents or log records, any schema version).
export function evolveUser(state: UserState, event: EventLike): UserState {
  const { type, payload: p } = upcast(recordOf(event));
  const s: UserState = { ...state, version: state.version + 1, ...sessionVersionAfter(type, state.version + 1) };
  switch (type) {
    case 'UserCreated': {
      const { userId, username, displayName, preferredMethod, language, contact } = p as { userId: string; contact: StoredContact } & ProfileWithoutContact;
      return { ...s, exists: true, deleted: false, enabled: true, userId, profile: withContact({ username, displayName, preferredMethod, language }, contact) };
    }
    case 'UserUpdated': {
      if (!s.profile) return s;
      const changed = { ...s.profile, ...(p.changes as Partial<ProfileWithoutContact>) };
      const contact = p.contact as SealedSecret | Partial<ContactDetails> | undefined;
      return { ...s, profile: contact ? withContact(changed, contact, s.profile) : changed };
    }
    case 'UserPinSet':
      return { ...s, pinHash: p.pinHash as StoredSecretHash };
    case 'UserPinCleared':
      return { ...s, pinHash: null };
    case 'UserPasswordSet':
      return { ...s, passwordHash: p.passwordHash as StoredSecretHash };
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
