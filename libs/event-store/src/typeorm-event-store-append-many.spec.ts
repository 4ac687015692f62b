import { describeEachBackend } from '../../../test/support/backends';
import { computeRecordHash, createEventStore, TypeOrmEventStore } from './index';
import { caught, ev } from './testing/spec-helpers';

describeEachBackend('TypeOrmEventStore.appendMany', ({ freshStorage }) => {
  jest.setTimeout(60_000);
  const open: TypeOrmEventStore[] = [];
  async function store(): Promise<TypeOrmEventStore> {
    const s = await createEventStore({ url: (await freshStorage()).url });
    open.push(s);
    return s;
  }
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });

  it('writes several streams in one chained append, each at its own next version', async () => {
    const sut = await store();
    await sut.append('user-1', 0, [ev({ n: 0 })]);
    const stored = await sut.appendMany([
      { streamId: 'user-1', expectedVersion: 1, events: [ev({ n: 1 }), ev({ n: 2 })] },
      { streamId: 'user-2', expectedVersion: 0, events: [ev({ n: 3 })] },
    ]);
    expect(stored.map((e) => [e.position, e.streamId, e.streamVersion])).toEqual([[2, 'user-1', 2], [3, 'user-1', 3], [4, 'user-2', 1]]);
    for (const e of stored) expect(computeRecordHash(e)).toBe(e.hash);
    expect((await sut.verify()).ok).toBe(true);
    expect(await sut.readFrom(1, 10)).toEqual(stored);
  });

  it('writes nothing when any stream moved on (version_conflict), and refuses a stream named twice', async () => {
    const sut = await store();
    await sut.append('user-1', 0, [ev({ n: 0 })]);
    const conflict = await caught(sut.appendMany([
      { streamId: 'user-2', expectedVersion: 0, events: [ev({ n: 1 })] },
      { streamId: 'user-1', expectedVersion: 0, events: [ev({ n: 2 })] },
    ]));
    expect(conflict.code).toBe('version_conflict');
    expect((await sut.head()).position).toBe(1);
    const twice = await caught(sut.appendMany([
      { streamId: 'user-2', expectedVersion: 0, events: [ev({ n: 1 })] },
      { streamId: 'user-2', expectedVersion: 0, events: [ev({ n: 2 })] },
    ]));
    expect(twice.code).toBe('invalid_append');
  });
});
