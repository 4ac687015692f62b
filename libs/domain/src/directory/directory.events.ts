import type { DomainEvent, SealedSecret } from '../events/event';

// Stream `directory-<name>`: an LDAP/AD source and its sync runs. The user changes a run makes are
// ordinary user events (actor `directory:<name>`) between its Started and its Completed record.
export interface DirectoryMapping {
  username: string; displayName?: string; email?: string; phones?: string[]; language?: string;
}
export interface DirectorySourceConfig {
  name: string;
  urls: string[]; // tried in order
  startTls: boolean;
  caFile: string | null; // PEM file on the master, for ldaps:// and StartTLS
  bindDn: string;
  bindPassword: SealedSecret; // SealContext.directoryBindPassword(name)
  baseDn: string;
  filter: string;
  groupDn: string | null;
  mapping: DirectoryMapping;
  intervalMinutes: number; // 0: on demand only
  removal: 'disable' | 'delete';
  thresholdPercent: number;
  timeoutMs: number;
  // Members of groupDn: 'off' direct members only; 'in-chain' AD's LDAP_MATCHING_RULE_IN_CHAIN
  // (memberOf:1.2.840.113556.1.4.1941:=<groupDN>); 'walk' nested groups resolved here by following
  // member attributes (any LDAP server); 'auto' in-chain when the server says it is AD, else walk.
  nestedGroups: NestedGroups; // from schema v2 of DirectorySourceAdded (v1: 'off')
}
export const NESTED_GROUP_MODES = ['off', 'auto', 'in-chain', 'walk'] as const;
export type NestedGroups = (typeof NESTED_GROUP_MODES)[number];
export interface SyncCounts { entries: number; created: number; updated: number; enabled: number; disabled: number; deleted: number; unchanged: number; refused: number }

export type DirectorySourceAdded = DomainEvent<'DirectorySourceAdded', DirectorySourceConfig>;
// changes: the fields given (a new bindPassword sealed again, same context).
export type DirectorySourceUpdated = DomainEvent<'DirectorySourceUpdated', { name: string; changes: Partial<DirectorySourceConfig> }>;
// The source is gone; its users stay (keptUsers of them), no longer synced by anyone.
export type DirectorySourceRemoved = DomainEvent<'DirectorySourceRemoved', { name: string; at: string; keptUsers: number }>;
export type DirectorySyncStarted = DomainEvent<'DirectorySyncStarted', { runId: string; at: string; approvedRemovals: number | null }>;
// Stopped before writing: the run would disable or delete more than the threshold allows.
export type DirectorySyncHeld = DomainEvent<'DirectorySyncHeld', { runId: string; at: string; reason: string; planned: SyncCounts }>;
export type DirectorySyncApproved = DomainEvent<'DirectorySyncApproved', { runId: string; at: string; by: string }>;
// linked: users this source now manages (username -> userId); unlinked: usernames it let go.
export type DirectorySyncCompleted = DomainEvent<'DirectorySyncCompleted', {
  runId: string; at: string; counts: SyncCounts; linked: Record<string, string>; unlinked: string[]; refusals: Array<{ username: string; reason: string }>; server: string;
}>;
export type DirectorySyncFailed = DomainEvent<'DirectorySyncFailed', { runId: string; at: string; reason: string }>;

export type DirectoryEvent = DirectorySourceAdded | DirectorySourceUpdated | DirectorySourceRemoved | DirectorySyncStarted | DirectorySyncHeld | DirectorySyncApproved | DirectorySyncCompleted | DirectorySyncFailed;

export const DIRECTORY_SCHEMA_VERSIONS = {
  DirectorySourceAdded: 2, DirectorySourceUpdated: 1, DirectorySourceRemoved: 1, DirectorySyncStarted: 1, DirectorySyncHeld: 1, DirectorySyncApproved: 1, DirectorySyncCompleted: 1, DirectorySyncFailed: 1,
} as const;
