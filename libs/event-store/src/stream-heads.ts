import type BetterSqlite3 from 'better-sqlite3';
import { LruMap } from '@twofold/domain';
import type { EventLogRow } from './event-log.entity';

export interface StreamHead { version: number; hash: string }

export const KNOWN_STREAM_HEADS = 20_000;

// The last record of each stream this process wrote or replicated into one SQLite database, kept
// only while the process can vouch that nothing else changed the log: a commit on another
// connection (another process on the same file) moves SQLite's data_version, and then they are
// all forgotten; so they are when a tail is set aside. A write reads data_version inside its
// transaction (no other connection can commit while it holds the write lock) and records its rows
// right after the commit, under the in-process write lock, so nothing can come between unseen.
// A stream not known here is simply read from the log.
export class StreamHeads {
  private readonly heads: LruMap<string, StreamHead>;
  private seen: number | undefined; // data_version the entries are good for
  private db: BetterSqlite3.Database | undefined;

  constructor(max = KNOWN_STREAM_HEADS) {
    this.heads = new LruMap(max);
  }

  // null: unknown, or the log may have changed behind this process's back.
  get(db: BetterSqlite3.Database, streamId: string): StreamHead | null {
    const now = this.dataVersion(db);
    if (now !== this.seen) {
      this.heads.clear();
      this.seen = now;
      return null;
    }
    return this.heads.get(streamId) ?? null;
  }

  // Inside a write transaction on `db`: what committed(…, token) needs.
  token(db: BetterSqlite3.Database): number {
    return this.dataVersion(db);
  }

  // Inside the write transaction that read `token`: the stream's committed version when this
  // process vouches for it (nothing else committed since it recorded it), else null: read it.
  versionIn(db: BetterSqlite3.Database, token: number, streamId: string): number | null {
    if (db !== this.db || token !== this.seen) return null;
    return this.heads.get(streamId)?.version ?? null;
  }

  // After the transaction that read `token` committed `rows` (in position order).
  committed(db: BetterSqlite3.Database, rows: readonly EventLogRow[], token: number | undefined): void {
    if (token === undefined || db !== this.db) return;
    if (token !== this.seen) {
      this.heads.clear();
      this.seen = token; // a later commit elsewhere moves data_version past it: get() forgets again
    }
    // Each stream's last row only (a replicated batch holds thousands of rows of a few streams),
    // written last: the least recently written go first.
    const last = new Map<string, EventLogRow>();
    for (let i = rows.length - 1; i >= 0; i--) if (!last.has(rows[i].streamId)) last.set(rows[i].streamId, rows[i]);
    for (const r of [...last.values()].reverse()) this.heads.set(r.streamId, { version: r.streamVersion, hash: r.hash });
  }

  forgetAll(): void {
    this.heads.clear();
  }

  private dataVersion(db: BetterSqlite3.Database): number {
    if (this.db !== db) {
      // Another connection (the DataSource reopened): nothing known holds for it.
      this.db = db;
      this.heads.clear();
      this.seen = undefined;
    }
    return dataVersionOf(db);
  }
}

const dataVersions = new WeakMap<BetterSqlite3.Database, BetterSqlite3.Statement<[], number>>();

// PRAGMA data_version of a connection: it moves when another connection commits to the database
// (never for this connection's own commits). The stream heads here and the read model's kept
// user states trust what they hold only while it stays put.
export function dataVersionOf(db: BetterSqlite3.Database): number {
  let statement = dataVersions.get(db);
  if (!statement) dataVersions.set(db, (statement = db.prepare<[], number>('PRAGMA data_version').pluck()));
  return statement.get()!;
}

const perDatabase = new WeakMap<object, StreamHeads>();

// One per DataSource: every store over it writes through the same connection, so each must see
// the others' writes.
export function streamHeadsOf(dataSource: object): StreamHeads {
  let heads = perDatabase.get(dataSource);
  if (!heads) perDatabase.set(dataSource, (heads = new StreamHeads()));
  return heads;
}
