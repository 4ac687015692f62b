import { harnessPerTest, readAll, tick, waitFor } from './testing/cluster-fixture';
import type { ReplicationMasterOptions } from './master/replication-master';
import type { ReplicationSlaveOptions } from './slave/replication-slave';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Under a stream of small commits, the master frames what came within its fan-out interval once,
// and a slave makes one durable append (one transaction, one fsync, one ack) per apply interval.
// Intervals far longer than the gaps between commits make the counts exact enough to assert.
describe('replication: pacing of the live tail', () => {
  const h = harnessPerTest();

  async function fiveCommits(masterOptions: Partial<ReplicationMasterOptions>, slaveOptions: Partial<ReplicationSlaveOptions>) {
    const mStore = await h.sqliteStore();
    const master = await h.master(mStore, masterOptions);
    const sStore = await h.sqliteStore();
    const slave = h.slave(master, sStore, 'slave-1', slaveOptions);
    const heads: number[] = [];
    const acks: number[] = [];
    slave.on('appended', (head) => heads.push(head.position));
    master.on('ack', (_nodeId, position) => acks.push(position));
    slave.start();
    await mStore.append('warm-up', -1, [tick(0)]);
    await waitFor('live and acknowledged', () => master.status()[0]?.ackedPosition === 1);
    heads.length = 0;
    acks.length = 0;
    for (let i = 1; i <= 5; i++) {
      await mStore.append(`s-${i}`, -1, [tick(i)]);
      await pause(20);
    }
    await waitFor('all acknowledged', () => master.status()[0]?.ackedPosition === 6);
    expect((await readAll(sStore)).map((r) => r.hash)).toEqual((await readAll(mStore)).map((r) => r.hash));
    return { heads, acks };
  }

  it('a slave makes at most one durable append per applyIntervalMs: commits arriving meanwhile share the next, with one ack', async () => {
    const { heads, acks } = await fiveCommits({ fanOutIntervalMs: 0 }, { applyDelayMs: 0, applyIntervalMs: 500 });
    expect(heads.length).toBeLessThanOrEqual(2);
    expect(heads[heads.length - 1]).toBe(6);
    expect(acks).toEqual(heads);
  });

  it('the master writes the commits made within fanOutIntervalMs of its last fan-out to a slave as one frame', async () => {
    // The slave appends each frame as it comes (no delay, no interval): its appends count frames.
    const { heads } = await fiveCommits({ fanOutIntervalMs: 500 }, { applyDelayMs: 0, applyIntervalMs: 0 });
    expect(heads.length).toBeLessThanOrEqual(2);
    expect(heads[heads.length - 1]).toBe(6);
  });
});
