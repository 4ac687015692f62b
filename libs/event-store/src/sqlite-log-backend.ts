import type BetterSqlite3 from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import type { EventLogRow } from './event-log.entity';
import { GENESIS_HASH, type LogHead, type StreamSnapshot } from './event-store';
import { EventStoreError } from './event-store-error';
import {
  DuplicateRowError,
  LIST_SET_ASIDE_SQL,
  SELECT_COLUMNS,
  setAsideInsertSql,
  type GroupPlan,
  type LogBackend,
  type SetAsideMark,
  type SetAsideRow,
} from './log-backend';
import { storageLock } from './storage';
import { SNAPSHOT_SELECT_SQL, snapshotFrom, snapshotParams, snapshotUpsertSql, type SnapshotRow } from './stream-snapshot';
import { streamHeadsOf, type StreamHead, type StreamHeads } from './stream-heads';
import { errorCodeOf } from '@twofold/domain';

type Plan = (head: LogHead, streamVersion: number) => EventLogRow[];

// Works on the better-sqlite3 connection under the TypeORM driver with prepared statements.
// A write is one synchronous BEGIN IMMEDIATE transaction: nothing else in this process can run
// inside it, and other processes wait on the database lock (busy_timeout).
export class SqliteLogBackend implements LogBackend {
  private cache?: { db: BetterSqlite3.Database; stmts: ReturnType<typeof prepare> };
  private divergentCache?: { db: BetterSqlite3.Database; stmts: ReturnType<typeof prepareDivergent> };
  private snapshotCache?: { db: BetterSqlite3.Database; stmts: ReturnType<typeof prepareSnapshots> };

  private readonly heads: StreamHeads;

  constructor(private readonly dataSource: DataSource) {
    this.heads = streamHeadsOf(dataSource);
  }

  knownStreamHead(streamId: string): StreamHead | null {
    return this.heads.get(this.current().db, streamId);
  }

  async head(): Promise<LogHead> {
    return this.s().head.get() ?? { position: 0, hash: GENESIS_HASH };
  }

  async streamVersion(streamId: string): Promise<number> {
    return this.s().streamVersion.get(streamId)!.v;
  }

  async readFrom(afterPosition: number, limit: number): Promise<EventLogRow[]> {
    return this.s().readFrom.all(afterPosition, limit);
  }

  async readStream(streamId: string, afterVersion: number): Promise<EventLogRow[]> {
    return this.s().readStream.all(streamId, afterVersion);
  }

  async readTypes(afterPosition: number, upTo: number, types: string[]): Promise<EventLogRow[]> {
    if (types.length === 0) return [];
    const { db } = this.current();
    const sql = `SELECT ${SELECT_COLUMNS} FROM event_log WHERE position > ? AND position <= ? AND type IN (${types.map(() => '?').join(', ')}) ORDER BY position`;
    return db.prepare<unknown[], EventLogRow>(sql).all(afterPosition, upTo, ...types);
  }

  async write(streamId: string | null, plan: Plan): Promise<EventLogRow[]> {
    return this.exclusive(({ db, stmts }) => this.tracked(db, (p) => stmts.write.immediate(streamId, p), plan));
  }

  async writeMany(streamIds: string[], plan: (head: LogHead, versions: Map<string, number>) => EventLogRow[]): Promise<EventLogRow[]> {
    return this.exclusive(({ db, stmts }) => this.tracked(db, (p) => stmts.writeMany.immediate(streamIds, p), plan));
  }

  async writeWith(plan: (head: LogHead) => EventLogRow[], within: (tx: null) => Promise<void>): Promise<EventLogRow[]> {
    return this.exclusive(async ({ db, stmts }) => {
      stmts.begin.run();
      try {
        const token = this.heads.token(db);
        const rows = plan(stmts.head.get() ?? { position: 0, hash: GENESIS_HASH });
        insertInChunks(stmts, rows);
        await within(null);
        stmts.commit.run();
        this.heads.committed(db, rows, token);
        return rows;
      } catch (err) {
        if (db.inTransaction) stmts.rollback.run();
        throw err;
      }
    });
  }

