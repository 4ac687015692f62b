import { EntitySchema, type ValueTransformer } from 'typeorm';
import { STREAM_SNAPSHOT_DDL } from './stream-snapshot';
import type { EventLogRow } from './event-log-row';

export type { EventLogRow } from './event-log-row';

export const EVENT_LOG_TABLE = 'event_log';
export const EVENT_LOG_DIVERGENT_TABLE = 'event_log_divergent';

// pg returns BIGINT as a string.
const bigintToNumber: ValueTransformer = {
  to: (v: number | undefined) => v,
  from: (v: string | number | null) => (v === null ? v : Number(v)),
};

// Listed in every DataSource that shares the database. `synchronize: false`: the table is created
// by ensureEventLogSchema with hand-written DDL, never altered by TypeORM's schema sync.
export const EventLogEntity = new EntitySchema<EventLogRow>({
  name: 'EventLog',
  tableName: EVENT_LOG_TABLE,
  synchronize: false,
  columns: {
    position: { type: 'bigint', primary: true, transformer: bigintToNumber },
    streamId: { name: 'stream_id', type: 'varchar', length: 200 },
    streamVersion: { name: 'stream_version', type: 'integer' },
    type: { type: 'varchar', length: 200 },
    schemaVersion: { name: 'schema_version', type: 'integer' },
    payload: { type: 'text' },
    metadata: { type: 'text' },
    timestamp: { type: 'varchar', length: 40 },
    prevHash: { name: 'prev_hash', type: 'varchar', length: 64 },
    hash: { type: 'varchar', length: 64 },
  },
  uniques: [{ name: 'uq_event_log_stream', columns: ['streamId', 'streamVersion'] }],
});

// event_log_divergent: records an old master moved out of event_log (setAsideAfter) when its
// history diverged from the new master's. Kept verbatim for audit, never replayed; one
// divergence_id per set-aside. Same columns as event_log, no stream uniqueness (two set-asides
// may hold the same stream version).

// The columns after position: the same in the log and in its set-aside copy, on both databases.
const RECORD_COLUMNS = `stream_id VARCHAR(200) NOT NULL,
    stream_version INTEGER NOT NULL,
    type VARCHAR(200) NOT NULL,
    schema_version INTEGER NOT NULL,
    payload TEXT NOT NULL,
    metadata TEXT NOT NULL,
    timestamp VARCHAR(40) NOT NULL,
    prev_hash VARCHAR(64) NOT NULL,
    hash VARCHAR(64) NOT NULL`;

function eventLogDdl(position: { key: string; column: string }): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS event_log (
    position ${position.key},
    ${RECORD_COLUMNS},
    CONSTRAINT uq_event_log_stream UNIQUE (stream_id, stream_version)
  )`,
    `CREATE TABLE IF NOT EXISTS event_log_divergent (
    divergence_id TEXT NOT NULL,
    position ${position.column} NOT NULL,
    ${RECORD_COLUMNS},
    set_aside_at VARCHAR(40) NOT NULL,
    set_aside_reason TEXT NOT NULL,
    PRIMARY KEY (divergence_id, position)
  )`,
    STREAM_SNAPSHOT_DDL,
  ];
}

// INTEGER PRIMARY KEY on SQLite makes position the rowid: reads by position are B-tree seeks.
export const SQLITE_EVENT_LOG_DDL = eventLogDdl({ key: 'INTEGER PRIMARY KEY NOT NULL', column: 'INTEGER' });

export const POSTGRES_EVENT_LOG_DDL = eventLogDdl({ key: 'BIGINT PRIMARY KEY', column: 'BIGINT' });
