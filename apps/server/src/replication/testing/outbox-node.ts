import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpstreamOutbox } from '@twofold/replication';
import { openHarness, type Harness } from '../../../../../libs/commands/src/testing/read-model-scenario';
import { UpstreamSecurityEvents } from '../upstream-security-events';

export interface OutboxNode {
  h: Harness;
  outbox: UpstreamOutbox;
  upstream: UpstreamSecurityEvents;
}

// A node on a fresh SQLite file (store, read model, write side) with its upstream outbox and the
// UpstreamSecurityEvents over it, for a describe block: opened before its tests, closed after.
// Call the returned function inside tests.
export function outboxNodePerSuite(name: string): () => OutboxNode {
  let h: Harness | undefined;
  let node: OutboxNode | undefined;
  beforeAll(async () => {
    h = await openHarness(join(mkdtempSync(join(tmpdir(), `twofold-${name}-`)), 'node.sqlite'));
    const outbox = await UpstreamOutbox.open(h.dataSource);
    node = { h, outbox, upstream: new UpstreamSecurityEvents(outbox, h.queries, () => new Date()) };
  });
  afterAll(async () => h?.close());
  return () => {
    if (!node) throw new Error('the node opens before the tests: call it inside them');
    return node;
  };
}
