import { connect, createServer, type TLSSocket } from 'node:tls';
import { GENESIS_HASH, type LogHead, type StoredEvent, type TypeOrmEventStore } from '@twofold/event-store';
import { FrameParser } from './protocol/frame-parser';
import { PROTOCOL_VERSION, type Message } from './protocol/messages';
import type { ReplicationMaster } from './master/replication-master';
import { serialize } from './protocol/serializer';
import { UpstreamOutbox } from './storage/upstream-outbox';
import { appendTicks, CLUSTER_ID, harnessPerTest, readAll, tick, waitFor } from './testing/cluster-fixture';

// Real TLS on 127.0.0.1, real SQLite stores; the slave's store is the real one, its
// appendReplicated calls (one BEGIN IMMEDIATE transaction each) counted on the way through.
function counting(store: TypeOrmEventStore): { store: TypeOrmEventStore; appends: number[] } {
  const appends: number[] = [];
  const wrapped = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'appendReplicated') {
        return (records: StoredEvent[]): Promise<LogHead> => {
          appends.push(records.length);
          return target.appendReplicated(records);
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { store: wrapped, appends };
}

describe('replication: batches both ways', () => {
  const h = harnessPerTest();

  it('a batch of N events committed on the master reaches a live slave as one frame, one transaction and one ack', async () => {
    const mStore = await h.sqliteStore();
    await appendTicks(mStore, 10);
    const master = await h.master(mStore, { batchSize: 1000 });
    const { store: sStore, appends } = counting(await h.sqliteStore());
    const slave = h.slave(master, sStore, 'slave-1');
    const acks: number[] = [];
    master.on('ack', (_nodeId, position) => acks.push(position));
    const heads: number[] = [];
    slave.on('appended', (head) => heads.push(head.position));
    slave.start();
    await waitFor('caught up and acknowledged', () => master.status()[0]?.ackedPosition === 10);
    appends.length = 0;
    acks.length = 0;
    heads.length = 0;

    // 300 events of 30 streams in one commit (what group commit writes).
    await mStore.appendMany(Array.from({ length: 30 }, (_, s) => ({ streamId: `batch-${s}`, expectedVersion: 0, events: Array.from({ length: 10 }, (_, i) => tick(s * 10 + i)) })));
    await waitFor('acknowledged', () => master.status()[0]?.ackedPosition === 310);
    expect(appends).toEqual([300]);
    expect(heads).toEqual([310]);
    expect(acks).toEqual([310]);
    expect((await readAll(sStore)).map((r) => r.hash)).toEqual((await readAll(mStore)).map((r) => r.hash));
  });

  it('upstream events waiting in the outbox go up in one frame and come back in one acknowledgement', async () => {
    const sStore = await h.sqliteStore();
    const outbox = await UpstreamOutbox.open(sStore.dataSource);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push(await outbox.enqueue({ kind: 'failed_attempt', userId: `u-${i}`, reason: 'wrong one-time code', source: 'radius:test' }));
    const master = await h.master(await h.sqliteStore());
    const slave = h.slave(master, sStore, 'slave-1', { outbox });
    const delivered: string[][] = [];
    slave.on('upstreamDelivered', (batch) => delivered.push(batch));
    slave.start();
    // 'upstreamDelivered' comes once the removal is synced, after count() can already read 0.
    await waitFor('outbox drained and delivered', async () => delivered.length > 0 && (await outbox.count()) === 0);
    expect(delivered).toEqual([ids]);
    expect(h.upstream.map((u) => u.event.id)).toEqual(ids);
  });

  it('a slave sends an older master (no upstreamBatch in its welcome) one upstream frame per event', async () => {
    // The older master: welcomes, acknowledges each upstream frame, records what it got.
    const got: Message[] = [];
    const server = createServer({ ...h.tls('master'), requestCert: true, rejectUnauthorized: true }, (socket) => {
      const parser = new FrameParser();
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => {
        for (const m of parser.push(chunk)) {
          got.push(m);
          if (m.type === 'hello') {
            socket.write(serialize({ type: 'welcome', protocolVersion: PROTOCOL_VERSION, clusterId: CLUSTER_ID, nodeId: 'old-master', epoch: 0, head: { position: 0, hash: GENESIS_HASH }, heartbeatMs: 1000 }));
          } else if (m.type === 'upstream') {
            socket.write(serialize({ type: 'upstreamAck', ids: [m.id] }));
          }
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    h.onCleanup(() => new Promise((resolve) => server.close(() => resolve())));
    const port = (server.address() as { port: number }).port;
    const sStore = await h.sqliteStore();
    const outbox = await UpstreamOutbox.open(sStore.dataSource);
    const fraud = (userId: string) => outbox.enqueue({ kind: 'fraud', userId, reason: 'reported', source: 'radius:test' });
    const ids = [await fraud('a'), await fraud('b'), await fraud('c')];
    h.slave({ address: () => ({ port }) } as ReplicationMaster, sStore, 'slave-1', { outbox }).start();
    await waitFor('outbox drained', async () => (await outbox.count()) === 0);
    expect(got.filter((m) => m.type === 'upstreamBatch')).toEqual([]);
    expect(got.filter((m) => m.type === 'upstream').map((m) => m.type === 'upstream' && [m.id, m.kind, m.payload])).toEqual([
      [ids[0], 'fraud', { v: 2, userId: 'a', source: 'radius:test', reason: 'reported' }],
      [ids[1], 'fraud', { v: 2, userId: 'b', source: 'radius:test', reason: 'reported' }],
      [ids[2], 'fraud', { v: 2, userId: 'c', source: 'radius:test', reason: 'reported' }],
    ]);
  });

  it('a master still reads the single upstream frames of an older slave, one acknowledgement each', async () => {
    const master = await h.master(await h.sqliteStore());
    const received: Message[] = [];
    const parser = new FrameParser();
    const socket: TLSSocket = await new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: master.address().port, ...h.tls('old-slave') });
      s.once('secureConnect', () => resolve(s));
      s.once('error', reject);
    });
    h.onCleanup(async () => void socket.destroy());
    socket.on('data', (chunk: Buffer) => received.push(...parser.push(chunk)));
    socket.write(serialize({ type: 'hello', protocolVersion: PROTOCOL_VERSION, clusterId: CLUSTER_ID, nodeId: 'id-old-slave', nodeName: 'old-slave', epoch: 0, head: { position: 0, hash: GENESIS_HASH } }));
    await waitFor('welcomed', () => received.some((m) => m.type === 'welcome'));
    expect(received.find((m) => m.type === 'welcome')).toMatchObject({ upstreamBatch: true });
    socket.write(serialize({ type: 'upstream', id: 'one', kind: 'fraud', payload: { userId: 'a' } }));
    socket.write(serialize({ type: 'upstream', id: 'two', kind: 'fraud', payload: { userId: 'b' } }));
    await waitFor('both acknowledged', () => received.filter((m) => m.type === 'upstreamAck').length === 2);
    expect(received.filter((m) => m.type === 'upstreamAck')).toEqual([
      { type: 'upstreamAck', ids: ['one'] },
      { type: 'upstreamAck', ids: ['two'] },
    ]);
    expect(h.upstream.map((u) => [u.nodeId, u.event])).toEqual([
      ['id-old-slave', { id: 'one', kind: 'fraud', payload: { userId: 'a' } }],
      ['id-old-slave', { id: 'two', kind: 'fraud', payload: { userId: 'b' } }],
    ]);
  });
});
