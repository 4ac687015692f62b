import { describeEachBackend } from '../../../test/support/backends';
import { createEventStore, type SnapshotOf, type StoredEvent, TypeOrmEventStore } from './index';
import { caught, ev } from './testing/spec-helpers';

// A fold for these specs: how many records, and the last `n`.
const counted: SnapshotOf = (stored: StoredEvent[]) => ({
  fold: 'count', foldVersion: 1, state: JSON.stringify({ version: stored[stored.length - 1].streamVersion, last: stored[stored.length - 1].payload.n }),
});

describeEachBackend('TypeOrmEventStore stream snapshots', ({ freshStorage }) => {
  jest.setTimeout(60_000);
  const open: TypeOrmEventStore[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });

  async function store(url?: string): Promise<{ sut: TypeOrmEventStore; url: string }> {
    const u = url ?? (await freshStorage()).url;
    const sut = await createEventStore({ url: u });
    open.push(sut);
    return { sut, url: u };
  }

  it('writes the snapshot with the append, naming the last record, and keeps it across a restart', async () => {
    const { sut, url } = await store();
    await sut.append('user-1', 0, [ev({ n: 1 }), ev({ n: 2 })], { snapshot: counted });
    const [, second] = await sut.append('user-1', 2, [ev({ n: 3 }), ev({ n: 4 })], { snapshot: counted });
    await sut.append('user-1', 4, [ev({ n: 5 })]); // no snapshot asked: the last one stays
    expect(second.streamVersion).toBe(4);
    await sut.close();

    const { sut: again } = await store(url);
    expect(await again.readSnapshot('user-1', 'count')).toEqual({ fold: 'count', foldVersion: 1, streamVersion: 4, hash: second.hash, state: '{"version":4,"last":4}' });
    expect(await again.readSnapshot('user-1', 'other-fold')).toBeNull();
    expect(await again.readSnapshot('user-2', 'count')).toBeNull();
  });

  it('writes nothing for an append that conflicts, and the others of its group still get theirs', async () => {
    const { sut } = await store();
    await sut.append('user-0', 0, [ev({ n: 0 })], { snapshot: counted });
    const results = await Promise.allSettled([
      sut.append('user-0', 0, [ev({ n: 'stale' })], { snapshot: counted }),
      sut.append('user-1', 0, [ev({ n: 'fresh' })], { snapshot: counted }),
      sut.appendMany([{ streamId: 'user-2', expectedVersion: 0, events: [ev({ n: 'a' }), ev({ n: 'b' })], snapshot: counted }, { streamId: 'user-3', expectedVersion: 0, events: [ev({ n: 'c' })] }]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(JSON.parse((await sut.readSnapshot('user-0', 'count'))!.state)).toEqual({ version: 1, last: 0 });
    expect(JSON.parse((await sut.readSnapshot('user-1', 'count'))!.state)).toEqual({ version: 1, last: 'fresh' });
    expect(JSON.parse((await sut.readSnapshot('user-2', 'count'))!.state)).toEqual({ version: 2, last: 'b' });
    expect(await sut.readSnapshot('user-3', 'count')).toBeNull();
  });

  it('still appends when the snapshot cannot be made', async () => {
    const { sut } = await store();
    const broken: SnapshotOf = () => { throw new Error('fold failed'); };
    const stored = await sut.append('user-1', 0, [ev({ n: 1 })], { snapshot: broken });
    expect(stored).toHaveLength(1);
    expect(await sut.readSnapshot('user-1', 'count')).toBeNull();
    expect((await sut.verify()).ok).toBe(true);
  });

  it('replaces a snapshot written on its own, and refuses a bad stream name', async () => {
    const { sut } = await store();
    const [e] = await sut.append('user-1', 0, [ev({ n: 1 })], { snapshot: counted });
    await sut.writeSnapshot('user-1', { fold: 'count', foldVersion: 2, streamVersion: 1, hash: e.hash, state: '{"v2":true}' });
    expect(await sut.readSnapshot('user-1', 'count')).toMatchObject({ foldVersion: 2, state: '{"v2":true}' });
    expect((await caught(sut.writeSnapshot('', { fold: 'count', foldVersion: 1, streamVersion: 1, hash: e.hash, state: '{}' }))).code).toBe('invalid_append');
  });
});
