import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import QRCode from 'qrcode';
import { cliFor } from '../support/cli';
import { freePort } from '../support/ports';
import { ServerProcess } from '../support/server-process';
import { portalFingerprint, twofoldDevice } from '../mobile/support/device-cli';
import { chromiumPerSuite, shot } from './support/browser';
import { oathtool, PortalProcess } from './support/portal-process';
import { caFileOf, newSessionKey, portalCredential, userWithToken } from './support/portal-setup';

// The Twofold app in the portal, in a real Chromium, with `twofold-device` (a child process) as
// the phone: the user activates it from the activation page, removes another one, signs in by push
// choosing the number the page shows, and finally denies a sign-in as "not me", which blocks her.
describe('User Portal: phones with the Twofold app and push sign-in', () => {
  let server: ServerProcess;
  let portal: PortalProcess;
  const chrome = chromiumPerSuite();
  let seed: string;
  let fingerprint: string;
  const keys = mkdtempSync(join(tmpdir(), 'twofold-phones-'));
  const phone = join(keys, 'hanna-phone.json');
  const tablet = join(keys, 'old-tablet.json');

  beforeAll(async () => {
    server = await ServerProcess.start({ env: { TWOFOLD_SDK_RATE_USER_BURST: '40' } });
    const port = await freePort();
    portal = await PortalProcess.start({
      port, sdkUrls: [server.url], sdkCaFile: caFileOf(server), credential: await portalCredential(server), sessionKey: newSessionKey(),
      env: { TWOFOLD_PORTAL_PUBLIC_URL: `https://127.0.0.1:${port}` },
    });
    fingerprint = portalFingerprint(portal.dataDir);
    ({ seed } = await userWithToken(server, 'hanna', 'hannas password'));
  });

  afterAll(async () => {
    await portal?.stop();
    await server?.stop();
  });

  const heading = () => chrome.page.locator('h1').innerText();

  async function password(): Promise<void> {
    await chrome.page.goto(`${portal.url}/sign-in`);
    await chrome.page.getByLabel('User name').fill('hanna');
    await chrome.page.getByLabel('Password').fill('hannas password');
    await chrome.page.getByRole('button', { name: 'Continue' }).click();
  }

  // The activation page, read as the user would: the code and service address as text, and a QR
  // code that holds exactly them.
  async function activate(keyFile: string, name: string): Promise<string> {
    await chrome.page.getByRole('button', { name: 'Show an activation code' }).click();
    expect(await heading()).toBe('Activate the Twofold app');
    const code = await chrome.page.locator('#activation-code').innerText();
    const service = await chrome.page.locator('#activation-service').innerText();
    expect(code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2}$/);
    expect(service).toBe(`${portal.url}/mobile/v1`);
    const uri = `twofold-activate:?code=${encodeURIComponent(code)}&service=${encodeURIComponent(service)}`;
    const modules = (svg: string) => [...svg.matchAll(/ d="([^"]+)"/g)].map((m) => m[1]);
    const expected = modules(await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 }));
    expect(expected).toHaveLength(2);
    expect(modules(await chrome.page.getByRole('img', { name: 'QR code for activating the Twofold app' }).innerHTML())).toEqual(expected);
    // The phone scans the QR code: it gets the very text the code holds.
    const activated = await twofoldDevice(keyFile, ['--json', 'activate', '--uri', uri, '--name', name, '--fingerprint', fingerprint]);
    expect(activated.stderr).toBe('');
    return activated.json<{ deviceId: string }>().deviceId;
  }

  it('activates the phone from the activation page and removes another device from the list', async () => {
    await password();
    await chrome.page.getByLabel('Code from your authenticator app').fill(oathtool(seed));
    await chrome.page.getByRole('button', { name: 'Sign in' }).click();
    await chrome.page.getByRole('link', { name: 'My phones with the Twofold app' }).click();
    expect(await heading()).toBe('My phones with the Twofold app');
    expect(await chrome.page.locator('main').innerText()).toContain('You have no phone with the app yet.');
    await shot(chrome.page, '50-devices-none');

    const phoneId = await activate(phone, 'Hanna phone');
    await shot(chrome.page, '51-device-activation');
    await chrome.page.getByRole('link', { name: 'Done: show my phones' }).click();
    await chrome.page.goto(`${portal.url}/devices`);
    const tabletId = await activate(tablet, 'Old tablet');
    await chrome.page.getByRole('link', { name: 'Done: show my phones' }).click();
    expect(await chrome.page.locator('tbody tr td:first-child').allInnerTexts()).toEqual(expect.arrayContaining(['Hanna phone', 'Old tablet']));
    await shot(chrome.page, '52-devices-two');

    await chrome.page.getByRole('button', { name: 'Remove Old tablet' }).click();
    expect(await chrome.page.locator('[role=status]').innerText()).toBe('The phone was removed. It can no longer approve your sign-ins.');
    expect(await chrome.page.locator('tbody tr td:first-child').allInnerTexts()).toEqual(['Hanna phone']);
    await shot(chrome.page, '53-device-removed');
    const listed = (await cliFor(server)(['device', 'list', 'hanna'])).stdout;
    expect(listed).toContain(phoneId);
    expect(listed).not.toContain(tabletId);
    // The removed tablet can no longer even ask for sign-ins.
    expect((await twofoldDevice(tablet, ['wait', '--timeout', '0'])).stderr).toMatch(/unknown_device/);
    await chrome.page.getByRole('button', { name: 'Sign out' }).click();
  });

  it('signs in by push: the page shows the number, the phone chooses it, the page moves on by itself (no script)', async () => {
    expect((await server.api('PATCH', '/admin/v1/users/hanna', { preferredMethod: 'push' })).status).toBe(200);
    await password();
    expect(await heading()).toBe('Approve the sign-in on your phone');
    const number = await chrome.page.locator('#number-to-match').innerText();
    expect(number).toMatch(/^\d{1,2}$/);
    await shot(chrome.page, '54-push-waiting');

    const waited = await twofoldDevice(phone, ['wait', '--timeout', '20']);
    expect(waited.stdout).toMatch(/^sign-in to User Portal from sdk:portal at /);
    const choices = /shows: (.*)\n/.exec(waited.stdout)![1].split(/\s+/);
    expect(choices).toContain(number);
    expect(await twofoldDevice(phone, ['approve', '--number', number])).toMatchObject({ code: 0, stdout: 'approved\n' });
    await chrome.page.waitForURL(`${portal.url}/account`, { timeout: 20_000 });
    expect(await heading()).toBe('My account');
    await shot(chrome.page, '55-push-approved');
    await chrome.page.getByRole('button', { name: 'Sign out' }).click();
  });

  it('a wrong number on the phone denies the sign-in, and the page says so', async () => {
    await password();
    const number = await chrome.page.locator('#number-to-match').innerText();
    const waited = await twofoldDevice(phone, ['wait', '--timeout', '20']);
    const wrong = /shows: (.*)\n/.exec(waited.stdout)![1].split(/\s+/).find((n) => n !== number)!;
    expect(await twofoldDevice(phone, ['approve', '--number', wrong])).toMatchObject({ code: 4, stdout: 'the number was wrong: the sign-in was denied\n' });
    await chrome.page.waitForURL(`${portal.url}/sign-in/push`, { timeout: 20_000 });
    await chrome.page.locator('[role=alert]').waitFor({ timeout: 20_000 });
    expect(await chrome.page.locator('[role=alert]').innerText()).toBe('The sign-in was denied on your phone.');
    expect(await heading()).toBe('Sign in');
    await shot(chrome.page, '56-push-wrong-number');
  });

  it('cancelling on the page withdraws the request: the phone no longer sees it', async () => {
    await password();
    expect(await heading()).toBe('Approve the sign-in on your phone');
    await chrome.page.getByRole('button', { name: 'Cancel the sign-in' }).click();
    expect(await chrome.page.locator('[role=status]').innerText()).toBe('The sign-in was cancelled.');
    expect(await heading()).toBe('Sign in');
    expect(await twofoldDevice(phone, ['wait', '--timeout', '0'])).toMatchObject({ code: 3, stdout: 'no sign-in is waiting\n' });
  });

  it('"not me" on the phone reports fraud: the page says the account is blocked, and it is', async () => {
    await password();
    expect(await heading()).toBe('Approve the sign-in on your phone');
    expect((await twofoldDevice(phone, ['wait', '--timeout', '20'])).code).toBe(0);
    expect(await twofoldDevice(phone, ['deny', '--not-me'])).toMatchObject({ code: 0, stdout: 'fraud\n' });
    await chrome.page.locator('[role=alert]').waitFor({ timeout: 20_000 });
    expect(await chrome.page.locator('[role=alert]').innerText()).toBe('You reported this sign-in as not yours. Your account is blocked until your help desk lifts the block.');
    await shot(chrome.page, '57-push-not-me');
    expect((await server.api('GET', '/admin/v1/users/hanna')).body).toMatchObject({ blocked: true });
    await password();
    expect(await chrome.page.locator('[role=alert]').innerText()).toBe('Your account is blocked after a fraud report. Contact your help desk.');
  });
});
