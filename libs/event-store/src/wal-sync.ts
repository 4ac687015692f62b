import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import { EventStoreError } from './event-store-error';

// synchronous=FULL without the fsync on the event loop. SQLite at FULL syncs the WAL inside each
// COMMIT, a synchronous call: the whole process (RADIUS, every other sign-in) stands still for the
// disk. Instead the connection runs at NORMAL, where a COMMIT only writes its WAL frames, and the
// store syncs the WAL file itself with an asynchronous fdatasync (libuv's thread pool) before it
// answers: an append resolves, a slave acks and a sign-in is answered only once the WAL holding
// it is on disk, as at FULL; meanwhile the event loop goes on (the next group of appends commits),
// and one sync covers every commit made before it started. A lone append (a group of one, a
// replicated batch) is synced on the loop: the thread pool's round trip would cost more than it
// frees. Checkpoints stay SQLite's: at NORMAL it syncs the WAL before one and
// the database file after it.
//
// Committed but not yet synced frames are readable on the connection, so every read of the log
// that can leave this node (head, readFrom: replication, Kafka, the read model) first waits for
// the sync: a slave never holds a record its master could lose with its power. A commit by
// another process (data_version moved) is made durable the same way before it is read.
export class WalSync {
  private commits = 0; // commits noted
  private synced = 0; // commits covered by a completed sync
  private running: Promise<void> | null = null;
  private fd: number | null = null;
  private seenDataVersion: number | undefined;
  private dataVersion?: BetterSqlite3.Statement<[], number>;

  constructor(private readonly db: BetterSqlite3.Database, private readonly walPath: string) {}

  // Right after a commit on this connection that must be durable before it is acted on.
  noteCommit(): void {
    this.commits++;
  }

  get pending(): boolean {
    return this.synced < this.commits;
  }

  // Resolves once every commit noted before the call is on disk. inline: sync right here, on the
  // event loop, unless a sync is already running (a lone append: a round trip to the thread pool
  // would cost more than it frees, most of all on a busy machine).
  async durable(inline = false): Promise<void> {
    const target = this.commits;
    if (inline && !this.running && this.synced < target) return this.syncInline();
    while (this.synced < target) {
      this.running ??= this.syncOnce();
      await this.running;
    }
  }

  // Before a read of the log: what it may return is durable (a foreign commit included).
  async beforeRead(): Promise<void> {
    this.dataVersion ??= this.db.prepare<[], number>('PRAGMA data_version').pluck();
    const now = this.dataVersion.get()!;
    if (now !== this.seenDataVersion) {
      this.seenDataVersion = now;
      this.noteCommit();
    }
    if (this.pending) await this.durable();
  }

  // The connection is closing: so is the descriptor.
  closeFile(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private async syncOnce(): Promise<void> {
    const upTo = this.commits;
    try {
      const fd = this.file();
      await new Promise<void>((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
      this.synced = Math.max(this.synced, upTo);
    } catch (err) {
      this.closeFile(); // the next sync opens the file again
      throw syncFailed(err);
    } finally {
      this.running = null;
    }
  }

  private syncInline(): void {
    const upTo = this.commits;
    try {
      fdatasyncSync(this.file());
      this.synced = Math.max(this.synced, upTo);
    } catch (err) {
      this.closeFile();
      throw syncFailed(err);
    }
  }

  // The WAL stays the same file while any connection is open (SQLite removes it only when the
  // last one closes, and this one is open): it is opened once.
  private file(): number {
    this.fd ??= openSync(this.walPath, 'r');
    return this.fd;
  }
}

function syncFailed(err: unknown): EventStoreError {
  return new EventStoreError('storage_sync_failed', `could not sync the SQLite WAL to disk: ${(err as Error).message}`);
}

const byConnection = new WeakMap<BetterSqlite3.Database, WalSync>();

// From the DataSource's prepareDatabase: a connection configured FULL (or EXTRA) on a WAL file
// runs at NORMAL with a WalSync; anything else (NORMAL, OFF, :memory:) keeps its pragma as is.
export function prepareSynchronous(db: BetterSqlite3.Database, synchronous: string, offLoop: boolean): void {
  const durable = synchronous === 'FULL' || synchronous === 'EXTRA';
  if (durable && offLoop && !db.memory) {
    db.pragma('journal_mode = WAL');
    if (String(db.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal') {
      db.pragma('synchronous = NORMAL');
      const sync = new WalSync(db, `${db.name}-wal`);
      byConnection.set(db, sync);
      // The descriptor is closed with the connection (TypeORM closes it on destroy).
      const close = db.close.bind(db);
      db.close = () => {
        sync.closeFile();
        return close();
      };
      return;
    }
  }
  db.pragma(`synchronous = ${synchronous}`);
}

export function walSyncOf(db: BetterSqlite3.Database): WalSync | undefined {
  return byConnection.get(db);
}

// For writers on a DataSource's SQLite connection other than the log (the slave's outbox): after
// a commit that must survive power loss, before acting on it.
export async function madeDurable(dataSource: DataSource): Promise<void> {
  const db = (dataSource.driver as unknown as { databaseConnection?: BetterSqlite3.Database }).databaseConnection;
  const sync = db ? byConnection.get(db) : undefined;
  if (!sync) return;
  sync.noteCommit();
  await sync.durable();
}
