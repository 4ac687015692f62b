import { createEventStore, type EventStore } from '@twofold/event-store';
import type { ReadModelProjector } from '@twofold/read-model';
import { describeEachBackend } from '../../../test/support/backends';
import { SYSTEM_ACTOR } from './actor';
import { SecurityEvents } from './security-events';
import { StreamExecutor } from './stream-executor';
import { Harness, openHarness } from './testing/read-model-scenario';
import { foldUser, USER_FOLD_VERSION } from '@twofold/domain';
import { SNAPSHOT_EVERY } from './folded-state-cache';

// Rows the write side reads from the log and its snapshots, counted at the store's interface.
function countingStore(store: EventStore): { store: EventStore; rows: () => number } {
  let rows = 0;
  const counted = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'readStream') {
        return async (...args: Parameters<EventStore['readStream']>) => {
          const read = await target.readStream(...args);
          rows += read.length;
          return read;
        };
      }
      if (prop === 'readSnapshot') {
        return async (...args: Parameters<EventStore['readSnapshot']>) => {
          const snapshot = await target.readSnapshot(...args);
          if (snapshot) rows += 1;
          return snapshot;
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: counted, rows: () => rows };
}

// A sign-in's write side on its own executor: what the RADIUS path does on the master.
function signIns(h: Harness, store: EventStore): SecurityEvents {
  const executor = new StreamExecutor({ store, projector: h.projector as ReadModelProjector, nodeId: 'node-test' });
  return new SecurityEvents(executor, h.queries, () => new Date());
}

