import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Attribute, Change, Client } from 'ldapts';
import { cliFor, logHead, serverEnv, twofold } from '../support/cli';
import { ServerProcess } from '../support/server-process';
import { hasSlapd, LDAP_SUFFIX, Slapd } from '../support/slapd';

// Directory sync against two real slapd processes holding the same directory (a primary and a
// fail-over replica), over StartTLS with one CA file for both: 300 people, 250 of them in the
// group the source syncs. Initial sync, an attribute change, a removal from the group, a change
// that would disable 60 % held by the threshold and approved, fail-over, and a dry run.
const describeIfSlapd = hasSlapd ? describe : describe.skip;
const PEOPLE = 300;
const IN_GROUP = 250;
const SERVICE = { uid: 'svc-sync', cn: 'svc-sync', password: 'svc-sync-password' };
const GROUP_DN = `cn=mfa-users,ou=groups,${LDAP_SUFFIX}`;
const uid = (i: number) => `p${String(i).padStart(3, '0')}`;
const dnOf = (i: number) => `uid=${uid(i)},ou=people,${LDAP_SUFFIX}`;

function ldif(): string[] {
  const people = Array.from({ length: PEOPLE }, (_, k) => k + 1).map((i) => [
    `dn: ${dnOf(i)}`, 'objectClass: inetOrgPerson', `uid: ${uid(i)}`, `cn: ${uid(i)}`, `sn: ${uid(i)}`,
    `displayName: Person ${i}`, `mail: ${uid(i)}@example.org`, `mobile: +49 151 0000 ${String(i).padStart(4, '0')}`,
  ].join('\n'));
  const members = Array.from({ length: IN_GROUP }, (_, k) => `member: ${dnOf(k + 1)}`);
  return [...people, `dn: ou=groups,${LDAP_SUFFIX}\nobjectClass: organizationalUnit\nou: groups`, [`dn: ${GROUP_DN}`, 'objectClass: groupOfNames', 'cn: mfa-users', ...members].join('\n')];
}

