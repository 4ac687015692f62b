import { describeEachBackend } from '../../../test/support/backends';
import { ev, storesClosedAfterEach } from './testing/spec-helpers';

// readFrom answers the records this process committed last from memory. A page shorter than the
// limit means "the log ends here" to its callers (the master's upstream inbox decides on it
// whether an event was already applied), so memory must never end a page early.
describeEachBackend('TypeOrmEventStore readFrom and the records kept in memory', ({ freshStorage }) => {
  jest.setTimeout(60_000);
  const { store } = storesClosedAfterEach(async () => (await freshStorage()).url);

  it('returns what another process appended after this one, not a page that stops at its own last record', async () => {
    const url = (await freshStorage()).url;
    const here = await store(url);
    const there = await store(url);
    await here.append('s-1', 0, [ev({ n: 1 }), ev({ n: 2 }), ev({ n: 3 })]);
    expect((await here.readFrom(0, 100)).map((e) => e.payload.n)).toEqual([1, 2, 3]); // from memory
    await there.append('s-2', 0, [ev({ n: 4 }), ev({ n: 5 })]);

    expect((await here.readFrom(0, 100)).map((e) => e.payload.n)).toEqual([1, 2, 3, 4, 5]);
    expect((await here.readFrom(1, 2)).map((e) => e.payload.n)).toEqual([2, 3]); // a full page, from memory
    expect((await here.readFrom(3, 100)).map((e) => e.payload.n)).toEqual([4, 5]);
  });

  it('still answers from memory what it holds up to the head', async () => {
    const sut = await store();
    const appended = await sut.append('s-1', 0, [ev({ n: 1 }), ev({ n: 2 })]);
    const [first, second] = await sut.readFrom(0, 100);
    expect(first).toBe(appended[0]); // the very records the append answered: not read and parsed again
    expect(second).toBe(appended[1]);
  });
});
