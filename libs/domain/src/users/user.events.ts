import type { StoredSecretHash } from '../crypto/secret-hasher';
import { DomainEvent, SealedSecret } from '../events/event';
import type { RolloutUserEvent } from '../rollout/rollout.events';

export type AuthMethod = 'totp' | 'sms' | 'voice' | 'push';
export type OathKind = 'totp' | 'hotp';
export type OathAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

export interface PhoneNumber { label: string; number: string }

export interface UserProfile {
  username: string;
  displayName: string;
  email: string | null;
  phones: PhoneNumber[];
  preferredMethod: AuthMethod;
  language: string;
}

// E-mail and phones: personal data, sealed in events from schema v2 on (see users/user-contact.ts).
export interface ContactDetails { email: string | null; phones: PhoneNumber[] }
// Sealed (AAD SealContext.userContact) in every event written since v2; clear only when upcast from v1.
export type StoredContact = SealedSecret | ContactDetails;
export type ProfileWithoutContact = Omit<UserProfile, 'email' | 'phones'>;

// ---- users ----
// v1: { userId } & UserProfile (email and phones in clear). v2: contact sealed, always complete.
export type UserCreated = DomainEvent<'UserCreated', { userId: string; contact: StoredContact } & ProfileWithoutContact>;
// v1: email/phones inside `changes`. v2: `contact` is the complete new contact (sealed) when either changed;
// upcast from v1 it is the clear part of the change (`Partial<ContactDetails>`).
export type UserUpdated = DomainEvent<'UserUpdated', {
  userId: string; changes: Partial<Omit<ProfileWithoutContact, 'username'>>; contact?: SealedSecret | Partial<ContactDetails>;
}>;
// v1: pinHash a bare argon2id PHC string. v2: sealed (see StoredSecretHash); v1 strings upcast unchanged.
export type UserPinSet = DomainEvent<'UserPinSet', { userId: string; pinHash: StoredSecretHash }>;
export type UserPinCleared = DomainEvent<'UserPinCleared', { userId: string }>;
export type UserPasswordSet = DomainEvent<'UserPasswordSet', { userId: string; passwordHash: StoredSecretHash }>;
export type UserEnabled = DomainEvent<'UserEnabled', { userId: string }>;
export type UserDisabled = DomainEvent<'UserDisabled', { userId: string }>;
// `until` null means locked until an administrator unlocks.
export type UserLockedOut = DomainEvent<'UserLockedOut', { userId: string; at: string; until: string | null; reason: string }>;
export type UserUnlocked = DomainEvent<'UserUnlocked', { userId: string }>;
export type UserBlockedForFraud = DomainEvent<'UserBlockedForFraud', { userId: string; at: string; until: string | null; reason: string }>;
export type UserFraudUnblocked = DomainEvent<'UserFraudUnblocked', { userId: string }>;
export type OathTokenAssigned = DomainEvent<'OathTokenAssigned', {
  userId: string; tokenId: string; kind: OathKind; algorithm: OathAlgorithm; digits: number;
  period: number; counter: number; seed: SealedSecret; label: string;
}>;
export type OathTokenRemoved = DomainEvent<'OathTokenRemoved', { userId: string; tokenId: string }>;
// A code accepted once must never be accepted again, on any node (TOTP time step or HOTP counter).
export type OathCodeUsed = DomainEvent<'OathCodeUsed', { userId: string; tokenId: string; counter: number }>;
// A one-time challenge (SMS code in a sealed state) answered: the same state is refused on every node.
export type OtpChallengeConsumed = DomainEvent<'OtpChallengeConsumed', { userId: string; nonce: string; expiresAt: string }>;
export type AuthenticationFailed = DomainEvent<'AuthenticationFailed', { userId: string; at: string; reason: string; source: string }>;
// Schema v2 adds `code`: a sign-in by an OATH code records the step/counter it spent here, in the
// same event (v1 sign-ins have an OathCodeUsed before it; both still read). Good once, as OathCodeUsed.
export type AuthenticationSucceeded = DomainEvent<'AuthenticationSucceeded', { userId: string; at: string; source: string; code?: SpentOathCode }>;
export interface SpentOathCode { tokenId: string; counter: number }
export type UserDeleted = DomainEvent<'UserDeleted', { userId: string }>;

export type UserEvent =
  | UserCreated | UserUpdated | UserPinSet | UserPinCleared | UserPasswordSet | UserEnabled | UserDisabled
  | UserLockedOut | UserUnlocked | UserBlockedForFraud | UserFraudUnblocked | OathTokenAssigned
  | OathTokenRemoved | OathCodeUsed | OtpChallengeConsumed | AuthenticationFailed | AuthenticationSucceeded | UserDeleted
  | RolloutUserEvent;

// Every user event type, once: the compiler refuses a UserEvent type missing here (userEventOf reads
// records with it).
export const USER_EVENT_TYPES: Readonly<Record<UserEvent['type'], true>> = {
  UserCreated: true, UserUpdated: true, UserPinSet: true, UserPinCleared: true, UserPasswordSet: true, UserEnabled: true,
  UserDisabled: true, UserLockedOut: true, UserUnlocked: true, UserBlockedForFraud: true, UserFraudUnblocked: true,
  OathTokenAssigned: true, OathTokenRemoved: true, OathCodeUsed: true, OtpChallengeConsumed: true, AuthenticationFailed: true,
  AuthenticationSucceeded: true, UserDeleted: true, UserBypassGranted: true, UserBypassRevoked: true, UserBypassUsed: true, UnenrolledSignInAllowed: true,
};
