import { createEventStore, type NewEvent, type TypeOrmEventStore } from '@twofold/event-store';
import { describeEachBackend } from '../../../../test/support/backends';
import { ReadModelProjector } from '../read-model-projector';
import { ReadModelQueries } from './read-model-queries';

const meta = { actor: 'admin:test', nodeId: 'master', epoch: 0 };
const userCreated: NewEvent = {
  type: 'UserCreated', schemaVersion: 1, metadata: meta,
  payload: { userId: 'u-1', username: 'alice', displayName: 'Alice', email: null, phones: [], preferredMethod: 'totp', language: 'en' },
};
const settingsUpdated = (changes: Record<string, unknown>): NewEvent => ({ type: 'SettingsUpdated', schemaVersion: 1, metadata: meta, payload: { changes } });

// What the sign-in path reads per request: the user's id by name, and the settings.
describeEachBackend('read model queries of the sign-in path', ({ backend, freshStorage }) => {
  jest.setTimeout(60_000);
  let store: TypeOrmEventStore;
  let projector: ReadModelProjector;
  let sut: ReadModelQueries;
  beforeEach(async () => {
    store = await createEventStore({ url: (await freshStorage()).url });
    projector = new ReadModelProjector(store.dataSource);
    await projector.init();
    sut = new ReadModelQueries(store.dataSource);
  });
  afterEach(async () => { await store.close(); });

  const appended = async (streamId: string, expected: number, e: NewEvent) => {
    await store.append(streamId, expected, [e]);
    await projector.catchUp(store);
  };

  it('finds the user id by name (normalised) as findUserByUsername does', async () => {
    await appended('user-u-1', 0, userCreated);
    expect(await sut.findUserIdByUsername(' Alice ')).toEqual({ userId: 'u-1' });
    expect((await sut.findUserByUsername('alice'))?.userId).toBe('u-1');
    expect(await sut.findUserIdByUsername('bob')).toBeNull();
  });

  it('reads a sign-in in one statement: what findUserByUsername, getUserState and currentSettings answer', async () => {
    await appended('user-u-1', 0, userCreated);
    const found = await sut.findSignIn('ALICE');
    expect(found).toEqual({ userId: 'u-1', state: await sut.getUserState('u-1'), settings: await sut.getSettings() });
    expect(found!.settings).toBe(await sut.currentSettings());
    expect(found!.settings.version).toBe(0);
    await appended('settings', 0, settingsUpdated({ lockout: { failuresBeforeLockout: 3 } }));
    const again = await sut.findSignIn('alice');
    expect(again!.settings).toEqual(await sut.getSettings());
    expect(again!.settings).toMatchObject({ version: 1, lockout: { failuresBeforeLockout: 3 } });
    expect(await sut.findSignIn('bob')).toBeNull();
  });

  it('answers the settings getSettings answers, one frozen object until the row changes', async () => {
    const defaults = await sut.currentSettings();
    expect(defaults).toEqual(await sut.getSettings());
    expect(await sut.currentSettings()).toBe(defaults);

    await appended('settings', 0, settingsUpdated({ lockout: { failuresBeforeLockout: 2 } }));
    const first = await sut.currentSettings();
    expect(first).not.toBe(defaults);
    expect(first).toEqual(await sut.getSettings());
    expect(first.lockout.failuresBeforeLockout).toBe(2);
    expect(await sut.currentSettings()).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.lockout)).toBe(true);
    // getSettings still hands out a copy of its own.
    expect(Object.isFrozen(await sut.getSettings())).toBe(false);

    await appended('settings', 1, settingsUpdated({ lockout: { failuresBeforeLockout: 7 } }));
    expect((await sut.currentSettings()).lockout.failuresBeforeLockout).toBe(7);
  });

  it("moves a token's counters for a sign-in's spent code: OathCodeUsed of earlier releases and AuthenticationSucceeded v2", async () => {
    await appended('user-u-1', 0, userCreated);
    const seed = { alg: 'A256GCM', keyId: 'k1', iv: 'aXY=', ct: 'Y3Q=', tag: 'dGFn' };
    await appended('user-u-1', 1, { type: 'OathTokenAssigned', schemaVersion: 1, metadata: meta, payload: { userId: 'u-1', tokenId: 't-1', kind: 'hotp', algorithm: 'SHA1', digits: 6, period: 30, counter: 0, seed, label: '' } });
    const counters = async () => (await sut.getTokens('u-1')).map((t) => [t.counter, t.lastUsedCounter]);
    const signedIn = (code?: { tokenId: string; counter: number }): NewEvent => ({
      type: 'AuthenticationSucceeded', schemaVersion: code ? 2 : 1, metadata: meta, payload: { userId: 'u-1', at: new Date().toISOString(), source: 'radius:vpn', ...(code ? { code } : {}) },
    });
    await appended('user-u-1', 2, { type: 'OathCodeUsed', schemaVersion: 1, metadata: meta, payload: { userId: 'u-1', tokenId: 't-1', counter: 4 } });
    await appended('user-u-1', 3, signedIn());
    expect(await counters()).toEqual([[5, 4]]);
    await appended('user-u-1', 4, signedIn({ tokenId: 't-1', counter: 9 }));
    expect(await counters()).toEqual([[10, 9]]);
    expect((await sut.getUserState('u-1'))?.tokens[0]).toMatchObject({ counter: 10, lastUsedCounter: 9 });
    await appended('user-u-1', 5, signedIn());
    expect(await counters()).toEqual([[10, 9]]);
  });

  // SQLite rewrites an index for every UPDATE that sets one of its columns, changed or not.
  (backend === 'sqlite' ? it : it.skip)('writes no profile column for a sign-in or a failure, and every one for a profile change', async () => {
    await appended('user-u-1', 0, userCreated);
    await store.dataSource.query(`CREATE TABLE profile_writes (user_id TEXT)`);
    await store.dataSource.query(`CREATE TRIGGER profile_written AFTER UPDATE OF username, display_name, email, phones, preferred_method, language ON rm_users
      BEGIN INSERT INTO profile_writes VALUES (new.user_id); END`);
    const writes = async () => Number((await store.dataSource.query(`SELECT COUNT(*) AS n FROM profile_writes`))[0].n);
    const at = new Date().toISOString();
    await appended('user-u-1', 1, { type: 'AuthenticationFailed', schemaVersion: 1, metadata: meta, payload: { userId: 'u-1', at, reason: 'wrong one-time code', source: 'radius:vpn' } });
    expect((await sut.getUserState('u-1'))?.recentFailures).toEqual([at]);
    await appended('user-u-1', 2, { type: 'AuthenticationSucceeded', schemaVersion: 2, metadata: meta, payload: { userId: 'u-1', at, source: 'radius:vpn' } });
    expect(await sut.getUserState('u-1')).toMatchObject({ recentFailures: [], lastAuthenticatedAt: at });
    expect(await writes()).toBe(0);
    await appended('user-u-1', 3, { type: 'UserUpdated', schemaVersion: 2, metadata: meta, payload: { userId: 'u-1', changes: { displayName: 'Alice B.' } } });
    expect(await writes()).toBe(1);
    expect(await sut.findUserByUsername('alice')).toMatchObject({ displayName: 'Alice B.', version: 4 });
  });
});
