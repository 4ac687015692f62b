import { appendTicks, firstRefusal, harnessPerTest, readAll, waitFor } from './testing/cluster-fixture';

// A slave that reads the log from Kafka keeps a fixed-port session only for what goes upstream:
// the master streams it nothing and still checks its head is in the master's log; its heartbeats
// tell the master how far it is. (Its security events going upstream: test/kafka/kafka-cluster.e2e-spec.ts.)
describe('replication: an upstream-only slave (log from Kafka)', () => {
  const h = harnessPerTest();

  it('gets no batches and reports the head it reached by another path', async () => {
    const mStore = await h.sqliteStore();
    await appendTicks(mStore, 40);
    const master = await h.master(mStore);
    const store = await h.sqliteStore();
    await store.appendReplicated((await readAll(mStore)).slice(0, 10));
    const slave = h.slave(master, store, 'kafka-reader', { upstreamOnly: true });
    slave.start();
    await waitFor('connected', () => slave.status().connected && slave.status().masterHead === 40);
    await appendTicks(mStore, 5); // live writes are not streamed either
    await waitFor('master head heard', () => slave.status().masterHead === 45);
    expect((await store.head()).position).toBe(10); // nothing streamed
    expect(slave.status()).toMatchObject({ localHead: 10, lagEvents: 35 });

    // The log reaches 45 from elsewhere; the heartbeats carry it to the master's status.
    await store.appendReplicated((await readAll(mStore)).slice(10));
    slave.noteLocalHead(await store.head());
    expect(slave.status()).toMatchObject({ localHead: 45, lagEvents: 0 });
    await waitFor('master sees it at 45', () => master.status().some((s) => s.nodeName === 'kafka-reader' && s.ackedPosition === 45 && s.upstreamOnly && s.lagEvents === 0));
    // Synchronous replication counts only slaves the master streamed to.
    await expect(master.waitForAcks(45, 1, 300)).rejects.toMatchObject({ code: 'ack_timeout' });
  });

  it('is refused with diverged_history when its head is not in the master\'s log', async () => {
    const mStore = await h.sqliteStore();
    await appendTicks(mStore, 20);
    const master = await h.master(mStore);
    const other = await h.sqliteStore();
    await other.append('elsewhere', 0, [{ type: 'Tick', schemaVersion: 1, payload: { other: true }, metadata: { actor: 'x', nodeId: 'x', epoch: 0 } }]);
    const slave = h.slave(master, other, 'kafka-forked', { upstreamOnly: true });
    const refusal = await firstRefusal(slave);
    expect(refusal.reason).toBe('diverged_history');
    expect((await other.head()).position).toBe(1);
  });
});
