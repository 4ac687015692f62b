import type { NewEvent } from '@twofold/event-store';
import { describeEachBackend } from '../../../../test/support/backends';
import { storesClosedAfterEachTest } from '../../../../test/support/stores';
import { UpstreamInbox, type UpstreamEvent } from './upstream-inbox';

const meta = { actor: 'node:slave-1', nodeId: 'master', epoch: 0 };
const tick = (n: number): NewEvent => ({ type: 'Tick', schemaVersion: 1, payload: { n }, metadata: meta });

// An upstream event whose first delivery stopped between its append and 'done' (a crash, an
// error) is looked for in the log after the head recorded with it: found, it is not applied again.
describeEachBackend('replication: upstream inbox', ({ freshStorage }) => {
  jest.setTimeout(60_000);
  const open = storesClosedAfterEachTest();

  it('finds the earlier append past the records this process holds in memory, and does not apply it twice', async () => {
    const { url } = await freshStorage();
    const here = await open(url);
    const inbox = await UpstreamInbox.open(here.dataSource);
    const event: UpstreamEvent = { id: 'up-1', kind: 'failed_attempt', payload: { userId: 'alice' } };
    let applied = 0;

    // First try: records of this process land after the inbox row's head (held in its memory),
    // the event's own append comes from another writer of the same log, then the try fails.
    await here.append('other', 0, [tick(0)]);
    const firstTry = inbox.deliver('slave-1', event, here, async () => {
      applied++;
      await here.append('other', -1, [tick(1), tick(2)]);
      const there = await open(url);
      await there.append('security-alice', -1, [{ type: 'AuthenticationFailed', schemaVersion: 1, payload: { userId: 'alice' }, metadata: { ...meta, causationId: event.id } }]);
      throw new Error('connection lost before done');
    });
    await expect(firstTry).rejects.toThrow('connection lost');
    expect(await inbox.state(event.id)).toBe('pending');
    expect((await here.readFrom(1, 1000)).map((e) => e.position)).toEqual([2, 3]); // from memory: ends before the log does

    // The slave sends it again.
    const again = await inbox.deliver('slave-1', event, here, async () => { applied++; });
    expect(again).toBe('duplicate');
    expect(applied).toBe(1);
    expect(await inbox.state(event.id)).toBe('done');
  });
});
