import { createServer, type TLSSocket } from 'node:tls';
import { GENESIS_HASH, hashFromCanonicalParts, type LogHead, type EventLogRow, type StoredEvent, type TypeOrmEventStore } from '@twofold/event-store';
import { ReplicationPeer } from '../../../test/support/replication-peer';
import type { ReplicationMaster } from './master/replication-master';
import { FrameParser } from './protocol/frame-parser';
import { PROTOCOL_VERSION, type HelloMessage, type Message } from './protocol/messages';
import { encodeFrame, serialize, serializeBatches } from './protocol/serializer';
import type { ReplicationLogger } from './replication-logger';
import { CLUSTER_ID, Harness, harnessPerTest, readAll, waitFor } from './testing/cluster-fixture';

// Records as the canonical text the master stores (textBatch frames, negotiated in hello and
// welcome) next to records as objects (batch frames, what every earlier release sends and reads).
// Real TLS on 127.0.0.1 and real SQLite stores; the older peers are hand-driven sockets that
// speak what an earlier release speaks.

const meta = { actor: 'admin:test', nodeId: 'master', epoch: 0 };
// Keys a plain JSON.stringify would order differently from the canonical form, and non-ASCII text.
const odd = (n: number) => ({ type: 'Noted', schemaVersion: 1, payload: { n, '10': 'ten', '9': 'nine', note: 'grüße, 東京 "quoted" \\ \u2028' }, metadata: meta });

async function rawRows(store: TypeOrmEventStore): Promise<EventLogRow[]> {
  return store.dataSource.query('SELECT position, stream_id AS streamId, stream_version AS streamVersion, type, schema_version AS schemaVersion, payload, metadata, timestamp, prev_hash AS prevHash, hash FROM event_log ORDER BY position');
}

