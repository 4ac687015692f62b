import type { EventStore } from '@twofold/event-store';
import type { DataSource } from 'typeorm';
import { SqlRunner } from './sql-runner';

export interface UpstreamEvent {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
}

// What onUpstream answers when a domain rule refused the event (nothing was appended).
export interface UpstreamRefusal {
  code: string;
  field?: string;
}

export type DeliveryResult = 'applied' | 'duplicate' | { refused: UpstreamRefusal };

// A refusal is kept in the state column ("refused <json>"), so a redelivery gets the same verdict.
const REFUSED = 'refused ';

// The same table on SQLite and PostgreSQL.
const INBOX_TABLE = `CREATE TABLE IF NOT EXISTS replication_inbox (
      id TEXT PRIMARY KEY,
      node_id TEXT NOT NULL,
      state TEXT NOT NULL,
      after_position BIGINT NOT NULL,
      received_at TEXT NOT NULL)`;
const DDL = { sqlite: [INBOX_TABLE], postgres: [INBOX_TABLE] };
const SCHEMA_LOCK_KEY = 7_370_812_102;
const SCAN_PAGE = 1000;

// The master's record of upstream ids it has applied, in the master's database.
//   no row            -> insert 'pending' (with the log head), apply, mark 'done'
//   'done'            -> duplicate: acknowledge without applying
//   'pending'         -> a previous try stopped between apply and 'done' (crash, error): if an
//                        event with metadata.causationId === id was appended after the recorded
//                        head, it was applied; otherwise apply again.
// So delivery is exactly once as long as the events appended for an upstream message carry
// metadata.causationId = message id; without that stamp, a master crash in that window means
// at-least-once for that one message.
export class UpstreamInbox {
  private constructor(private readonly sql: SqlRunner) {}

  static async open(dataSource: DataSource): Promise<UpstreamInbox> {
    const sql = new SqlRunner(dataSource);
    await sql.ensureSchema(DDL, SCHEMA_LOCK_KEY);
    return new UpstreamInbox(sql);
  }

  // Callers serialize deliveries (ReplicationMaster does), so no two run for one id at once.
  async deliver(nodeId: string, event: UpstreamEvent, store: EventStore, apply: () => Promise<void | UpstreamRefusal>, now = new Date()): Promise<DeliveryResult> {
    const p = (n: number) => this.sql.p(n);
    const [row] = await this.sql.query<{ state: string; after_position: number | string }>(
      `SELECT state, after_position FROM replication_inbox WHERE id = ${p(1)}`,
      [event.id],
    );
    if (row?.state === 'done') return 'duplicate';
    if (row?.state.startsWith(REFUSED)) return { refused: JSON.parse(row.state.slice(REFUSED.length)) as UpstreamRefusal };
    if (row && (await appendedSince(store, Number(row.after_position), event.id))) {
      await this.markDone(event.id);
      return 'duplicate';
    }
    if (!row) {
      const head = await store.head();
      await this.sql.query(
        `INSERT INTO replication_inbox (id, node_id, state, after_position, received_at) VALUES (${p(1)}, ${p(2)}, 'pending', ${p(3)}, ${p(4)})`,
        [event.id, nodeId, head.position, now.toISOString()],
      );
    }
    const refused = await apply();
    if (refused) {
      const verdict: UpstreamRefusal = { code: refused.code, ...(refused.field ? { field: refused.field } : {}) };
      await this.markDone(event.id, `${REFUSED}${JSON.stringify(verdict)}`);
      return { refused: verdict };
    }
    await this.markDone(event.id);
    return 'applied';
  }

  async state(id: string): Promise<'pending' | 'done' | 'refused' | undefined> {
    const [row] = await this.sql.query<{ state: string }>(`SELECT state FROM replication_inbox WHERE id = ${this.sql.p(1)}`, [id]);
    return row?.state.startsWith(REFUSED) ? 'refused' : (row?.state as 'pending' | 'done' | undefined);
  }

  // Drops ids older than `before`; a slave redelivering one later than that would be applied again.
  async prune(before: Date): Promise<void> {
    await this.sql.query(`DELETE FROM replication_inbox WHERE state <> 'pending' AND received_at < ${this.sql.p(1)}`, [before.toISOString()]);
  }

  private async markDone(id: string, state = 'done'): Promise<void> {
    await this.sql.query(`UPDATE replication_inbox SET state = ${this.sql.p(1)} WHERE id = ${this.sql.p(2)}`, [state, id]);
  }
}

// Until an empty page: a short one is not the end of the log (see EventStore.readFrom).
async function appendedSince(store: EventStore, afterPosition: number, id: string): Promise<boolean> {
  for (let after = afterPosition; ; ) {
    const page = await store.readFrom(after, SCAN_PAGE);
    if (page.length === 0) return false;
    if (page.some((e) => e.metadata.causationId === id)) return true;
    after = page[page.length - 1].position;
  }
}
