import { EventRecord } from '../events/event-record';
import { evolveUser, INITIAL_USER_STATE, UserState } from './user.state';

// A user's stream as an auditor reads it: what the user looked like at a moment, and every change
// up to then with who asked for it. Secrets never appear: hashes and seeds become "set".
export interface AuditedEvent extends EventRecord {
  position: number;
  timestamp: string;
  metadata: { actor: string; nodeId?: string; epoch?: number };
}

export interface UserAtMoment {
  exists: boolean;
  deleted: boolean;
  profile: UserState['profile'];
  enabled: boolean;
  pin: 'set' | 'not set';
  password: 'set' | 'not set';
  tokens: Array<{ tokenId: string; kind: string; label: string; lastUsedCounter: number | null }>;
  lockedOut: UserState['lockedOut'];
  blocked: UserState['blocked'];
  lastAuthenticatedAt: string | null;
}

export interface UserAudit {
  at: string | null;
  state: UserAtMoment;
  changes: Array<{ position: number; timestamp: string; type: string; actor: string }>;
}

export function auditUser(events: Iterable<AuditedEvent>, at?: Date): UserAudit {
  let state = INITIAL_USER_STATE;
  const changes: UserAudit['changes'] = [];
  for (const e of events) {
    if (at && Date.parse(e.timestamp) > at.getTime()) break;
    state = evolveUser(state, e);
    changes.push({ position: e.position, timestamp: e.timestamp, type: e.type, actor: e.metadata.actor });
  }
  return {
    at: at ? at.toISOString() : null,
    state: {
      exists: state.exists, deleted: state.deleted, profile: state.profile, enabled: state.enabled,
      pin: state.pinHash ? 'set' : 'not set', password: state.passwordHash ? 'set' : 'not set',
      tokens: state.tokens.map((t) => ({ tokenId: t.tokenId, kind: t.kind, label: t.label, lastUsedCounter: t.lastUsedCounter })),
      lockedOut: state.lockedOut, blocked: state.blocked, lastAuthenticatedAt: state.lastAuthenticatedAt,
    },
    changes,
  };
}
