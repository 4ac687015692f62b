import type { PhoneNumber } from '../users/user.events';
import { foldWith } from '../events/event-record';
import { evolver } from '../events/narrow-event';
import { registerUpcaster } from '../events/upcasting';
import type { DirectoryEvent, DirectorySourceConfig, SyncCounts } from './directory.events';

// v1 sources had no nested-group option: direct members only.
registerUpcaster('DirectorySourceAdded', 1, (payload) => ({ ...payload, nestedGroups: 'off' }));

export interface DirectoryRun {
  runId: string; startedAt: string; status: 'running' | 'held' | 'approved' | 'completed' | 'failed';
  reason?: string; planned?: SyncCounts; counts?: SyncCounts; endedAt?: string; approvedBy?: string; refusals?: Array<{ username: string; reason: string }>; server?: string;
}
export interface DirectoryState {
  version: number;
  config: DirectorySourceConfig | null;
  linked: Record<string, string>; // username -> userId, users this source manages
  departed: Record<string, string>; // users it disabled when they left (enabled again if they return)
  runs: DirectoryRun[]; // newest last, bounded
  runCount: number;
}
export const INITIAL_DIRECTORY_STATE: DirectoryState = Object.freeze({ version: 0, config: null, linked: {}, departed: {}, runs: [], runCount: 0 }) as DirectoryState;
const MAX_RUNS = 20;

function withRun(s: DirectoryState, runId: string, fn: (r: DirectoryRun) => DirectoryRun): DirectoryRun[] {
  return s.runs.map((r) => (r.runId === runId ? fn(r) : r));
}

export const evolveDirectory = evolver<DirectoryState, DirectoryEvent>({
  DirectorySourceAdded: (s, config) => ({ ...s, config }),
  DirectorySourceUpdated: (s, { changes }) => (s.config ? { ...s, config: { ...s.config, ...changes } } : s),
  // The users stay as they are; the source lets go of them (a source added again under this
  // name starts afresh, adopting users by username). Run ids keep counting.
  DirectorySourceRemoved: (s) => ({ ...s, config: null, linked: {}, departed: {}, runs: [] }),
  DirectorySyncStarted: (s, { runId, at }) =>
    ({ ...s, runCount: s.runCount + 1, runs: [...s.runs, { runId, startedAt: at, status: 'running' as const }].slice(-MAX_RUNS) }),
  DirectorySyncHeld: (s, { runId, reason, planned, at }) =>
    ({ ...s, runs: withRun(s, runId, (r) => ({ ...r, status: 'held', reason, planned, endedAt: at })) }),
  DirectorySyncApproved: (s, { runId, by }) => ({ ...s, runs: withRun(s, runId, (r) => ({ ...r, status: 'approved', approvedBy: by })) }),
  DirectorySyncFailed: (s, { runId, reason, at }) => ({ ...s, runs: withRun(s, runId, (r) => ({ ...r, status: 'failed', reason, endedAt: at })) }),
  DirectorySyncCompleted: (s, { runId, at, counts, refusals, server, linked: adopted, unlinked }) => {
    const linked = { ...s.linked, ...adopted };
    const departed = { ...s.departed };
    for (const username of Object.keys(adopted)) delete departed[username];
    for (const username of unlinked) {
      if (linked[username]) departed[username] = linked[username];
      delete linked[username];
    }
    return { ...s, linked, departed, runs: withRun(s, runId, (r) => ({ ...r, status: 'completed', counts, endedAt: at, refusals, server })) };
  },
});

export const foldDirectory = foldWith(evolveDirectory, INITIAL_DIRECTORY_STATE);

// A run that started (or was approved) and never completed nor failed; `except` is the run about to go on.
export function openRun(state: DirectoryState, except?: string): DirectoryRun | undefined {
  return state.runs.find((r) => (r.status === 'running' || r.status === 'approved') && r.runId !== except);
}

// ---- the plan of a run: pure, from what the directory answered and what the users are now ----

export interface DirectoryEntry { username: string; displayName?: string; email?: string | null; phones?: PhoneNumber[]; language?: string }
export interface KnownUser { userId: string; username: string; displayName: string; email: string | null; phones: PhoneNumber[]; language: string; enabled: boolean }
export type SyncAction =
  | { kind: 'create'; username: string; profile: Omit<DirectoryEntry, 'username'> }
  | { kind: 'update'; username: string; userId: string; changes: Record<string, unknown>; enable: boolean }
  | { kind: 'enable'; username: string; userId: string }
  | { kind: 'disable' | 'delete'; username: string; userId: string };
export interface SyncPlan { actions: SyncAction[]; counts: SyncCounts; link: Record<string, string>; unlink: string[]; hold: string | null }

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

// approvedRemovals: an administrator approved a held run planning this many disables/deletes.
export function planSync(entries: DirectoryEntry[], users: Map<string, KnownUser>, state: DirectoryState, approvedRemovals: number | null): SyncPlan {
  const config = state.config!;
  const counts: SyncCounts = { entries: entries.length, created: 0, updated: 0, enabled: 0, disabled: 0, deleted: 0, unchanged: 0, refused: 0 };
  const actions: SyncAction[] = [];
  const link: Record<string, string> = {};
  const seen = new Set<string>();
  for (const entry of entries) {
    if (seen.has(entry.username)) continue;
    seen.add(entry.username);
    const user = users.get(entry.username);
    const { username, ...profile } = entry;
    if (!user) {
      actions.push({ kind: 'create', username, profile });
      counts.created++;
      continue;
    }
    link[username] = user.userId;
    const changes: Record<string, unknown> = {};
    for (const key of ['displayName', 'email', 'phones', 'language'] as const) {
      if (profile[key] !== undefined && !same(profile[key], user[key])) changes[key] = profile[key];
    }
    // Back after leaving (this source disabled them): enabled again. A user an administrator
    // disabled stays disabled.
    const enable = !user.enabled && state.departed[username] === user.userId;
    if (Object.keys(changes).length) {
      actions.push({ kind: 'update', username, userId: user.userId, changes, enable });
      counts.updated++;
      if (enable) counts.enabled++;
    } else if (enable) {
      actions.push({ kind: 'enable', username, userId: user.userId });
      counts.enabled++;
    } else {
      counts.unchanged++;
    }
  }
  const unlink: string[] = [];
  for (const [username, userId] of Object.entries(state.linked)) {
    if (seen.has(username)) continue;
    unlink.push(username);
    const user = users.get(username);
    if (!user || user.userId !== userId) continue; // gone already
    if (config.removal === 'delete') {
      actions.push({ kind: 'delete', username, userId });
      counts.deleted++;
    } else if (user.enabled) {
      actions.push({ kind: 'disable', username, userId });
      counts.disabled++;
    }
  }
  const removals = counts.disabled + counts.deleted;
  const managed = Object.keys(state.linked).length;
  const limit = (config.thresholdPercent / 100) * managed;
  const approved = approvedRemovals !== null && removals <= approvedRemovals;
  const hold = removals > 0 && removals > limit && !approved
    ? `would ${config.removal} ${removals} of ${managed} users this source manages (${managed ? Math.round((removals / managed) * 100) : 100} %), more than the threshold of ${config.thresholdPercent} %; check the filter and the directory, then approve the run`
    : null;
  return { actions, counts, link, unlink, hold };
}