// The form of each received append: canonical text (rows) or decoded records.
function countingAppends(store: TypeOrmEventStore): { store: TypeOrmEventStore; calls: string[] } {
  const calls: string[] = [];
  const wrapped = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'appendReplicated') {
        return (records: StoredEvent[] | EventLogRow[]): Promise<LogHead> => {
          calls.push(typeof records[0].payload === 'string' ? 'text' : 'objects');
          return target.appendReplicated(records);
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { store: wrapped, calls };
}

function capturingLogger(): ReplicationLogger & { lines: Array<{ msg: string; obj: Record<string, unknown> }> } {
  const lines: Array<{ msg: string; obj: Record<string, unknown> }> = [];
  const at = (obj: Record<string, unknown>, msg: string) => void lines.push({ msg, obj });
  return { lines, info: at, warn: at, error: at };
}

// A master of this cluster driven by hand: welcomes each hello (with or without canonicalText)
// and writes the frames given for that connection.
async function handDrivenMaster(h: Harness, welcomeCanonicalText: boolean, framesFor: (connection: number) => Buffer[]) {
  const hellos: HelloMessage[] = [];
  const server = createServer({ ...h.tls('master'), requestCert: true, rejectUnauthorized: true }, (socket: TLSSocket) => {
    const parser = new FrameParser();
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      let messages: Message[];
      try {
        messages = parser.push(chunk);
      } catch {
        return void socket.destroy();
      }
      for (const m of messages) {
        if (m.type !== 'hello') continue;
        hellos.push(m);
        socket.write(serialize({
          type: 'welcome', protocolVersion: PROTOCOL_VERSION, clusterId: CLUSTER_ID, nodeId: 'hand-master', epoch: 0,
          head: { position: 0, hash: GENESIS_HASH }, heartbeatMs: 1000, ...(welcomeCanonicalText ? { canonicalText: true } : {}),
        }));
        for (const f of framesFor(hellos.length)) socket.write(f);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  h.onCleanup(() => new Promise((resolve) => server.close(() => resolve())));
  return { hellos, address: () => ({ port: (server.address() as { port: number }).port }) } as { hellos: HelloMessage[] } & ReplicationMaster;
}

// A textBatch body written by hand, one wire array per row.
function textFrame(rows: EventLogRow[]): Buffer {
  const wire = rows.map((r) => [r.position, r.streamId, r.streamVersion, r.type, r.schemaVersion, r.timestamp, r.prevHash, r.hash, r.payload, r.metadata]);
  return encodeFrame('textBatch', JSON.stringify({ records: wire }));
}

describe('replication: records as canonical text (textBatch) and as objects (batch)', () => {
  const h = harnessPerTest();

  it('a slave that asks for canonical text stores the master\'s bytes as they are; a slave asking for objects gets the same rows', async () => {
    const mStore = await h.sqliteStore();
    for (let i = 0; i < 3; i++) await mStore.append(`odd-${i}`, 0, [odd(i), odd(i + 100)]);
    const master = await h.master(mStore);
    const text = countingAppends(await h.sqliteStore());
    const objects = countingAppends(await h.sqliteStore());
    const welcomes: Array<boolean | undefined> = [];
    for (const [name, store, canonicalText] of [['text-slave', text.store, true], ['objects-slave', objects.store, false]] as const) {
      const slave = h.slave(master, store, name, { canonicalText });
      slave.on('connected', () => welcomes.push(canonicalText));
      slave.start();
    }
    await waitFor('both slaves caught up', async () => (await text.store.head()).position === 6 && (await objects.store.head()).position === 6);
    // Live: one commit fanned out to both forms at once.
    await mStore.append('odd-live', 0, [odd(7), odd(8)]);
    const head = await mStore.head();
    await waitFor('both at the head', async () => (await text.store.head()).hash === head.hash && (await objects.store.head()).hash === head.hash);

    expect(welcomes.sort()).toEqual([false, true]);
    expect(new Set(text.calls)).toEqual(new Set(['text']));
    expect(new Set(objects.calls)).toEqual(new Set(['objects']));
    const masterRows = await rawRows(mStore);
    expect(masterRows).toHaveLength(8);
    expect(await rawRows(text.store)).toEqual(masterRows);
    expect(await rawRows(objects.store)).toEqual(masterRows);
    expect((await readAll(text.store)).map((r) => r.payload)).toEqual((await readAll(mStore)).map((r) => r.payload));
    expect((await text.store.verify()).ok).toBe(true);
  });

  it('a slave of an earlier release (no canonicalText in its hello) gets batch frames; one that asks gets textBatch rows equal to the master\'s', async () => {
    const mStore = await h.sqliteStore();
    await mStore.append('odd', 0, [odd(1), odd(2), odd(3)]);
    const master = await h.master(mStore);
    const older = await ReplicationPeer.open(master.address().port, h.tls('older'));
    const newer = await ReplicationPeer.open(master.address().port, h.tls('newer'));
    h.onCleanup(async () => { older.close(); newer.close(); });
    older.hello({ clusterId: CLUSTER_ID, nodeId: 'id-older', nodeName: 'older' });
    newer.hello({ clusterId: CLUSTER_ID, nodeId: 'id-newer', nodeName: 'newer', canonicalText: true });
    await waitFor('both got the records', () => older.types().includes('batch') && newer.types().includes('textBatch'));

    const welcomeOf = (p: ReplicationPeer) => p.received.find((m) => m.type === 'welcome');
    expect(welcomeOf(older)).not.toHaveProperty('canonicalText');
    expect(welcomeOf(newer)).toMatchObject({ canonicalText: true });
    expect(older.types().filter((t) => t.endsWith('atch'))).toEqual(['batch']);
    expect(newer.types().filter((t) => t.endsWith('atch'))).toEqual(['textBatch']);
    const batch = older.received.find((m) => m.type === 'batch');
    const textBatch = newer.received.find((m) => m.type === 'textBatch');
    expect(batch?.type === 'batch' && batch.records).toEqual(await readAll(mStore));
    expect(textBatch?.type === 'textBatch' && textBatch.records).toEqual(await rawRows(mStore));
  });

  it('a slave of this release follows a master of an earlier release (batch frames, no canonicalText in the welcome)', async () => {
    const source = await h.sqliteStore();
    await source.append('odd', 0, [odd(1), odd(2), odd(3), odd(4)]);
    const records = await readAll(source);
    const olderMaster = await handDrivenMaster(h, false, () => serializeBatches(records, undefined, 'objects').map((b) => b.frame));
    const sStore = await h.sqliteStore();
    h.slave(olderMaster, sStore, 'slave-1').start();
    await waitFor('slave at the head', async () => (await sStore.head()).position === 4);
    expect(olderMaster.hellos[0]).toMatchObject({ canonicalText: true });
    expect(await rawRows(sStore)).toEqual(await rawRows(source));
  });

  it('a textBatch whose text does not hash, or is not JSON, is refused like a bad batch: nothing appended, reconnect', async () => {
    const source = await h.sqliteStore();
    await source.append('odd', 0, [odd(1), odd(2), odd(3)]);
    const rows = await rawRows(source);
    const tampered = rows.map((r, i) => (i === 1 ? { ...r, payload: r.payload.replace('"n":2', '"n":20') } : r));
    const notJson = { ...rows[0], payload: '{"n":1,' };
    notJson.hash = hashFromCanonicalParts(notJson, notJson.payload, notJson.metadata); // a hash that holds over bytes that are not JSON
    const objectsTampered = (await readAll(source)).map((r, i) => (i === 1 ? { ...r, payload: { ...r.payload, n: 20 } } : r));
    const cases: Array<[string, boolean, Buffer, string]> = [
      ['text that does not hash', true, textFrame(tampered), 'chain_mismatch'],
      ['text that is not JSON', true, textFrame([notJson]), 'invalid_append'],
      ['objects that do not hash (as today)', false, serializeBatches(objectsTampered, undefined, 'objects')[0].frame, 'chain_mismatch'],
    ];
    for (const [what, canonicalText, frame, code] of cases) {
      const master = await handDrivenMaster(h, canonicalText, () => [frame]);
      const sStore = await h.sqliteStore();
      const logger = capturingLogger();
      h.slave(master, sStore, `slave-${code}-${canonicalText}`, { logger }).start();
      await waitFor(`${what}: reconnected after the refusal`, () => master.hellos.length >= 2);
      expect([what, (await sStore.head()).position]).toEqual([what, 0]);
      expect([what, logger.lines.filter((l) => l.msg.includes('received records rejected')).map((l) => l.obj.code)[0]]).toEqual([what, code]);
    }
  });

  it('a textBatch from a master that did not announce canonicalText, or with a malformed record, is a protocol error', async () => {
    const source = await h.sqliteStore();
    await source.append('odd', 0, [odd(1)]);
    const rows = await rawRows(source);
    const short = encodeFrame('textBatch', JSON.stringify({ records: [[1, 'odd', 1, 'Noted', 1, rows[0].timestamp, rows[0].prevHash, rows[0].hash, rows[0].payload]] }));
    const cases = [['unannounced', false, textFrame(rows), 'textBatch from a master that did not announce canonicalText'], ['nine fields', true, short, 'malformed textBatch message']] as const;
    for (const [what, announce, frame, said] of cases) {
      const master = await handDrivenMaster(h, announce, () => [frame]);
      const sStore = await h.sqliteStore();
      const logger = capturingLogger();
      h.slave(master, sStore, `slave-${announce}`, { logger }).start();
      await waitFor(`${what}: reconnected`, () => master.hellos.length >= 2);
      expect([what, (await sStore.head()).position]).toEqual([what, 0]);
      expect([what, logger.lines.some((l) => JSON.stringify(l.obj).includes(said))]).toEqual([what, true]);
    }
  });
});
