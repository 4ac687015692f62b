import type BetterSqlite3 from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import type { EventLogRow } from './event-log.entity';
import type { LogHead, StreamSnapshot } from './event-store';
import { EventStoreError } from './event-store-error';
import { DuplicateRowError, headFrom, logSql, type GroupPlan, type LogBackend, type SetAsideMark, type SetAsideRow, type StreamPlan, type StreamsPlan } from './log-backend';
import { storageLock } from './storage';
import { snapshotFrom, snapshotParams, snapshotUpsertSql, type SnapshotRow } from './stream-snapshot';
import { streamHeadsOf, type StreamHead, type StreamHeads } from './stream-heads';
import { walSyncOf, type WalSync } from './wal-sync';
import { errorCodeOf } from '@twofold/domain';

const SQL = logSql(() => '?');

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
    await this.readable();
    return headFrom(this.s().head.get());
  }

  async streamVersion(streamId: string): Promise<number> {
    return this.s().streamVersion.get(streamId)!.v;
  }

  async readFrom(afterPosition: number, limit: number): Promise<EventLogRow[]> {
    await this.readable();
    return this.s().readFrom.all(afterPosition, limit);
  }

  async readStream(streamId: string, afterVersion: number): Promise<EventLogRow[]> {
    return this.s().readStream.all(streamId, afterVersion);
  }

  async readTypes(afterPosition: number, upTo: number, types: string[]): Promise<EventLogRow[]> {
    if (types.length === 0) return [];
    await this.readable();
    const { db } = this.current();
    return db.prepare<unknown[], EventLogRow>(SQL.readTypes(`IN (${types.map(() => '?').join(', ')})`)).all(afterPosition, upTo, ...types);
  }

  async write(streamId: string | null, plan: StreamPlan): Promise<EventLogRow[]> {
    return this.durableWrite(({ db, stmts }) => this.tracked(db, (p) => stmts.write.immediate(streamId, p), plan));
  }

  async writeMany(streamIds: string[], plan: StreamsPlan): Promise<EventLogRow[]> {
    return this.durableWrite(({ db, stmts }) => this.tracked(db, (p) => stmts.writeMany.immediate(streamIds, p), plan));
  }

  async writeWith(plan: (head: LogHead) => EventLogRow[], within: (tx: null) => Promise<void>): Promise<EventLogRow[]> {
    return this.durableWrite(async ({ db, stmts }) => {
      stmts.begin.run();
      try {
        const token = this.heads.token(db);
        const rows = plan(headFrom(stmts.head.get()));
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
    const { rows, durable } = await this.writeGroupPipelined(take, () => true);
    await durable;
    return rows;
  }

  async writeGroupPipelined(take: () => GroupPlan | null, inline: () => boolean): Promise<{ rows: EventLogRow[]; durable: Promise<void> }> {
    let sync: WalSync | undefined;
    const rows = await this.exclusive((c) => {
      const written = this.groupIn(c, take);
      sync = walSyncOf(c.db);
      if (written.length > 0) sync?.noteCommit();
      return written;
    });
    return { rows, durable: sync ? sync.durable(inline()) : Promise.resolve() };
  }

  private groupIn({ db, stmts }: { db: BetterSqlite3.Database; stmts: ReturnType<typeof prepare> }, take: () => GroupPlan | null): EventLogRow[] {
    const group = take();
    if (!group) return [];
    const upsert = (rows: SnapshotRow[]) => {
      if (rows.length === 0) return;
      const { upsert: one } = this.snapshots(db);
      for (const r of rows) one.run(snapshotParams([r]));
    };
    // The versions this process vouches for are not read again (a statement per stream of the group).
    let token: number | undefined;
    const known = (streamId: string) => this.heads.versionIn(db, (token ??= this.heads.token(db)), streamId);
    return this.tracked(db, (p) => stmts.writeMany.immediate(group.streamIds, p, () => upsert(group.snapshots?.() ?? []), known), group.plan);
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
    return this.durableWrite(({ db, stmts }) => {
      const d = this.divergent(db);
      const result = db
        .transaction(() => {
          check(headFrom(stmts.head.get()));
          d.copy.run(mark.divergenceId, mark.setAsideAt, mark.reason, position);
          const count = d.remove.run(position).changes;
          return { count, head: headFrom(stmts.head.get()) };
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

  // A write whose caller acts on it (a slave acks its master): it resolves once the commit is on
  // disk, synced after the lock is released (see WalSync).
  private async durableWrite<T>(fn: (c: { db: BetterSqlite3.Database; stmts: ReturnType<typeof prepare> }) => T | Promise<T>): Promise<T> {
    let sync: WalSync | undefined;
    const result = await this.exclusive(async (c) => {
      const out = await fn(c);
      sync = walSyncOf(c.db);
      if (!Array.isArray(out) || out.length > 0) sync?.noteCommit();
      return out;
    });
    await sync?.durable(true);
    return result;
  }

  // What a read returns is on disk (see WalSync).
  private async readable(): Promise<void> {
    const sync = walSyncOf(this.current().db);
    if (sync) await sync.beforeRead();
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

const INSERT_CHUNK = 256; // rows per multi-row INSERT (10 parameters each) for big replicated batches
const ROW_VALUES = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

// A replicated batch (thousands of rows while catching up): one statement per 256 rows, with
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
  const head = db.prepare<[], LogHead>(SQL.head);
  const streamVersion = db.prepare<[string], { v: number }>(SQL.streamVersion);
  const insert = db.prepare(
    `${SQL.insertPrefix} VALUES (@position, @streamId, @streamVersion, @type, @schemaVersion, @payload, @metadata, @timestamp, @prevHash, @hash)`,
  );
  const write = db.transaction((streamId: string | null, plan: StreamPlan): EventLogRow[] => {
    const h = headFrom(head.get());
    const version = streamId === null ? 0 : streamVersion.get(streamId)!.v;
    const rows = plan(h, version);
    for (const row of rows) insert.run(row);
    return rows;
  });
  // known: a stream's committed version when the caller can tell it without reading the log.
  const writeMany = db.transaction((streamIds: string[], plan: StreamsPlan, after?: () => void, known?: (streamId: string) => number | null): EventLogRow[] => {
    const h = headFrom(head.get());
    const versions = new Map(streamIds.map((id) => [id, known?.(id) ?? streamVersion.get(id)!.v]));
    const rows = plan(h, versions);
    for (const row of rows) insert.run(row);
    after?.();
    return rows;
  });
  return {
    head,
    streamVersion,
    insert,
    insertChunk: db.prepare<unknown[]>(`${SQL.insertPrefix} VALUES ${Array.from({ length: INSERT_CHUNK }, () => ROW_VALUES).join(', ')}`),
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    write,
    writeMany,
    readFrom: db.prepare<[number, number], EventLogRow>(SQL.readFrom),
    readStream: db.prepare<[string, number], EventLogRow>(SQL.readStream),
  };
}

function prepareDivergent(db: BetterSqlite3.Database) {
  return {
    copy: db.prepare<[string, string, string, number]>(SQL.setAside),
    remove: db.prepare<[number]>(SQL.deleteAfter),
    list: db.prepare<[], SetAsideRow>(SQL.listSetAside),
    read: db.prepare<[string], EventLogRow>(SQL.readSetAside),
  };
}

function prepareSnapshots(db: BetterSqlite3.Database) {
  type Row = { fold: string; foldVersion: number; streamVersion: number; hash: string; state: string };
  return {
    read: db.prepare<[string, string], Row>(SQL.readSnapshot),
    upsert: db.prepare<unknown[]>(snapshotUpsertSql(1, () => '?')),
  };
}
