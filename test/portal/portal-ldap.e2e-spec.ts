import { hasSlapd, LDAP_SUFFIX, Slapd } from '../support/slapd';
import { ServerProcess } from '../support/server-process';
import { chromiumPerSuite, shot } from './support/browser';
import { oathtool, PortalProcess } from './support/portal-process';
import { caFileOf, logPosition, newSessionKey, portalCredential, userWithToken } from './support/portal-setup';

// The portal's first factor from the directory: the server is configured with
// TWOFOLD_SDK_FIRST_FACTOR=ldap, so the password typed in the portal is a bind to a real slapd
// (LDAPS, the directory's own CA); the local password no longer counts.
(hasSlapd ? describe : describe.skip)('User Portal: LDAP password as the first factor', () => {
  let slapd: Slapd;
  let server: ServerProcess;
  let portal: PortalProcess;
  const chrome = chromiumPerSuite();
  let seed: string;

  beforeAll(async () => {
    slapd = await Slapd.start([{ uid: 'lena', password: 'lenas directory password' }], { cn: 'reader', uid: 'reader', password: 'reader-pass' });
    server = await ServerProcess.start({
      env: {
        TWOFOLD_SDK_FIRST_FACTOR: 'ldap', TWOFOLD_SDK_LDAP_URL: slapd.ldapsUrl, TWOFOLD_SDK_LDAP_CA_FILE: slapd.caPath,
        TWOFOLD_SDK_LDAP_BIND_DN_TEMPLATE: `uid={username},ou=people,${LDAP_SUFFIX}`, TWOFOLD_SDK_LDAP_TIMEOUT_MS: '2000',
      },
    });
    portal = await PortalProcess.start({ sdkUrls: [server.url], sdkCaFile: caFileOf(server), credential: await portalCredential(server), sessionKey: newSessionKey() });
    // lena's local password differs from her directory password: only the directory's counts.
    ({ seed } = await userWithToken(server, 'lena', 'an old local password'));
  });

  afterAll(async () => {
    await portal?.stop();
    await server?.stop();
    await slapd?.cleanup();
  });

  async function firstStep(password: string): Promise<void> {
    await chrome.page.goto(`${portal.url}/sign-in`);
    await chrome.page.getByLabel('User name').fill('lena');
    await chrome.page.getByLabel('Password').fill(password);
    await chrome.page.getByRole('button', { name: 'Continue' }).click();
  }
  const alert = () => chrome.page.locator('[role=alert]').first().innerText();

  it('refuses the local password and a wrong directory password', async () => {
    await firstStep('an old local password');
    expect(await alert()).toBe('The user name or password is wrong.');
    await firstStep('wrong directory password');
    expect(await alert()).toBe('The user name or password is wrong.');
    await shot(chrome.page, '40-ldap-wrong-password');
  });

  it('signs in with the directory password and a TOTP code', async () => {
    await firstStep('lenas directory password');
    expect(await chrome.page.locator('h1').innerText()).toBe('Enter your code');
    await chrome.page.getByLabel('Code from your authenticator app').fill(oathtool(seed));
    await chrome.page.getByRole('button', { name: 'Sign in' }).click();
    expect(await chrome.page.locator('h1').innerText()).toBe('My account');
    expect(await chrome.page.locator('main').innerText()).toContain('Signed in as Lena.');
    await shot(chrome.page, '41-ldap-signed-in');
    await chrome.page.getByRole('button', { name: 'Sign out' }).click();
  });

  it('says the password cannot be checked when the directory is down, and does not count it as a wrong password', async () => {
    await slapd.stop();
    const before = await logPosition(server);
    await firstStep('lenas directory password');
    expect(await alert()).toBe('Your password cannot be checked right now. Try again later.');
    await shot(chrome.page, '42-ldap-directory-down');
    expect(await logPosition(server)).toBe(before);
    expect(server.stdout.join('')).not.toContain('lenas directory password');
  });
});