  async writeGroup(take: () => GroupPlan | null): Promise<EventLogRow[]> {
    return this.exclusive(({ db, stmts }) => {
      const group = take();
      if (!group) return [];
      const upsert = (rows: SnapshotRow[]) => {
        if (rows.length === 0) return;
        const { upsert: one } = this.snapshots(db);
        for (const r of rows) one.run(snapshotParams([r]));
      };
      return this.tracked(db, (p) => stmts.writeMany.immediate(group.streamIds, p, () => upsert(group.snapshots?.() ?? [])), group.plan);
    });
  }

  async readSnapshot(streamId: string, fold: string): Promise<StreamSnapshot | null> {
    return snapshotFrom(this.snapshots(this.current().db).read.get(streamId, fold));
  }

  async writeSnapshot(row: SnapshotRow): Promise<void> {
    await this.exclusive(({ db }) => {
      this.snapshots(db).upsert.run(snapshotParams([row]));
    });
  }

  async setAsideAfter(position: number, mark: SetAsideMark, check: (head: LogHead) => void): Promise<{ count: number; head: LogHead }> {
    return this.exclusive(({ db, stmts }) => {
      const d = this.divergent(db);
      const result = db
        .transaction(() => {
          const before = stmts.head.get() ?? { position: 0, hash: GENESIS_HASH };
          check(before);
          d.copy.run(mark.divergenceId, mark.setAsideAt, mark.reason, position);
          const count = d.remove.run(position).changes;
          return { count, head: stmts.head.get() ?? { position: 0, hash: GENESIS_HASH } };
        })
        .immediate();
      // Versions of the streams it touched are written again by the next master's history.
      if (result.count > 0) this.heads.forgetAll();
      return result;
    });
  }

  // A synchronous transaction whose plan runs inside it: its rows become the known heads right
  // after the commit, before anything else can write (see StreamHeads).
  private tracked<P extends (...args: never[]) => EventLogRow[]>(db: BetterSqlite3.Database, run: (plan: P) => EventLogRow[], plan: P): EventLogRow[] {
    let token: number | undefined;
    const rows = run(((...args: Parameters<P>) => {
      token = this.heads.token(db);
      return plan(...args);
    }) as P);
    this.heads.committed(db, rows, token);
    return rows;
  }

  async listSetAside(): Promise<SetAsideRow[]> {
    return this.divergent(this.current().db).list.all();
  }

  async readSetAside(divergenceId: string): Promise<EventLogRow[]> {
    return this.divergent(this.current().db).read.all(divergenceId);
  }

  // BEGIN IMMEDIATE transactions run here, under the DataSource's lock.
  private exclusive<T>(fn: (c: { db: BetterSqlite3.Database; stmts: ReturnType<typeof prepare> }) => T | Promise<T>): Promise<T> {
    return storageLock(this.dataSource).runExclusive(async () => {
      const c = this.current();
      // Someone opened a transaction on the shared connection without storageLock: our
      // statements would land inside it. Wait for it to finish rather than join it.
      for (let waited = 0; c.db.inTransaction; waited += 5) {
        if (waited > 30_000) throw new EventStoreError('storage_busy', 'sqlite connection stayed inside a foreign transaction');
        await new Promise((r) => setTimeout(r, 5));
      }
      try {
        return await fn(c);
      } catch (err) {
        const code = errorCodeOf(err) ?? '';
        if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new DuplicateRowError(err);
        if (code.startsWith('SQLITE_BUSY')) throw new EventStoreError('storage_busy', 'sqlite database is locked by another process');
        throw err;
      }
    });
  }

  // Prepared on first use, not with the append statements: a DataSource whose schema predates
  // event_log_divergent can still append.
  private divergent(db: BetterSqlite3.Database) {
    if (this.divergentCache?.db !== db) this.divergentCache = { db, stmts: prepareDivergent(db) };
    return this.divergentCache.stmts;
  }

  private snapshots(db: BetterSqlite3.Database) {
    if (this.snapshotCache?.db !== db) this.snapshotCache = { db, stmts: prepareSnapshots(db) };
    return this.snapshotCache.stmts;
  }

  private s() {
    return this.current().stmts;
  }

  private current() {
    const db = (this.dataSource.driver as unknown as { databaseConnection?: BetterSqlite3.Database }).databaseConnection;
    if (!db || !db.open) throw new EventStoreError('closed', 'event store is closed');
    if (this.cache?.db !== db) this.cache = { db, stmts: prepare(db) };
    return this.cache;
  }
}

