import type { NewEvent, TypeOrmEventStore } from '@twofold/event-store';
import { describeEachBackend } from '../../../../test/support/backends';
import { storesClosedAfterEachTest } from '../../../../test/support/stores';
import { ReadModelProjector } from '../read-model-projector';
import { ReadModelQueries } from './read-model-queries';

const meta = { actor: 'admin:test', nodeId: 'master', epoch: 0 };
const event = (type: string, payload: Record<string, unknown>): NewEvent => ({ type, schemaVersion: 1, metadata: meta, payload });
const created = event('UserCreated', { userId: 'u-1', username: 'alice', displayName: 'Alice', email: null, phones: [], preferredMethod: 'totp', language: 'en' });

// findSignIn and the users projection keep the decoded state of the rows they read and write
// (UserStateRows). What a sign-in reads must still be the row as it is now.
// A read model whose commits fail while failing(true), after alice (u-1) was created and projected.
async function createdAndProjected(store: TypeOrmEventStore) {
  let fail = false;
  const projector = new ReadModelProjector(store.dataSource, { beforeCommit: () => { if (fail) throw new Error('disk full'); } });
  await projector.init();
  await store.append('user-u-1', 0, [created]);
  await projector.catchUp(store);
  return { projector, queries: new ReadModelQueries(store.dataSource), failing: (on: boolean) => { fail = on; } };
}

// Another node (its own connection and memory) on the same database disables alice.
async function disabledByAnotherNode(there: TypeOrmEventStore): Promise<void> {
  const other = new ReadModelProjector(there.dataSource);
  await other.init();
  await there.append('user-u-1', 1, [event('UserDisabled', { userId: 'u-1' })]);
  await other.catchUp(there);
}

describeEachBackend('decoded user states kept beside rm_users', ({ freshStorage }) => {
  jest.setTimeout(60_000);
  const open = storesClosedAfterEachTest();

  it('answers the state of the row as another writer left it, not the one it kept', async () => {
    const { url } = await freshStorage();
    const here = await open(url);
    const { queries } = await createdAndProjected(here);
    const first = await queries.findSignIn('alice');
    expect(first!.state).toMatchObject({ enabled: true, version: 1 });
    expect(await queries.findSignIn('alice')).toEqual(first);

    await disabledByAnotherNode(await open(url));

    const now = await queries.findSignIn('alice');
    expect(now!.state).toMatchObject({ enabled: false, version: 2 });
    expect(now!.state).toEqual(await queries.getUserState('u-1'));
  });

  it('never answers a state whose write rolled back', async () => {
    const { url } = await freshStorage();
    const store = await open(url);
    const { projector, queries, failing } = await createdAndProjected(store);
    await queries.findSignIn('alice');

    await store.append('user-u-1', 1, [event('UserDisabled', { userId: 'u-1' })]);
    failing(true);
    await expect(projector.catchUp(store)).rejects.toThrow('disk full');
    expect((await queries.findSignIn('alice'))!.state).toMatchObject({ enabled: true, version: 1 });

    failing(false);
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

  // The projection folds a user's next events onto the state it kept (UserStateRows.trusted) without
  // reading the row while nothing else committed to the database since.
  it('folds onto the row another node on the same database wrote, not onto the state it kept', async () => {
    const { url } = await freshStorage();
    const here = await open(url);
    const { projector, queries } = await createdAndProjected(here);

    await disabledByAnotherNode(await open(url));

    // The checkpoint is shared: this projector folds only the record after the other's.
    await here.append('user-u-1', 2, [event('AuthenticationFailed', { userId: 'u-1', at: '2026-12-01T08:00:00.000Z', reason: 'bad_code', source: 'radius' })]);
    await projector.catchUp(here);
    expect(await queries.getUserState('u-1')).toMatchObject({ version: 3, enabled: false, recentFailures: ['2026-12-01T08:00:00.000Z'] });
  });

  it('folds each record once after a batch that rolled back (not onto the state that batch kept)', async () => {
    const { url } = await freshStorage();
    const store = await open(url);
    const { projector, queries, failing } = await createdAndProjected(store);

    const failure = event('AuthenticationFailed', { userId: 'u-1', at: '2026-12-01T08:00:00.000Z', reason: 'bad_code', source: 'radius' });
    await store.append('user-u-1', 1, [failure]);
    failing(true);
    await expect(projector.catchUp(store)).rejects.toThrow('disk full');
    failing(false);
    await projector.catchUp(store);
    expect(await queries.getUserState('u-1')).toMatchObject({ version: 2, recentFailures: ['2026-12-01T08:00:00.000Z'] });
    expect(projector.checkpoint).toBe(2);
  });
});
