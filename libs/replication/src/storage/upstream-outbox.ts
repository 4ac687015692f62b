import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { DataSource } from 'typeorm';
import { decodeSecurityOutcome, DecodedSecurityOutcome, encodeSecurityOutcome, SecurityOutcome } from '@twofold/domain';
import { SqlRunner } from './sql-runner';

export interface OutboxItem {
  seq: number; // delivery order
  id: string; // the master dedupes on it
  // As stored, and sent upstream as is: the encoded outcome (version 2, or 1 from an earlier release).
  kind: string;
  payload: Record<string, unknown>;
  createdAt: string; // when it was decided on this node: the `now` it is folded with again
  // The typed outcome (a version 1 row upcast), or why the row cannot be read.
  decoded: DecodedSecurityOutcome;
}

// Who a version 1 row without a source names (what the drain on a promoted node used before).
const V1_DEFAULT_SOURCE = 'slave';

const DDL = {
  sqlite: [
    `CREATE TABLE IF NOT EXISTS replication_outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      kind TEXT NOT NULL,
      payload TEXT NOT NULL,
      created_at TEXT NOT NULL)`,
  ],
  postgres: [
    `CREATE TABLE IF NOT EXISTS replication_outbox (
      seq BIGSERIAL PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      kind TEXT NOT NULL,
      payload TEXT NOT NULL,
      created_at TEXT NOT NULL)`,
  ],
};
const SCHEMA_LOCK_KEY = 7_370_812_101;

// Security outcomes raised on a slave, kept in the slave's own database until the master
// acknowledges them. Survives restarts; delivered in seq order; removed only on UpstreamAck.
// Emits 'enqueued' so a connected ReplicationSlave sends at once.
export class UpstreamOutbox extends EventEmitter {
  private constructor(private readonly sql: SqlRunner) {
    super();
  }

  static async open(dataSource: DataSource): Promise<UpstreamOutbox> {
    const sql = new SqlRunner(dataSource);
    await sql.ensureSchema(DDL, SCHEMA_LOCK_KEY);
    return new UpstreamOutbox(sql);
  }

  // Durable when this resolves. Returns the id the master will dedupe on. `at`: the time the
  // outcome was decided at, so a reload after a restart decides it again with the same clock.
  async enqueue(outcome: SecurityOutcome, at: Date = new Date()): Promise<string> {
    const id = randomUUID();
    const p = (n: number) => this.sql.p(n);
    const { kind, payload } = encodeSecurityOutcome(outcome);
    await this.sql.query(
      `INSERT INTO replication_outbox (id, kind, payload, created_at) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)})`,
      [id, kind, JSON.stringify(payload), at.toISOString()],
    );
    this.emit('enqueued', id);
    return id;
  }

  async pending(afterSeq = 0, limit = 100): Promise<OutboxItem[]> {
    const rows = await this.sql.query<{ seq: number | string; id: string; kind: string; payload: string; created_at: string }>(
      `SELECT seq, id, kind, payload, created_at FROM replication_outbox WHERE seq > ${this.sql.p(1)} ORDER BY seq LIMIT ${this.sql.p(2)}`,
      [afterSeq, limit],
    );
    return rows.map((r) => {
      const payload = parsePayload(r.payload);
      return {
        seq: Number(r.seq),
        id: r.id,
        kind: r.kind,
        payload: payload ?? {},
        createdAt: r.created_at,
        decoded: payload ? decodeSecurityOutcome(r.kind, payload, { defaultSource: V1_DEFAULT_SOURCE }) : { ok: false, error: 'payload is not JSON' },
      };
    });
  }

  async count(): Promise<number> {
    const [row] = await this.sql.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM replication_outbox');
    return Number(row.n);
  }

  async remove(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const list = ids.map((_, i) => this.sql.p(i + 1)).join(', ');
    await this.sql.query(`DELETE FROM replication_outbox WHERE id IN (${list})`, ids);
  }
}

// A row that cannot be parsed is still delivered (the master refuses it and says why), never a crash.
function parsePayload(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
