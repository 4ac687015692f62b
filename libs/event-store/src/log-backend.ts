import type { EventLogRow } from './event-log.entity';
import type { LogHead } from './event-store';

// What differs between SQLite and PostgreSQL; the store keeps the rules in one place.
export interface LogBackend {
  head(): Promise<LogHead>;
  streamVersion(streamId: string): Promise<number>;
  readFrom(afterPosition: number, limit: number): Promise<EventLogRow[]>;
  readStream(streamId: string): Promise<EventLogRow[]>;
  // One transaction, serialized against every other writer (in this process and others):
  // plan() sees the committed head and stream version and returns the rows to insert, or
  // throws, in which case nothing is written. streamId null: plan gets streamVersion 0.
  write(streamId: string | null, plan: (head: LogHead, streamVersion: number) => EventLogRow[]): Promise<EventLogRow[]>;
}

// A row collided with an existing (stream_id, stream_version) or position.
export class DuplicateRowError extends Error {
  constructor(override readonly cause: unknown) {
    super('event_log: duplicate stream version or position');
  }
}

export const SELECT_COLUMNS =
  'position, stream_id AS "streamId", stream_version AS "streamVersion", type, schema_version AS "schemaVersion", ' +
  'payload, metadata, timestamp, prev_hash AS "prevHash", hash';
