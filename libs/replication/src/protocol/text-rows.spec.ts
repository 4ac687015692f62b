import { canonicalJson, createEventStore, type TypeOrmEventStore } from '@twofold/event-store';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FrameParser } from './frame-parser';
import { serializeBatches, serializeTextRows } from './serializer';

// Catching up, the master frames rows as stored (never decoded): the same frames, byte for byte,
// as from the decoded records, and a slave reads back exactly the stored text.
describe('textBatch frames from stored rows', () => {
  let dir: string;
  let store: TypeOrmEventStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'twofold-text-rows-'));
    store = await createEventStore({ url: join(dir, 'log.sqlite') });
    await store.appendMany(Array.from({ length: 5 }, (_, s) => ({
      streamId: `s-${s}`,
      expectedVersion: -1,
      events: Array.from({ length: 40 }, (_, i) => ({ type: 'Tick', schemaVersion: 1, payload: { n: i, note: 'quote " and \\ and é', z: null, a: [1, 2] }, metadata: { actor: 'admin:1', nodeId: 'n', epoch: 0 } })),
    })));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('frames rows as stored exactly as it frames the decoded records, cut at the same frame limit', async () => {
    const rows = await store.readRowsFrom(0, 1000);
    const records = await store.readFrom(0, 1000);
    expect(rows.map((r) => r.position)).toEqual(records.map((r) => r.position));
    for (const limit of [16 * 1024 * 1024, 8 * 1024]) {
      const fromRows = serializeTextRows(rows, limit);
      const fromRecords = serializeBatches(records, limit, 'text');
      expect(fromRows.map((b) => [b.count, b.lastPosition])).toEqual(fromRecords.map((b) => [b.count, b.lastPosition]));
      expect(Buffer.concat(fromRows.map((b) => b.frame)).equals(Buffer.concat(fromRecords.map((b) => b.frame)))).toBe(true);
    }
    const parsed = new FrameParser().push(Buffer.concat(serializeTextRows(rows, 8 * 1024).map((b) => b.frame)));
    const received = parsed.flatMap((m) => (m.type === 'textBatch' ? m.records : []));
    expect(received).toEqual(rows);
    expect(received[0].payload).toBe(canonicalJson(records[0].payload));
  });

  it('reads nothing past the head and nothing for a limit of 0', async () => {
    expect(await store.readRowsFrom(200, 10)).toEqual([]);
    expect(await store.readRowsFrom(0, 0)).toEqual([]);
    expect((await store.readRowsFrom(198, 10)).map((r) => r.position)).toEqual([199, 200]);
  });
});
