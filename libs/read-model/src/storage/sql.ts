import type { DataSource, EntityManager } from 'typeorm';
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
