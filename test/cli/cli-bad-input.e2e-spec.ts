import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerProcess } from '../support/server-process';
import { cliFor, logHead } from '../support/cli';

// Every command with bad input: the documented exit code, one `twofold: <code>: <detail>` line on
// stderr, nothing on stdout, and the server's log head where it was.
interface Case { args: string[]; exit: number; code: string; input?: string; env?: Record<string, string | undefined>; detail?: RegExp }

const tmp = mkdtempSync(join(tmpdir(), 'twofold-cli-'));
const unknownColumn = join(tmp, 'unknown-column.csv');
writeFileSync(unknownColumn, 'username,mail\nzed,zed@example.org\n');
const brokenQuotes = join(tmp, 'broken.csv');
writeFileSync(brokenQuotes, 'username,displayName\nzed,"Zed\n');

const CASES: Case[] = [
  // usage (2): the command line itself is wrong
  { args: ['frobnicate'], exit: 2, code: 'usage', detail: /unknown command 'frobnicate'/ },
  { args: ['user', 'add'], exit: 2, code: 'usage', detail: /missing required argument 'username'/ },
  { args: ['user', 'list', '--colour'], exit: 2, code: 'usage', detail: /unknown option '--colour'/ },
  { args: ['user', 'list', '--limit', '0'], exit: 2, code: 'usage', detail: /--limit must be a whole number from 1 to 500/ },
  { args: ['user', 'list', '--limit', 'ten'], exit: 2, code: 'usage' },
  { args: ['user', 'update', 'alice'], exit: 2, code: 'usage', detail: /nothing to change/ },
  { args: ['user', 'update', 'alice', '--phone', '+4915112345678', '--clear-phones'], exit: 2, code: 'usage' },
  { args: ['user', 'update', 'alice', '--display-name', 'x', '--if-match', 'latest'], exit: 2, code: 'usage' },
  { args: ['user', 'set-pin', 'alice'], exit: 2, code: 'usage', detail: /use --pin-stdin/ },
  { args: ['user', 'set-pin', 'alice', '--pin-stdin'], input: '', exit: 2, code: 'usage', detail: /standard input held no PIN/ },
  { args: ['user', 'set-pin', 'alice', '--pin-stdin', '--pin', '48291375'], input: '48291375\n', exit: 2, code: 'usage' },
  { args: ['user', 'set-password', 'alice'], exit: 2, code: 'usage' },
  { args: ['user', 'import'], exit: 2, code: 'usage' },
  { args: ['user', 'import', join(tmp, 'missing.csv')], exit: 2, code: 'file_unreadable' },
  { args: ['token', 'assign', 'alice', '--qr-file', join(tmp, 'qr.gif')], exit: 2, code: 'usage', detail: /\.png or \.svg/ },
  { args: ['token', 'remove', 'alice'], exit: 2, code: 'usage' },
  { args: ['settings', 'set'], exit: 2, code: 'usage' },
  { args: ['settings', 'set', 'lockout'], exit: 2, code: 'usage', detail: /key=value/ },
  { args: ['settings', 'set', 'pin.minLength=6', 'pin=7'], exit: 2, code: 'usage', detail: /clashes/ },
  { args: ['radius-client', 'add', 'nas', '--secret-stdin'], input: 'radius shared secret\n', exit: 2, code: 'usage', detail: /--address/ },
  { args: ['radius-client', 'add', 'nas', '--address', '10.0.0.1', '--secret-stdin', '--ldap', '{'], input: 'radius shared secret\n', exit: 2, code: 'usage', detail: /--ldap must be a JSON object/ },
  { args: ['radius-client', 'add', 'nas', '--address', '10.0.0.1', '--secret-stdin', '--message-authenticator', 'sometimes'], input: 'radius shared secret\n', exit: 2, code: 'usage' },
  { args: ['radius-client', 'update', 'vpn'], exit: 2, code: 'usage', detail: /nothing to change/ },
  { args: ['sdk-credential', 'issue', 'app'], exit: 2, code: 'usage', detail: /--scope/ },
  { args: ['admin', 'add'], exit: 2, code: 'usage' },
  { args: ['status'], env: { TWOFOLD_URL: 'http://127.0.0.1:8443' }, exit: 2, code: 'usage', detail: /https:\/\// },
  { args: ['status'], env: { TWOFOLD_URL: 'not a url' }, exit: 2, code: 'usage' },
  { args: ['--ca', join(tmp, 'no-ca.pem'), 'status'], exit: 2, code: 'usage', detail: /cannot read the CA file/ },

  // validation (3): the server (or the CSV reader) refuses the content
  { args: ['user', 'add', 'Bad User!'], exit: 3, code: 'validation_failed', detail: /username: must be/ },
  { args: ['user', 'add', 'carol', '--email', 'carol-at-example'], exit: 3, code: 'validation_failed', detail: /e-mail/ },
  { args: ['user', 'add', 'carol', '--phone', '12'], exit: 3, code: 'validation_failed' },
  { args: ['user', 'add', 'carol', '--preferred-method', 'pigeon'], exit: 3, code: 'validation_failed' },
  { args: ['user', 'update', 'alice', '--language', 'klingon-federation'], exit: 3, code: 'validation_failed' },
  { args: ['user', 'set-pin', 'alice', '--pin-stdin'], input: '48\n', exit: 3, code: 'pin_too_short' },
  { args: ['user', 'set-pin', 'alice', '--pin-stdin'], input: '123456\n', exit: 3, code: 'pin_trivial' },
  { args: ['user', 'set-password', 'alice', '--password-stdin'], input: 'short\n', exit: 3, code: 'password_too_short' },
  { args: ['token', 'assign', 'alice', '--digits', '7'], exit: 3, code: 'validation_failed', detail: /6 or 8/ },
  { args: ['token', 'assign', 'alice', '--kind', 'sms'], exit: 3, code: 'validation_failed' },
  { args: ['token', 'assign', 'alice', '--seed-stdin'], input: 'not base32!\n', exit: 3, code: 'invalid_seed' },
  { args: ['settings', 'set', 'lockout.failuresBeforeLockout=many'], exit: 3, code: 'invalid_setting', detail: /failuresBeforeLockout/ },
  { args: ['settings', 'set', 'colour=blue'], exit: 3, code: 'invalid_setting' },
  { args: ['radius-client', 'add', 'nas', '--address', '10.0.0.300', '--secret-stdin'], input: 'radius shared secret\n', exit: 3, code: 'invalid_address' },
  { args: ['radius-client', 'add', 'nas', '--address', '10.0.0.1', '--secret-stdin'], input: 'short\n', exit: 3, code: 'validation_failed', detail: /secret/ },
  { args: ['radius-client', 'add', 'nas', '--address', '10.0.0.1', '--first-factor', 'ldap', '--secret-stdin'], input: 'radius shared secret\n', exit: 3, code: 'validation_failed', detail: /ldap/ },
  { args: ['sdk-credential', 'issue', 'app', '--scope', 'root'], exit: 3, code: 'validation_failed' },
  { args: ['user', 'import', unknownColumn], exit: 3, code: 'invalid_csv', detail: /line 1: unknown column "mail"/ },
  { args: ['user', 'import', brokenQuotes, '--dry-run'], exit: 3, code: 'invalid_csv', detail: /line 2: a quoted field is not closed/ },

  // not found (4)
  { args: ['user', 'show', 'nobody'], exit: 4, code: 'unknown_user', detail: /nobody/ },
  { args: ['user', 'update', 'nobody', '--display-name', 'x'], exit: 4, code: 'unknown_user' },
  { args: ['user', 'delete', 'nobody'], exit: 4, code: 'unknown_user' },
  { args: ['user', 'set-pin', 'nobody', '--pin-stdin'], input: '48291375\n', exit: 4, code: 'unknown_user' },
  { args: ['user', 'clear-pin', 'nobody'], exit: 4, code: 'unknown_user' },
  { args: ['user', 'set-password', 'nobody', '--password-stdin'], input: 'long enough password\n', exit: 4, code: 'unknown_user' },
  ...['enable', 'disable', 'unlock', 'block', 'unblock'].map((a): Case => ({ args: ['user', a, 'nobody'], exit: 4, code: 'unknown_user' })),
  { args: ['token', 'assign', 'nobody'], exit: 4, code: 'unknown_user' },
  { args: ['token', 'list', 'nobody'], exit: 4, code: 'unknown_user' },
  { args: ['token', 'remove', 'alice', 'no-such-token'], exit: 4, code: 'unknown_token' },
  { args: ['radius-client', 'show', 'nope'], exit: 4, code: 'unknown_radius_client' },
  { args: ['radius-client', 'update', 'nope', '--name', 'x'], exit: 4, code: 'unknown_radius_client' },
  { args: ['radius-client', 'remove', 'nope'], exit: 4, code: 'unknown_radius_client' },
  { args: ['sdk-credential', 'revoke', 'nope'], exit: 4, code: 'unknown_sdk_credential' },
  { args: ['admin', 'remove', 'nope'], exit: 4, code: 'unknown_administrator' },

  // conflict (5)
  { args: ['user', 'add', 'alice'], exit: 5, code: 'duplicate_username' },
  { args: ['user', 'update', 'alice', '--display-name', 'x', '--if-match', '99'], exit: 5, code: 'version_conflict' },
  { args: ['user', 'delete', 'alice', '--if-match', '99'], exit: 5, code: 'version_conflict' },
  { args: ['settings', 'set', 'lockout.failuresBeforeLockout=3', '--if-match', '99'], exit: 5, code: 'version_conflict' },
  { args: ['radius-client', 'add', 'vpn', '--address', '10.9.9.9', '--secret-stdin'], input: 'radius shared secret\n', exit: 5, code: 'duplicate_radius_client' },
  { args: ['radius-client', 'update', 'vpn', '--name', 'vpn2', '--if-match', '99'], exit: 5, code: 'version_conflict' },
  { args: ['sdk-credential', 'issue', 'adfs', '--scope', 'authenticate'], exit: 5, code: 'duplicate_sdk_credential' },
  { args: ['admin', 'add', 'admin'], exit: 5, code: 'duplicate_administrator' },
  { args: ['admin', 'remove', 'admin'], exit: 5, code: 'last_administrator' },

  // unauthenticated (6)
  { args: ['status'], env: { TWOFOLD_ADMIN_TOKEN: undefined }, exit: 6, code: 'unauthenticated', detail: /TWOFOLD_ADMIN_TOKEN/ },
  { args: ['user', 'add', 'carol'], env: { TWOFOLD_ADMIN_TOKEN: '00000000-0000-4000-8000-000000000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, exit: 6, code: 'unauthenticated' },
  { args: ['--token', 'garbage', 'admin', 'add', 'mallory'], exit: 6, code: 'unauthenticated' },

  // unreachable (7)
  { args: ['status'], env: { TWOFOLD_URL: 'https://127.0.0.1:1' }, exit: 7, code: 'server_unreachable', detail: /ECONNREFUSED/ },
];

describe('twofold CLI: bad input at every command', () => {
  let server: ServerProcess;
  let cli: ReturnType<typeof cliFor>;
  let before: unknown;
  const snapshot = async () => ({
    alice: (await server.api('GET', '/admin/v1/users/alice')).body,
    users: (await server.api('GET', '/admin/v1/users')).body.total,
    settings: (await server.api('GET', '/admin/v1/settings')).body,
    vpn: (await server.api('GET', '/admin/v1/radius-clients/vpn')).body,
    admins: (await server.api('GET', '/admin/v1/administrators')).body,
  });

  beforeAll(async () => {
    server = await ServerProcess.start();
    cli = cliFor(server);
    const setup = [
      await server.api('POST', '/admin/v1/users', { username: 'alice' }),
      await server.api('POST', '/admin/v1/radius-clients', { name: 'vpn', address: '10.1.0.0/16', secret: 'radius shared secret' }),
      await server.api('POST', '/admin/v1/sdk-credentials', { name: 'adfs', scopes: ['authenticate'] }),
    ];
    expect(setup.map((r) => r.status)).toEqual([201, 201, 201]);
    before = await snapshot();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it.each(CASES.map((c) => [`${c.args.join(' ')} -> ${c.exit} ${c.code}`, c] as const))('%s', async (_name, c) => {
    const head = await logHead(server);
    const r = await cli(c.args, { input: c.input, env: c.env });
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('twofold: '));
    expect({ exit: r.code, line: lines[0]?.split(': ')[1] }).toEqual({ exit: c.exit, line: c.code });
    expect(lines).toHaveLength(1);
    if (c.detail) expect(lines[0]).toMatch(c.detail);
    expect(r.stdout).toBe('');
    expect(await logHead(server)).toBe(head);
  });

  it('left every resource as it was', async () => {
    expect(await snapshot()).toEqual(before);
  });

  it('prints help for the program and every subcommand, with exit 0', async () => {
    const top = await cli(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('Exit codes:');
    for (const group of ['user', 'token', 'settings', 'radius-client', 'sdk-credential', 'admin', 'log']) {
      const help = await cli([group, '--help']);
      expect({ group, code: help.code }).toEqual({ group, code: 0 });
      const subcommands = [...help.stdout.matchAll(/^ {2}([a-z-]+)(?: \[options\])?(?: <[^>]+>)*\s{2,}/gm)].map((m) => m[1]).filter((s) => s !== 'help');
      expect(subcommands.length).toBeGreaterThan(0);
      for (const sub of subcommands) {
        const subHelp = await cli([group, sub, '--help']);
        expect({ cmd: `${group} ${sub}`, code: subHelp.code, usage: subHelp.stdout.startsWith(`Usage: twofold ${group} ${sub}`) }).toEqual({ cmd: `${group} ${sub}`, code: 0, usage: true });
      }
    }
  });
});
