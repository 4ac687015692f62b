import { stat } from 'node:fs/promises';
import { Argon2idHasher, DEFAULT_ARGON2ID_PARAMS } from './argon2id-hasher';
import { defaultHashConcurrency, threadPoolSize, ThreadPoolShare } from './thread-pool-share';

describe('ThreadPoolShare', () => {
  jest.setTimeout(60_000);
  it('runs at most `limit` at once, the rest in arrival order, and passes a slot on after a failure', async () => {
    const share = new ThreadPoolShare(2);
    const order: number[] = [];
    const gates = Array.from({ length: 5 }, () => {
      let open!: () => void;
      const opened = new Promise<void>((r) => (open = r));
      return { open, opened };
    });
    const runs = gates.map((g, i) => share.run(async () => {
      order.push(i);
      await g.opened;
      if (i === 0) throw new Error('hash failed');
      return i;
    }));
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([0, 1]);
    expect(share.stats).toEqual({ peak: 2, running: 2, waiting: 3 });
    gates[0].open();
    await expect(runs[0]).rejects.toThrow('hash failed');
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([0, 1, 2]);
    for (const g of gates) g.open();
    await expect(Promise.all(runs.slice(1))).resolves.toEqual([1, 2, 3, 4]);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(share.stats).toEqual({ peak: 2, running: 0, waiting: 0 });
  });

  it('leaves one libuv thread free and uses no more threads than cores', () => {
    expect(threadPoolSize({})).toBe(4);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '16' })).toBe(16);
    // libuv's atoi: no number is 0, which it takes as 1; above 1024 (or negative, wrapped) is 1024.
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: 'lots' })).toBe(1);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '0' })).toBe(1);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: ' 8 threads' })).toBe(8);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '5000' })).toBe(1024);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '-2' })).toBe(1024);
    expect(defaultHashConcurrency(4, 2)).toBe(2);
    expect(defaultHashConcurrency(4, 8)).toBe(3);
    expect(defaultHashConcurrency(1, 8)).toBe(1);
    expect(() => new ThreadPoolShare(0)).toThrow(RangeError);
  });

  // What a sign-in notices: with password checks filling the pool, the WAL sync every answer
  // waits for (an fs call like this stat) would queue behind them. The checks take eight times
  // production's passes (~200 ms each): the free thread's stat must be answered before the first
  // of them ends, which a loaded machine (other test workers on both cores) could not always grant
  // within one production check (~25 ms), though nothing queued it behind them.
  it('keeps an fs call from queueing behind a burst of password checks', async () => {
    const burst = async (hasher: Argon2idHasher, hashed: string) => {
      let verified = 0;
      // Twice the pool: with every thread for hashes, some wait in libuv's queue ahead of the stat.
      const checks = Array.from({ length: 2 * threadPoolSize() }, () => hasher.verify(hashed, 'correct horse').then((ok) => { expect(ok).toBe(true); verified++; }));
      const seenByStat = await stat(__filename).then(() => verified);
      await Promise.all(checks);
      return seenByStat;
    };
    const slow = { ...DEFAULT_ARGON2ID_PARAMS, timeCost: 8 * DEFAULT_ARGON2ID_PARAMS.timeCost };
    const hashed = await new Argon2idHasher(slow).hash('correct horse');
    // The whole pool for hashes (as before the share): the stat waits for hashes to finish.
    expect(await burst(new Argon2idHasher(slow, new ThreadPoolShare(threadPoolSize())), hashed)).toBeGreaterThan(0);
    // The process's share: the stat is answered while every check is still running.
    expect(await burst(new Argon2idHasher(slow), hashed)).toBe(0);
  });
});
