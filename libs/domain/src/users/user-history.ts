import { SecretSealer } from '../crypto/secret-box';
import { isUnkeyedHash, StoredSecretHash } from '../crypto/secret-hasher';
import { EventRecord } from '../events/event-record';
import { evolveUser, INITIAL_USER_STATE, openUserContact, UserState } from './user.state';

// A user's stream as an auditor reads it: what the user looked like at a moment, and every change
// up to then with who asked for it. Secrets never appear: hashes and seeds become "set" ("set
// (unkeyed)" for a hash from before schema v2, which a copy of the log exposes to guessing).
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
  pin: SecretStatus;
  password: SecretStatus;
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

export type SecretStatus = 'set' | 'set (unkeyed)' | 'not set';

function secretStatus(stored: StoredSecretHash | null): SecretStatus {
  if (stored === null) return 'not set';
  return isUnkeyedHash(stored) ? 'set (unkeyed)' : 'set';
}

// sealer: the cluster key, to show the e-mail and phones to the auditor; without it they stay sealed
// (the profile then keeps `sealedContact`, and no e-mail or phones).
export function auditUser(events: Iterable<AuditedEvent>, at?: Date, sealer?: SecretSealer): UserAudit {
  let state = INITIAL_USER_STATE;
  const changes: UserAudit['changes'] = [];
  for (const e of events) {
    if (at && Date.parse(e.timestamp) > at.getTime()) break;
    state = evolveUser(state, e);
    changes.push({ position: e.position, timestamp: e.timestamp, type: e.type, actor: e.metadata.actor });
  }
  if (sealer) {
    try {
      state = openUserContact(state, sealer);
    } catch {
      // Sealed under a key this data directory no longer holds: show it as sealed, not as empty.
    }
  }
  return {
    at: at ? at.toISOString() : null,
    state: {
      exists: state.exists, deleted: state.deleted, profile: state.profile, enabled: state.enabled,
      pin: secretStatus(state.pinHash), password: secretStatus(state.passwordHash),
      tokens: state.tokens.map((t) => ({ tokenId: t.tokenId, kind: t.kind, label: t.label, lastUsedCounter: t.lastUsedCounter })),
      lockedOut: state.lockedOut, blocked: state.blocked, lastAuthenticatedAt: state.lastAuthenticatedAt,
    },
    changes,
  };
}
