import type { StreamSnapshot } from './event-store';

export interface SnapshotRow extends StreamSnapshot { streamId: string }

export const STREAM_SNAPSHOT_TABLE = 'stream_snapshot';

// One row per stream and fold, overwritten by each newer snapshot. Not part of the log: losing the
// table (or any row) costs one full fold of the stream, nothing else.
export const STREAM_SNAPSHOT_DDL = `CREATE TABLE IF NOT EXISTS stream_snapshot (
    stream_id VARCHAR(200) NOT NULL,
    fold VARCHAR(100) NOT NULL,
    fold_version INTEGER NOT NULL,
    stream_version INTEGER NOT NULL,
    hash VARCHAR(64) NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (stream_id, fold)
  )`;

export const SNAPSHOT_SELECT_SQL = (p: (n: number) => string): string =>
  'SELECT fold, fold_version AS "foldVersion", stream_version AS "streamVersion", hash, state ' +
  `FROM stream_snapshot WHERE stream_id = ${p(1)} AND fold = ${p(2)}`;

// Rows in the order: stream_id, fold, fold_version, stream_version, hash, state.
export function snapshotUpsertSql(rows: number, p: (n: number) => string): string {
  const values = Array.from({ length: rows }, (_, r) => `(${Array.from({ length: 6 }, (_, k) => p(r * 6 + k + 1)).join(', ')})`);
  return (
    `INSERT INTO stream_snapshot (stream_id, fold, fold_version, stream_version, hash, state) VALUES ${values.join(', ')} ` +
    'ON CONFLICT (stream_id, fold) DO UPDATE SET fold_version = excluded.fold_version, ' +
    'stream_version = excluded.stream_version, hash = excluded.hash, state = excluded.state'
  );
}

export function snapshotParams(rows: SnapshotRow[]): unknown[] {
  return rows.flatMap((r) => [r.streamId, r.fold, r.foldVersion, r.streamVersion, r.hash, r.state]);
}

// The last snapshot per stream and fold: one statement may not touch a row twice (PostgreSQL).
export function latestSnapshots(rows: SnapshotRow[]): SnapshotRow[] {
  const byKey = new Map<string, SnapshotRow>();
  for (const r of rows) {
    const key = `${r.streamId}\u0000${r.fold}`;
    byKey.delete(key);
    byKey.set(key, r);
  }
  return [...byKey.values()];
}

export function snapshotFrom(row: { fold: string; foldVersion: number | string; streamVersion: number | string; hash: string; state: string } | undefined): StreamSnapshot | null {
  if (!row) return null;
  return { fold: row.fold, foldVersion: Number(row.foldVersion), streamVersion: Number(row.streamVersion), hash: row.hash, state: row.state };
}
