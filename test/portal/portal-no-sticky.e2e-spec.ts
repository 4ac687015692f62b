import type { ServerProcess } from '../support/server-process';
import { startMasterAndSlave, untilCaughtUp } from '../replication/support/cluster-nodes';
import { chromiumPerSuite, shot } from './support/browser';
import { oathtool, PortalProcess } from './support/portal-process';
import { caFileOf, newSessionKey, portalCredential, tokensOf, userWithToken } from './support/portal-setup';
import { TcpBalancer } from './support/tcp-balancer';
import { eventually } from '../support/eventually';

// No sticky sessions: two portal instances behind a balancer that keeps no affinity, over a master
// and a slave. An enrolment started on one instance is finished on the other after the first is
// killed; with the master killed, sign-in goes on and a change says plainly that it cannot be made.
describe('User Portal without sticky sessions, and with the master gone', () => {
  let master: ServerProcess;
  let slave: ServerProcess;
  let a: PortalProcess;
  let b: PortalProcess;
  let balancer: TcpBalancer;
  const chrome = chromiumPerSuite();
  let seed: string;

  beforeAll(async () => {
    ({ master, slave } = await startMasterAndSlave());
    const credential = await portalCredential(master);
    ({ seed } = await userWithToken(master, 'bob', 'bobs own password'));
    await untilCaughtUp(master, slave);
    // Both instances: the same session key and credential, the master first, the slave second.
    const common = { sdkUrls: [master.url, slave.url], sdkCaFile: caFileOf(master), credential, sessionKey: newSessionKey() };
    a = await PortalProcess.start({ ...common, env: { TWOFOLD_PORTAL_INSTANCE: 'portal-a' } });
    b = await PortalProcess.start({ ...common, env: { TWOFOLD_PORTAL_INSTANCE: 'portal-b' } });
    balancer = await TcpBalancer.start([a.port, b.port]);
  });

  afterAll(async () => {
    await balancer?.stop();
    await a?.stop();
    await b?.stop();
    await slave?.stop();
    await master?.stop();
  });

  const served = (portal: PortalProcess, method: string, path: string) =>
    portal.logLines().filter((l) => l.msg === 'request' && l.method === method && l.path === path).map((l) => l.status);
  const heading = () => chrome.page.locator('h1').innerText();

  async function signIn(code: string): Promise<void> {
    await chrome.page.goto(`${balancer.url}/sign-in`);
    await chrome.page.getByLabel('User name').fill('bob');
    await chrome.page.getByLabel('Password').fill('bobs own password');
    await chrome.page.getByRole('button', { name: 'Continue' }).click();
    await chrome.page.getByLabel('Code from your authenticator app').fill(code);
    await chrome.page.getByRole('button', { name: 'Sign in' }).click();
    expect(await heading()).toBe('My account');
  }

  it('starts an enrolment on instance A, and instance B finishes it after A is killed', async () => {
    await signIn(oathtool(seed));
    await chrome.page.getByRole('link', { name: 'Set up an authenticator app' }).click();
    await chrome.page.getByLabel('Name of the app or phone').fill('tablet');
    await chrome.page.getByRole('button', { name: 'Show the code' }).click();
    const secret = (await chrome.page.locator('#secret').innerText()).replace(/\s/g, '');
    expect(served(a, 'POST', '/enrol')).toEqual([200]);
    expect(served(b, 'POST', '/enrol')).toEqual([]);

    expect(await a.stop('SIGKILL')).toBeNull();
    await chrome.page.getByLabel('Code from the app').fill(oathtool(secret));
    await chrome.page.getByRole('button', { name: 'Activate' }).click();
    expect(await chrome.page.locator('[role=status]').innerText()).toBe('Your authenticator app is active.');
    expect(served(b, 'POST', '/enrol/confirm')).toEqual([200]);
    expect((await tokensOf(master, 'bob')).map((t) => t.label).sort()).toEqual(['first phone', 'tablet']);
    await shot(chrome.page, '20-enrol-finished-on-b');
  });

  it('with the master killed, signs in through the slave and shows that changes are not possible', async () => {
    await untilCaughtUp(master, slave);
    await master.stop('SIGKILL');
    await chrome.page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(oathtool(seed, 1));
    await eventually('portal b logged the failover', async () => b.logLines().some((l) => l.msg === 'SDK node failed; trying the next' && l.sdkUrl === master.url));
    await chrome.page.getByRole('link', { name: 'Change my PIN' }).click();
    await chrome.page.getByLabel('New PIN', { exact: true }).fill('581739');
    await chrome.page.getByLabel('New PIN again').fill('581739');
    const answer = chrome.page.waitForResponse((r) => r.url().endsWith('/pin') && r.request().method() === 'POST');
    await chrome.page.getByRole('button', { name: 'Change PIN' }).click();
    expect((await answer).status()).toBe(503);
    expect(await heading()).toBe('Changes are not possible right now');
    expect(await chrome.page.locator('main').innerText()).toContain('Signing in still works');
    await shot(chrome.page, '21-changes-not-possible');
    expect((await slave.api('GET', '/admin/v1/users/bob')).body.hasPin).toBe(false);
  });
});
