import type { EventStore, NewEvent } from '@twofold/event-store';
import { describeEachBackend } from '../../../test/support/backends';
import { storesClosedAfterEachTest } from '../../../test/support/stores';
import { ReadModelProjector } from './read-model-projector';

const meta = { actor: 'admin:test', nodeId: 'master', epoch: 0 };
const created = (n: number): NewEvent => ({
  type: 'UserCreated', schemaVersion: 1, metadata: meta,
  payload: { userId: `u-${n}`, username: `user${n}`, displayName: `User ${n}`, email: null, phones: [], preferredMethod: 'totp', language: 'en' },
});

// The store as the projector sees it, with the size of every batch it read.
function countingReads(store: EventStore, reads: number[]): EventStore {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'readFrom') {
        return async (after: number, limit: number) => {
          const batch = await target.readFrom(after, limit);
          reads.push(batch.length);
          return batch;
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

// Following the log, the read model reads only records it has not applied: no read after each
// batch to find nothing, none for the wake-up of a record that the batch being applied holds.
describeEachBackend('read model following the log', ({ freshStorage }) => {
  jest.setTimeout(60_000);
  const open = storesClosedAfterEachTest();

  it('reads each record once and never reads to find nothing, with appends committing concurrently', async () => {
    const store = await open((await freshStorage()).url);
    await store.append('user-u-0', 0, [created(0)]);
    const projector = new ReadModelProjector(store.dataSource);
    await projector.init();
    const reads: number[] = [];
    const following = projector.follow(countingReads(store, reads));
    try {
      for (let round = 0, n = 1; round < 5; round++) {
        const appended = await Promise.all(Array.from({ length: 16 }, () => { const i = n++; return store.append(`user-u-${i}`, 0, [created(i)]); }));
        await projector.waitFor(Math.max(...appended.map(([e]) => e.position)));
      }
      expect(projector.checkpoint).toBe(81);
      expect(reads.filter((n) => n === 0)).toEqual([]);
      expect(reads.reduce((a, b) => a + b, 0)).toBe(81);
    } finally {
      following.close();
    }
  });
});
