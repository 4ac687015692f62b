import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerProcess } from '../support/server-process';
import { CLI_BIN, cliFor, logHead, twofold } from '../support/cli';

const tmp = mkdtempSync(join(tmpdir(), 'twofold-cli-'));

describe('twofold init, then the server on that data directory', () => {
  const dataDir = join(tmp, 'fresh');
  let token = '';
  let server: ServerProcess | undefined;

  afterAll(async () => {
    await server?.stop();
  });

  it('creates the cluster and prints the first administrator token once, without a server', async () => {
    const r = await twofold(['--json', 'init', '--node-name', 'node-a'], { env: { TWOFOLD_DATA_DIR: dataDir } });
    expect(r.code).toBe(0);
    const out = r.json();
    expect(out).toMatchObject({ dataDir, created: true, nodeName: 'node-a', storage: 'sqlite', adminName: 'admin', adminToken: expect.stringMatching(/^[0-9a-f-]{36}\.[A-Za-z0-9_-]{20,}$/) });
    token = out.adminToken;

    const again = await twofold(['init'], { env: { TWOFOLD_DATA_DIR: dataDir } });
    expect(again.code).toBe(5);
    expect(again.stderr).toMatch(/^twofold: already_initialized: /);
    expect(again.stdout).not.toContain('TWOFOLD_ADMIN_TOKEN');
  });

  it('the server starts on it without making another administrator, and the init token works', async () => {
    server = await ServerProcess.start({ dataDir, adminToken: token });
    expect(server.stderr.join('')).not.toContain('TWOFOLD_ADMIN_TOKEN=');
    const status = await cliFor(server)(['--json', 'status']);
    expect(status.code).toBe(0);
    expect(status.json()).toMatchObject({ nodeName: 'node-a', role: 'master' });
    const admins = await cliFor(server)(['--json', 'admin', 'list']);
    expect(admins.json()).toHaveLength(1);
  });

  it('replay refuses to run while the server answers, and names the way out', async () => {
    const r = await cliFor(server!)(['replay', '--rebuild']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/^twofold: server_running: .*stop the server/);
  });

  it('offline commands say when there is no data directory, or the configuration is wrong', async () => {
    const missing = await twofold(['log', 'verify'], { env: { TWOFOLD_DATA_DIR: join(tmp, 'nothing-here') } });
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/^twofold: data_dir_missing: no Twofold data directory at .*nothing-here/);

    const badConfig = await twofold(['log', 'verify'], { env: { TWOFOLD_DATA_DIR: dataDir, TWOFOLD_HTTP_PORT: '70000' } });
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toMatch(/^twofold: invalid_config: .*TWOFOLD_HTTP_PORT/);
  });
});

