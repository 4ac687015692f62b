import { createEventStore, type NewEvent, type StoredEvent, type TypeOrmEventStore } from '@twofold/event-store';
import { describeEachBackend } from '../../../test/support/backends';
import { ReadModelProjector } from './read-model-projector';

const meta = { actor: 'radius:test', nodeId: 'master', epoch: 0 };
const userCreated: NewEvent = {
  type: 'UserCreated', schemaVersion: 1, metadata: meta,
  payload: { userId: 'u-1', username: 'alice', displayName: 'Alice', email: null, phones: [], preferredMethod: 'totp', language: 'en' },
};
const signIn = (i: number): NewEvent => ({
  type: 'UnenrolledSignInAllowed', schemaVersion: 1, metadata: meta, payload: { userId: 'u-1', at: new Date(i * 1000).toISOString(), source: 'radius:test' },
});

const until = async (what: string, predicate: () => Promise<boolean>): Promise<void> => {
  for (const deadline = Date.now() + 10_000; !(await predicate()); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

// A slave's read model follows appendReplicated: the rows and the checkpoint commit with the log
// records, so what a slave has acknowledged is what its sign-ins already read.
describeEachBackend('read model on a replica store', ({ freshStorage }) => {
  jest.setTimeout(60_000);
  const open: Array<{ close(): unknown }> = [];
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
  });

  async function masterRecords(signIns: number): Promise<StoredEvent[]> {
    const master = await createEventStore({ url: (await freshStorage()).url });
    open.push(master);
    await master.append('user-u-1', 0, [userCreated]);
    await master.append('user-u-1', 1, Array.from({ length: signIns }, (_, i) => signIn(i)));
    return master.readFrom(0, 1000);
  }

  async function replica(hooks: ConstructorParameters<typeof ReadModelProjector>[1] = {}) {
    const store: TypeOrmEventStore = await createEventStore({ url: (await freshStorage()).url });
    open.push(store);
    const projector = new ReadModelProjector(store.dataSource, hooks);
    await projector.init();
    const errors: unknown[] = [];
    projector.follow(store, (err) => errors.push(err), 20);
    open.push({ close: () => projector.stop() });
    const counted = async () => {
      const [row] = await store.dataSource.query(`SELECT state FROM rm_users WHERE user_id = 'u-1'`);
      return row ? (JSON.parse(row.state).unenrolledSignIns as number) : 0;
    };
    const checkpoint = async () => Number((await store.dataSource.query(`SELECT position FROM rm_checkpoint WHERE name = 'main'`))[0].position);
    return { store, projector, errors, counted, checkpoint };
  }

  it('records appended from the master are in the read model when appendReplicated returns', async () => {
    const records = await masterRecords(5);
    const r = await replica();
    const head = await r.store.appendReplicated(records.slice(0, 3));
    // No waiting: the same commit made them durable and visible.
    expect(await r.checkpoint()).toBe(head.position);
    expect(r.projector.checkpoint).toBe(3);
    expect(await r.counted()).toBe(2);
    await r.store.appendReplicated(records.slice(3));
    expect(await r.checkpoint()).toBe(6);
    expect(await r.counted()).toBe(5);
    expect(r.errors).toEqual([]);
  });

  it('a read model that fails inside the append does not stop the log: the records are appended, the rows rolled back, and projected once when it recovers', async () => {
    const records = await masterRecords(4);
    let failures = 1;
    const r = await replica({
      beforeCommit: () => {
        if (failures-- > 0) throw new Error('projection bug');
      },
    });
    const head = await r.store.appendReplicated(records);
    expect(head.position).toBe(5);
    expect((await r.store.head()).position).toBe(5);
    await until('the read model caught up', async () => (await r.checkpoint()) === 5);
    expect(await r.counted()).toBe(4); // not 8: the failed attempt left nothing
    expect(r.errors.map((e) => (e as Error).message)).toContain('projection bug');
  });

  it('a read model behind the log is brought up by the follow loop, then applies in the append again', async () => {
    const records = await masterRecords(6);
    const store: TypeOrmEventStore = await createEventStore({ url: (await freshStorage()).url });
    open.push(store);
    await store.appendReplicated(records.slice(0, 4)); // before any read model follows
    const projector = new ReadModelProjector(store.dataSource);
    await projector.init();
    projector.follow(store);
    open.push({ close: () => projector.stop() });
    await projector.waitFor(4);
    await store.appendReplicated(records.slice(4));
    expect(projector.checkpoint).toBe(7);
    const [row] = await store.dataSource.query(`SELECT state FROM rm_users WHERE user_id = 'u-1'`);
    expect(JSON.parse(row.state).unenrolledSignIns).toBe(6);
  });
});
