import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { openStorage } from '@twofold/event-store';
import { createTestDatabase, postgresTestUrl, warnPostgresSkipped, type TestDatabase } from '../../../test/support/postgres';
import { PublishCheckpoint } from './publish-checkpoint';

// The "published up to" checkpoint lives in the node's own database and survives a reopen.
const backends: Array<[string, () => Promise<{ ds: () => Promise<DataSource>; drop(): Promise<void> }>]> = [
  ['SQLite', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tf-kafka-cp-')), 'twofold.sqlite');
    return { ds: () => openStorage({ sqlitePath: file }), drop: async () => undefined };
  }],
];
if (postgresTestUrl()) {
  backends.push(['PostgreSQL', async () => {
    const db: TestDatabase = await createTestDatabase();
    return { ds: () => openStorage({ url: db.url }), drop: () => db.drop() };
  }]);
} else {
  warnPostgresSkipped();
}

describe.each(backends)('PublishCheckpoint on %s', (_name, backend) => {
  it('starts at 0, moves forward, keeps one row per topic and survives a reopen', async () => {
    const b = await backend();
    let ds = await b.ds();
    try {
      const cp = await PublishCheckpoint.open(ds, 'twofold.c1.log');
      expect(await cp.read()).toEqual({ position: 0, hash: '' });
      await cp.save({ position: 5, hash: 'a'.repeat(64) });
      await cp.save({ position: 9, hash: 'b'.repeat(64) });
      const other = await PublishCheckpoint.open(ds, 'twofold.c2.log');
      await other.save({ position: 1, hash: 'c'.repeat(64) });
      await ds.destroy();
      ds = await b.ds();
      expect(await (await PublishCheckpoint.open(ds, 'twofold.c1.log')).read()).toEqual({ position: 9, hash: 'b'.repeat(64) });
      expect(await (await PublishCheckpoint.open(ds, 'twofold.c2.log')).read()).toEqual({ position: 1, hash: 'c'.repeat(64) });
    } finally {
      await ds.destroy();
      await b.drop();
    }
  });
});