describeIfSlapd('directory sync from LDAP', () => {
  let primary: Slapd;
  let replica: Slapd;
  let server: ServerProcess;
  let cli: ReturnType<typeof cliFor>;

  // The same change on both servers (they hold the same directory).
  async function modify(dn: string, changes: Change[]) {
    for (const s of [primary, replica]) {
      if (s === primary && stoppedPrimary) continue;
      const client = new Client({ url: s.ldapUrl });
      try {
        await client.bind(`cn=admin,${LDAP_SUFFIX}`, 'admin-not-used');
        await client.modify(dn, changes);
      } finally {
        await client.unbind();
      }
    }
  }
  let stoppedPrimary = false;
  const user = async (name: string) => (await server.api('GET', `/admin/v1/users/${name}`)).body;

  beforeAll(async () => {
    [primary, replica] = await Promise.all([Slapd.start([], SERVICE, ldif()), Slapd.start([], SERVICE, ldif())]);
    server = await ServerProcess.start();
    cli = cliFor(server);
    const caFile = join(server.dataDir, '..', 'directory-ca.pem');
    writeFileSync(caFile, readFileSync(primary.caPath, 'utf8') + readFileSync(replica.caPath, 'utf8'));
    const added = await cli(['directory', 'add', 'corp', '--server', primary.ldapUrl, '--server', replica.ldapUrl, '--start-tls', '--ca-file', caFile,
      '--bind-dn', `cn=${SERVICE.cn},${LDAP_SUFFIX}`, '--bind-password-stdin', '--base-dn', `ou=people,${LDAP_SUFFIX}`, '--filter', '(objectClass=inetOrgPerson)',
      '--group-dn', GROUP_DN, '--map', 'username=uid,displayName=displayName,email=mail,phones=mobile', '--interval', '0'], { input: `${SERVICE.password}\n` });
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).not.toContain(SERVICE.password);
  });

  afterAll(async () => {
    await server?.stop();
    await primary?.cleanup();
    await replica?.cleanup();
  });

  it('--dry-run prints the changes and writes nothing', async () => {
    const head = await logHead(server);
    const dry = await cli(['directory', 'sync', 'corp', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^create\s+p001$/m);
    expect(dry.stdout).toMatch(/dry run \(nothing written\) from ldap:\/\/.*: 250 entries: 250 created, 0 updated/);
    expect(dry.stdout).not.toMatch(/p251/);
    expect(await logHead(server)).toBe(head);
    expect((await server.api('GET', '/admin/v1/users/p001')).status).toBe(404);
  });

  it('the initial sync creates the group\'s users with their mapped attributes, as directory:corp', async () => {
    const synced = await cli(['directory', 'sync', 'corp']);
    expect(synced.code).toBe(0);
    expect(synced.stdout).toMatch(/run corp\.1 completed from ldap:\/\/127\.0\.0\.1:\d+: 250 entries: 250 created/);
    expect(await user('p007')).toMatchObject({ displayName: 'Person 7', email: 'p007@example.org', phones: [{ label: 'mobile', number: '+4915100000007' }], enabled: true });
    expect((await server.api('GET', '/admin/v1/users/p251')).status).toBe(404);
    const audit = await twofold(['--json', 'audit', 'user', 'p007'], { env: serverEnv(server) });
    expect(audit.json()[0].changes[0]).toMatchObject({ type: 'UserCreated', actor: 'directory:corp' });
    const again = await cli(['directory', 'sync', 'corp']);
    expect(again.stdout).toMatch(/250 entries: 0 created, 0 updated, 0 enabled, 0 disabled, 0 deleted, 250 unchanged/);
  });

  it('an attribute change updates the user; an administrator\'s edit of an unmapped field is kept', async () => {
    expect((await cli(['user', 'update', 'p002', '--language', 'de'])).code).toBe(0);
    await modify(dnOf(2), [new Change({ operation: 'replace', modification: new Attribute({ type: 'displayName', values: ['Person Two (Sales)'] }) })]);
    const synced = await cli(['directory', 'sync', 'corp']);
    expect(synced.stdout).toMatch(/0 created, 1 updated/);
    expect(await user('p002')).toMatchObject({ displayName: 'Person Two (Sales)', language: 'de' });
  });

  it('a user removed from the group is disabled', async () => {
    await modify(GROUP_DN, [new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [dnOf(3)] }) })]);
    const synced = await cli(['directory', 'sync', 'corp']);
    expect(synced.stdout).toMatch(/249 entries: .* 1 disabled/);
    expect(await user('p003')).toMatchObject({ enabled: false });
  });

  it('a run that would disable 60 % is held before writing; show says why; approve lets it through', async () => {
    const leaving = Array.from({ length: 150 }, (_, k) => dnOf(k + 4));
    await modify(GROUP_DN, [new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: leaving }) })]);
    const head = await logHead(server);
    const held = await cli(['directory', 'sync', 'corp']);
    expect(held.code).toBe(5);
    expect(held.stdout).toMatch(/run corp\.(\d+) held .*150 disabled/);
    const runId = /run (corp\.\d+) held/.exec(held.stdout)![1];
    expect(await user('p004')).toMatchObject({ enabled: true });
    // Only the run records were written, no user change.
    expect(await logHead(server)).toBe(head + 2);
    const shown = await cli(['directory', 'show', 'corp']);
    expect(shown.stdout).toMatch(new RegExp(`${runId.replace('.', '\\.')}\\s+held .*\\n\\s+would disable 150 of 249 users .* \\(60 %\\), more than the threshold of 10 %`));
    const approved = await cli(['directory', 'approve', runId]);
    expect(approved.code).toBe(0);
    expect(approved.stdout).toMatch(new RegExp(`run ${runId.replace('.', '\\.')} completed .* 150 disabled`));
    expect(await user('p004')).toMatchObject({ enabled: false });
    expect(await user('p200')).toMatchObject({ enabled: true });
    expect((await cli(['directory', 'show', 'corp'])).stdout).toMatch(/approved by admin:/);
  });

  it('fails over to the second URL when the first server is stopped', async () => {
    await primary.stop();
    stoppedPrimary = true;
    await modify(dnOf(200), [new Change({ operation: 'replace', modification: new Attribute({ type: 'mail', values: ['person.200@example.org'] }) })]);
    const synced = await cli(['directory', 'sync', 'corp']);
    expect(synced.code).toBe(0);
    expect(synced.stdout).toMatch(new RegExp(`completed from ${replica.ldapUrl.replace(/[/.]/g, '\\$&')}: 99 entries: 0 created, 1 updated`));
    expect(await user('p200')).toMatchObject({ email: 'person.200@example.org' });
  });

  it('never logs the bind password', () => {
    expect(server.stdout.join('')).not.toContain(SERVICE.password);
  });
});
