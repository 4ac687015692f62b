import { describeEachBackend } from '../../../test/support/backends';
import { createEventStore, type StoredEvent, TypeOrmEventStore } from './index';
import { caught, ev, until } from './testing/spec-helpers';

describeEachBackend('TypeOrmEventStore group commit', ({ freshStorage }) => {
  jest.setTimeout(60_000);
  const open: TypeOrmEventStore[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });

  async function store(groups: number[]): Promise<TypeOrmEventStore> {
    const { url } = await freshStorage();
    const s = await createEventStore({ url, onGroupCommitted: (n) => groups.push(n) });
    open.push(s);
    return s;
  }

  it('commits concurrent appends on many streams in one transaction; only the conflicting one fails', async () => {
    const groups: number[] = [];
    const sut = await store(groups);
    await sut.append('user-0', 0, [ev({ n: 'first' })]);
    groups.length = 0;
    const seen: StoredEvent[] = [];
    const sub = sut.subscribe(1, (e) => { seen.push(e); });

    const appends = Array.from({ length: 40 }, (_, i) => sut.append(`user-${i + 1}`, 0, [ev({ n: i }), ev({ n: i, again: true })]));
    const conflicting = sut.append('user-0', 0, [ev({ n: 'stale' })]); // user-0 is at version 1
    const many = sut.appendMany([{ streamId: 'user-0', expectedVersion: 1, events: [ev({ n: 'next' })] }, { streamId: 'user-99', expectedVersion: 0, events: [ev({ n: 99 })] }]);

    const results = await Promise.allSettled([...appends, conflicting, many]);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect((await caught(conflicting)).code).toBe('version_conflict');
    expect(groups).toEqual([42]); // one transaction held the 41 that committed and the refused one

    const stored = (await sut.readFrom(1, 1000));
    expect(stored).toHaveLength(82);
    expect(stored.map((e) => e.position)).toEqual(Array.from({ length: 82 }, (_, i) => i + 2));
    expect(stored.some((e) => e.payload.n === 'stale')).toBe(false);
    for (let i = 1; i <= 40; i++) expect(await sut.streamVersion(`user-${i}`)).toBe(2);
    expect((await sut.readStream('user-0')).map((e) => e.payload.n)).toEqual(['first', 'next']);
    expect((await sut.verify()).ok).toBe(true);

    // Each caller got its own records, and subscribers see every committed record once.
    const [firstOk] = await Promise.all([appends[0]]);
    expect(firstOk.map((e) => [e.streamId, e.streamVersion])).toEqual([['user-1', 1], ['user-1', 2]]);
    await until(() => seen.length === 82, 20_000);
    expect(seen.map((e) => e.position)).toEqual(stored.map((e) => e.position));
    sub.close();
  });

  it('two appends on one stream in the same group: the second is checked against the first', async () => {
    const groups: number[] = [];
    const sut = await store(groups);
    const a = sut.append('user-1', 0, [ev({ n: 1 })]);
    const b = sut.append('user-1', 1, [ev({ n: 2 })]);
    const c = sut.append('user-1', 0, [ev({ n: 3 })]);
    expect((await a).map((e) => e.streamVersion)).toEqual([1]);
    expect((await b).map((e) => e.streamVersion)).toEqual([2]);
    expect((await caught(c)).code).toBe('version_conflict');
    expect(groups).toEqual([3]);
    expect((await sut.readStream('user-1')).map((e) => e.payload.n)).toEqual([1, 2]);
  });

  it('appends arriving while a commit runs go into the next transaction together', async () => {
    const groups: number[] = [];
    const sut = await store(groups);
    const first = sut.append('s-0', 0, [ev({ n: 0 })]);
    // Queued after the first group was taken (it is committing), before it resolves.
    await new Promise<void>((r) => setImmediate(r));
    const later = Array.from({ length: 10 }, (_, i) => sut.append(`s-${i + 1}`, 0, [ev({ n: i + 1 })]));
    await Promise.all([first, ...later]);
    expect(groups.reduce((a, b) => a + b, 0)).toBe(11);
    expect(groups.length).toBeLessThanOrEqual(2); // sqlite: [1, 10]; postgres (the lock is taken over the network): [11]
    expect(groups[groups.length - 1]).toBeGreaterThanOrEqual(10);
    expect((await sut.verify()).ok).toBe(true);
  });
});

