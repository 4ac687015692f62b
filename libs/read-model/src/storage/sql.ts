import type { DataSource, EntityManager } from 'typeorm';
import type BetterSqlite3 from 'better-sqlite3';
import { storageLock } from '@twofold/event-store';

export type Dialect = 'sqlite' | 'postgres';

// A thin SQL runner over TypeORM: `?` placeholders everywhere, rewritten to $n for PostgreSQL.
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

export function sqlOver(runner: DataSource | EntityManager, dialect: Dialect): Sql {
  return {
    dialect,
    async query<T>(text: string, params: unknown[] = []): Promise<T[]> {
      const bound = params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p === undefined ? null : p));
      const rows = await runner.query(dialect === 'postgres' ? toPostgres(text) : text, bound);
      return Array.isArray(rows) ? (rows as T[]) : [];
    },
  };
}

// On SQLite every statement of a DataSource shares one connection: the storage lock keeps other
// callers' statements (and the log's appends) out of this transaction.
export async function inTransaction<T>(dataSource: DataSource, fn: (sql: Sql) => Promise<T>): Promise<T> {
  const dialect = dialectOf(dataSource);
  const run = () => dataSource.transaction((manager) => fn(sqlOver(manager, dialect)));
  return dialect === 'sqlite' ? storageLock(dataSource).runExclusive(run) : run();
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
    const db = (dataSource.driver as unknown as { databaseConnection?: BetterSqlite3.Database }).databaseConnection;
    if (!db || !db.open) throw new Error('read model storage is closed');
    for (let waited = 0; db.inTransaction; waited += 5) {
      if (waited > 30_000) throw new Error('sqlite connection stayed inside a foreign transaction');
      await new Promise((r) => setTimeout(r, 5));
    }
    db.transaction(() => { for (const statement of statements) db.prepare(statement).run(); }).immediate();
  });
}
