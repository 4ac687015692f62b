// The contract of the log. Implementations: TypeORM over SQLite (embedded default) and PostgreSQL.
import type { EventLogRow } from './event-log-row';

export interface EventMetadata {
  actor: string;          // who asked: `admin:<id>`, `sdk:<credentialId>`, `radius:<clientId>`, `system`
  nodeId: string;         // the node that accepted the command
  epoch: number;          // 0 until promotion exists
  correlationId?: string;
  causationId?: string;
}

export interface NewEvent {
  type: string;
  schemaVersion: number;
  payload: Record<string, unknown>;
  metadata: EventMetadata;
}

export interface StoredEvent {
  position: number;       // global, gap-free, starts at 1
  streamId: string;
  streamVersion: number;  // per stream, starts at 1
  type: string;
  schemaVersion: number;
  payload: Record<string, unknown>;
  metadata: EventMetadata;
  timestamp: string;      // ISO-8601 UTC, given by the store's clock
  prevHash: string;       // hex SHA-256 of the previous record; GENESIS_HASH for position 1
  hash: string;           // hex SHA-256 over the canonical encoding of this record
}

// expectedVersion: the stream's current version the caller saw (0 = stream must not exist yet),
// or ANY_VERSION to skip the check.
export const ANY_VERSION = -1;
export const GENESIS_HASH = '0'.repeat(64);

export interface LogHead { position: number; hash: string }

export type VerifyResult =
  | { ok: true; checked: number; head: LogHead }
  | { ok: false; checked: number; firstBroken: { position: number; reason: string } };

export interface Subscription { close(): void }

// snapshot: the stream's folded state after this append, written in the same transaction.
export interface StreamAppend { streamId: string; expectedVersion: number; events: NewEvent[]; snapshot?: SnapshotOf }

export interface AppendOptions { snapshot?: SnapshotOf }

export interface EventStore {
  append(streamId: string, expectedVersion: number, events: NewEvent[], options?: AppendOptions): Promise<StoredEvent[]>;
  // Several streams in one transaction (one durable write): all or nothing; a version_conflict
  // on any stream writes none. Returns every stored record in position order.
  appendMany(appends: StreamAppend[]): Promise<StoredEvent[]>;
  // Records with position > afterPosition, in order, at most `limit`. A page may hold fewer than
  // `limit` while the log holds more (the records this process committed last are answered from
  // memory, which can end before the log does); only an empty page says there is nothing more.
  readFrom(afterPosition: number, limit: number): Promise<StoredEvent[]>;
  // The same records as stored (payload and metadata as their canonical text), not decoded: for
  // a reader that sends them on as they are (a master catching a slave up). Optional.
  readRowsFrom?(afterPosition: number, limit: number): Promise<EventLogRow[]>;
  // Only the records of these types with afterPosition < position <= upTo, in order: a scan for a
  // few kinds of record in a long log, filtered by the database. Optional: read with readFrom.
  readTypes?(afterPosition: number, upTo: number, types: string[]): Promise<StoredEvent[]>;
  // The stream's records with streamVersion > afterVersion (default 0: all), in order.
  readStream(streamId: string, afterVersion?: number): Promise<StoredEvent[]>;
  streamVersion(streamId: string): Promise<number>;
  // The stream's last snapshot of `fold` (see StreamSnapshot: check its hash before trusting it).
  readSnapshot(streamId: string, fold: string): Promise<StreamSnapshot | null>;
  // Outside any append (a state folded from a history that had none); replaces the stored one.
  writeSnapshot(streamId: string, snapshot: StreamSnapshot): Promise<void>;
  head(): Promise<LogHead>;
  // The version and hash of the stream's last record, from memory, when the store can vouch that
  // the log holds nothing newer for it (it wrote or replicated that record itself and nothing has
  // changed the log behind its back since); null whenever it cannot (then read the log). Optional:
  // a store without it is always read.
  knownStreamHead?(streamId: string): { version: number; hash: string } | null;
  verify(onProgress?: (checked: number) => void): Promise<VerifyResult>;
  // Catch up from afterPosition, then follow live appends; handler calls are sequential.
  // skipTo: see SubscribeOptions (a follower that also gets the records another way).
  subscribe(afterPosition: number, handler: (event: StoredEvent) => Promise<void> | void, options?: { skipTo?: () => number }): Subscription;
  close(): Promise<void>;
}

// A stream's folded state as one fold left it after the record at `streamVersion` (whose hash is
// `hash`). The store keeps the text; the fold's owner encodes it and checks it on the way back.
// The hash names the whole history the state was folded from: record hashes chain over every
// earlier record, so a snapshot whose record is still in the log with that hash describes exactly
// the log's first `streamVersion` records of the stream, and any other one is stale (a tail set
// aside after a divergence) and must be ignored.
export interface StreamSnapshot {
  fold: string; // which fold (one row per stream and fold)
  foldVersion: number; // the fold's shape; a reader of another version ignores the row
  streamVersion: number;
  hash: string;
  state: string;
}

// Asked inside the append's transaction, with the records as they will be stored: the state after
// them, or null for none. A throw only skips the snapshot; the append goes on.
export type SnapshotOf = (stored: StoredEvent[]) => Pick<StreamSnapshot, 'fold' | 'foldVersion' | 'state'> | null;

