// The contract of the log. Implementations: TypeORM over SQLite (embedded default) and PostgreSQL.

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

export interface StreamAppend { streamId: string; expectedVersion: number; events: NewEvent[] }

export interface EventStore {
  append(streamId: string, expectedVersion: number, events: NewEvent[]): Promise<StoredEvent[]>;
  // Several streams in one transaction (one durable write): all or nothing; a version_conflict
  // on any stream writes none. Returns every stored record in position order.
  appendMany(appends: StreamAppend[]): Promise<StoredEvent[]>;
  // Records with position > afterPosition, in order, at most `limit`.
  readFrom(afterPosition: number, limit: number): Promise<StoredEvent[]>;
  // The stream's records with streamVersion > afterVersion (default 0: all), in order.
  readStream(streamId: string, afterVersion?: number): Promise<StoredEvent[]>;
  streamVersion(streamId: string): Promise<number>;
  head(): Promise<LogHead>;
  verify(onProgress?: (checked: number) => void): Promise<VerifyResult>;
  // Catch up from afterPosition, then follow live appends; handler calls are sequential.
  // skipTo: see SubscribeOptions (a follower that also gets the records another way).
  subscribe(afterPosition: number, handler: (event: StoredEvent) => Promise<void> | void, options?: { skipTo?: () => number }): Subscription;
  close(): Promise<void>;
}
