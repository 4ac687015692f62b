import type { Logger } from 'pino';
import type { SecurityEvents } from '@twofold/commands';
import type { UpstreamOutbox } from '@twofold/replication';
import type { UpstreamSecurityEvents } from './upstream-security-events';

export const DRAIN_BATCH = 100;

// A promoted node's own outbox (what it raised as a slave) becomes log records: DRAIN_BATCH
// outcomes per transaction, one durable write each, and a turn of the event loop between batches
// so sign-ins keep being answered. Every outcome keeps its causationId (the outbox id).
export async function drainOutbox(outbox: UpstreamOutbox, security: SecurityEvents, upstream: UpstreamSecurityEvents, log: Logger): Promise<number> {
  let total = 0;
  for (;;) {
    const items = await outbox.pending(0, DRAIN_BATCH);
    if (items.length === 0) return total;
    await security.inBatch(async (batch) => {
      for (const item of items) {
        // The same typed outcome this node folded (a row from an earlier release upcast), recorded
        // with the outbox id as causationId; a refused or unreadable one is logged and dropped.
        const recorded = item.decoded.ok ? batch.record(item.decoded.outcome, { causationId: item.id }) : Promise.reject(new Error(item.decoded.error));
        await recorded.catch((err) => log.warn({ err: (err as Error).message, kind: item.kind }, 'could not apply a pending security event'));
      }
    });
    const ids = items.map((i) => i.id);
    await outbox.remove(ids);
    upstream.settle(ids);
    total += items.length;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
