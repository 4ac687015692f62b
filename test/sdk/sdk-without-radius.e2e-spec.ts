import { ServerProcess } from '../support/server-process';
import { httpsJson } from '../support/https-json';
import { createRadiusUser, hasOathtool, oathtoolTotp } from '../support/radius-tools';

// The SDK and RADIUS share one authentication engine per node, but the SDK does not need RADIUS:
// a node with RADIUS switched off still signs users in over HTTPS.
(hasOathtool ? describe : describe.skip)('the SDK on a node without RADIUS', () => {
  let server: ServerProcess;

  beforeAll(async () => {
    server = await ServerProcess.start({ env: { TWOFOLD_RADIUS_ENABLED: 'false' } });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('starts and answers a TOTP authentication', async () => {
    const { secret } = await createRadiusUser(server, 'nadia', { totp: true });
    const credential = await server.api('POST', '/admin/v1/sdk-credentials', { name: 'app', scopes: ['authenticate'] });
    const call = (path: string, body: unknown) => httpsJson('POST', `${server.url}/sdk/v1/${path}`, { ca: server.ca, token: credential.body.token, body });
    const started = await call('authentications', { username: 'nadia' });
    expect(started.status).toBe(200);
    expect(started.body.status).toBe('challenge');
    const answered = await call('authentications/answer', { challenge: started.body.challenge, code: oathtoolTotp(secret!) });
    expect(answered.body).toMatchObject({ status: 'accepted', username: 'nadia' });
    expect(server.logLines().some((l) => l.component === 'radius')).toBe(false);
  });
});
