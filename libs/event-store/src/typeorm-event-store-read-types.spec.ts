import { describeEachBackend } from '../../../test/support/backends';
import { ev, storesClosedAfterEach } from './testing/spec-helpers';

describeEachBackend('TypeOrmEventStore readTypes', ({ freshStorage }) => {
  jest.setTimeout(60_000);
  const { store } = storesClosedAfterEach(async () => (await freshStorage()).url);

  it('answers only the records of the given types within (afterPosition, upTo], in order, as readFrom decodes them', async () => {
    const sut = await store();
    await sut.append('a', 0, [ev({ n: 1 }, 'Added'), ev({ n: 2 }), ev({ n: 3 }, 'Removed')]);
    await sut.append('b', 0, [ev({ n: 4 }, 'Added'), ev({ n: 5 }, 'Other')]);
    const all = await sut.readFrom(0, 10);
    expect(await sut.readTypes(0, 5, ['Added', 'Removed'])).toEqual([all[0], all[2], all[3]]);
    expect(await sut.readTypes(1, 3, ['Added', 'Removed'])).toEqual([all[2]]);
    expect(await sut.readTypes(3, 3, ['Added'])).toEqual([]);
    expect(await sut.readTypes(0, 5, [])).toEqual([]);
    expect(await sut.readTypes(0, 99, ['Other'])).toEqual([all[4]]);
  });
});
