import { Attribute, Change, Client } from 'ldapts';
import { cliFor } from '../support/cli';
import { ServerProcess } from '../support/server-process';
import { hasSlapd, LDAP_SUFFIX, Slapd } from '../support/slapd';

// A real slapd over ldaps:// (its CA given with --ca-file): nested groups resolved by walking
// member attributes (slapd is not AD, so --nested-groups auto walks; AD's in-chain filter is
// checked in libs/directory/src/nested-groups.spec.ts), a cycle between groups, and a source
// updated and removed (its users stay).
const describeIfSlapd = hasSlapd ? describe : describe.skip;
const SERVICE = { uid: 'svc-sync', cn: 'svc-sync', password: 'svc-sync-password' };
const people = ['ann', 'ben', 'cat', 'dan', 'eve'].map((uid) => ({ uid, password: `${uid}-pw` }));
const dn = (uid: string) => `uid=${uid},ou=people,${LDAP_SUFFIX}`;
const group = (cn: string) => `cn=${cn},ou=groups,${LDAP_SUFFIX}`;
const groupLdif = (cn: string, members: string[]) => [`dn: ${group(cn)}`, 'objectClass: groupOfNames', `cn: ${cn}`, ...members.map((m) => `member: ${m}`)].join('\n');

describeIfSlapd('directory sync: nested groups over LDAPS, update and remove', () => {
  let slapd: Slapd;
  let server: ServerProcess;
  let cli: ReturnType<typeof cliFor>;
  const exists = async (name: string) => (await server.api('GET', `/admin/v1/users/${name}`)).status === 200;

  beforeAll(async () => {
    // vpn: ann and the group team-a; team-a: ben and team-b; team-b: cat and vpn again (a cycle).
    // eve is only in "other"; dan in no group.
    slapd = await Slapd.start(people, SERVICE, [
      `dn: ou=groups,${LDAP_SUFFIX}\nobjectClass: organizationalUnit\nou: groups`,
      groupLdif('vpn', [dn('ann'), group('team-a')]),
      groupLdif('team-a', [dn('ben'), group('team-b')]),
      groupLdif('team-b', [dn('cat'), group('vpn')]),
      groupLdif('other', [dn('eve')]),
    ]);
    server = await ServerProcess.start();
    cli = cliFor(server);
    const added = await cli(['directory', 'add', 'corp', '--server', slapd.ldapsUrl, '--ca-file', slapd.caPath,
      '--bind-dn', `cn=${SERVICE.cn},${LDAP_SUFFIX}`, '--bind-password-stdin', '--base-dn', `ou=people,${LDAP_SUFFIX}`, '--filter', '(objectClass=inetOrgPerson)',
      '--group-dn', group('vpn'), '--nested-groups', '--interval', '0', '--threshold', '100'], { input: `${SERVICE.password}\n` });
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/nestedGroups:\s+auto/);
  });

  afterAll(async () => {
    await server?.stop();
    await slapd?.cleanup();
  });

  it('syncs over ldaps:// with the CA file, taking members of nested groups and ending a cycle', async () => {
    const run = await cli(['directory', 'sync', 'corp']);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(new RegExp(`run corp\\.1 completed from ${slapd.ldapsUrl.replace(/\//g, '\\/')}: 3 entries: 3 created`));
    expect(await Promise.all(['ann', 'ben', 'cat', 'dan', 'eve'].map(exists))).toEqual([true, true, true, false, false]);
  });

  it('a member added to the innermost group is synced; without nested groups only direct members would be', async () => {
    const client = new Client({ url: slapd.ldapUrl });
    try {
      await client.bind(`cn=admin,${LDAP_SUFFIX}`, 'admin-not-used');
      await client.modify(group('team-b'), [new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [dn('dan')] }) })]);
    } finally {
      await client.unbind();
    }
    expect((await cli(['directory', 'sync', 'corp'])).stdout).toMatch(/completed .*1 created/);
    expect(await exists('dan')).toBe(true);
    const off = await cli(['directory', 'update', 'corp', '--nested-groups', 'off']);
    expect(off.code).toBe(0);
    expect(off.stdout).toMatch(/nestedGroups:\s+off/);
    const dry = await cli(['directory', 'sync', 'corp', '--dry-run']);
    expect(dry.stdout).toMatch(/^disable\s+ben$/m);
    expect(dry.stdout).toMatch(/^disable\s+cat$/m);
    expect(dry.stdout).toMatch(/^disable\s+dan$/m);
    expect(dry.stdout).not.toMatch(/ann/);
    expect((await cli(['directory', 'update', 'corp', '--nested-groups', 'walk'])).code).toBe(0);
  });

  it('in-chain (AD only) against slapd fails the run with what to do instead, and changes no user', async () => {
    expect((await cli(['directory', 'update', 'corp', '--nested-groups', 'in-chain'])).code).toBe(0);
    const run = await cli(['directory', 'sync', 'corp']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/run corp\.\d+ failed/);
    expect(run.stdout).toMatch(/not Active Directory .*use --nested-groups walk/);
    expect((await server.api('GET', '/admin/v1/users/ben')).body.enabled).toBe(true);
    expect((await cli(['directory', 'update', 'corp', '--nested-groups', 'walk'])).code).toBe(0);
  });

  it('update refuses bad values with a clear error and changes nothing', async () => {
    const bad = await cli(['directory', 'update', 'corp', '--nested-groups', 'deep']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/nestedGroups.*off, auto, in-chain or walk/);
    const tls = await cli(['directory', 'update', 'corp', '--start-tls']);
    expect(tls.code).toBe(3);
    expect(tls.stderr).toMatch(/startTls is for ldap:\/\/ URLs/);
    expect((await cli(['directory', 'update', 'corp'])).code).toBe(2);
    expect((await cli(['directory', 'update', 'nope', '--filter', '(uid=*)'])).code).toBe(4);
    const shown = await cli(['--json', 'directory', 'show', 'corp']);
    expect(shown.json().source).toMatchObject({ nestedGroups: 'walk', startTls: false, urls: [slapd.ldapsUrl] });
  });

  it('remove: the source is gone, its users stay as they are and are no longer synced', async () => {
    const removed = await cli(['directory', 'remove', 'corp']);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toMatch(/removed directory source corp; its 4 user\(s\) stay and are no longer synced/);
    expect((await cli(['--json', 'directory', 'list'])).json()).toEqual([]);
    expect((await cli(['directory', 'sync', 'corp'])).code).toBe(4);
    expect((await cli(['directory', 'remove', 'corp'])).code).toBe(4);
    const ann = await server.api('GET', '/admin/v1/users/ann');
    expect(ann.body).toMatchObject({ username: 'ann', enabled: true });
    const audit = await cli(['--json', 'audit', 'user', 'ann']);
    expect(audit.code).toBe(0);
  });
});
