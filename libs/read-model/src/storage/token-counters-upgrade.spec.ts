import { createEventStore, type NewEvent, type TypeOrmEventStore } from '@twofold/event-store';
import { describeEachBackend } from '../../../../test/support/backends';
import { ReadModelProjector } from '../read-model-projector';
import { ReadModelQueries } from '../queries/read-model-queries';
import { tableColumns } from './schema';
import { dialectOf, sqlOver } from './sql';

const meta = { actor: 'admin:test', nodeId: 'master', epoch: 0 };
const seed = { alg: 'A256GCM', keyId: 'k1', iv: 'AAECAwQFBgcICQoL', tag: 'qrvM3e7/ABEiM0RVZneImQ==', ct: 'c2VlZA' };
const created: NewEvent = {
  type: 'UserCreated', schemaVersion: 1, metadata: meta,
  payload: { userId: 'u-1', username: 'alice', displayName: 'Alice', email: null, phones: [], preferredMethod: 'totp', language: 'en' },
};
const assigned: NewEvent = {
  type: 'OathTokenAssigned', schemaVersion: 1, metadata: meta,
  payload: { userId: 'u-1', tokenId: 't-1', kind: 'hotp', algorithm: 'SHA1', digits: 6, period: 30, counter: 0, label: 'key fob', seed },
};
const signedIn = (counter: number): NewEvent => ({
  type: 'AuthenticationSucceeded', schemaVersion: 2, metadata: meta,
  payload: { userId: 'u-1', at: '2026-12-01T08:00:00.000Z', source: 'radius:vpn', code: { tokenId: 't-1', counter } },
});

// The table as releases before this one created it: the counters in two columns of their own,
// rewritten by every sign-in.
const OLDER_TOKENS_TABLE = `CREATE TABLE rm_oath_tokens (
  token_id VARCHAR(64) NOT NULL, user_id VARCHAR(64) NOT NULL, kind VARCHAR(8) NOT NULL, algorithm VARCHAR(8) NOT NULL,
  digits INTEGER NOT NULL, period INTEGER NOT NULL, counter BIGINT NOT NULL, last_used_counter BIGINT NOT NULL,
  seed TEXT NOT NULL, label TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (user_id, token_id))`;

// A token's counters are part of its user's state; the token rows only name the tokens.
describeEachBackend('token rows without counters', ({ freshStorage }) => {
  jest.setTimeout(60_000);
  let store: TypeOrmEventStore;
  afterEach(async () => { await store.close(); });

  const columnsOf = async (): Promise<string[]> => (await tableColumns(sqlOver(store.dataSource, dialectOf(store.dataSource)), 'rm_oath_tokens')).sort();

  it('shows the counters a sign-in moved, from the user state', async () => {
    store = await createEventStore({ url: (await freshStorage()).url });
    const projector = new ReadModelProjector(store.dataSource);
    await projector.init();
    await store.append('user-u-1', 0, [created, assigned, signedIn(3)]);
    await projector.catchUp(store);
    const queries = new ReadModelQueries(store.dataSource);
    expect(await queries.getTokens('u-1')).toMatchObject([{ tokenId: 't-1', label: 'key fob', counter: 4, lastUsedCounter: 3 }]);
    await store.append('user-u-1', 3, [signedIn(4)]);
    await projector.catchUp(store);
    expect(await queries.getTokens('u-1')).toMatchObject([{ tokenId: 't-1', counter: 5, lastUsedCounter: 4 }]);
    expect(await columnsOf()).not.toContain('counter');
  });

  it('an older release\'s table loses its counter columns at start, keeps its rows, and the node goes on projecting and rebuilding', async () => {
    store = await createEventStore({ url: (await freshStorage()).url });
    await store.dataSource.query(OLDER_TOKENS_TABLE);
    await store.dataSource.query(
      `INSERT INTO rm_oath_tokens VALUES ('t-0', 'u-0', 'totp', 'SHA1', 6, 30, 0, 123, '{}', 'older phone', '2026-01-01T00:00:00.000Z')`,
    );
    const projector = new ReadModelProjector(store.dataSource);
    await projector.init();
    expect(await columnsOf()).toEqual(['algorithm', 'created_at', 'digits', 'kind', 'label', 'period', 'seed', 'token_id', 'user_id']);
    const queries = new ReadModelQueries(store.dataSource);
    expect((await queries.dump()).rm_oath_tokens).toMatchObject([{ token_id: 't-0', label: 'older phone' }]);

    await store.append('user-u-1', 0, [created, assigned, signedIn(0)]);
    await projector.catchUp(store);
    expect(await queries.getTokens('u-1')).toMatchObject([{ tokenId: 't-1', counter: 1, lastUsedCounter: 0 }]);
    await new ReadModelProjector(store.dataSource).init(); // a second start finds nothing to drop
    await projector.rebuild(store);
    expect((await queries.dump()).rm_oath_tokens.map((r) => r.token_id)).toEqual(['t-1']); // from the log alone
    expect(await queries.getTokens('u-1')).toMatchObject([{ tokenId: 't-1', counter: 1, lastUsedCounter: 0 }]);
  });
});
