import { cliFor } from '../support/cli';
import type { ServerProcess } from '../support/server-process';
import { startMasterAndSlave, untilCaughtUp } from '../replication/support/cluster-nodes';
import { chromiumPerSuite, shot } from './support/browser';
import { oathtool, PortalProcess } from './support/portal-process';
import { caFileOf, logPosition, newSessionKey, portalCredential, tokensOf } from './support/portal-setup';

// First enrolment without a second factor: `twofold user invite dora` gives a one-time code; dora
// signs in with it and her password through a portal that talks to the slave only (the use is
// recorded on the master), enrols, and the code works nowhere again.
describe('User Portal: invitation-based first enrolment', () => {
  let master: ServerProcess;
  let slave: ServerProcess;
  let onSlave: PortalProcess;
  let onMaster: PortalProcess;
  const chrome = chromiumPerSuite();

  beforeAll(async () => {
    ({ master, slave } = await startMasterAndSlave());
    const credential = await portalCredential(master);
    expect((await master.api('POST', '/admin/v1/users', { username: 'dora', displayName: 'Dora', preferredMethod: 'totp' })).status).toBe(201);
    expect((await master.api('PUT', '/admin/v1/users/dora/password', { password: 'doras first password' })).status).toBe(200);
    await untilCaughtUp(master, slave);
    const common = { sdkCaFile: caFileOf(master), credential, sessionKey: newSessionKey() };
    onSlave = await PortalProcess.start({ ...common, sdkUrls: [slave.url] });
    onMaster = await PortalProcess.start({ ...common, sdkUrls: [master.url] });
  });

  afterAll(async () => {
    await onSlave?.stop();
    await onMaster?.stop();
    await slave?.stop();
    await master?.stop();
  });

  async function redeem(base: string, code: string): Promise<void> {
    await chrome.page.goto(`${base}/sign-in`);
    await chrome.page.getByRole('link', { name: 'I have an invitation code' }).click();
    await chrome.page.getByLabel('User name').fill('dora');
    await chrome.page.getByLabel('Password').fill('doras first password');
    await chrome.page.getByLabel('Invitation code').fill(code);
    await chrome.page.getByRole('button', { name: 'Continue' }).click();
  }

  it('issues a code with the CLI; refuses a wrong one; enrols once through the slave; refuses the code again on the master', async () => {
    const invited = await cliFor(master)(['--json', 'user', 'invite', 'dora', '--valid-hours', '2']);
    expect(invited.code).toBe(0);
    const { code, expiresAt } = invited.json<{ code: string; expiresAt: string }>();
    expect(code).toMatch(/^[A-Z2-7]{8}-[A-Z2-7]{16}$/);
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(60 * 60_000);
    await redeem(onSlave.url, `${code.slice(0, 9)}${code[9] === 'A' ? 'B' : 'A'}${code.slice(10)}`);
    expect(await chrome.page.locator('[role=alert]').innerText()).toBe('The user name, password or invitation code is wrong, or the code has expired.');
    await shot(chrome.page, '30-invitation-refused');

    await redeem(onSlave.url, code.toLowerCase());
    expect(await chrome.page.locator('h1').innerText()).toBe('Set up an authenticator app');
    await chrome.page.getByLabel('Name of the app or phone').fill('first phone');
    await chrome.page.getByRole('button', { name: 'Show the code' }).click();
    const secret = (await chrome.page.locator('#secret').innerText()).replace(/\s/g, '');
    await chrome.page.getByLabel('Code from the app').fill(oathtool(secret));
    await chrome.page.getByRole('button', { name: 'Activate' }).click();
    expect(await chrome.page.locator('[role=status]').innerText()).toBe('Your authenticator app is active.');
    expect((await tokensOf(master, 'dora')).map((t) => t.label)).toEqual(['first phone']);
    await shot(chrome.page, '31-invitation-enrolled');

    // The code is spent in the whole cluster: refused through the master's portal too, and the log does not move.
    await chrome.page.getByRole('button', { name: 'Sign out' }).click();
    const before = await logPosition(master);
    await redeem(onMaster.url, code);
    expect(await chrome.page.locator('[role=alert]').innerText()).toBe('This invitation code has already been used. Ask your help desk for a new one.');
    expect(await logPosition(master)).toBe(before);
    await shot(chrome.page, '32-invitation-used');
  });
});
