import type { SecurityOutcome } from '@twofold/domain';
import { openStorage, type StoredEvent, type TypeOrmEventStore } from '@twofold/event-store';
import { describeEachBackend } from '../../../../test/support/backends';
import { freePort } from '../../../../test/support/ports';
import type { ReplicationMaster } from '../master/replication-master';
import { appendTicks, Harness, makePki, readAll, waitFor, type Pki } from '../testing/cluster-fixture';
import { UpstreamInbox, type UpstreamEvent } from './upstream-inbox';
import { UpstreamOutbox } from './upstream-outbox';

// Typed security outcomes, as a slave's engine raises them.
const failed = (userId: string, reason = 'wrong one-time code'): SecurityOutcome => ({ kind: 'failed_attempt', userId, reason, source: 'radius:test' });
const fraud = (userId: string): SecurityOutcome => ({ kind: 'fraud', userId, reason: 'reported', source: 'radius:test' });
const codeUsed = (userId: string, counter: number): SecurityOutcome => ({ kind: 'code_used', userId, tokenId: 't1', counter, source: 'radius:test' });

let pki: Pki;
beforeAll(() => {
  pki = makePki();
});

describeEachBackend('replication: upstream outbox', ({ freshStorage }) => {
  let h: Harness;
  beforeEach(() => {
    h = new Harness(pki);
  });
  afterEach(() => h.close());

  // The master appends each upstream event to the log, stamped with its id (causationId).
  function applier(mStore: TypeOrmEventStore, hook?: (event: UpstreamEvent, call: number) => void) {
    const calls: string[] = [];
    const onUpstream = async (nodeId: string, event: UpstreamEvent): Promise<void> => {
      calls.push(event.id);
      await mStore.append(`security-${String(event.payload.userId)}`, -1, [
        { type: event.kind, schemaVersion: 1, payload: event.payload, metadata: { actor: `node:${nodeId}`, nodeId: 'master', epoch: 0, causationId: event.id } },
      ]);
      hook?.(event, calls.filter((id) => id === event.id).length);
    };
    return { calls, onUpstream };
  }

  const fromUpstream = (log: StoredEvent[]) => log.filter((e) => e.metadata.causationId).map((e) => [e.type, e.payload.userId, e.metadata.causationId]);

  it('keeps events raised while the master is down, across a restart, and delivers them in order once it is back', async () => {
    const slaveUrl = (await freshStorage()).url;
    // First "process": enqueue with no master at all, then shut down.
    const firstDs = await openStorage({ url: slaveUrl });
    const firstOutbox = await UpstreamOutbox.open(firstDs);
    const ids = [
      await firstOutbox.enqueue(failed('alice')),
      await firstOutbox.enqueue(fraud('bob')),
      await firstOutbox.enqueue(codeUsed('alice', 7)),
    ];
    await firstDs.destroy();

    // Second "process": the slave starts before the master is reachable.
    const sStore = await h.storeAt(slaveUrl);
    const outbox = await UpstreamOutbox.open(sStore.dataSource);
    expect(await outbox.count()).toBe(3);
    const port = await freePort();
    const mStore = await h.storeAt((await freshStorage()).url);
    await appendTicks(mStore, 20);
    const { calls, onUpstream } = applier(mStore);
    const slave = h.slave({ address: () => ({ port }) } as ReplicationMaster, sStore, 'slave-1', { outbox });
    slave.start();
    await new Promise((r) => setTimeout(r, 300)); // a few failed dials
    expect(slave.status().connected).toBe(false);
    const late = await outbox.enqueue(failed('carol', 'wrong PIN'));

    await h.master(mStore, { port, onUpstream });
    await waitFor('outbox drained', async () => (await outbox.count()) === 0);
    expect(calls).toEqual([...ids, late]);
    // Appended on the master, then replicated back to the slave like any record.
    const head = await mStore.head();
    await waitFor('slave has them', async () => (await sStore.head()).position === head.position);
    expect(fromUpstream(await readAll(sStore))).toEqual([
      ['failed_attempt', 'alice', ids[0]],
      ['fraud', 'bob', ids[1]],
      ['code_used', 'alice', ids[2]],
      ['failed_attempt', 'carol', late],
    ]);

    // While connected, a new event goes up at once.
    const live = await outbox.enqueue(failed('dave'));
    await waitFor('live event applied', () => calls.includes(live));
    await waitFor('outbox drained again', async () => (await outbox.count()) === 0);
  });

  it('applies an event exactly once when the UpstreamAck is lost after the master appended', async () => {
    const sStore = await h.storeAt((await freshStorage()).url);
    const outbox = await UpstreamOutbox.open(sStore.dataSource);
    const mStore = await h.storeAt((await freshStorage()).url);
    const inbox = await UpstreamInbox.open(mStore.dataSource);
    let dropped = 0;
    const ref: { slave?: { reconnect(): void } } = {};
    const { calls, onUpstream } = applier(mStore, (_event, call) => {
      // After the append is committed on the master, the connection dies: no ack reaches the slave.
      if (call === 1 && dropped < 2) {
        dropped++;
        ref.slave?.reconnect();
      }
    });
    const master = await h.master(mStore, { onUpstream, inbox });
    const slave = h.slave(master, sStore, 'slave-1', { outbox });
    ref.slave = slave;
    let connects = 0;
    slave.on('connected', () => connects++);
    const ids = [await outbox.enqueue(failed('alice')), await outbox.enqueue(failed('bob'))];
    slave.start();
    await waitFor('outbox drained', async () => (await outbox.count()) === 0);
    expect(dropped).toBe(2);
    // Both drops may hit one connection before it is replaced, so at least one reconnect.
    expect(connects).toBeGreaterThanOrEqual(2);
    expect(calls).toEqual(ids); // redeliveries were recognised by the inbox, not applied again
    expect(fromUpstream(await readAll(mStore))).toEqual([
      ['failed_attempt', 'alice', ids[0]],
      ['failed_attempt', 'bob', ids[1]],
    ]);
    expect(await inbox.state(ids[0])).toBe('done');
  });

  it('tells the slave which events a domain rule refused, and a redelivery gets the same verdict', async () => {
    const sStore = await h.storeAt((await freshStorage()).url);
    const outbox = await UpstreamOutbox.open(sStore.dataSource);
    const mStore = await h.storeAt((await freshStorage()).url);
    const inbox = await UpstreamInbox.open(mStore.dataSource);
    const ref: { slave?: { reconnect(): void } } = {};
    const calls: string[] = [];
    const master = await h.master(mStore, {
      inbox,
      onUpstream: async (_nodeId, event) => {
        calls.push(event.id);
        // The verdict is recorded, then the connection dies before the ack: the slave sends it again.
        if (calls.length === 1) setImmediate(() => ref.slave?.reconnect());
        return event.payload.counter === 1 ? { code: 'code_already_used', field: 'counter' } : undefined;
      },
    });
    const slave = h.slave(master, sStore, 'slave-1', { outbox });
    ref.slave = slave;
    const verdicts: Array<[string, unknown]> = [];
    slave.on('upstreamVerdict', (id, refused) => verdicts.push([id, refused]));
    const refusedId = await outbox.enqueue(codeUsed('alice', 1));
    const appliedId = await outbox.enqueue(codeUsed('alice', 2));
    slave.start();
    await waitFor('outbox drained', async () => (await outbox.count()) === 0);
    expect(verdicts).toContainEqual([refusedId, { code: 'code_already_used', field: 'counter' }]);
    expect(verdicts).toContainEqual([appliedId, null]);
    expect(verdicts.filter(([, r]) => r === null).map(([id]) => id)).not.toContain(refusedId);
    expect(await inbox.state(refusedId)).toBe('refused');
  });

  it('applies an event exactly once when the master failed between its append and recording the id', async () => {
    const sStore = await h.storeAt((await freshStorage()).url);
    const outbox = await UpstreamOutbox.open(sStore.dataSource);
    const mStore = await h.storeAt((await freshStorage()).url);
    const inbox = await UpstreamInbox.open(mStore.dataSource);
    const { calls, onUpstream } = applier(mStore, (_event, call) => {
      if (call === 1) throw new Error('master crashed after appending');
    });
    const master = await h.master(mStore, { onUpstream, inbox });
    const slave = h.slave(master, sStore, 'slave-1', { outbox });
    const id = await outbox.enqueue(codeUsed('alice', 9));
    slave.start();
    await waitFor('outbox drained', async () => (await outbox.count()) === 0);
    // Applied once; the redelivery found the 'pending' id's event in the log by its causationId.
    expect(calls).toEqual([id]);
    expect(fromUpstream(await readAll(mStore))).toEqual([['code_used', 'alice', id]]);
    expect(await inbox.state(id)).toBe('done');
  });
});
