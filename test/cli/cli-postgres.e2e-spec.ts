import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { ServerProcess } from '../support/server-process';
import { createTestDatabase, postgresTestUrl, TestDatabase, warnPostgresSkipped } from '../support/postgres';
import { cliFor, twofold } from '../support/cli';

// The offline commands on PostgreSQL (TWOFOLD_DATABASE_URL), as the server stores it there.
const pg = postgresTestUrl();
if (!pg) warnPostgresSkipped();

(pg ? describe : describe.skip)('twofold on PostgreSQL', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    env = { TWOFOLD_DATA_DIR: join(mkdtempSync(join(tmpdir(), 'twofold-cli-pg-')), 'data'), TWOFOLD_DATABASE_URL: db.url };
  });

  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  it('init, the server, log verify, tamper -> exit 8, replay --rebuild', async () => {
    const init = await twofold(['--json', 'init'], { env });
    expect(init.code).toBe(0);
    expect(init.json()).toMatchObject({ storage: 'postgres' });

    server = await ServerProcess.start({ dataDir: env.TWOFOLD_DATA_DIR, env: { TWOFOLD_DATABASE_URL: db.url }, adminToken: init.json().adminToken });
    const added = await cliFor(server)(['user', 'add', 'pguser', '--display-name', 'Postgres User']);
    expect(added.code).toBe(0);
    // 1: the first administrator (init), 2-3: the master listing itself in the cluster with its certificate, 4: pguser.
    const status = (await cliFor(server)(['--json', 'status'])).json();
    expect(status).toMatchObject({ storage: 'postgres', logHead: { position: 4 } });
    expect(await server.stop()).toBe(0);
    server = undefined;

    const verified = await twofold(['--json', 'log', 'verify'], { env });
    expect(verified.code).toBe(0);
    expect(verified.json()).toMatchObject({ ok: true, checked: 4 });

    const replay = await twofold(['--json', 'replay', '--rebuild'], { env });
    expect(replay.code).toBe(0);
    expect(replay.json()).toMatchObject({ rebuilt: true, events: 4, position: 4 });

    const client = new Client({ connectionString: db.url });
    await client.connect();
    await client.query(`UPDATE event_log SET payload = replace(payload, 'Postgres User', 'Mallory') WHERE position = 4`);
    await client.end();
    const broken = await twofold(['log', 'verify'], { env });
    expect(broken.code).toBe(8);
    expect(broken.stderr).toMatch(/^twofold: log_broken: the log is broken at position 4 \(UserCreated on user-/m);
  });
});