describe('twofold user import', () => {
  let server: ServerProcess;
  let cli: ReturnType<typeof cliFor>;
  const csv = (name: string, text: string) => {
    const path = join(tmp, name);
    writeFileSync(path, text);
    return path;
  };

  beforeAll(async () => {
    server = await ServerProcess.start();
    cli = cliFor(server);
    expect((await server.api('POST', '/admin/v1/users', { username: 'bob', displayName: 'Bob', email: 'bob@example.org', language: 'en' })).status).toBe(201);
  });

  afterAll(async () => {
    await server?.stop();
  });

  const file = () => csv('users.csv', [
    'username,displayName,email,phone,preferredMethod,language',
    'alice,"Example, Alice",alice@example.org,+49 151 1234 5678,sms,de',
    'bob,Bob,BOB@example.org,,,',
    'bob2,Bob Two,,,,en-gb',
    'carol,,not-an-email,,,',
    'ALICE,Again,,,,',
    'dave,Dave,,,pigeon,',
    'bob,Robert,,,,fr',
  ].join('\r\n') + '\r\n');

  it('--dry-run shows what would change, line by line, and writes nothing', async () => {
    const head = await logHead(server);
    const r = await cli(['user', 'import', file(), '--dry-run']);
    expect(r.code).toBe(3); // some lines are invalid
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^line 2\s+create\s+alice$/),
      expect.stringMatching(/^line 3\s+unchanged\s+bob$/),
      expect.stringMatching(/^line 4\s+create\s+bob2$/),
      expect.stringMatching(/^line 5\s+invalid\s+carol: email: must be an e-mail address/),
      expect.stringMatching(/^line 6\s+invalid\s+alice: username also on line 2$/),
      expect.stringMatching(/^line 7\s+invalid\s+dave: preferredMethod: /),
      expect.stringMatching(/^line 8\s+invalid\s+bob: username also on line 3$/),
      'dry run: 2 to create, 0 to update, 1 unchanged, 4 invalid (nothing written)',
    ]);
    expect(r.stderr).toMatch(/checking: 7\/7 \(100%\)/);
    expect(r.stderr).toMatch(/^twofold: import_incomplete: 4 invalid line\(s\) would be skipped$/m);
    expect(await logHead(server)).toBe(head);
    expect((await server.api('GET', '/admin/v1/users/alice')).status).toBe(404);
  });

  it('imports the valid lines, skips the invalid ones, and a second run finds nothing to do', async () => {
    const r = await cli(['--json', 'user', 'import', file()]);
    expect(r.code).toBe(3);
    const out = r.json();
    expect(out.summary).toEqual({ create: 2, update: 0, unchanged: 1, invalid: 4, notProcessed: 0 });
    expect((await server.api('GET', '/admin/v1/users/alice')).body).toMatchObject({
      displayName: 'Example, Alice', email: 'alice@example.org', phones: [{ label: 'mobile', number: '+4915112345678' }], preferredMethod: 'sms', language: 'de',
    });
    expect((await server.api('GET', '/admin/v1/users/bob2')).body).toMatchObject({ language: 'en-GB' });

    const head = await logHead(server);
    const again = await cli(['--json', 'user', 'import', file()]);
    expect(again.json().summary).toEqual({ create: 0, update: 0, unchanged: 3, invalid: 4, notProcessed: 0 });
    expect(await logHead(server)).toBe(head);
  });

  it('updates only what changed, reads standard input with "-", and exits 0 when every line is valid', async () => {
    const bobBefore = (await server.api('GET', '/admin/v1/users/bob')).body;
    const dry = await cli(['user', 'import', '-', '--dry-run'], { input: 'username,language,displayName\nbob,fr,Bob\nerin,,\n' });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^line 2\s+update\s+bob \(language\)$/m);
    expect(dry.stdout).toMatch(/^line 3\s+create\s+erin$/m);
    expect((await server.api('GET', '/admin/v1/users/bob')).body).toEqual(bobBefore);

    const real = await cli(['user', 'import', '-'], { input: 'username,language,displayName\nbob,fr,Bob\nerin,,\n' });
    expect(real.code).toBe(0);
    expect(real.stdout).toMatch(/^1 created, 1 updated, 0 unchanged, 0 invalid$/m);
    expect((await server.api('GET', '/admin/v1/users/bob')).body).toMatchObject({ language: 'fr', displayName: 'Bob', email: 'bob@example.org', version: bobBefore.version + 1 });
  });

  it('--stop-on-error stops at the first invalid line; lines before it stay imported', async () => {
    const r = await cli(['--json', 'user', 'import', '-', '--stop-on-error'], { input: 'username\nfrank\nnot valid!\ngrace\n' });
    expect(r.code).toBe(3);
    expect(r.json()).toMatchObject({ stoppedAtLine: 3, summary: { create: 1, invalid: 1, notProcessed: 1 } });
    expect((await server.api('GET', '/admin/v1/users/frank')).status).toBe(200);
    expect((await server.api('GET', '/admin/v1/users/grace')).status).toBe(404);
  });

  it('log tail --follow prints records as a running server appends them, and stops cleanly on SIGINT', async () => {
    const head = await logHead(server);
    const child = spawn(process.execPath, [CLI_BIN, '--json', 'log', 'tail', '-n', '1', '--follow'], {
      env: { PATH: process.env.PATH ?? '', TWOFOLD_DATA_DIR: server.dataDir }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const waitFor = async (what: () => boolean, label: string) => {
      for (let i = 0; i < 200 && !what(); i++) await new Promise((r) => setTimeout(r, 50));
      if (!what()) throw new Error(`log tail --follow never printed ${label}: ${out}`);
    };
    const positions = () => out.split('\n').filter(Boolean).map((l) => JSON.parse(l).position as number);
    // The last record first: from then on the tail is following.
    await waitFor(() => positions().includes(head), `position ${head}`);
    expect((await server.api('POST', '/admin/v1/users', { username: 'tailed' })).status).toBe(201);
    await waitFor(() => positions().includes(head + 1), `position ${head + 1}`);
    expect(JSON.parse(out.trim().split('\n').pop()!)).toMatchObject({ position: head + 1, type: 'UserCreated' });
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
