import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { ApprovalCommands, SecurityEvents } from '@twofold/commands';
import type { EventStore } from '@twofold/event-store';
import { dialectOf, sqlOver, type Sql } from '@twofold/read-model';
import type { UpstreamOutbox } from '@twofold/replication';
import type { UpstreamSecurityEvents } from './upstream-security-events';

export const DRAIN_BATCH = 100;

// The batch in flight, durable before its records are appended: the outbox ids it carries and the
// log head before it. After a crash between the append and the outbox removal, the ids found in
// the log since that head (events keep the outbox id as causationId) are removed, not appended again.
const DDL = `CREATE TABLE IF NOT EXISTS promotion_drain (id INTEGER PRIMARY KEY, after_position BIGINT NOT NULL, item_ids TEXT NOT NULL)`;

export interface DrainOptions {
  // Test hook: called after a batch's records are durable and before the outbox forgets them.
  afterAppend?: (batch: number) => void;
}

// A promoted node's own outbox (what it raised as a slave) becomes log records: DRAIN_BATCH
// outcomes per transaction, one durable write each, and a turn of the event loop between batches
// so sign-ins keep being answered. Every outcome keeps its causationId (the outbox id). Run again
// after a restart, it takes up where it stopped: nothing lost, nothing appended twice.
export async function drainOutbox(
  deps: { outbox: UpstreamOutbox; security: SecurityEvents; approvals: Pick<ApprovalCommands, 'recordDecided'>; upstream: UpstreamSecurityEvents; store: EventStore; dataSource: DataSource; log: Logger },
  options: DrainOptions = {},
): Promise<number> {
  const { outbox, security, upstream, store, log } = deps;
  const sql = sqlOver(deps.dataSource, dialectOf(deps.dataSource));
  await sql.query(DDL);
  await settleInterruptedBatch(deps, sql);
  let total = 0;
  for (let batch = 1; ; batch++) {
    const items = await outbox.pending(0, DRAIN_BATCH);
    if (items.length === 0) return total;
    const ids = items.map((i) => i.id);
    await sql.query(`DELETE FROM promotion_drain WHERE id = 1`);
    await sql.query(`INSERT INTO promotion_drain (id, after_position, item_ids) VALUES (1, ?, ?)`, [(await store.head()).position, JSON.stringify(ids)]);
    // Approval decisions taken here during the outage go on their approval's stream, each once.
    for (const item of items) {
      if (item.decoded.ok && item.decoded.outcome.kind === 'approval_decided') {
        await deps.approvals.recordDecided(item.decoded.outcome, { causationId: item.id }).catch((err) => log.warn({ err: (err as Error).message, kind: item.kind }, 'could not apply a pending approval decision'));
      }
    }
    await security.inBatch(async (b) => {
      for (const item of items) {
        if (item.decoded.ok && item.decoded.outcome.kind === 'approval_decided') continue;
        // The same typed outcome this node folded (a row from an earlier release upcast), recorded
        // with the outbox id as causationId; a refused or unreadable one is logged and dropped.
        const recorded = item.decoded.ok ? b.record(item.decoded.outcome, { causationId: item.id }) : Promise.reject(new Error(item.decoded.error));
        await recorded.catch((err) => log.warn({ err: (err as Error).message, kind: item.kind }, 'could not apply a pending security event'));
      }
    });
    options.afterAppend?.(batch);
    await outbox.remove(ids);
    await sql.query(`DELETE FROM promotion_drain WHERE id = 1`);
    upstream.settle(ids);
    total += items.length;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function settleInterruptedBatch(deps: { outbox: UpstreamOutbox; upstream: UpstreamSecurityEvents; store: EventStore; log: Logger }, sql: Sql): Promise<void> {
  const [marker] = await sql.query<{ after_position: number | string; item_ids: string }>(`SELECT after_position, item_ids FROM promotion_drain WHERE id = 1`);
  if (!marker) return;
  const wanted = new Set(JSON.parse(marker.item_ids) as string[]);
  const found = new Set<string>();
  for (let after = Number(marker.after_position); ;) {
    const page = await deps.store.readFrom(after, 1000);
    if (page.length === 0) break;
    for (const e of page) {
      const cause = e.metadata?.causationId;
      if (typeof cause === 'string' && wanted.has(cause)) found.add(cause);
    }
    after = page[page.length - 1].position;
  }
  if (found.size > 0) {
    await deps.outbox.remove([...found]);
    deps.upstream.settle(found);
  }
  await sql.query(`DELETE FROM promotion_drain WHERE id = 1`);
  deps.log.warn({ inLog: found.size, stillPending: wanted.size - found.size }, 'resumed appending the outbox after an interruption: what was already in the log is not appended again');
}
