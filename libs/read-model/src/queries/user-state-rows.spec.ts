import type { NewEvent } from '@twofold/event-store';
import { describeEachBackend } from '../../../../test/support/backends';
import { storesClosedAfterEachTest } from '../../../../test/support/stores';
import { ReadModelProjector } from '../read-model-projector';
import { ReadModelQueries } from './read-model-queries';

const meta = { actor: 'admin:test', nodeId: 'master', epoch: 0 };
const event = (type: string, payload: Record<string, unknown>): NewEvent => ({ type, schemaVersion: 1, metadata: meta, payload });
const created = event('UserCreated', { userId: 'u-1', username: 'alice', displayName: 'Alice', email: null, phones: [], preferredMethod: 'totp', language: 'en' });

// findSignIn and the users projection keep the decoded state of the rows they read and write
// (UserStateRows). What a sign-in reads must still be the row as it is now.
describeEachBackend('decoded user states kept beside rm_users', ({ freshStorage }) => {
  jest.setTimeout(60_000);
  const open = storesClosedAfterEachTest();

  it('answers the state of the row as another writer left it, not the one it kept', async () => {
    const { url } = await freshStorage();
    const here = await open(url);
    const projector = new ReadModelProjector(here.dataSource);
    await projector.init();
    const queries = new ReadModelQueries(here.dataSource);
    await here.append('user-u-1', 0, [created]);
    await projector.catchUp(here);
    const first = await queries.findSignIn('alice');
    expect(first!.state).toMatchObject({ enabled: true, version: 1 });
    expect(await queries.findSignIn('alice')).toEqual(first);

    // Another node (its own connection and memory) on the same database disables the user.
    const there = await open(url);
    const other = new ReadModelProjector(there.dataSource);
    await other.init();
    await there.append('user-u-1', 1, [event('UserDisabled', { userId: 'u-1' })]);
    await other.catchUp(there);

    const now = await queries.findSignIn('alice');
    expect(now!.state).toMatchObject({ enabled: false, version: 2 });
    expect(now!.state).toEqual(await queries.getUserState('u-1'));
  });

  it('never answers a state whose write rolled back', async () => {
    const { url } = await freshStorage();
    const store = await open(url);
    let failCommit = false;
    const projector = new ReadModelProjector(store.dataSource, {
      beforeCommit: () => { if (failCommit) throw new Error('disk full'); },
    });
    await projector.init();
    const queries = new ReadModelQueries(store.dataSource);
    await store.append('user-u-1', 0, [created]);
    await projector.catchUp(store);
    await queries.findSignIn('alice');

    await store.append('user-u-1', 1, [event('UserDisabled', { userId: 'u-1' })]);
    failCommit = true;
    await expect(projector.catchUp(store)).rejects.toThrow('disk full');
    expect((await queries.findSignIn('alice'))!.state).toMatchObject({ enabled: true, version: 1 });

    failCommit = false;
    await projector.catchUp(store);
    expect((await queries.findSignIn('alice'))!.state).toMatchObject({ enabled: false, version: 2 });
  });

  it('shares one frozen state between sign-ins until the row changes', async () => {
    const { url } = await freshStorage();
    const store = await open(url);
    const projector = new ReadModelProjector(store.dataSource);
    await projector.init();
    const queries = new ReadModelQueries(store.dataSource);
    await store.append('user-u-1', 0, [created]);
    await projector.catchUp(store);
    const a = (await queries.findSignIn('alice'))!.state;
    const b = (await queries.findSignIn('alice'))!.state;
    expect(b).toBe(a);
    expect(Object.isFrozen(a) && Object.isFrozen(a.profile) && Object.isFrozen(a.tokens)).toBe(true);
    expect(() => { (a as { enabled: boolean }).enabled = false; }).toThrow(TypeError);

    await store.append('user-u-1', 1, [event('UserDisabled', { userId: 'u-1' })]);
    await projector.catchUp(store);
    const c = (await queries.findSignIn('alice'))!.state;
    expect(c).not.toBe(a);
    expect(c).toEqual(await queries.getUserState('u-1'));
  });

  it('reads the settings again after a rebuild, even where the new history wrote the same version at the same time', async () => {
    const { url } = await freshStorage();
    const at = new Date('2026-12-01T08:00:00.000Z');
    const store = await open(url, () => at); // every record at one instant
    const projector = new ReadModelProjector(store.dataSource);
    await projector.init();
    const queries = new ReadModelQueries(store.dataSource);
    await store.append('user-u-1', 0, [created]);
    await store.append('settings', 0, [event('SettingsUpdated', { changes: { lockout: { failuresBeforeLockout: 3 } } })]);
    await projector.catchUp(store);
    expect((await queries.findSignIn('alice'))!.settings).toMatchObject({ version: 1, lockout: { failuresBeforeLockout: 3 } });

    // A promoted master's history replaces the tail (set aside), and the read model is rebuilt.
    await store.setAsideAfter(1, 'diverged');
    await store.append('settings', 0, [event('SettingsUpdated', { changes: { lockout: { failuresBeforeLockout: 7 } } })]);
    await projector.rebuild(store);
    expect((await queries.findSignIn('alice'))!.settings).toMatchObject({ version: 1, lockout: { failuresBeforeLockout: 7 } });
  });
});
