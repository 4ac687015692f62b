import { cliFor } from '../support/cli';
import { ServerProcess } from '../support/server-process';
import { hasSlapd, LDAP_SUFFIX, Slapd } from '../support/slapd';

// A sync run interrupted by a crash of the master (SIGKILL while it creates users) is never left
// half-applied in silence: after the restart the run shows as running, the next run records it as
// failed ("interrupted") and makes the remaining changes, so every user of the directory exists.
const describeIfSlapd = hasSlapd ? describe : describe.skip;
const PEOPLE = 400;
const SERVICE = { uid: 'svc-sync', cn: 'svc-sync', password: 'svc-sync-password' };

describeIfSlapd('directory sync interrupted by a crash', () => {
  let slapd: Slapd;
  let server: ServerProcess;

  beforeAll(async () => {
    const people = Array.from({ length: PEOPLE }, (_, i) => ({ uid: `c${String(i + 1).padStart(3, '0')}`, password: 'x-password' }));
    slapd = await Slapd.start(people, SERVICE);
    server = await ServerProcess.start();
    const added = await cliFor(server)(['directory', 'add', 'corp', '--server', slapd.ldapUrl, '--bind-dn', `cn=${SERVICE.cn},${LDAP_SUFFIX}`, '--bind-password-stdin',
      '--base-dn', `ou=people,${LDAP_SUFFIX}`, '--filter', '(objectClass=inetOrgPerson)', '--interval', '0'], { input: `${SERVICE.password}\n` });
    expect(added.code).toBe(0);
  });

  afterAll(async () => {
    await server?.stop();
    await slapd?.cleanup();
  });

  it('is recorded as failed by the next run, which completes the changes', async () => {
    const running = cliFor(server)(['directory', 'sync', 'corp']);
    // Kill the master as soon as the run has created some users (it cannot have finished: the
    // check stops at the first answer with at least one user and fewer than all).
    let total = 0;
    for (;;) {
      total = (await server.api('GET', '/admin/v1/users?limit=1')).body.total;
      if (total > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await server.stop('SIGKILL');
    await running.catch(() => undefined);
    expect(total).toBeLessThan(PEOPLE);

    server = await ServerProcess.start({ dataDir: server.dataDir, adminToken: server.adminToken });
    const cli = cliFor(server);
    const afterCrash = (await server.api('GET', '/admin/v1/users?limit=1')).body.total as number;
    expect(afterCrash).toBeLessThan(PEOPLE);
    expect((await cli(['directory', 'show', 'corp'])).stdout).toMatch(/corp\.1\s+running/);

    const resumed = await cli(['directory', 'sync', 'corp']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`run corp\\.2 completed .*: ${PEOPLE} entries: ${PEOPLE - afterCrash} created`));
    const shown = (await cli(['directory', 'show', 'corp'])).stdout;
    expect(shown).toMatch(/corp\.1\s+failed .*\n\s+interrupted: the master stopped before the run completed/);
    expect(shown).toMatch(new RegExp(`managed users:\\s+${PEOPLE}`));
    expect((await server.api('GET', '/admin/v1/users?limit=1')).body.total).toBe(PEOPLE);
  });
});
