import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ServerProcess } from '../support/server-process';
import { cliFor, CliResult, twofold } from '../support/cli';

// The administrator's day, through the real `twofold` command against the real server process:
// add a user, give them a PIN, a password and a TOTP token, change settings, add a RADIUS client,
// an SDK credential and an administrator; restart the server and find it all again; then check
// the log offline, and that no secret ever reached the server's log.
describe('twofold CLI against a running server', () => {
  let server: ServerProcess;
  let cli: ReturnType<typeof cliFor>;
  const stdoutOfEveryRun: string[] = [];

  const PIN = '48291375';
  const PASSWORD = 'Tr0ub4dor&3-horse';
  const RADIUS_SECRET = 'radius-S3cret-vpn-01';
  const secrets: Record<string, string> = { PIN, PASSWORD, RADIUS_SECRET };

  const ok = (r: CliResult) => {
    if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}${r.stdout}`);
    return r;
  };

  beforeAll(async () => {
    server = await ServerProcess.start();
    cli = cliFor(server);
    secrets.FIRST_ADMIN_SECRET = server.adminToken.split('.')[1];
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('adds a user, sets PIN and password, assigns a TOTP token with a QR file', async () => {
    const added = ok(await cli(['--json', 'user', 'add', 'alice', '--display-name', 'Alice Example', '--email', 'Alice@Example.org', '--phone', '+4915112345678']));
    expect(added.json()).toMatchObject({ username: 'alice', displayName: 'Alice Example', email: 'alice@example.org', phones: [{ number: '+4915112345678' }] });

    ok(await cli(['user', 'set-pin', 'alice', '--pin-stdin'], { input: `${PIN}\n` }));
    ok(await cli(['user', 'set-password', 'alice', '--password-stdin'], { input: `${PASSWORD}\n` }));

    const qrFile = join(server.dataDir, '..', 'alice.png');
    const assigned = ok(await cli(['--json', 'token', 'assign', 'alice', '--label', 'phone', '--qr-file', qrFile]));
    const { otpauthUri, token } = assigned.json();
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/Twofold:alice\?secret=[A-Z2-7]+/);
    expect(token).toMatchObject({ kind: 'totp', label: 'phone', digits: 6, period: 30 });
    expect(token).not.toHaveProperty('seed');
    secrets.SEED = new URL(otpauthUri).searchParams.get('secret')!;
    expect(readFileSync(qrFile).subarray(1, 4).toString()).toBe('PNG');

    // People get a readable table; the seed never appears in it.
    const listed = ok(await cli(['token', 'list', 'alice']));
    expect(listed.stdout).toMatch(/^TOKEN ID\s+KIND\s+ALGORITHM/);
    expect(listed.stdout).toContain(token.tokenId);
    expect(listed.stdout).not.toContain(secrets.SEED);
  });

  it('changes settings with dotted keys and reads them back', async () => {
    const set = ok(await cli(['--json', 'settings', 'set', 'lockout.failuresBeforeLockout=3', 'pin.minLength=6', 'defaultMethod=sms']));
    expect(set.json()).toMatchObject({ lockout: { failuresBeforeLockout: 3 }, pin: { minLength: 6 }, defaultMethod: 'sms' });
    const shown = ok(await cli(['settings', 'show']));
    expect(shown.stdout).toMatch(/lockout\.failuresBeforeLockout\s+3\n/);
    expect(shown.stdout).toMatch(/defaultMethod\s+sms\n/);
  });

  it('adds a RADIUS client, an SDK credential and an administrator, whose secrets are shown once', async () => {
    const rc = ok(await cli(['--json', 'radius-client', 'add', 'vpn', '--address', '10.1.2.0/24', '--secret-stdin'], { input: `${RADIUS_SECRET}\n` }));
    expect(rc.json()).toMatchObject({ name: 'vpn', address: '10.1.2.0/24', requireMessageAuthenticator: true });
    expect(rc.stdout).not.toContain(RADIUS_SECRET);

    const sdk = ok(await cli(['--json', 'sdk-credential', 'issue', 'adfs', '--scope', 'authenticate,users:read']));
    expect(sdk.json()).toMatchObject({ name: 'adfs', scopes: ['authenticate', 'users:read'], revoked: false });
    secrets.SDK_SECRET = sdk.json().token.split('.')[1];

    const admin = ok(await cli(['--json', 'admin', 'add', 'ops']));
    secrets.OPS_ADMIN_SECRET = admin.json().token.split('.')[1];
    // The new administrator's token works at once.
    const asOps = ok(await cli(['--json', 'status'], { env: { TWOFOLD_ADMIN_TOKEN: admin.json().token } }));
    expect(asOps.json()).toMatchObject({ role: 'master' });
  });

  const readBack = async () => ({
    user: ok(await cli(['--json', 'user', 'show', 'alice'])).json(),
    tokens: ok(await cli(['--json', 'token', 'list', 'alice'])).json(),
    settings: ok(await cli(['--json', 'settings', 'show'])).json(),
    radiusClient: ok(await cli(['--json', 'radius-client', 'show', 'vpn'])).json(),
    sdkCredentials: ok(await cli(['--json', 'sdk-credential', 'list'])).json(),
    administrators: ok(await cli(['--json', 'admin', 'list'])).json(),
  });

  let beforeRestart: Awaited<ReturnType<typeof readBack>>;
  let headBeforeRestart: number;

  it('reads everything back', async () => {
    beforeRestart = await readBack();
    expect(beforeRestart.user).toMatchObject({ username: 'alice', hasPin: true, hasPassword: true, enabled: true });
    expect(beforeRestart.tokens).toHaveLength(1);
    expect(beforeRestart.settings.lockout.failuresBeforeLockout).toBe(3);
    expect(beforeRestart.administrators.map((a: { name: string }) => a.name).sort()).toEqual(['admin', 'ops']);
    headBeforeRestart = ok(await cli(['--json', 'status'])).json().logHead.position;
    expect(headBeforeRestart).toBeGreaterThanOrEqual(9);
  });

  it('stops on SIGTERM with exit code 0 and a "stopped" line, and finds everything after a restart', async () => {
    const code = await server.stop('SIGTERM');
    stdoutOfEveryRun.push(server.stdout.join(''));
    expect(code).toBe(0);
    expect(server.logLines().map((l) => l.msg)).toContain('stopped');

    server = await ServerProcess.start({ dataDir: server.dataDir, adminToken: server.adminToken });
    cli = cliFor(server);
    // Started on an existing cluster: no new first administrator.
    expect(server.stderr.join('')).not.toContain('TWOFOLD_ADMIN_TOKEN=');
    expect(await readBack()).toEqual(beforeRestart);
    expect(ok(await cli(['--json', 'status'])).json().logHead.position).toBe(headBeforeRestart);
  });

  it('never wrote a secret into the server\'s JSON log (stdout, debug level)', async () => {
    const code = await server.stop('SIGTERM');
    expect(code).toBe(0);
    stdoutOfEveryRun.push(server.stdout.join(''));
    const logs = stdoutOfEveryRun.join('\n');
    // The check means something only if the log is there, at debug level.
    const lines = logs.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: string });
    expect(lines.some((l) => l.level === 'debug')).toBe(true);
    expect(Object.keys(secrets).sort()).toEqual(['FIRST_ADMIN_SECRET', 'OPS_ADMIN_SECRET', 'PASSWORD', 'PIN', 'RADIUS_SECRET', 'SDK_SECRET', 'SEED']);
    for (const [name, value] of Object.entries(secrets)) {
      expect(value.length).toBeGreaterThanOrEqual(8);
      expect({ name, found: logs.includes(value) }).toEqual({ name, found: false });
    }
  });

  describe('offline, on the stopped data directory', () => {
    const offline = (args: string[]) => twofold(args, { env: { TWOFOLD_DATA_DIR: server.dataDir } });

    it('log verify finds the chain intact', async () => {
      const r = ok(await offline(['--json', 'log', 'verify']));
      expect(r.json()).toMatchObject({ ok: true, checked: headBeforeRestart, head: { position: headBeforeRestart } });
    });

    it('log tail and log export print the records, export as NDJSON', async () => {
      const tail = ok(await offline(['--json', 'log', 'tail', '-n', '2']));
      const tailed = tail.stdout.trim().split('\n').map((l) => JSON.parse(l));
      expect(tailed.map((e) => e.position)).toEqual([headBeforeRestart - 1, headBeforeRestart]);

      const exported = ok(await offline(['log', 'export']));
      const records = exported.stdout.trim().split('\n').map((l) => JSON.parse(l));
      expect(records.map((e) => e.position)).toEqual(Array.from({ length: headBeforeRestart }, (_, i) => i + 1));
      expect(records[0]).toEqual(expect.objectContaining({ streamId: expect.any(String), type: 'AdministratorAdded', hash: expect.stringMatching(/^[0-9a-f]{64}$/) }));
      expect(exported.stderr).toContain(`exported ${headBeforeRestart} records`);

      const fromThree = ok(await offline(['log', 'export', '--from', '3']));
      expect(JSON.parse(fromThree.stdout.split('\n')[0]).position).toBe(3);
    });

    it('replay --rebuild rebuilds the read model and reports events/s', async () => {
      const r = ok(await offline(['replay', '--rebuild']));
      expect(r.stdout).toMatch(/events applied:\s+\d+/);
      expect(r.stdout).toMatch(/rate:\s+[\d,.]+ events\/s/);
      expect(r.stderr).toContain('rebuilding');
    });

    it('log verify names the first tampered record and exits 8', async () => {
      const db = new Database(join(server.dataDir, 'twofold.sqlite'));
      const row = db.prepare(`SELECT position FROM event_log WHERE type = 'UserCreated' AND payload LIKE '%Alice Example%'`).get() as { position: number };
      db.prepare(`UPDATE event_log SET payload = replace(payload, 'Alice Example', 'Mallory') WHERE position = ?`).run(row.position);
      db.close();

      const r = await offline(['log', 'verify']);
      expect(r.code).toBe(8);
      expect(r.stderr).toMatch(new RegExp(`^twofold: log_broken: the log is broken at position ${row.position} \\(UserCreated on user-`, 'm'));
      expect(r.stdout).toMatch(new RegExp(`first broken record:\\s+position ${row.position}`));
      expect(existsSync(join(server.dataDir, 'cluster.json'))).toBe(true);
    });
  });
});
