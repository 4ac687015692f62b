import { describeEachBackend } from '../../../test/support/backends';
import {
  GENESIS_HASH,
  isEventStoreError,
  TypeOrmEventStore,
  type StoredEvent,
} from './index';
import { caught, ev, until, storesClosedAfterEach } from './testing/spec-helpers';

describeEachBackend('TypeOrmEventStore.setAsideAfter', ({ freshStorage }) => {
  jest.setTimeout(60_000);
  const { store } = storesClosedAfterEach(async () => (await freshStorage()).url);

  // 10 records over two streams: user-1 gets 1..5, user-2 gets 6..10 (stream versions 1..5 each).
  async function tenRecords(sut: TypeOrmEventStore, tag = 'a'): Promise<StoredEvent[]> {
    const a = await sut.append('user-1', 0, [1, 2, 3, 4, 5].map((n) => ev({ n, tag })));
    const b = await sut.append('user-2', 0, [6, 7, 8, 9, 10].map((n) => ev({ n, tag })));
    return [...a, ...b];
  }

  it('moves the tail out of the log and keeps it, identical, for audit', async () => {
    const sut = await store(undefined, () => new Date('2026-04-01T08:00:00Z'));
    const records = await tenRecords(sut);

    const result = await sut.setAsideAfter(6, 'diverged from node-b at epoch 2');

    expect(result).toEqual({ setAside: 4, head: { position: 6, hash: records[5].hash }, divergenceId: expect.any(String) });
    expect(await sut.head()).toEqual({ position: 6, hash: records[5].hash });
    expect(await sut.verify()).toEqual({ ok: true, checked: 6, head: { position: 6, hash: records[5].hash } });
    expect(await sut.readFrom(0, 100)).toEqual(records.slice(0, 6));
    expect(await sut.readFrom(6, 100)).toEqual([]);
    expect(await sut.readStream('user-2')).toEqual(records.slice(5, 6));
    expect(await sut.streamVersion('user-2')).toBe(1);

    expect(await sut.readSetAside(result.divergenceId!)).toEqual(records.slice(6));
    expect(await sut.listSetAside()).toEqual([
      {
        divergenceId: result.divergenceId,
        setAsideAt: '2026-04-01T08:00:00.000Z',
        reason: 'diverged from node-b at epoch 2',
        fromPosition: 7,
        toPosition: 10,
        count: 4,
      },
    ]);
    expect(await sut.readSetAside('no-such-divergence')).toEqual([]);
  });

  it('lets the new master\'s continuation replicate on top, then local appends continue', async () => {
    const oldMaster = await store();
    const newMaster = await store();
    const records = await tenRecords(oldMaster);
    // The new master shares the first 6 records, then wrote its own history.
    await newMaster.appendReplicated(records.slice(0, 6));
    await newMaster.append('user-2', 1, [ev({ n: 'b7' }), ev({ n: 'b8' })]);
    await newMaster.append('user-3', 0, [ev({ n: 'b9' })]);
    const theirs = await newMaster.readFrom(6, 100);

    expect((await caught(oldMaster.appendReplicated(theirs))).code).toBe('chain_mismatch');
    await oldMaster.setAsideAfter(6, 'demoted: diverged after 6');
    expect(await oldMaster.appendReplicated(theirs)).toEqual(await newMaster.head());

    expect(await oldMaster.readFrom(0, 100)).toEqual(await newMaster.readFrom(0, 100));
    expect((await oldMaster.verify()).ok).toBe(true);
    const [next] = await oldMaster.append('user-2', 3, [ev({ n: 'after' })]);
    expect(next).toMatchObject({ position: 10, streamVersion: 4, prevHash: theirs[2].hash });
    expect(await oldMaster.verify()).toMatchObject({ ok: true, checked: 10 });
  });

  it('keeps each set-aside apart, even when they hold the same positions', async () => {
    const sut = await store();
    const first = await tenRecords(sut, 'first');
    const one = await sut.setAsideAfter(5, 'one');
    const again = await sut.append('user-2', 0, [6, 7, 8].map((n) => ev({ n, tag: 'second' })));
    const two = await sut.setAsideAfter(5, 'two');

    expect(one.divergenceId).not.toBe(two.divergenceId);
    expect(await sut.readSetAside(one.divergenceId!)).toEqual(first.slice(5));
    expect(await sut.readSetAside(two.divergenceId!)).toEqual(again);
    const list = await sut.listSetAside();
    expect(list.map((b) => [b.reason, b.fromPosition, b.toPosition, b.count]).sort()).toEqual([
      ['one', 6, 10, 5],
      ['two', 6, 8, 3],
    ]);
    expect(await sut.head()).toEqual({ position: 5, hash: first[4].hash });
  });

  it('refuses invalid positions and reasons, changing nothing', async () => {
    const sut = await store();
    const records = await tenRecords(sut);
    for (const position of [-1, 1.5, Number.NaN, 11, 1000, '3' as unknown as number]) {
      const err = await caught(sut.setAsideAfter(position, 'bad'));
      expect(err.code).toBe('invalid_position');
    }
    for (const reason of ['', '   ', 7 as unknown as string, 'x'.repeat(5000)]) {
      expect((await caught(sut.setAsideAfter(3, reason))).code).toBe('invalid_append');
    }
    expect(await sut.readFrom(0, 100)).toEqual(records);
    expect(await sut.listSetAside()).toEqual([]);
  });

  it('sets aside nothing at the head, and everything at 0', async () => {
    const empty = await store();
    expect(await empty.setAsideAfter(0, 'nothing yet')).toEqual({
      setAside: 0,
      head: { position: 0, hash: GENESIS_HASH },
      divergenceId: null,
    });

    const sut = await store();
    const records = await tenRecords(sut);
    expect(await sut.setAsideAfter(10, 'at head')).toEqual({
      setAside: 0,
      head: { position: 10, hash: records[9].hash },
      divergenceId: null,
    });
    expect(await sut.readFrom(0, 100)).toEqual(records);
    expect(await sut.listSetAside()).toEqual([]);

    const all = await sut.setAsideAfter(0, 'nothing shared');
    expect(all.setAside).toBe(10);
    expect(await sut.head()).toEqual({ position: 0, hash: GENESIS_HASH });
    expect(await sut.verify()).toEqual({ ok: true, checked: 0, head: { position: 0, hash: GENESIS_HASH } });
    const [restart] = await sut.append('user-1', 0, [ev({ n: 'fresh' })]);
    expect(restart).toMatchObject({ position: 1, streamVersion: 1, prevHash: GENESIS_HASH });
  });

  it('never interleaves with concurrent appends', async () => {
    const sut = await store();
    await tenRecords(sut);
    const appends = Array.from({ length: 10 }, (_, i) => sut.append(`s-${i}`, 0, [ev({ i })]));
    const setAside = sut.setAsideAfter(10, 'concurrent');
    const more = Array.from({ length: 10 }, (_, i) => sut.append(`t-${i}`, 0, [ev({ i })]));
    await Promise.all([...appends, ...more]);
    const { setAside: moved, divergenceId } = await setAside;

    const verified = await sut.verify();
    expect(verified.ok).toBe(true);
    const kept = await sut.readFrom(0, 100);
    const aside = divergenceId ? await sut.readSetAside(divergenceId) : [];
    // Every append either landed before the set-aside (then moved) or after it (then kept).
    expect(kept.length + aside.length).toBe(30);
    expect(aside.length).toBe(moved);
    expect(aside.every((e) => e.position > 10)).toBe(true);
  });

  it('keeps set-aside records across a reopen', async () => {
    const { url } = await freshStorage();
    const first = await store(url);
    const records = await tenRecords(first);
    const { divergenceId } = await first.setAsideAfter(8, 'before restart');
    await first.close();

    const reopened = await store(url);
    expect(await reopened.readSetAside(divergenceId!)).toEqual(records.slice(8));
    expect(await reopened.head()).toEqual({ position: 8, hash: records[7].hash });
  });

  describe('subscriptions', () => {
    it('closes one that delivered a removed record, with onError code diverged', async () => {
      const sut = await store();
      await tenRecords(sut);
      const seen: number[] = [];
      const errors: unknown[] = [];
      const sub = sut.subscribe(0, (e) => void seen.push(e.position), { onError: (err) => errors.push(err) });
      await until(() => sub.position === 10);

      await sut.setAsideAfter(6, 'diverged');
      await sub.done;
      expect(errors).toHaveLength(1);
      expect(isEventStoreError(errors[0], 'diverged')).toBe(true);
      await sut.append('user-3', 0, [ev({ n: 'new 7' })]);
      await new Promise((r) => setTimeout(r, 100));
      expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    });

    it('one created afterwards follows the new history', async () => {
      const sut = await store();
      await tenRecords(sut);
      await sut.setAsideAfter(6, 'diverged');
      const seen: StoredEvent[] = [];
      const sub = sut.subscribe(0, (e) => void seen.push(e));
      const [seven] = await sut.append('user-3', 0, [ev({ n: 'new 7' })]);
      await until(() => sub.position === 7);
      expect(seen.map((e) => e.position)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(seen[6]).toEqual(seven);
      sub.close();
    });

    it('one still behind the kept position drops what it read before and delivers the new history', async () => {
      const sut = await store();
      await tenRecords(sut);
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const seen: StoredEvent[] = [];
      // The handler holds at position 3 while the batch 1..10 is already read.
      const sub = sut.subscribe(0, async (e) => {
        if (e.position === 3) await gate;
        seen.push(e);
      });
      await until(() => seen.length === 2);

      await sut.setAsideAfter(6, 'diverged');
      const replacement = await sut.append('user-3', 0, [ev({ n: 'new 7' }), ev({ n: 'new 8' })]);
      release();
      await until(() => sub.position === 8);
      expect(seen.map((e) => e.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(seen.slice(6)).toEqual(replacement);
      sub.close();
    });
  });
});
