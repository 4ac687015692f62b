import { describeEachBackend } from '../../../test/support/backends';
import { ANY_VERSION } from './event-store';
import { ev, storesClosedAfterEach } from './testing/spec-helpers';

// knownStreamHead: what a cache of folded states may skip reading the log on.
describeEachBackend('TypeOrmEventStore known stream heads', ({ backend, freshStorage }) => {
  jest.setTimeout(60_000);
  const { store } = storesClosedAfterEach(async () => (await freshStorage()).url);
  const headOf = (e: { streamVersion: number; hash: string }) => ({ version: e.streamVersion, hash: e.hash });

  if (backend === 'postgres') {
    it('never vouches on PostgreSQL (another process may write the same database unseen)', async () => {
      const sut = await store();
      await sut.append('s-1', 0, [ev({ n: 1 })]);
      expect(sut.knownStreamHead('s-1')).toBeNull();
    });
    return;
  }

  it('knows the last record it wrote to each stream, and nothing of streams it did not write', async () => {
    const sut = await store();
    const [, second] = await sut.append('s-1', 0, [ev({ n: 1 }), ev({ n: 2 })]);
    const many = await sut.appendMany([{ streamId: 's-2', expectedVersion: 0, events: [ev({ n: 3 })] }, { streamId: 's-3', expectedVersion: 0, events: [ev({ n: 4 })] }]);
    expect(sut.knownStreamHead('s-1')).toEqual(headOf(second));
    expect(sut.knownStreamHead('s-2')).toEqual(headOf(many[0]));
    expect(sut.knownStreamHead('s-3')).toEqual(headOf(many[1]));
    expect(sut.knownStreamHead('s-4')).toBeNull();
  });

  it('keeps the head of a stream whose append conflicted, while the rest of its group commits', async () => {
    const sut = await store();
    const [first] = await sut.append('s-1', 0, [ev({ n: 1 })]);
    const results = await Promise.allSettled([sut.append('s-1', 0, [ev({ n: 'stale' })]), sut.append('s-2', 0, [ev({ n: 'fresh' })])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    expect(sut.knownStreamHead('s-1')).toEqual(headOf(first));
    expect(sut.knownStreamHead('s-2')).toEqual(headOf((results[1] as PromiseFulfilledResult<Array<{ streamVersion: number; hash: string }>>).value[0]));
  });

  it('vouches for nothing once another connection (another process) wrote the same database', async () => {
    const url = (await freshStorage()).url;
    const sut = await store(url);
    const other = await store(url);
    await sut.append('s-1', 0, [ev({ n: 1 })]);
    await sut.append('s-2', 0, [ev({ n: 2 })]);
    await other.append('s-1', 1, [ev({ n: 'theirs' })]);
    expect(sut.knownStreamHead('s-1')).toBeNull();
    expect(sut.knownStreamHead('s-2')).toBeNull(); // not written there, but nothing can tell from here
    // Its own next append is known again.
    const [mine] = await sut.append('s-2', 1, [ev({ n: 3 })]);
    expect(sut.knownStreamHead('s-2')).toEqual(headOf(mine));
    expect(sut.knownStreamHead('s-1')).toBeNull();
  });

  it('appends after the version another connection wrote, not after the head it knew', async () => {
    const url = (await freshStorage()).url;
    const sut = await store(url);
    const other = await store(url);
    await sut.append('s-1', 0, [ev({ n: 1 })]);
    await other.append('s-1', 1, [ev({ n: 'theirs' })]);
    // Its group reads the stream's version from the log: 2, not the 1 it wrote itself.
    const [next] = await sut.append('s-1', ANY_VERSION, [ev({ n: 'mine' })]);
    expect(next.streamVersion).toBe(3);
    await expect(sut.append('s-1', 2, [ev({ n: 'stale' })])).rejects.toMatchObject({ code: 'version_conflict' });
    const [after] = await sut.append('s-1', 3, [ev({ n: 'fresh' })]);
    expect(after.streamVersion).toBe(4);
    expect((await other.readStream('s-1')).map((e) => e.payload.n)).toEqual([1, 'theirs', 'mine', 'fresh']);
  });

  it('forgets every head when a tail is set aside, and knows the records replicated in', async () => {
    const master = await store();
    const slave = await store();
    await slave.append('s-1', 0, [ev({ n: 1 })]);
    const [, second] = await slave.append('s-1', 1, [ev({ n: 2 }), ev({ n: 3 })]);
    expect(slave.knownStreamHead('s-1')).toEqual(headOf(second));
    await slave.setAsideAfter(1, 'test: diverged');
    expect(slave.knownStreamHead('s-1')).toBeNull();

    await master.append('s-1', 0, [ev({ n: 1 })]);
    await master.append('s-1', 1, [ev({ n: 'new master' })]);
    const records = await master.readFrom(0, 10);
    await slave.setAsideAfter(0, 'test: follow the new master');
    await slave.appendReplicated(records);
    expect(slave.knownStreamHead('s-1')).toEqual(headOf(records[1]));
  });
});
