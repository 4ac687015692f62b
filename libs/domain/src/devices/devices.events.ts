import { DomainEvent } from '../events/event';

// Mobile-app devices of a user (stream `devices-<userId>`). The log keeps a SHA-256 of the
// activation code, never the code; the device's public key is public (P-256 SPKI DER, base64url).
export type DeviceActivationIssued = DomainEvent<'DeviceActivationIssued', { userId: string; codeHash: string; expiresAt: string; at: string; source: string }>;
export type DeviceActivated = DomainEvent<'DeviceActivated', {
  deviceId: string; userId: string; name: string; publicKey: string; pushAddress: string | null; codeHash: string; at: string;
}>;
export type DeviceRemoved = DomainEvent<'DeviceRemoved', { deviceId: string; userId: string; at: string; source: string }>;

// A push sign-in waiting for the user's device (on the user's stream, recorded like a sign-in's
// security outcome so a slave sends it upstream). `approvalId` is the sealed approval id: the
// number to match and the expiry are inside it, readable only with the cluster key.
export type PushApprovalRequested = DomainEvent<'PushApprovalRequested', { userId: string; approvalKey: string; approvalId: string; at: string; source: string }>;

export type DeviceEvent = DeviceActivationIssued | DeviceActivated | DeviceRemoved | PushApprovalRequested;

export const DEVICE_SCHEMA_VERSIONS = { DeviceActivationIssued: 1, DeviceActivated: 1, DeviceRemoved: 1, PushApprovalRequested: 1 } as const;
