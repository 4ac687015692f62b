import { DomainEvent, SealedSecret } from './event';
import type { OutOfBandApprovalDecided } from '../approvals/approval';
import type { ClusterEvent } from '../cluster/cluster';
import type { InvitationEvent } from '../invitations/invitation';
import type { StoredSecretHash } from '../crypto/secret-hasher';
import { ROLLOUT_SCHEMA_VERSIONS, type RolloutEvent, type RolloutUserEvent } from '../rollout/rollout.events';
import { TOKEN_POOL_SCHEMA_VERSIONS, type TokenPoolEvent } from '../token-pool/token-pool.events';
import { DIRECTORY_SCHEMA_VERSIONS, type DirectoryEvent } from '../directory/directory.events';

// Stream ids: `user-<userId>`, `settings`, `radius-client-<clientId>`,
// `sdk-credential-<credentialId>`, `administrator-<adminId>`.
export const Streams = {
  user: (id: string) => `user-${id}`,
  settings: () => 'settings',
  radiusClient: (id: string) => `radius-client-${id}`,
  sdkCredential: (id: string) => `sdk-credential-${id}`,
  administrator: (id: string) => `administrator-${id}`,
  // Every imported hardware token's serial (one stream: a serial is unique in the cluster).
  tokenPool: () => 'token-pool',
  directory: (name: string) => `directory-${name}`,
} as const;

export type AuthMethod = 'totp' | 'sms' | 'voice' | 'push';
export type OathKind = 'totp' | 'hotp';
export type OathAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';
export type FirstFactorMode = 'none' | 'local-password' | 'ldap' | 'radius-proxy';
export type SdkScope = 'authenticate' | 'users:read' | 'self-service';

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
export type AuthenticationSucceeded = DomainEvent<'AuthenticationSucceeded', { userId: string; at: string; source: string }>;
export type UserDeleted = DomainEvent<'UserDeleted', { userId: string }>;

// ---- settings (one stream) ----
export interface Settings {
  pin: { minLength: number; maxLength: number; rejectTrivial: boolean };
  lockout: { failuresBeforeLockout: number; resetCounterMinutes: number; autoUnlockMinutes: number };
  fraud: { autoBlock: boolean; blockMinutes: number };
  defaultMethod: AuthMethod;
  otp: { length: number; validitySeconds: number; totpDriftSteps: number };
}
export type SettingsUpdated = DomainEvent<'SettingsUpdated', { changes: DeepPartial<Settings> }>;

// ---- RADIUS clients ----
export interface RadiusClientConfig {
  name: string;
  address: string; // exact IPv4/IPv6 address or CIDR
  firstFactor: FirstFactorMode;
  requireMessageAuthenticator: boolean;
  ldap?: { url: string; bindDnTemplate?: string; searchBase?: string; searchFilter?: string; bindDn?: string; bindPassword?: SealedSecret; startTls?: boolean };
  upstream?: { host: string; port: number; secret: SealedSecret; timeoutMs: number };
}
export type RadiusClientAdded = DomainEvent<'RadiusClientAdded', { clientId: string; secret: SealedSecret } & RadiusClientConfig>;
export type RadiusClientUpdated = DomainEvent<'RadiusClientUpdated', { clientId: string; changes: Partial<RadiusClientConfig>; secret?: SealedSecret }>;
export type RadiusClientRemoved = DomainEvent<'RadiusClientRemoved', { clientId: string }>;

// ---- SDK credentials ----
export type SdkCredentialIssued = DomainEvent<'SdkCredentialIssued', { credentialId: string; name: string; scopes: SdkScope[]; secretHash: string; certificateFingerprint: string | null }>;
export type SdkCredentialRevoked = DomainEvent<'SdkCredentialRevoked', { credentialId: string }>;

// ---- administrators ----
export type AdministratorAdded = DomainEvent<'AdministratorAdded', { adminId: string; name: string; passwordHash: string }>;
export type AdministratorRemoved = DomainEvent<'AdministratorRemoved', { adminId: string }>;

export type UserEvent =
  | UserCreated | UserUpdated | UserPinSet | UserPinCleared | UserPasswordSet | UserEnabled | UserDisabled
  | UserLockedOut | UserUnlocked | UserBlockedForFraud | UserFraudUnblocked | OathTokenAssigned
  | OathTokenRemoved | OathCodeUsed | OtpChallengeConsumed | AuthenticationFailed | AuthenticationSucceeded | UserDeleted
  | RolloutUserEvent;
export type SettingsEvent = SettingsUpdated;
export type RadiusClientEvent = RadiusClientAdded | RadiusClientUpdated | RadiusClientRemoved;
export type SdkCredentialEvent = SdkCredentialIssued | SdkCredentialRevoked;
export type AdministratorEvent = AdministratorAdded | AdministratorRemoved;
export type ApprovalEvent = OutOfBandApprovalDecided;
export type TwofoldEvent = UserEvent | SettingsEvent | RadiusClientEvent | SdkCredentialEvent | AdministratorEvent | ApprovalEvent | ClusterEvent | InvitationEvent | RolloutEvent | TokenPoolEvent | DirectoryEvent;
export type TwofoldEventType = TwofoldEvent['type'];

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

// Current schema version per type; bump with an upcaster, never edit a shape in place.
export const CURRENT_SCHEMA_VERSION: Record<TwofoldEventType, number> = {
  UserCreated: 2, UserUpdated: 2, UserPinSet: 2, UserPinCleared: 1, UserPasswordSet: 2, UserEnabled: 1,
  UserDisabled: 1, UserLockedOut: 1, UserUnlocked: 1, UserBlockedForFraud: 1, UserFraudUnblocked: 1,
  OathTokenAssigned: 1, OathTokenRemoved: 1, OathCodeUsed: 1, OtpChallengeConsumed: 1, AuthenticationFailed: 1,
  AuthenticationSucceeded: 1, UserDeleted: 1, SettingsUpdated: 1, RadiusClientAdded: 1,
  RadiusClientUpdated: 1, RadiusClientRemoved: 1, SdkCredentialIssued: 1, SdkCredentialRevoked: 1,
  AdministratorAdded: 1, AdministratorRemoved: 1, OutOfBandApprovalDecided: 1,
  ClusterEpochStarted: 1, JoinTokenIssued: 1, NodeJoined: 1, NodeCertificateRecorded: 1, NodeRemoved: 1,
  InvitationIssued: 1, InvitationUsed: 1,
  ...ROLLOUT_SCHEMA_VERSIONS,
  ...TOKEN_POOL_SCHEMA_VERSIONS,
  ...DIRECTORY_SCHEMA_VERSIONS,
};
