import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliFor } from '../support/cli';
import { eventually } from '../support/eventually';
import { ServerProcess } from '../support/server-process';
import { hasSlapd, LDAP_SUFFIX, Slapd } from '../support/slapd';
import { createRadiusUser, hasRadclient, radclient } from '../support/radius-tools';

// The LDAP first factor with two real slapd processes holding the same people, over ldaps:// with
// a CA file (no NODE_EXTRA_CA_CERTS: the client's caFile is what makes them trusted), radclient as
// the NAS. The first server hanging (SIGSTOP) or stopped hands over to the second; both down is a
// reject that counts no failed attempt, with a log line naming the servers and never the password.
const describeIfTools = hasSlapd && hasRadclient ? describe : describe.skip;
const SECRET = 'ldap-failover-secret';
const PASSWORD = 'lena-ldap-pass';

describeIfTools('RADIUS LDAP first factor with several servers (two slapd, LDAPS)', () => {
  let primary: Slapd;
  let secondary: Slapd;
  let server: ServerProcess;
  let cli: ReturnType<typeof cliFor>;
  // lena has a TOTP token: a first factor that passes is answered with an Access-Challenge.
  const signIn = (password = PASSWORD) => radclient(server.radiusPort, SECRET, { 'User-Name': 'lena', 'User-Password': password, 'Message-Authenticator': '0x00' }, { timeoutS: 8, retries: 1 });
  const logged = (msg: string) => server.logLines().filter((l) => l.msg === msg);
  // The server's stdout can reach this process after its RADIUS answer: wait for the lines.
  const loggedAtLeast = (msg: string, count: number) => eventually(`${count} "${msg}" lines`, async () => {
    const lines = logged(msg);
    return lines.length >= count && lines;
  });

  beforeAll(async () => {
    const people = [{ uid: 'lena', password: PASSWORD }];
    const service = { cn: 'reader', uid: 'reader', password: 'reader-pass' };
    [primary, secondary] = await Promise.all([Slapd.start(people, service), Slapd.start(people, service)]);
    server = await ServerProcess.start();
    cli = cliFor(server);
    const caFile = join(server.dataDir, '..', 'ldap-ca.pem');
    writeFileSync(caFile, readFileSync(primary.caPath, 'utf8') + readFileSync(secondary.caPath, 'utf8'));
    const added = await cli(['radius-client', 'add', 'vpn', '--address', '127.0.0.1', '--secret-stdin', '--first-factor', 'ldap',
      '--ldap', JSON.stringify({ bindDnTemplate: `uid={username},ou=people,${LDAP_SUFFIX}` }),
      '--ldap-server', primary.ldapsUrl, '--ldap-server', secondary.ldapsUrl, '--ldap-timeout', '1s', '--ldap-ca-file', caFile], { input: `${SECRET}\n` });
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    await createRadiusUser(server, 'lena', { totp: true });
  });

  afterAll(async () => {
    await server?.stop();
    await primary?.cleanup();
    await secondary?.cleanup();
  });

  it('shows the servers in order, the time-out and the CA file', async () => {
    const shown = await cli(['--json', 'radius-client', 'show', 'vpn']);
    expect(shown.json().ldap).toMatchObject({ urls: [primary.ldapsUrl, secondary.ldapsUrl], timeoutMs: 1000, caFile: expect.stringMatching(/ldap-ca\.pem$/) });
  });

  it('checks the password over LDAPS against the first server', async () => {
    expect((await signIn()).code).toBe('Access-Challenge');
    expect((await signIn('wrong-password')).code).toBe('Access-Reject');
    expect(logged('LDAP server failed; trying the next one')).toEqual([]);
  });

  it('hands over to the second server when the first hangs, and again when it is stopped', async () => {
    primary.pause();
    try {
      expect((await signIn()).code).toBe('Access-Challenge');
    } finally {
      primary.resume();
    }
    const hung = await loggedAtLeast('LDAP server failed; trying the next one', 1);
    expect(hung).toEqual([expect.objectContaining({ url: primary.ldapsUrl, detail: expect.stringMatching(/timed out/) })]);
    await primary.stop();
    expect((await signIn()).code).toBe('Access-Challenge');
    // A wrong password on the server that answers is still a failure.
    expect((await signIn('wrong-password')).code).toBe('Access-Reject');
    expect((await loggedAtLeast('LDAP server failed; trying the next one', 3)).at(-1)).toMatchObject({ url: primary.ldapsUrl, detail: expect.stringMatching(/connect failed \(ECONNREFUSED\)/) });
  });

  it('with both down: a reject that says so, counts no failed attempt and locks nobody out', async () => {
    await secondary.stop();
    const before = (await server.api('GET', '/admin/v1/users/lena')).body;
    for (let i = 0; i < 6; i++) { // more than the 5 failures that lock a user out
      const answer = await signIn();
      expect(answer.code).toBe('Access-Reject');
      expect(answer.replyMessage).toMatch(/cannot be checked right now/);
    }
    const after = (await server.api('GET', '/admin/v1/users/lena')).body;
    expect(after.locked).toBe(false);
    expect(after.version).toBe(before.version); // no AuthenticationFailed written
    const unavailable = await loggedAtLeast('first factor unavailable', 6);
    expect(unavailable[0].detail).toMatch(/^all 2 LDAP servers failed: ldaps:\/\/127\.0\.0\.1:\d+ ldap connect failed \(ECONNREFUSED\); ldaps:\/\/127\.0\.0\.1:\d+ ldap connect failed \(ECONNREFUSED\)$/);
    expect(server.stdout.join('')).not.toContain(PASSWORD);
  });

  it('refuses bad LDAP settings with a clear error and keeps the working ones', async () => {
    const bad = await cli(['radius-client', 'update', 'vpn', '--ldap-server', 'http://dc1.example.org']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/ldap\.urls\.0.*must be an ldap:\/\/ or ldaps:\/\/ URL/);
    const startTls = await cli(['radius-client', 'update', 'vpn', '--ldap', JSON.stringify({ urls: [primary.ldapsUrl], startTls: true, bindDnTemplate: 'uid={username}' })]);
    expect(startTls.code).toBe(3);
    expect(startTls.stderr).toMatch(/startTls is for ldap:\/\/ URLs/);
    const timeout = await cli(['radius-client', 'update', 'vpn', '--ldap-timeout', 'soon']);
    expect(timeout.code).toBe(2);
    expect(timeout.stderr).toMatch(/--ldap-timeout must be a duration/);
    const tooShort = await cli(['radius-client', 'update', 'vpn', '--ldap-timeout', '0s']);
    expect(tooShort.code).toBe(3);
    expect(tooShort.stderr).toMatch(/timeoutMs.*at least 100/);
    const noCa = await cli(['radius-client', 'update', 'vpn', '--ldap-ca-file', '/nonexistent/ldap-ca.pem']);
    expect(noCa.code).toBe(3);
    expect(noCa.stderr).toMatch(/ldap\.caFile: \/nonexistent\/ldap-ca\.pem cannot be read \(ENOENT\) on this node/);
    expect((await cli(['--json', 'radius-client', 'show', 'vpn'])).json().ldap.urls).toEqual([primary.ldapsUrl, secondary.ldapsUrl]);
    // Only the server list changes; the template and the CA file stay.
    const moved = await cli(['--json', 'radius-client', 'update', 'vpn', '--ldap-server', secondary.ldapsUrl]);
    expect(moved.code).toBe(0);
    expect(moved.json().ldap).toMatchObject({ urls: [secondary.ldapsUrl], timeoutMs: 1000, bindDnTemplate: `uid={username},ou=people,${LDAP_SUFFIX}` });
  });
});
