import { appendTicks, firstRefusal, harnessPerTest, readAll, waitFor } from './testing/cluster-fixture';
import type { TypeOrmEventStore } from '@twofold/event-store';

// Real TLS on 127.0.0.1, real SQLite stores in temp dirs.
describe('replication: master and slaves', () => {
  const h = harnessPerTest();

  async function expectSameLog(master: TypeOrmEventStore, slave: TypeOrmEventStore): Promise<void> {
    const [a, b] = await Promise.all([readAll(master), readAll(slave)]);
    expect(b.map((r) => r.position)).toEqual(a.map((r) => r.position));
    expect(b.map((r) => r.hash)).toEqual(a.map((r) => r.hash));
    expect(b).toEqual(a);
    const verified = await slave.verify();
    expect(verified.ok).toBe(true);
  }

  it('writes on the master appear on both slaves with identical hash chains', async () => {
    const mStore = await h.sqliteStore();
    await appendTicks(mStore, 250);
    const master = await h.master(mStore);
    const [s1, s2] = [await h.sqliteStore(), await h.sqliteStore()];
    const slave1 = h.slave(master, s1, 'slave-1');
    const slave2 = h.slave(master, s2, 'slave-2');
    slave1.start();
    slave2.start();
    await waitFor('both slaves caught up', async () => (await s1.head()).position === 250 && (await s2.head()).position === 250);

    // Live tail: single appends after the slaves are following.
    for (let i = 0; i < 30; i++) await mStore.append('live', -1, [{ type: 'Tick', schemaVersion: 1, payload: { live: i }, metadata: { actor: 'admin:1', nodeId: 'master', epoch: 0 } }]);
    const head = await mStore.head();
    await waitFor('live tail on both', async () => (await s1.head()).hash === head.hash && (await s2.head()).hash === head.hash);
    await expectSameLog(mStore, s1);
    await expectSameLog(mStore, s2);

    await waitFor('acks reach the master', () => master.status().every((s) => s.ackedPosition === head.position));
    const status = master.status().sort((a, b) => a.nodeName.localeCompare(b.nodeName));
    expect(status.map((s) => [s.nodeName, s.ackedPosition, s.lagEvents])).toEqual([
      ['slave-1', 280, 0],
      ['slave-2', 280, 0],
    ]);
    expect(slave1.status()).toMatchObject({ connected: true, localHead: 280, masterHead: 280, lagEvents: 0, lagMs: 0, masterNodeId: 'master' });
    await expect(master.waitForAcks(280, 2, 1000)).resolves.toBeUndefined();
    await expect(master.waitForAcks(281, 1, 100)).rejects.toMatchObject({ code: 'ack_timeout' });
  });

  it('waitForAcks resolves when enough slaves make a new write durable', async () => {
    const mStore = await h.sqliteStore();
    const master = await h.master(mStore);
    const s1 = await h.sqliteStore();
    h.slave(master, s1, 'slave-1').start();
    await waitFor('slave connected', () => master.status().length === 1);
    const [written] = await mStore.append('x', 0, [{ type: 'Tick', schemaVersion: 1, payload: {}, metadata: { actor: 'a', nodeId: 'master', epoch: 0 } }]);
    await master.waitForAcks(written.position, 1, 10_000);
    expect((await s1.head()).position).toBe(written.position);
  });

  it('a connection killed mid-stream resumes with no gap and no duplicate (socket destroyed, and stop/start)', async () => {
    const mStore = await h.sqliteStore();
    await appendTicks(mStore, 3000);
    const master = await h.master(mStore, { batchSize: 50, maxBatchesInFlight: 2 });
    const [s1, s2] = [await h.sqliteStore(), await h.sqliteStore()];
    const slave1 = h.slave(master, s1, 'slave-1', { maxAppendRecords: 50 });
    const slave2 = h.slave(master, s2, 'slave-2', { maxAppendRecords: 50 });
    let connects1 = 0;
    slave1.on('connected', () => connects1++);
    // Kill slave-1's socket three times at different points of the catch-up.
    const cuts = [400, 1100, 2000];
    slave1.on('appended', (head) => {
      if (cuts.length && head.position >= cuts[0]) {
        cuts.shift();
        slave1.reconnect();
      }
    });
    let stoppedOnce = false;
    slave2.on('appended', (head) => {
      if (!stoppedOnce && head.position >= 1500) {
        stoppedOnce = true;
        void slave2.stop().then(() => slave2.start());
      }
    });
    slave1.start();
    slave2.start();
    // Keep writing while the slaves drop and resume.
    await appendTicks(mStore, 500, 25);
    const head = await mStore.head();
    await waitFor('both caught up', async () => (await s1.head()).position === head.position && (await s2.head()).position === head.position, 60_000);
    expect(connects1).toBe(4);
    expect(stoppedOnce).toBe(true);
    await expectSameLog(mStore, s1);
    await expectSameLog(mStore, s2);
  });

  it('a slave joining far behind catches up in batches without exceeding the in-flight cap', async () => {
    const mStore = await h.sqliteStore();
    await appendTicks(mStore, 5000, 500);
    const master = await h.master(mStore, { batchSize: 100, maxBatchesInFlight: 3 });
    const s1 = await h.sqliteStore();
    const slave = h.slave(master, s1, 'slave-1', { maxAppendRecords: 200 });
    const appends: number[] = [];
    let maxInFlight = 0;
    slave.on('appended', (head) => {
      appends.push(head.position);
      for (const s of master.status()) maxInFlight = Math.max(maxInFlight, s.inFlight);
    });
    slave.start();
    await waitFor('caught up', async () => (await s1.head()).position === 5000, 60_000);
    expect(appends.length).toBeGreaterThanOrEqual(25); // 5000 records, at most 200 per durable append
    expect(appends).toEqual([...appends].sort((a, b) => a - b));
    expect(maxInFlight).toBeLessThanOrEqual(300);
    expect(master.status()[0].maxInFlight).toBe(300);
    await expectSameLog(mStore, s1);
  });

  it('finds the common ancestor of a diverged log in a few probe rounds', async () => {
    const mStore = await h.sqliteStore();
    await appendTicks(mStore, 2000, 500);
    const master = await h.master(mStore);
    const s1 = await h.sqliteStore();
    const slave = h.slave(master, s1, 'slave-1');
    slave.start();
    await waitFor('caught up', async () => (await s1.head()).position === 2000);
    await slave.stop();
    expect(await slave.findCommonAncestor()).toMatchObject({ ancestor: { position: 2000 }, diverged: false });

    // Both sides write independently past 1234: the old-master-returns situation.
    await s1.append('local', -1, Array.from({ length: 900 }, (_, i) => ({ type: 'Tick', schemaVersion: 1, payload: { local: i }, metadata: { actor: 'a', nodeId: 'old', epoch: 0 } })));
    await appendTicks(mStore, 50);
    const ancestorHash = (await mStore.readFrom(1999, 1))[0].hash;
    const refusal = await firstRefusal(slave);
    expect(refusal.reason).toBe('diverged_history');
    // The first refusal already brackets the divergence from the hello's checkpoints.
    expect(refusal.ancestor!.match.position).toBeLessThanOrEqual(2000);
    expect(master.status()).toEqual([]);

    const found = await slave.findCommonAncestor();
    expect(found).toMatchObject({ ancestor: { position: 2000, hash: ancestorHash }, diverged: true, masterHead: { position: 2050 } });
    expect(found.rounds).toBeLessThanOrEqual(4);
  });
});
