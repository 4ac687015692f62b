import type { DataSource } from 'typeorm';
import { madeDurable, storageKind, storageLock, type StorageKind } from '@twofold/event-store';

const READS = /^\s*(SELECT|WITH|PRAGMA)\b/i;

// Raw SQL on the log's DataSource. On SQLite every statement runs under storageLock: the
// connection is shared, and a statement issued between another caller's awaits would land
// inside that caller's transaction.
export class SqlRunner {
  readonly kind: StorageKind;

  constructor(readonly dataSource: DataSource) {
    this.kind = storageKind(dataSource);
  }

  // Placeholder n (1-based) in this dialect.
  p(n: number): string {
    return this.kind === 'postgres' ? `$${n}` : '?';
  }

  // A write resolves once it is on disk (the outbox holds used codes a slave has accepted).
  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    if (this.kind !== 'sqlite') return this.dataSource.query(sql, params);
    const rows: T[] = await storageLock(this.dataSource).runExclusive(() => this.dataSource.query(sql, params));
    if (!READS.test(sql)) await madeDurable(this.dataSource);
    return rows;
  }

  // DDL from two processes at once must not race on PostgreSQL's catalog.
  async ensureSchema(ddl: { sqlite: string[]; postgres: string[] }, pgLockKey: number): Promise<void> {
    if (this.kind === 'postgres') {
      await this.dataSource.transaction(async (em) => {
        await em.query('SELECT pg_advisory_xact_lock($1)', [pgLockKey]);
        for (const statement of ddl.postgres) await em.query(statement);
      });
    } else {
      await storageLock(this.dataSource).runExclusive(async () => {
        for (const statement of ddl.sqlite) await this.dataSource.query(statement);
      });
    }
  }
}
