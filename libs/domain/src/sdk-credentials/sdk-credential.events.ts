import { DomainEvent } from '../events/event';

export type SdkScope = 'authenticate' | 'users:read' | 'self-service' | 'devices';

// ---- SDK credentials ----
export type SdkCredentialIssued = DomainEvent<'SdkCredentialIssued', { credentialId: string; name: string; scopes: SdkScope[]; secretHash: string; certificateFingerprint: string | null }>;
export type SdkCredentialRevoked = DomainEvent<'SdkCredentialRevoked', { credentialId: string }>;

export type SdkCredentialEvent = SdkCredentialIssued | SdkCredentialRevoked;