describeEachBackend('stream state kept between commands', ({ backend, freshStorage }) => {
  jest.setTimeout(180_000);
  let h: Harness;
  let url: string;
  beforeEach(async () => {
    url = (await freshStorage()).url;
    h = await openHarness(url);
  });
  afterEach(async () => { await h.close(); });

  async function userWithHotp(username: string) {
    const user = await h.commands.createUser({ username }, SYSTEM_ACTOR);
    const { token } = await h.commands.assignOathToken(user.userId, { kind: 'hotp' }, SYSTEM_ACTOR);
    return { userId: user.userId, tokenId: token!.tokenId };
  }

  it('reads no more rows for a sign-in after 1,000 prior sign-ins than after one', async () => {
    const { userId, tokenId } = await userWithHotp('alice');
    const counting = countingStore(h.store);
    const security = signIns(h, counting.store);
    const rowsFor = async (counter: number) => {
      const before = counting.rows();
      await security.record({ kind: 'oath_success', userId: userId, tokenId: tokenId, counter: counter, source: 'radius:test' });
      return counting.rows() - before;
    };

    // What the engine reads per sign-in from the read model: the user's folded state row.
    const stateSize = async () => JSON.stringify(await h.queries.getUserState(userId)).length;
    await rowsFor(0); // the first load folds the stream once
    const afterOne = await rowsFor(1);
    const stateAfterOne = await stateSize();
    for (let counter = 2; counter <= 1000; counter++) await rowsFor(counter);
    const afterThousand = await rowsFor(1001);
    // The same row, a few digits longer (counters and versions), not a growing history.
    expect((await stateSize()) - stateAfterOne).toBeLessThan(16);

    expect(await h.store.streamVersion(`user-${userId}`)).toBeGreaterThan(1000); // one event per sign-in (AuthenticationSucceeded v2)
    expect(afterThousand).toBeLessThanOrEqual(afterOne);
    expect(afterOne).toBeLessThanOrEqual(2);
    // And the kept state still refuses a replayed code.
    await expect(security.record({ kind: 'oath_success', userId: userId, tokenId: tokenId, counter: 1001, source: 'radius:test' })).rejects.toMatchObject({ code: 'code_already_used' });
  });

  // The server restarted: nothing kept in memory.
  async function restart(): Promise<ReturnType<typeof countingStore>> {
    await h.close();
    h = await openHarness(url);
    return countingStore(h.store);
  }

  it('reads no more rows for the first sign-in after a restart with 1,000 prior sign-ins than with one', async () => {
    const few = await userWithHotp('dave');
    const many = await userWithHotp('erin');
    const security = signIns(h, h.store);
    await security.record({ kind: 'oath_success', userId: few.userId, tokenId: few.tokenId, counter: 0, source: 'radius:test' });
    for (let counter = 0; counter < 1000; counter++) await security.record({ kind: 'oath_success', userId: many.userId, tokenId: many.tokenId, counter, source: 'radius:test' });

    const counting = await restart();
    const cold = signIns(h, counting.store);
    const rowsFor = async (user: { userId: string; tokenId: string }, counter: number) => {
      const before = counting.rows();
      await cold.record({ kind: 'oath_success', userId: user.userId, tokenId: user.tokenId, counter, source: 'radius:test' });
      return counting.rows() - before;
    };
    const afterOne = await rowsFor(few, 1);
    const afterThousand = await rowsFor(many, 1000);
    expect(await h.store.streamVersion(`user-${many.userId}`)).toBeGreaterThan(1000); // one event per sign-in (AuthenticationSucceeded v2)
    // A short stream is folded whole; a long one from its last snapshot (written every
    // SNAPSHOT_EVERY versions): the snapshot row, the record it names and those after it.
    expect(afterOne).toBeLessThanOrEqual(3);
    expect(afterThousand).toBeLessThanOrEqual(SNAPSHOT_EVERY + 1);
    // Decided on the full history all the same: a code used before the restart stays used.
    await expect(cold.record({ kind: 'oath_success', userId: many.userId, tokenId: many.tokenId, counter: 999, source: 'radius:test' })).rejects.toMatchObject({ code: 'code_already_used' });
  });

  it('ignores a snapshot of another fold version or an unknown shape, and one of a history from before snapshots is written once', async () => {
    const { userId, tokenId } = await userWithHotp('frank');
    const stream = `user-${userId}`;
    for (let counter = 0; counter < 30; counter++) await signIns(h, h.store).record({ kind: 'oath_success', userId, tokenId, counter, source: 'radius:test' });
    const written = (await h.store.readSnapshot(stream, 'user'))!;
    const version = await h.store.streamVersion(stream);
    expect(written).toMatchObject({ foldVersion: USER_FOLD_VERSION, streamVersion: version - (version % SNAPSHOT_EVERY) });
    // What an older build might have left: a state from before any code was used.
    const forgetful = JSON.parse(written.state);
    forgetful.tokens = forgetful.tokens.map((t: object) => ({ ...t, counter: 0, lastUsedCounter: null }));
    const replay = { kind: 'oath_success' as const, userId, tokenId, counter: 29, source: 'radius:test' };

    await h.store.writeSnapshot(stream, { ...written, foldVersion: USER_FOLD_VERSION + 1, state: JSON.stringify(forgetful) });
    await expect(signIns(h, (await restart()).store).record(replay)).rejects.toMatchObject({ code: 'code_already_used' });
    await h.store.writeSnapshot(stream, { ...written, state: JSON.stringify({ ...forgetful, tokens: undefined }) });
    await expect(signIns(h, (await restart()).store).record(replay)).rejects.toMatchObject({ code: 'code_already_used' });

    // No usable snapshot (a data directory from before them): the first cold load folds the whole
    // stream and writes one, so the next restart reads from there: the snapshot row, the record it
    // names and the one sign-in appended since.
    await h.dataSource.query('DELETE FROM stream_snapshot');
    let counting = await restart();
    await signIns(h, counting.store).record({ ...replay, counter: 30 });
    expect(counting.rows()).toBeGreaterThan(30); // the 30 sign-ins and more
    counting = await restart();
    await signIns(h, counting.store).record({ ...replay, counter: 31 });
    expect(counting.rows()).toBe(3);
  });

  it('decides on what another writer appended meanwhile', async () => {
    const { userId, tokenId } = await userWithHotp('bob');
    const a = signIns(h, h.store);
    const b = signIns(h, h.store);
    await a.record({ kind: 'oath_success', userId: userId, tokenId: tokenId, counter: 5, source: 'radius:a' });
    await b.record({ kind: 'oath_success', userId: userId, tokenId: tokenId, counter: 9, source: 'radius:b' });
    await expect(a.record({ kind: 'oath_success', userId: userId, tokenId: tokenId, counter: 7, source: 'radius:a' })).rejects.toMatchObject({ code: 'code_already_used' });
    await a.record({ kind: 'oath_success', userId: userId, tokenId: tokenId, counter: 10, source: 'radius:a' });
  });

  it('reads nothing for a sign-in whose user this node wrote last (SQLite: the store vouches for its own writes)', async () => {
    const { userId, tokenId } = await userWithHotp('gina');
    const counting = countingStore(h.store);
    const security = signIns(h, counting.store);
    await security.record({ kind: 'oath_success', userId, tokenId, counter: 0, source: 'radius:test' });
    const before = counting.rows();
    await security.record({ kind: 'oath_success', userId, tokenId, counter: 1, source: 'radius:test' });
    expect(counting.rows() - before).toBe(backend === 'sqlite' ? 0 : 1);
    await expect(security.record({ kind: 'oath_success', userId, tokenId, counter: 1, source: 'radius:test' })).rejects.toMatchObject({ code: 'code_already_used' });
  });

  it('decides on what another process appended to the same log meanwhile', async () => {
    const { userId, tokenId } = await userWithHotp('hank');
    const executor = new StreamExecutor({ store: h.store, projector: h.projector as ReadModelProjector, nodeId: 'node-test' });
    const here = new SecurityEvents(executor, h.queries, () => new Date());
    await here.record({ kind: 'oath_success', userId, tokenId, counter: 1, source: 'radius:a' });
    // Another node on the same database: its own connection, its own stores and states.
    const other = await createEventStore({ url });
    try {
      const there = new SecurityEvents(new StreamExecutor({ store: other, projector: { waitFor: async () => undefined } as unknown as ReadModelProjector, nodeId: 'node-b' }), h.queries, () => new Date());
      await there.record({ kind: 'oath_success', userId, tokenId, counter: 9, source: 'radius:b' });
    } finally {
      await other.close();
    }
    // No append here in between: only the log can tell this node that counter 9 is spent.
    const stream = `user-${userId}`;
    expect((await executor.states.load(stream, foldUser)).version).toBe(await h.store.streamVersion(stream));
    await expect(here.record({ kind: 'oath_success', userId, tokenId, counter: 9, source: 'radius:a' })).rejects.toMatchObject({ code: 'code_already_used' });
  });

  it('drops a kept state whose history was set aside and rewritten', async () => {
    const { userId, tokenId } = await userWithHotp('carol');
    const head = (await h.store.head()).position;
    // A projector that does not follow: the read model is not what this test is about.
    const still = { waitFor: async () => undefined } as unknown as ReadModelProjector;
    const executor = (name: string) => new SecurityEvents(new StreamExecutor({ store: h.store, projector: still, nodeId: name }), h.queries, () => new Date());
    h.projector.stop();
    const a = executor('a');
    await a.record({ kind: 'oath_success', userId: userId, tokenId: tokenId, counter: 1, source: 'radius:a' });
    // The same stream version now holds another record (an old master's tail set aside, the
    // new master's written instead): counter 8 was accepted there.
    await h.store.setAsideAfter(head, 'test: diverged');
    await executor('b').record({ kind: 'oath_success', userId: userId, tokenId: tokenId, counter: 8, source: 'radius:b' });
    await expect(a.record({ kind: 'oath_success', userId: userId, tokenId: tokenId, counter: 5, source: 'radius:a' })).rejects.toMatchObject({ code: 'code_already_used' });
  });
});
