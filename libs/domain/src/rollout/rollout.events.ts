import type { DomainEvent } from '../events/event';

// Staged rollout: what a sign-in does for a user who has no second factor yet, per RADIUS client
// and per SDK credential. 'reject' is the default (and what every client did before this existed).
export const UNENROLLED_POLICIES = ['reject', 'first-factor-only'] as const;
export type UnenrolledPolicy = (typeof UNENROLLED_POLICIES)[number];

// Stream `radius-client-<clientId>` / `sdk-credential-<credentialId>`. New types rather than new
// shapes of RadiusClientAdded and SdkCredentialIssued: a client without one of these is 'reject'.
export type RadiusClientRolloutPolicySet = DomainEvent<'RadiusClientRolloutPolicySet', { clientId: string; unenrolled: UnenrolledPolicy }>;
export type SdkCredentialRolloutPolicySet = DomainEvent<'SdkCredentialRolloutPolicySet', { credentialId: string; unenrolled: UnenrolledPolicy }>;

// Stream `user-<userId>`. An administrator lets the user in without a second factor until `until`;
// `once`: the first use ends it. grantedBy: the administrator (the metadata's actor says it too).
export type UserBypassGranted = DomainEvent<'UserBypassGranted', {
  userId: string; bypassId: string; at: string; until: string; once: boolean; reason: string; grantedBy: string;
}>;
// An administrator ended the bypass before it lapsed (revokedBy: the administrator).
export type UserBypassRevoked = DomainEvent<'UserBypassRevoked', { userId: string; bypassId: string; at: string; revokedBy: string }>;
// A sign-in that used the bypass (a security record: from a slave it travels upstream like a used code).
export type UserBypassUsed = DomainEvent<'UserBypassUsed', { userId: string; bypassId: string; at: string; source: string }>;
// A sign-in on the first factor alone because the user has no second factor and the client allows it.
export type UnenrolledSignInAllowed = DomainEvent<'UnenrolledSignInAllowed', { userId: string; at: string; source: string }>;

export type RolloutUserEvent = UserBypassGranted | UserBypassRevoked | UserBypassUsed | UnenrolledSignInAllowed;
export type RolloutEvent = RolloutUserEvent | RadiusClientRolloutPolicySet | SdkCredentialRolloutPolicySet;

export const ROLLOUT_SCHEMA_VERSIONS = {
  RadiusClientRolloutPolicySet: 1, SdkCredentialRolloutPolicySet: 1, UserBypassGranted: 1, UserBypassRevoked: 1, UserBypassUsed: 1, UnenrolledSignInAllowed: 1,
} as const;
