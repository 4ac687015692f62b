import type { AdministratorEvent } from '../administrators/administrator.events';
import type { ApprovalEvent } from '../approvals/approval.events';
import type { ClusterEvent } from '../cluster/cluster.events';
import type { InvitationEvent } from '../invitations/invitation.events';
import type { RadiusClientEvent } from '../radius-clients/radius-client.events';
import type { SdkCredentialEvent } from '../sdk-credentials/sdk-credential.events';
import type { SettingsEvent } from '../settings/settings.events';
import type { UserEvent } from '../users/user.events';
import { ROLLOUT_SCHEMA_VERSIONS, type RolloutEvent } from '../rollout/rollout.events';
import { TOKEN_POOL_SCHEMA_VERSIONS, type TokenPoolEvent } from '../token-pool/token-pool.events';
import { DIRECTORY_SCHEMA_VERSIONS, type DirectoryEvent } from '../directory/directory.events';
import { DEVICE_SCHEMA_VERSIONS, type DeviceEvent } from '../devices/devices.events';

// Each feature folder owns its events (types, payloads, stream names) in `<feature>/<feature>.events.ts`.
// This file only assembles them: the union of every event the domain writes, and its schema versions.
// A feature's events file never imports this one (test/lint/import-cycles.e2e-spec.ts).
export type TwofoldEvent = UserEvent | SettingsEvent | RadiusClientEvent | SdkCredentialEvent | AdministratorEvent | ApprovalEvent | ClusterEvent | InvitationEvent | RolloutEvent | TokenPoolEvent | DirectoryEvent | DeviceEvent;
export type TwofoldEventType = TwofoldEvent['type'];

// Current schema version per type; bump with an upcaster, never edit a shape in place.
export const CURRENT_SCHEMA_VERSION: Record<TwofoldEventType, number> = {
  UserCreated: 2, UserUpdated: 2, UserPinSet: 2, UserPinCleared: 1, UserPasswordSet: 2, UserEnabled: 1,
  UserDisabled: 1, UserLockedOut: 1, UserUnlocked: 1, UserBlockedForFraud: 1, UserFraudUnblocked: 1,
  OathTokenAssigned: 1, OathTokenRemoved: 1, OathCodeUsed: 1, OtpChallengeConsumed: 1, AuthenticationFailed: 1,
  AuthenticationSucceeded: 2, UserDeleted: 1, SettingsUpdated: 1, RadiusClientAdded: 2,
  RadiusClientUpdated: 2, RadiusClientRemoved: 1, SdkCredentialIssued: 1, SdkCredentialRevoked: 1,
  AdministratorAdded: 1, AdministratorRemoved: 1, OutOfBandApprovalDecided: 1,
  ClusterEpochStarted: 1, JoinTokenIssued: 1, NodeJoined: 1, NodeCertificateRecorded: 1, NodeRemoved: 1,
  InvitationIssued: 1, InvitationUsed: 1,
  ...ROLLOUT_SCHEMA_VERSIONS,
  ...TOKEN_POOL_SCHEMA_VERSIONS,
  ...DIRECTORY_SCHEMA_VERSIONS,
  ...DEVICE_SCHEMA_VERSIONS,
};
