import { join } from 'node:path';
import { readDeliveries, waitForDeliveries } from '../support/radius-tools';
import { ServerProcess } from '../support/server-process';
import { chromiumPerSuite, launchChromium, shot } from './support/browser';
import { oathtool, PortalProcess } from './support/portal-process';
import { caFileOf, newSessionKey, portalCredential, tokensOf, userWithToken } from './support/portal-setup';

// The User Portal in a real headless Chromium, against a real portal and a real server: what a
// user sees and does, and what the administrator then finds in the server.
describe('User Portal in a browser', () => {
  let server: ServerProcess;
  let portal: PortalProcess;
  const chrome = chromiumPerSuite();
  let seed: string;

  beforeAll(async () => {
    // One user does everything in a few seconds here: more than the default 10 guessable calls.
    server = await ServerProcess.start({ env: { TWOFOLD_SDK_RATE_USER_BURST: '40' } });
    portal = await PortalProcess.start({ sdkUrls: [server.url], sdkCaFile: caFileOf(server), credential: await portalCredential(server), sessionKey: newSessionKey() });
    ({ seed } = await userWithToken(server, 'alice', 'correct horse battery'));
  });

  afterAll(async () => {
    await portal?.stop();
    await server?.stop();
  });

  const heading = () => chrome.page.locator('h1').innerText();
  const alert = () => chrome.page.locator('[role=alert]').first().innerText();

  async function signIn(password: string, code: string, pin?: string): Promise<void> {
    await chrome.page.goto(`${portal.url}/sign-in`);
    await chrome.page.getByLabel('User name').fill('alice');
    await chrome.page.getByLabel('Password').fill(password);
    await chrome.page.getByRole('button', { name: 'Continue' }).click();
    if (pin) await chrome.page.getByLabel('PIN', { exact: true }).fill(pin);
    await chrome.page.getByLabel('Code from your authenticator app').fill(code);
    await chrome.page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('refuses a wrong password on the first step, with a message and the name kept', async () => {
    await chrome.page.goto(`${portal.url}/`);
    expect(await heading()).toBe('Sign in');
    await shot(chrome.page, '01-sign-in');
    await chrome.page.getByLabel('User name').fill('alice');
    await chrome.page.getByLabel('Password').fill('wrong password');
    await chrome.page.getByRole('button', { name: 'Continue' }).click();
    expect(await alert()).toBe('The user name or password is wrong.');
    expect(await chrome.page.getByLabel('User name').inputValue()).toBe('alice');
    await shot(chrome.page, '02-sign-in-wrong-password');
  });

  it('signs in with the password and a TOTP code from oathtool, and sets a Secure HttpOnly SameSite cookie', async () => {
    await signIn('correct horse battery', oathtool(seed));
    expect(await heading()).toBe('My account');
    expect(await chrome.page.locator('main').innerText()).toContain('Signed in as Alice.');
    const [cookie] = await chrome.page.context().cookies(portal.url);
    expect(cookie).toMatchObject({ name: '__Host-twofold-portal', secure: true, httpOnly: true, sameSite: 'Strict' });
    await shot(chrome.page, '03-account');
  });

  it('enrols a second authenticator app that works only after one correct code', async () => {
    await chrome.page.getByRole('link', { name: 'Set up an authenticator app' }).click();
    await chrome.page.getByLabel('Name of the app or phone').fill('work phone');
    await chrome.page.getByRole('button', { name: 'Show the code' }).click();
    await expect(chrome.page.locator('.qr svg').count()).resolves.toBe(1);
    const secret = (await chrome.page.locator('#secret').innerText()).replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await shot(chrome.page, '04-enrol-qr');
    expect((await tokensOf(server, 'alice')).map((t) => t.label)).toEqual(['first phone']);

    const wrong = oathtool(secret) === '000000' ? '111111' : '000000';
    await chrome.page.getByLabel('Code from the app').fill(wrong);
    await chrome.page.getByRole('button', { name: 'Activate' }).click();
    expect(await alert()).toContain('That code does not match');
    expect((await tokensOf(server, 'alice')).map((t) => t.label)).toEqual(['first phone']);

    await chrome.page.getByLabel('Code from the app').fill(oathtool(secret));
    await chrome.page.getByRole('button', { name: 'Activate' }).click();
    expect(await chrome.page.locator('[role=status]').innerText()).toBe('Your authenticator app is active.');
    expect(await chrome.page.locator('main').innerText()).toContain('work phone');
    expect((await tokensOf(server, 'alice')).map((t) => t.label).sort()).toEqual(['first phone', 'work phone']);
    await shot(chrome.page, '05-enrol-done');
  });

  it('shows the PIN rules, enforces them, and after a change asks to sign in again with the PIN', async () => {
    await chrome.page.getByRole('link', { name: 'Change my PIN' }).click();
    expect(await chrome.page.locator('#pin-rules').innerText()).toContain('digits only');
    await chrome.page.getByLabel('New PIN', { exact: true }).fill('1111');
    await chrome.page.getByLabel('New PIN again').fill('1111');
    await chrome.page.getByRole('button', { name: 'Change PIN' }).click();
    expect(await alert()).toMatch(/too easy to guess|too short/);
    await shot(chrome.page, '06-pin-refused');
    expect((await server.api('GET', '/admin/v1/users/alice')).body.hasPin).toBe(false);

    await chrome.page.getByLabel('New PIN', { exact: true }).fill('739158');
    await chrome.page.getByLabel('New PIN again').fill('739158');
    await chrome.page.getByRole('button', { name: 'Change PIN' }).click();
    expect(await chrome.page.locator('[role=status]').innerText()).toBe('Your PIN was changed. Sign in again with the new PIN.');
    expect(await heading()).toBe('Sign in');
    expect((await server.api('GET', '/admin/v1/users/alice')).body.hasPin).toBe(true);
    await shot(chrome.page, '07-pin-changed');
  });

  it('signs in with the new PIN and lists the recent sign-ins and changes', async () => {
    await signIn('correct horse battery', oathtool(seed, 1), '739158');
    expect(await heading()).toBe('My account');
    await chrome.page.getByRole('link', { name: 'My recent sign-ins and changes' }).click();
    const table = await chrome.page.locator('table').innerText();
    expect(table).toContain('Signed in');
    expect(table).toContain('PIN changed');
    expect(table).toContain('Authenticator app added');
    expect(table).toContain('Failed sign-in');
    await shot(chrome.page, '08-activity');
  });

  it('adds a phone number only once the code sent to it (file delivery provider) is typed', async () => {
    const deliveries = join(server.dataDir, 'deliveries.jsonl');
    const before = readDeliveries(deliveries).length;
    await chrome.page.getByRole('link', { name: 'My account' }).click();
    await chrome.page.getByRole('link', { name: 'Add or change my phone number' }).click();
    await chrome.page.getByLabel(/New phone number/).fill('+46 70 123 45 67');
    await chrome.page.getByRole('button', { name: 'Send the code' }).click();
    expect(await chrome.page.locator('#sent').innerText()).toBe('We sent a code to +46701234567.');
    const [sms] = (await waitForDeliveries(deliveries, before + 1)).slice(before);
    expect(sms).toMatchObject({ channel: 'sms', to: '+46701234567' });
    const code = /\d{6}/.exec(sms.text)![0];
    await shot(chrome.page, '09-phone-code');

    await chrome.page.getByLabel('Code from the text message').fill(code === '000000' ? '111111' : '000000');
    await chrome.page.getByRole('button', { name: 'Save the number' }).click();
    expect(await alert()).toBe('That code is wrong. Check the text message and try again.');
    expect((await server.api('GET', '/admin/v1/users/alice')).body.phones).toEqual([]);

    await chrome.page.getByLabel('Code from the text message').fill(code);
    await chrome.page.getByRole('button', { name: 'Save the number' }).click();
    expect(await chrome.page.locator('[role=status]').innerText()).toBe('Your phone number was saved.');
    expect(await chrome.page.locator('main').innerText()).toContain('+46701234567');
    expect((await server.api('GET', '/admin/v1/users/alice')).body.phones).toEqual([{ label: 'mobile', number: '+46701234567' }]);
    await shot(chrome.page, '10-phone-saved');
  });

  it('removes an authenticator app from the account page', async () => {
    await chrome.page.getByRole('button', { name: 'Remove work phone' }).click();
    expect(await chrome.page.locator('[role=status]').innerText()).toBe('The authenticator app was removed.');
    expect(await chrome.page.locator('main').innerText()).not.toContain('work phone');
    expect((await tokensOf(server, 'alice')).map((t) => t.label)).toEqual(['first phone']);
  });

  it('reports a sign-in the user did not make: the account is blocked and the session ends', async () => {
    await chrome.page.getByRole('link', { name: 'Report a sign-in I did not make' }).click();
    await chrome.page.getByRole('button', { name: 'Report it' }).click();
    expect(await chrome.page.locator('main').innerText()).toContain('your account is blocked until your help desk lifts the block');
    expect((await server.api('GET', '/admin/v1/users/alice')).body.blocked).toBe(true);
    await shot(chrome.page, '10b-fraud-reported');
    await chrome.page.goto(`${portal.url}/account`);
    expect(await heading()).toBe('Sign in');
  });

  it('speaks Swedish to a browser that asks for it', async () => {
    const swedish = await launchChromium('sv-SE');
    try {
      const sv = await swedish.newPage();
      await sv.goto(`${portal.url}/sign-in`);
      expect(await sv.locator('h1').innerText()).toBe('Logga in');
      expect(await sv.locator('html').getAttribute('lang')).toBe('sv');
      await expect(sv.getByLabel('Användarnamn').count()).resolves.toBe(1);
      await shot(sv, '11-sign-in-swedish');
    } finally {
      await swedish.close();
    }
  });

  it('after sign-in, speaks the language of the user\'s profile even to an English browser', async () => {
    const sven = await userWithToken(server, 'sven', 'korrekt häst batteri', { language: 'sv' });
    await chrome.page.context().clearCookies();
    await chrome.page.goto(`${portal.url}/sign-in`);
    await chrome.page.getByLabel('User name').fill('sven');
    await chrome.page.getByLabel('Password').fill('korrekt häst batteri');
    await chrome.page.getByRole('button', { name: 'Continue' }).click();
    await chrome.page.getByLabel('Code from your authenticator app').fill(oathtool(sven.seed));
    await chrome.page.getByRole('button', { name: 'Sign in' }).click();
    expect(await heading()).toBe('Mitt konto');
    expect(await chrome.page.locator('main').innerText()).toContain('Inloggad som Sven.');
    await shot(chrome.page, '12-account-swedish-profile');
    // Signed out, the page keeps the user's language.
    await chrome.page.getByRole('button', { name: 'Logga ut' }).click();
    expect(await heading()).toBe('Logga in');
  });

  it('sends a strict Content-Security-Policy and refuses to be framed', async () => {
    const res = await chrome.page.goto(`${portal.url}/sign-in`);
    const headers = res!.headers();
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['content-security-policy']).toContain("default-src 'none'");
    expect(headers['x-frame-options']).toBe('DENY');
  });
});
