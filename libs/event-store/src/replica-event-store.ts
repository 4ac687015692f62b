import type { EntityManager } from 'typeorm';
import type { EventLogRow } from './event-log-row';
import type { EventStore, LogHead, StoredEvent } from './event-store';

// A store that can also take records from a master verbatim (slaves).
export interface ReplicaEventStore extends EventStore {
  // records: decoded, or rows whose payload and metadata are the canonical JSON text the master
  // stores (as in its event_log; the hash is then checked over that text, which is stored as is).
  appendReplicated(records: StoredEvent[] | EventLogRow[]): Promise<LogHead>;
  // What commits in the same transaction as every appendReplicated from now on (null: nothing).
  projectReplicatedWith(companion: ReplicatedCompanion | null): void;
  // An old master back as a slave whose history diverged after `position`: moves every record
  // above it into event_log_divergent (kept for audit, never replayed) so the log's head is
  // `position` again and appendReplicated continues from there.
  setAsideAfter(position: number, reason: string): Promise<SetAsideResult>;
  listSetAside(): Promise<SetAsideBatch[]>; // oldest first
  readSetAside(divergenceId: string): Promise<StoredEvent[]>; // in position order; [] if unknown
}

// Work done inside appendReplicated's transaction (a slave's read model), so the records are
// durable and visible at the same commit, with one fsync.
export interface ReplicatedCompanion {
  // After the rows are inserted, before the commit. tx: the transaction's EntityManager on
  // PostgreSQL; null on SQLite, where the DataSource's one connection is inside the transaction
  // (under the storage lock). Throwing rolls it back; the records are then appended without it.
  within(records: StoredEvent[], tx: EntityManager | null): Promise<void>;
  committed(head: LogHead): void; // the transaction that ran within() committed
  rolledBack(err: unknown): void; // it did not: nothing within() wrote is kept
}

export interface SetAsideResult {
  setAside: number; // records moved; 0 when position was the head (nothing stored then)
  head: LogHead; // the record at `position` (position 0: GENESIS_HASH)
  divergenceId: string | null; // null when nothing was set aside
}

export interface SetAsideBatch {
  divergenceId: string;
  setAsideAt: string; // ISO-8601 UTC, the store's clock
  reason: string;
  fromPosition: number;
  toPosition: number;
  count: number;
}
