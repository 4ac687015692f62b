import { createHash } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import type { DataSource, EntityManager } from 'typeorm';
import { dataVersionOf, storageLock } from '@twofold/event-store';

export type Dialect = 'sqlite' | 'postgres';

// A thin SQL runner: `?` placeholders everywhere, rewritten to $n for PostgreSQL. Statements are
// prepared once and reused (better-sqlite3 statements on the DataSource's connection; named
// prepared statements on PostgreSQL), so per-request reads never go through TypeORM's query
// runner. TypeORM still owns the connection, the schema of event_log and everything else.
export interface Sql {
  readonly dialect: Dialect;
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}

export function dialectOf(dataSource: DataSource): Dialect {
  return dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
}

function toPostgres(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

const bind = (params: unknown[]) => params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p === undefined ? null : p));

type Statement = BetterSqlite3.Statement<unknown[], unknown>;
const sqliteStatements = new WeakMap<BetterSqlite3.Database, Map<string, Statement>>();

function sqliteConnection(dataSource: DataSource): BetterSqlite3.Database {
  const db = (dataSource.driver as unknown as { databaseConnection?: BetterSqlite3.Database }).databaseConnection;
  if (!db || !db.open) throw new Error('read model: the SQLite connection is closed');
  return db;
}

function sqliteStatement(db: BetterSqlite3.Database, text: string): Statement {
  let cache = sqliteStatements.get(db);
  if (!cache) sqliteStatements.set(db, (cache = new Map()));
  let stmt = cache.get(text);
  if (!stmt) {
    stmt = db.prepare(text);
    if (cache.size > 500) cache.clear(); // texts are a fixed set; this only bounds a misuse
    cache.set(text, stmt);
  }
  return stmt;
}

// PRAGMA data_version of the DataSource's connection (see dataVersionOf).
export function sqliteDataVersion(dataSource: DataSource): number {
  return dataVersionOf(sqliteConnection(dataSource));
}

interface PgQueryable { query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }> }
const pgNames = new Map<string, { name: string; text: string }>();

function pgStatement(text: string): { name: string; text: string } {
  let s = pgNames.get(text);
  if (!s) {
    s = { name: `tf_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`, text: toPostgres(text) };
    pgNames.set(text, s);
  }
  return s;
}

export function sqlOver(runner: DataSource | EntityManager, dialect: Dialect): Sql {
  const dataSource = 'manager' in runner && 'driver' in runner ? (runner as DataSource) : (runner as EntityManager).connection;
  if (dialect === 'sqlite') {
    // One connection for the whole DataSource: a statement run here inside a transaction opened
    // on it (inTransaction below) belongs to that transaction.
    return {
      dialect,
      async query<T>(text: string, params: unknown[] = []): Promise<T[]> {
        const stmt = sqliteStatement(sqliteConnection(dataSource), text);
        if (stmt.reader) return stmt.all(...bind(params)) as T[];
        stmt.run(...bind(params));
        return [];
      },
    };
  }
  return {
    dialect,
    async query<T>(text: string, params: unknown[] = []): Promise<T[]> {
      const client = pgClient(runner, dataSource);
      const { name, text: pgText } = pgStatement(text);
      const result = await client.query({ name, text: pgText, values: bind(params) });
      return (result.rows ?? []) as T[];
    },
  };
}

// Inside a transaction: the query runner's own client; otherwise the driver's pool.
function pgClient(runner: DataSource | EntityManager, dataSource: DataSource): PgQueryable {
  const qr = (runner as EntityManager).queryRunner as unknown as { databaseConnection?: PgQueryable } | undefined;
  if (qr?.databaseConnection) return qr.databaseConnection;
  return (dataSource.driver as unknown as { master: PgQueryable }).master;
}

// On SQLite every statement of a DataSource shares one connection: the storage lock keeps other
// callers' statements (and the log's appends) out of this transaction.
export async function inTransaction<T>(dataSource: DataSource, fn: (sql: Sql) => Promise<T>): Promise<T> {
  const dialect = dialectOf(dataSource);
  if (dialect === 'postgres') return dataSource.transaction((manager) => fn(sqlOver(manager, dialect)));
  return storageLock(dataSource).runExclusive(async () => {
    const db = sqliteConnection(dataSource);
    // Someone opened a transaction on the shared connection without the lock: wait it out.
    for (let waited = 0; db.inTransaction; waited += 5) {
      if (waited > 30_000) throw new Error('read model: the SQLite connection stayed inside a foreign transaction');
      await new Promise((r) => setTimeout(r, 5));
    }
    // The read model is a cache of the log (rebuilt from it at will, checkpoint in the same
    // transaction): its commits need no fsync of their own. In WAL mode the next FULL commit of
    // the log syncs these frames too, and a crash before that only loses read-model progress,
    // which is projected again from the checkpoint. The log's appends stay synchronous=FULL.
    const full = db.pragma('synchronous', { simple: true }) === 2;
    if (full) db.pragma('synchronous = NORMAL');
    try {
      sqliteStatement(db, 'BEGIN IMMEDIATE').run();
      try {
        const result = await fn(sqlOver(dataSource, dialect));
        sqliteStatement(db, 'COMMIT').run();
        return result;
      } catch (err) {
        if (db.inTransaction) sqliteStatement(db, 'ROLLBACK').run();
        throw err;
      }
    } finally {
      if (full) db.pragma('synchronous = FULL');
    }
  });
}

// Runs `statements` as one transaction that no reader can see half done. On SQLite readers share the
// connection (and would see uncommitted rows between two awaited statements), so the statements run
// synchronously through the driver's handle; on PostgreSQL other connections see the old rows
// until the commit.
export async function atomically(dataSource: DataSource, statements: string[]): Promise<void> {
  if (dialectOf(dataSource) === 'postgres') {
    await dataSource.transaction(async (manager) => {
      for (const statement of statements) await manager.query(statement);
    });
    return;
  }
  await storageLock(dataSource).runExclusive(async () => {
    const db = sqliteConnection(dataSource);
    for (let waited = 0; db.inTransaction; waited += 5) {
      if (waited > 30_000) throw new Error('sqlite connection stayed inside a foreign transaction');
      await new Promise((r) => setTimeout(r, 5));
    }
    db.transaction(() => { for (const statement of statements) db.prepare(statement).run(); }).immediate();
  });
}