const INSERT_PREFIX = 'INSERT INTO event_log (position, stream_id, stream_version, type, schema_version, payload, metadata, timestamp, prev_hash, hash)';
const INSERT_CHUNK = 64; // rows per multi-row INSERT (10 parameters each) for big replicated batches
const ROW_VALUES = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

// A replicated batch (thousands of rows while catching up): one statement per 64 rows, with
// positional parameters, instead of a statement and a named-parameter object per row.
function insertInChunks(stmts: ReturnType<typeof prepare>, rows: EventLogRow[]): void {
  const params: unknown[] = new Array(INSERT_CHUNK * 10);
  let i = 0;
  for (; i + INSERT_CHUNK <= rows.length; i += INSERT_CHUNK) {
    for (let k = 0; k < INSERT_CHUNK; k++) rowValues(rows[i + k], params, k * 10);
    stmts.insertChunk.run(params);
  }
  for (; i < rows.length; i++) stmts.insert.run(rows[i]);
}

function rowValues(r: EventLogRow, into: unknown[], at: number): void {
  into[at] = r.position;
  into[at + 1] = r.streamId;
  into[at + 2] = r.streamVersion;
  into[at + 3] = r.type;
  into[at + 4] = r.schemaVersion;
  into[at + 5] = r.payload;
  into[at + 6] = r.metadata;
  into[at + 7] = r.timestamp;
  into[at + 8] = r.prevHash;
  into[at + 9] = r.hash;
}

function prepare(db: BetterSqlite3.Database) {
  const head = db.prepare<[], LogHead>('SELECT position, hash FROM event_log ORDER BY position DESC LIMIT 1');
  const streamVersion = db.prepare<[string], { v: number }>(
    'SELECT COALESCE(MAX(stream_version), 0) AS v FROM event_log WHERE stream_id = ?',
  );
  const insert = db.prepare(
    `${INSERT_PREFIX} VALUES (@position, @streamId, @streamVersion, @type, @schemaVersion, @payload, @metadata, @timestamp, @prevHash, @hash)`,
  );
  const write = db.transaction((streamId: string | null, plan: Plan): EventLogRow[] => {
    const h = head.get() ?? { position: 0, hash: GENESIS_HASH };
    const version = streamId === null ? 0 : streamVersion.get(streamId)!.v;
    const rows = plan(h, version);
    for (const row of rows) insert.run(row);
    return rows;
  });
  const writeMany = db.transaction((streamIds: string[], plan: (head: LogHead, versions: Map<string, number>) => EventLogRow[], after?: () => void): EventLogRow[] => {
    const h = head.get() ?? { position: 0, hash: GENESIS_HASH };
    const versions = new Map(streamIds.map((id) => [id, streamVersion.get(id)!.v]));
    const rows = plan(h, versions);
    for (const row of rows) insert.run(row);
    after?.();
    return rows;
  });
  return {
    head,
    streamVersion,
    insert,
    insertChunk: db.prepare<unknown[]>(`${INSERT_PREFIX} VALUES ${Array.from({ length: INSERT_CHUNK }, () => ROW_VALUES).join(', ')}`),
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    write,
    writeMany,
    readFrom: db.prepare<[number, number], EventLogRow>(
      `SELECT ${SELECT_COLUMNS} FROM event_log WHERE position > ? ORDER BY position LIMIT ?`,
    ),
    readStream: db.prepare<[string, number], EventLogRow>(
      `SELECT ${SELECT_COLUMNS} FROM event_log WHERE stream_id = ? AND stream_version > ? ORDER BY stream_version`,
    ),
  };
}

function prepareDivergent(db: BetterSqlite3.Database) {
  return {
    copy: db.prepare<[string, string, string, number]>(setAsideInsertSql(() => '?')),
    remove: db.prepare<[number]>('DELETE FROM event_log WHERE position > ?'),
    list: db.prepare<[], SetAsideRow>(LIST_SET_ASIDE_SQL),
    read: db.prepare<[string], EventLogRow>(
      `SELECT ${SELECT_COLUMNS} FROM event_log_divergent WHERE divergence_id = ? ORDER BY position`,
    ),
  };
}

function prepareSnapshots(db: BetterSqlite3.Database) {
  type Row = { fold: string; foldVersion: number; streamVersion: number; hash: string; state: string };
  return {
    read: db.prepare<[string, string], Row>(SNAPSHOT_SELECT_SQL(() => '?')),
    upsert: db.prepare<unknown[]>(snapshotUpsertSql(1, () => '?')),
  };
}
