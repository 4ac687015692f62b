import type { Logger } from 'pino';
import { SYSTEM_ACTOR } from '@twofold/commands';
import { drainOutbox } from './outbox-drain';
import { outboxNodePerSuite } from './testing/outbox-node';

// A promoted node's outbox, on a real store: the push decisions it took as a slave while the
// master was down go on their approvals' streams, once, beside its other outcomes.
describe('drainOutbox on a promoted node', () => {
  const warnings: string[] = [];
  const log = { warn: (_d: unknown, message: string) => warnings.push(message) } as unknown as Logger;

  const node = outboxNodePerSuite('outbox-drain');

  it('appends each held decision once with its outbox id; one the log already decided is dropped, the fraud report blocks', async () => {
    const { h, outbox, upstream } = node();
    const { userId } = await h.commands.createUser({ username: 'dora' }, SYSTEM_ACTOR);
    // Decided in the log (another device, through the master) before this node could send its own.
    await h.commands.approvals.decide({ approvalKey: 'key-taken-00001', userId }, { decision: 'deny' }, { actor: 'device:other' });
    await upstream.record({ kind: 'approval_decided', userId, approvalKey: 'key-held-000001', decision: 'approved', source: 'device:d1' });
    await upstream.record({ kind: 'approval_decided', userId, approvalKey: 'key-taken-00001', decision: 'approved', source: 'device:d1' });
    await upstream.record({ kind: 'fraud', userId, reason: 'fraud reported on an approval request', source: 'device:d1' });
    await upstream.record({ kind: 'approval_decided', userId, approvalKey: 'key-fraud-00001', decision: 'fraud', source: 'device:d1' });
    const ids = (await outbox.pending(0, 10)).map((i) => i.id);

    await expect(drainOutbox({ outbox, security: h.commands.security, approvals: h.commands.approvals, upstream, store: h.store, dataSource: h.dataSource, log })).resolves.toBe(4);
    const stream = async (key: string) => (await h.store.readStream(`approval-${key}`)).map((e) => [e.payload.decision, e.payload.source, e.metadata.causationId ?? null]);
    expect(await stream('key-held-000001')).toEqual([['approved', 'device:d1', ids[0]]]);
    expect(await stream('key-taken-00001')).toEqual([['denied', 'device:other', null]]);
    expect(await stream('key-fraud-00001')).toEqual([['fraud', 'device:d1', ids[3]]]);
    expect(warnings).toEqual(['could not apply a pending approval decision']);
    expect((await h.queries.getUserState(userId))?.blocked).toBeTruthy();
    expect(await outbox.pending(0, 10)).toEqual([]);
  });
});
