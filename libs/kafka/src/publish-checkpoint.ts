import type { DataSource } from 'typeorm';
import { storageKind, storageLock, type LogHead, type StorageKind } from '@twofold/event-store';

const DDL = {
  sqlite: `CREATE TABLE IF NOT EXISTS kafka_publish_checkpoint (
    topic TEXT PRIMARY KEY, position INTEGER NOT NULL, hash TEXT NOT NULL, updated_at TEXT NOT NULL)`,
  postgres: `CREATE TABLE IF NOT EXISTS kafka_publish_checkpoint (
    topic TEXT PRIMARY KEY, position BIGINT NOT NULL, hash TEXT NOT NULL, updated_at TEXT NOT NULL)`,
};
const SCHEMA_LOCK_KEY = 7_370_812_112;

// "Published up to": the last position the broker acknowledged for a topic, in the node's own
// database. Written only after the broker's ack, so a crash loses at most a re-send (which
// consumers drop by position), never a record.
export class PublishCheckpoint {
  private constructor(private readonly dataSource: DataSource, private readonly kind: StorageKind, readonly topic: string) {}

  static async open(dataSource: DataSource, topic: string): Promise<PublishCheckpoint> {
    const kind = storageKind(dataSource);
    const cp = new PublishCheckpoint(dataSource, kind, topic);
    if (kind === 'postgres') {
      await dataSource.transaction(async (em) => {
        await em.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK_KEY]);
        await em.query(DDL.postgres);
      });
    } else {
      await cp.query(DDL.sqlite);
    }
    return cp;
  }

  async read(): Promise<LogHead> {
    const [row] = await this.query<{ position: number | string; hash: string }>(`SELECT position, hash FROM kafka_publish_checkpoint WHERE topic = ${this.p(1)}`, [this.topic]);
    return row ? { position: Number(row.position), hash: row.hash } : { position: 0, hash: '' };
  }

  async save(head: LogHead, now = new Date()): Promise<void> {
    await this.query(
      `INSERT INTO kafka_publish_checkpoint (topic, position, hash, updated_at) VALUES (${this.p(1)}, ${this.p(2)}, ${this.p(3)}, ${this.p(4)})
       ON CONFLICT (topic) DO UPDATE SET position = excluded.position, hash = excluded.hash, updated_at = excluded.updated_at`,
      [this.topic, head.position, head.hash, now.toISOString()],
    );
  }

  private p(n: number): string {
    return this.kind === 'postgres' ? `$${n}` : '?';
  }

  // SQLite shares one connection: run under the store's lock so we never land in its transaction.
  private query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    if (this.kind === 'sqlite') return storageLock(this.dataSource).runExclusive(() => this.dataSource.query(sql, params));
    return this.dataSource.query(sql, params);
  }
}
