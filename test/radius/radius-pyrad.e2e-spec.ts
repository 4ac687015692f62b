import { execFile } from 'node:child_process';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ServerProcess } from '../support/server-process';
import { addRadiusClient, createRadiusUser, hasOathtool, oathtoolTotp, pyradPython } from '../support/radius-tools';

// A second, independent client (python3-pyrad) against the real server, which here sends its
// SMS through the generic HTTP gateway provider to a stand-in gateway on loopback.
const run = promisify(execFile);
const describeIfPyrad = pyradPython && hasOathtool ? describe : describe.skip;
if (!pyradPython) console.warn('python3-pyrad not installed: skipping pyrad RADIUS e2e');

const SECRET = 'pyrad-e2e-secret';
const SCRIPT = join(__dirname, 'pyrad_client.py');

interface PyradResult {
  code: string;
  authenticator_ok?: boolean;
  message_authenticator_ok?: boolean;
  message_authenticator_first?: boolean;
  reply_message?: string;
  state?: string | null;
}

describeIfPyrad('RADIUS server with pyrad and the HTTP SMS gateway', () => {
  let server: ServerProcess;
  let gateway: Server;
  let sms: Array<{ to: string; text: string }>;
  let gatewayMode: 'ok' | 'fail' | 'hang';

  const pyrad = async (user: string, password: string, opts: { state?: string; noMa?: boolean } = {}): Promise<PyradResult> => {
    const args = [SCRIPT, '--port', String(server.radiusPort), '--secret', SECRET, '--user', user, '--password', password, '--timeout', '4'];
    if (opts.state) args.push('--state', opts.state);
    if (opts.noMa) args.push('--no-ma', '--timeout', '1');
    const { stdout } = await run(pyradPython!, args);
    return JSON.parse(stdout) as PyradResult;
  };

  beforeAll(async () => {
    sms = [];
    gatewayMode = 'ok';
    gateway = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (gatewayMode === 'hang') return;
        if (gatewayMode === 'fail') return void res.writeHead(503).end('down');
        sms.push(JSON.parse(body) as { to: string; text: string });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ messageId: `m-${sms.length}` }));
      });
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    server = await ServerProcess.start({
      env: {
        TWOFOLD_DELIVERY_PROVIDER: 'http',
        TWOFOLD_DELIVERY_HTTP_URL: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/sms`,
        TWOFOLD_DELIVERY_HTTP_BODY_TEMPLATE: '{"to":"{{to}}","text":"{{text}}"}',
        TWOFOLD_DELIVERY_HTTP_TIMEOUT_MS: '800',
      },
    });
    await addRadiusClient(server, { name: 'pyrad', address: '127.0.0.0/8', secret: SECRET, firstFactor: 'local-password' });
  });

  afterAll(async () => {
    await server?.stop();
    gateway?.closeAllConnections();
    await new Promise((resolve) => gateway?.close(resolve));
  });

  it('accepts password + TOTP with a reply pyrad verifies, Message-Authenticator first', async () => {
    const { secret } = await createRadiusUser(server, 'paula', { password: 'paula-password', totp: true });
    const result = await pyrad('paula', `paula-password${oathtoolTotp(secret!)}`);
    expect(result).toMatchObject({ code: 'Access-Accept', authenticator_ok: true, message_authenticator_ok: true, message_authenticator_first: true });
  });

  it('rejects a wrong password with a signed Access-Reject and a Reply-Message', async () => {
    await createRadiusUser(server, 'quinn', { password: 'quinn-password', totp: true });
    const result = await pyrad('quinn', 'not-quinns-password');
    expect(result).toMatchObject({ code: 'Access-Reject', authenticator_ok: true, message_authenticator_ok: true, reply_message: 'Authentication failed.' });
  });

  it('runs the challenge round-trip', async () => {
    const { secret } = await createRadiusUser(server, 'rosa', { password: 'rosa-password', totp: true });
    const challenge = await pyrad('rosa', 'rosa-password');
    expect(challenge).toMatchObject({ code: 'Access-Challenge', message_authenticator_ok: true });
    expect(challenge.state).toMatch(/^[0-9a-f]+$/);
    await expect(pyrad('rosa', oathtoolTotp(secret!), { state: challenge.state! })).resolves.toMatchObject({ code: 'Access-Accept' });
  });

  it('gives no answer to a request without a Message-Authenticator', async () => {
    await createRadiusUser(server, 'sam', { password: 'sam-password', totp: true });
    await expect(pyrad('sam', 'sam-password', { noMa: true })).resolves.toEqual({ code: 'none' });
  });

  it('sends the SMS code through the HTTP gateway and accepts it at the challenge', async () => {
    await createRadiusUser(server, 'tara', { password: 'tara-password', method: 'sms', phone: '+15550123' });
    const challenge = await pyrad('tara', 'tara-password');
    expect(challenge.code).toBe('Access-Challenge');
    expect(challenge.reply_message).toMatch(/ending in 23/);
    const message = sms.find((m) => m.to === '+15550123')!;
    const code = /\d{6}/.exec(message.text)![0];
    await expect(pyrad('tara', code, { state: challenge.state! })).resolves.toMatchObject({ code: 'Access-Accept' });
  });

  it('answers Access-Reject with a Reply-Message when the gateway fails or hangs', async () => {
    await createRadiusUser(server, 'uma', { password: 'uma-password', method: 'sms', phone: '+15550124' });
    gatewayMode = 'fail';
    const failed = await pyrad('uma', 'uma-password');
    expect(failed).toMatchObject({ code: 'Access-Reject', reply_message: expect.stringMatching(/could not be sent/) });
    gatewayMode = 'hang';
    const hung = await pyrad('uma', 'uma-password');
    expect(hung).toMatchObject({ code: 'Access-Reject', reply_message: expect.stringMatching(/could not be sent/) });
    gatewayMode = 'ok';
  });
});
