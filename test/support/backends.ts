import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerPostgresUrl, createTestDatabase, dockerAvailable, postgresTestUrl, stopContainerPostgres, warnPostgresSkipped, type TestDatabase } from './postgres';

export type BackendName = 'sqlite' | 'postgres';

// A storage config for one test: a SQLite file in a fresh temp dir, or a PostgreSQL URL to a
// database created for this test file. Each call gives an EMPTY database.
export interface BackendContext {
  backend: BackendName;
  freshStorage(): Promise<{ url: string }>;
}

// Runs `fn` once per backend: always on SQLite, on PostgreSQL when TWOFOLD_TEST_PG_URL is set
// (otherwise that describe block is skipped with a warning). Databases and temp dirs made by
// freshStorage() are removed after the block.
export function describeEachBackend(name: string, fn: (ctx: BackendContext) => void): void {
  describe(`${name} [sqlite]`, () => {
    const dirs: string[] = [];
    afterAll(() => {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });
    fn({
      backend: 'sqlite',
      freshStorage: async () => {
        const dir = mkdtempSync(join(tmpdir(), 'twofold-test-'));
        dirs.push(dir);
        return { url: join(dir, 'twofold.sqlite') };
      },
    });
  });

  const pgUrl = postgresTestUrl();
  const docker = !pgUrl && dockerAvailable();
  if (!pgUrl && !docker) warnPostgresSkipped();
  (pgUrl || docker ? describe : describe.skip)(`${name} [postgres${docker ? ', testcontainers' : ''}]`, () => {
    const dbs: TestDatabase[] = [];
    afterAll(async () => {
      for (const db of dbs) await db.drop();
      if (docker) await stopContainerPostgres();
    });
    fn({
      backend: 'postgres',
      freshStorage: async () => {
        const db = await createTestDatabase(pgUrl ?? (await containerPostgresUrl()));
        dbs.push(db);
        return { url: db.url };
      },
    });
  });
}
