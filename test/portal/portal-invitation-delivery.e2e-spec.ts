import { join } from 'node:path';
import { cliFor } from '../support/cli';
import { freePort } from '../support/ports';
import { waitForDeliveries } from '../support/radius-tools';
import { ServerProcess } from '../support/server-process';
import { SmtpListener } from '../support/smtp-listener';
import { chromiumPerSuite, shot } from './support/browser';
import { oathtool, PortalProcess } from './support/portal-process';
import { caFileOf, logPosition, newSessionKey, portalCredential, tokensOf } from './support/portal-setup';

const CODE = /[A-Z2-7]{8}-[A-Z2-7]{16}/;

// `twofold user invite <user> --send sms|email`: the code goes to the user's phone (the file
// delivery provider, the named fake for the SMS carrier) or mailbox (a real SMTP conversation with
// a listener in this test), never to the administrator's screen or a log; the user follows the
// message to the portal and enrols with it.
describe('User Portal: invitations sent by SMS and e-mail', () => {
  let smtp: SmtpListener;
  let server: ServerProcess;
  let portal: PortalProcess;
  const chrome = chromiumPerSuite();
  let cli: ReturnType<typeof cliFor>;

  beforeAll(async () => {
    smtp = await SmtpListener.start();
    const portalPort = await freePort();
    server = await ServerProcess.start({
      env: {
        TWOFOLD_EMAIL_PROVIDER: 'smtp', TWOFOLD_EMAIL_SMTP_HOST: '127.0.0.1', TWOFOLD_EMAIL_SMTP_PORT: String(smtp.port),
        TWOFOLD_EMAIL_FROM: 'mfa@example.org', TWOFOLD_EMAIL_SMTP_TIMEOUT_MS: '3000', TWOFOLD_INVITATION_PORTAL_URL: `https://127.0.0.1:${portalPort}`,
      },
    });
    portal = await PortalProcess.start({ port: portalPort, sdkUrls: [server.url], sdkCaFile: caFileOf(server), credential: await portalCredential(server), sessionKey: newSessionKey() });
    cli = cliFor(server);
    const users = [
      { username: 'erik', displayName: 'Erik', preferredMethod: 'totp', phones: [{ label: 'mobile', number: '+46701234567' }] },
      { username: 'frida', displayName: 'Frida', preferredMethod: 'totp', email: 'frida@example.org', language: 'sv' },
    ];
    for (const user of users) {
      expect((await server.api('POST', '/admin/v1/users', user)).status).toBe(201);
      expect((await server.api('PUT', `/admin/v1/users/${user.username}/password`, { password: `${user.username}s first password` })).status).toBe(200);
    }
  });

  afterAll(async () => {
    await portal?.stop();
    await server?.stop();
    await smtp?.stop();
  });

  // The user opens the address in the message and types what it says.
  async function redeemFrom(text: string, username: string, labels: { user: string; password: string; code: string; submit: string }): Promise<void> {
    const link = /https:\/\/\S+\/invitation/.exec(text)![0];
    await chrome.page.goto(link);
    await chrome.page.getByLabel(labels.user).fill(username);
    await chrome.page.getByLabel(labels.password).fill(`${username}s first password`);
    await chrome.page.getByLabel(labels.code).fill(CODE.exec(text)![0]);
    await chrome.page.getByRole('button', { name: labels.submit }).click();
  }

  async function enrol(labels: { name: string; show: string; code: string; finish: string }): Promise<void> {
    await chrome.page.getByLabel(labels.name).fill('my phone');
    await chrome.page.getByRole('button', { name: labels.show }).click();
    const secret = (await chrome.page.locator('#secret').innerText()).replace(/\s/g, '');
    await chrome.page.getByLabel(labels.code).fill(oathtool(secret));
    await chrome.page.getByRole('button', { name: labels.finish }).click();
  }

  it('sends the code by SMS: the administrator sees where it went, not the code; the user enrols with it', async () => {
    const sent = await cli(['user', 'invite', 'erik', '--send', 'sms']);
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(/^invitation for erik sent by SMS to \+46\*{7}67 \(valid until .+, works once\)\n$/);
    const [sms] = await waitForDeliveries(join(server.dataDir, 'deliveries.jsonl'), 1);
    expect(sms).toMatchObject({ channel: 'sms', to: '+46701234567' });
    const code = CODE.exec(sms.text)![0];
    expect(sent.stdout + sent.stderr).not.toContain(code);

    await redeemFrom(sms.text, 'erik', { user: 'User name', password: 'Password', code: 'Invitation code', submit: 'Continue' });
    expect(await chrome.page.locator('h1').innerText()).toBe('Set up an authenticator app');
    await shot(chrome.page, '33-invitation-by-sms-signed-in');
    await enrol({ name: 'Name of the app or phone', show: 'Show the code', code: 'Code from the app', finish: 'Activate' });
    expect(await chrome.page.locator('[role=status]').innerText()).toBe('Your authenticator app is active.');
    expect((await tokensOf(server, 'erik')).map((t) => t.label)).toEqual(['my phone']);
    await chrome.page.getByRole('button', { name: 'Sign out' }).click();
    expect(server.stdout.join('')).not.toContain(code);
    expect(portal.stdout.join('')).not.toContain(code);
  });

  it('sends the code by e-mail over SMTP in the user\'s language; the user enrols in Swedish', async () => {
    const sent = await cli(['--json', 'user', 'invite', 'frida', '--send', 'email', '--valid-hours', '4']);
    expect(sent.code).toBe(0);
    const answer = sent.json<Record<string, unknown>>();
    expect(answer).toMatchObject({ username: 'frida', channel: 'email', sentTo: 'f***@example.org' });
    expect(answer.code).toBeUndefined();
    const mail = smtp.received.at(-1)!;
    expect(mail).toMatchObject({ from: 'mfa@example.org', to: ['frida@example.org'], subject: 'Din inbjudan till användarportalen' });
    expect(mail.text).toMatch(/^Din engångskod för inbjudan: [A-Z2-7]{8}-[A-Z2-7]{16}\nDen fungerar en gång/);

    await redeemFrom(mail.text, 'frida', { user: 'User name', password: 'Password', code: 'Invitation code', submit: 'Continue' });
    expect(await chrome.page.locator('h1').innerText()).toBe('Konfigurera en autentiseringsapp');
    await enrol({ name: 'Namn på appen eller telefonen', show: 'Visa koden', code: 'Kod från appen', finish: 'Aktivera' });
    expect(await chrome.page.locator('[role=status]').innerText()).toBe('Din autentiseringsapp är aktiv.');
    await shot(chrome.page, '34-invitation-by-email-enrolled-sv');
    expect(server.stdout.join('')).not.toContain(CODE.exec(mail.text)![0]);
  });

  it('refuses to send where the user has no address, writing nothing; a relay that refuses is a clear error', async () => {
    const before = await logPosition(server);
    const noEmail = await cli(['user', 'invite', 'erik', '--send', 'email']);
    expect(noEmail.code).not.toBe(0);
    expect(noEmail.stderr).toContain('erik has no e-mail address to send the invitation to');
    const badChannel = await cli(['user', 'invite', 'erik', '--send', 'fax']);
    expect(badChannel.code).not.toBe(0);
    expect(badChannel.stderr).toContain('must be sms or email');
    expect(await logPosition(server)).toBe(before);

    smtp.refuseRecipients.add('frida@example.org');
    const refused = await server.api('POST', '/admin/v1/users/frida/invitations', { send: 'email' });
    expect(refused.status).toBe(502);
    expect(refused.body).toMatchObject({ code: 'delivery_failed' });
    expect(refused.text).not.toMatch(CODE);
  });
});
