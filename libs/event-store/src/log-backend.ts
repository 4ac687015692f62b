import type { EntityManager } from 'typeorm';
import type { EventLogRow } from './event-log.entity';
import { GENESIS_HASH, type LogHead, type StreamSnapshot } from './event-store';
import { SNAPSHOT_SELECT_SQL, type SnapshotRow } from './stream-snapshot';
import type { StreamHead } from './stream-heads';

// plan() of a write: the committed head and the stream's committed version in, the rows to insert out.
export type StreamPlan = (head: LogHead, streamVersion: number) => EventLogRow[];
// The same over several streams: each one's committed version.
export type StreamsPlan = (head: LogHead, versions: Map<string, number>) => EventLogRow[];

// What differs between SQLite and PostgreSQL; the store keeps the rules in one place.
export interface LogBackend {
  head(): Promise<LogHead>;
  streamVersion(streamId: string): Promise<number>;
  readFrom(afterPosition: number, limit: number): Promise<EventLogRow[]>;
  readStream(streamId: string, afterVersion: number): Promise<EventLogRow[]>;
  readTypes(afterPosition: number, upTo: number, types: string[]): Promise<EventLogRow[]>;
  // One transaction, serialized against every other writer (in this process and others):
  // plan() sees the committed head and stream version and returns the rows to insert, or
  // throws, in which case nothing is written. streamId null: plan gets streamVersion 0.
  write(streamId: string | null, plan: StreamPlan): Promise<EventLogRow[]>;
  // The same for several streams in one transaction: plan() gets each stream's committed version.
  writeMany(streamIds: string[], plan: StreamsPlan): Promise<EventLogRow[]>;
  // write(null, plan) whose transaction also runs `within` after the rows are inserted (and
  // before the commit): the transaction's EntityManager on PostgreSQL, null on SQLite (the
  // DataSource's one connection is inside the transaction, under the storage lock).
  writeWith(plan: (head: LogHead) => EventLogRow[], within: (tx: EntityManager | null) => Promise<void>): Promise<EventLogRow[]>;
  // Group commit: one transaction under the same serialization; take() runs once the lock is
  // held and returns what to write now (plan gets each stream's committed version), or null.
  writeGroup(take: () => GroupPlan | null): Promise<EventLogRow[]>;
  // The same, resolving once committed, with `durable` resolving once it is on disk: the next
  // group can commit while this one's sync runs (SQLite's WAL sync off the event loop). inline(),
  // asked after the commit: sync on the event loop instead (a group of one append).
  writeGroupPipelined?(take: () => GroupPlan | null, inline: () => boolean): Promise<{ rows: EventLogRow[]; durable: Promise<void> }>;
  // One transaction under the same serialization as write(): check() sees the committed head and
  // may throw (nothing changes); then every row with position > `position` is copied into
  // event_log_divergent and deleted from event_log. Returns the number moved and the new head.
  setAsideAfter(position: number, mark: SetAsideMark, check: (head: LogHead) => void): Promise<{ count: number; head: LogHead }>;
  listSetAside(): Promise<SetAsideRow[]>;
  readSnapshot(streamId: string, fold: string): Promise<StreamSnapshot | null>;
  // On its own, under the write serialization (so it never lands inside another transaction).
  writeSnapshot(row: SnapshotRow): Promise<void>;
  readSetAside(divergenceId: string): Promise<EventLogRow[]>;
  // See EventStore.knownStreamHead; absent: the backend cannot vouch (PostgreSQL).
  knownStreamHead?(streamId: string): StreamHead | null;
}

export interface GroupPlan {
  streamIds: string[];
  plan: StreamsPlan;
  // Asked after plan(), in the same transaction: stream snapshots to upsert with the rows.
  snapshots?: () => SnapshotRow[];
}

export interface SetAsideMark {
  divergenceId: string;
  setAsideAt: string;
  reason: string;
}

export interface SetAsideRow {
  divergenceId: string;
  setAsideAt: string;
  reason: string;
  fromPosition: number;
  toPosition: number;
  count: number;
}

// A row collided with an existing (stream_id, stream_version) or position.
export class DuplicateRowError extends Error {
  constructor(override readonly cause: unknown) {
    super('event_log: duplicate stream version or position');
  }
}

// The committed head from the head statement's row (none: the empty log). PostgreSQL hands
// BIGINT back as text.
export function headFrom(row: { position: number | string; hash: string } | undefined): LogHead {
  return row ? { position: Number(row.position), hash: row.hash } : { position: 0, hash: GENESIS_HASH };
}

const COLUMNS = 'position, stream_id, stream_version, type, schema_version, payload, metadata, timestamp, prev_hash, hash';
const SELECT_COLUMNS =
  'position, stream_id AS "streamId", stream_version AS "streamVersion", type, schema_version AS "schemaVersion", ' +
  'payload, metadata, timestamp, prev_hash AS "prevHash", hash';

// The statements both backends run, with the driver's placeholder syntax (`$n` or `?`); the
// backends differ in how they run them, not in what they say.
export function logSql(p: (n: number) => string) {
  return {
    head: 'SELECT position, hash FROM event_log ORDER BY position DESC LIMIT 1',
    streamVersion: `SELECT COALESCE(MAX(stream_version), 0) AS v FROM event_log WHERE stream_id = ${p(1)}`,
    readFrom: `SELECT ${SELECT_COLUMNS} FROM event_log WHERE position > ${p(1)} ORDER BY position LIMIT ${p(2)}`,
    readStream: `SELECT ${SELECT_COLUMNS} FROM event_log WHERE stream_id = ${p(1)} AND stream_version > ${p(2)} ORDER BY stream_version`,
    // afterPosition < position <= upTo, of the types the driver's condition names (`IN (...)`, `= ANY(...)`).
    readTypes: (typeCondition: string) =>
      `SELECT ${SELECT_COLUMNS} FROM event_log WHERE position > ${p(1)} AND position <= ${p(2)} AND type ${typeCondition} ORDER BY position`,
    // Followed by VALUES, one tuple of the ten columns per row.
    insertPrefix: `INSERT INTO event_log (${COLUMNS})`,
    // Copies the tail of event_log into event_log_divergent (divergenceId, setAsideAt, reason, position).
    setAside:
      `INSERT INTO event_log_divergent (divergence_id, ${COLUMNS}, set_aside_at, set_aside_reason) ` +
      `SELECT ${p(1)}, ${COLUMNS}, ${p(2)}, ${p(3)} FROM event_log WHERE position > ${p(4)}`,
    deleteAfter: `DELETE FROM event_log WHERE position > ${p(1)}`,
    listSetAside:
      'SELECT divergence_id AS "divergenceId", MIN(set_aside_at) AS "setAsideAt", MIN(set_aside_reason) AS reason, ' +
      'MIN(position) AS "fromPosition", MAX(position) AS "toPosition", COUNT(*) AS count ' +
      'FROM event_log_divergent GROUP BY divergence_id ORDER BY MIN(set_aside_at), divergence_id',
    readSetAside: `SELECT ${SELECT_COLUMNS} FROM event_log_divergent WHERE divergence_id = ${p(1)} ORDER BY position`,
    readSnapshot: SNAPSHOT_SELECT_SQL(p),
  };
}
