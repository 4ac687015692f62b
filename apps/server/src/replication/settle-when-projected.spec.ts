import { SYSTEM_ACTOR } from '@twofold/commands';
import { eventually } from '../../../../test/support/eventually';
import { outboxNodePerSuite } from './testing/outbox-node';
import { settleWhenProjected } from './upstream-security-events';

// A node's outcome comes back in the log (appended by the master, or by this node after its
// promotion). Until the read model holds it, the outbox's view of the user is the one that knows:
// settled at commit, a sign-in in between would be decided on the state from before the outage.
// (This is how promotion-under-load once locked a user out: spent HOTP counters were forgotten.)
describe('settleWhenProjected', () => {
  const node = outboxNodePerSuite('settle');

  it('keeps an outcome enforced until the read model has projected the event that records it', async () => {
    const { h, outbox, upstream } = node();
    const { userId } = await h.commands.createUser({ username: 'erik' }, SYSTEM_ACTOR);
    const outcome = { kind: 'failed_attempt', userId, reason: 'wrong one-time code', source: 'radius:vpn' } as const;
    await upstream.record(outcome);
    const [item] = await outbox.pending(0, 10);
    const settling = settleWhenProjected(h.store, (await h.store.head()).position, h.projector, upstream);
    try {
      h.projector.stop(); // the read model falls behind the log for a moment
      const before = (await h.store.head()).position;
      const appended = h.commands.security.inBatch(async (b) => { await b.record(outcome, { causationId: item.id }); });
      await eventually('the outcome in the log', async () => (await h.store.head()).position > before);
      await new Promise((r) => setTimeout(r, 50)); // the store's subscribers have been told
      expect((await h.queries.getUserState(userId))?.recentFailures).toHaveLength(0);
      expect(upstream.pendingCount).toBe(1);
      expect((await upstream.getUserState(userId))?.recentFailures).toHaveLength(1);

      h.projector.follow(h.store);
      await appended;
      await eventually('settled', async () => upstream.pendingCount === 0);
      expect((await upstream.getUserState(userId))?.recentFailures).toHaveLength(1);
    } finally {
      settling.close();
    }
  });
});
