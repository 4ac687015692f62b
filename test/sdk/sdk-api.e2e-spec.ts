import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClusterCa, issueCertificate, certificateFingerprint } from '@twofold/platform';
import { SDK_OPERATIONS, TwofoldSdkClient } from '@twofold/sdk-client';
import { ServerProcess, REPO_ROOT } from '../support/server-process';
import {
  ALL_SCOPES, bearerClient, certClient, clientCertificate, createUser, deliveriesOf, issueCredential, logHead, problemOf, Scope, sleep, totp,
} from './sdk-support';

// The SDK over real HTTPS against the built server: client certificates from the data-dir CA and
// bearer credentials, every operation, every scope rule, and every answer checked against the contract.
describe('SDK API', () => {
  let server: ServerProcess;
  let full: TwofoldSdkClient; // bearer, every scope
  let viaCert: TwofoldSdkClient; // client certificate, every scope
  const clients: TwofoldSdkClient[] = [];
  const track = (c: TwofoldSdkClient) => (clients.push(c), c);

  beforeAll(async () => {
    // A slow refill (the burst stays the default 400): the flood below meets the limit however
    // fast or slow this machine serves, and no other credential here comes near 400 calls.
    server = await ServerProcess.start({ env: { TWOFOLD_SDK_RATE_CREDENTIAL_PER_SECOND: '5' } });
    full = track(bearerClient(server, (await issueCredential(server, 'portal', ALL_SCOPES)).token));
    const cert = clientCertificate(server, 'adfs-1');
    await issueCredential(server, 'adfs-cert', ALL_SCOPES, cert.fingerprint);
    viaCert = track(certClient(server, cert));
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await server?.stop();
  });

  describe('authentication', () => {
    it('TOTP with a client certificate: start, answer, and the code is spent', async () => {
      const { seed, userId } = await createUser(server, 'alice', { totp: true });
      const started = await viaCert.startAuthentication({ username: 'Alice', application: 'Payroll' });
      expect(started).toMatchObject({ status: 'challenge', method: 'totp', prompt: 'Enter the code from your authenticator app.' });
      if (started.status !== 'challenge') throw new Error('no challenge');
      const code = totp(seed!);
      const answered = await viaCert.answerChallenge({ challenge: started.challenge, code });
      expect(answered).toMatchObject({ status: 'accepted', userId, username: 'alice' });
      const again = await viaCert.startAuthentication({ username: 'alice' });
      if (again.status !== 'challenge') throw new Error('no challenge');
      await expect(viaCert.answerChallenge({ challenge: again.challenge, code })).resolves.toMatchObject({ status: 'rejected', reason: 'code_replayed' });
      // The challenge belongs to the credential that started it.
      const other = await viaCert.startAuthentication({ username: 'alice' });
      if (other.status !== 'challenge') throw new Error('no challenge');
      await expect(full.answerChallenge({ challenge: other.challenge, code: totp(seed!, 1) })).resolves.toMatchObject({ status: 'rejected', reason: 'invalid_state' });
    });

    it('a TOTP challenge is good for one accepted answer: the next step\'s code on the same challenge is refused', async () => {
      const { seed } = await createUser(server, 'abel', { totp: true });
      const started = await full.startAuthentication({ username: 'abel' });
      if (started.status !== 'challenge') throw new Error('no challenge');
      await expect(full.answerChallenge({ challenge: started.challenge, code: totp(seed!) })).resolves.toMatchObject({ status: 'accepted' });
      await expect(full.answerChallenge({ challenge: started.challenge, code: totp(seed!, 1) })).resolves.toMatchObject({ status: 'rejected', reason: 'invalid_state' });
    });

    it('SMS by name with a bearer credential: the code comes by the delivery channel, naming the application', async () => {
      const { seed } = await createUser(server, 'bruno', { totp: true, phone: '+15550100' });
      void seed;
      const deliveries = deliveriesOf(server);
      const before = deliveries.count();
      const started = await full.startAuthentication({ username: 'bruno', method: 'sms', application: 'Payroll' });
      expect(started).toMatchObject({ status: 'challenge', method: 'sms' });
      if (started.status !== 'challenge') throw new Error('no challenge');
      const [sms] = await deliveries.after(before);
      expect(sms.text).toMatch(/^Your sign-in code for Payroll is \d{6}$/);
      await expect(full.answerChallenge({ challenge: started.challenge, code: '000000' })).resolves.toMatchObject({ status: 'rejected', reason: 'invalid_code' });
      await expect(full.answerChallenge({ challenge: started.challenge, code: /\d{6}/.exec(sms.text)![0] })).resolves.toMatchObject({ status: 'accepted', username: 'bruno' });
    });

    it('PIN: up front (then the code alone), with the answer, or wrong (nothing is sent)', async () => {
      const { seed } = await createUser(server, 'carla', { totp: true, pin: '48261937' });
      await expect(full.startAuthentication({ username: 'carla', pin: '11119999' })).resolves.toMatchObject({ status: 'rejected', reason: 'invalid_pin' });
      const upFront = await full.startAuthentication({ username: 'carla', pin: '48261937' });
      expect(upFront).toMatchObject({ status: 'challenge', prompt: 'Enter the code from your authenticator app.' });
      if (upFront.status !== 'challenge') throw new Error('no challenge');
      await expect(full.answerChallenge({ challenge: upFront.challenge, code: totp(seed!) })).resolves.toMatchObject({ status: 'accepted' });
      const later = await full.startAuthentication({ username: 'carla' });
      expect(later).toMatchObject({ status: 'challenge', prompt: 'Enter your PIN followed by the code from your authenticator app.' });
      if (later.status !== 'challenge') throw new Error('no challenge');
      await expect(full.answerChallenge({ challenge: later.challenge, code: totp(seed!, 1) })).resolves.toMatchObject({ status: 'rejected', reason: 'invalid_code' });
      await expect(full.answerChallenge({ challenge: later.challenge, code: totp(seed!, 1), pin: '48261937' })).resolves.toMatchObject({ status: 'accepted' });
    });

    it('wrong PIN + right code and right PIN + wrong code get the same answer: neither factor is revealed', async () => {
      const { seed } = await createUser(server, 'cyril', { totp: true, pin: '73915482' });
      const started = await full.startAuthentication({ username: 'cyril' });
      if (started.status !== 'challenge') throw new Error('no challenge');
      const code = totp(seed!);
      const wrongPin = await full.answerChallenge({ challenge: started.challenge, code, pin: '73915483' });
      const wrongCode = await full.answerChallenge({ challenge: started.challenge, code: code === '000000' ? '111111' : '000000', pin: '73915482' });
      expect(wrongPin).toEqual(wrongCode);
      expect(wrongPin).toEqual({ status: 'rejected', reason: 'invalid_code', message: 'Authentication failed.' });
      await expect(full.answerChallenge({ challenge: started.challenge, code, pin: '73915482' })).resolves.toMatchObject({ status: 'accepted' });
    });

    it('push: pending handle, long-poll released by the approval, or cancelled so a later approval is refused', async () => {
      const { userId } = await createUser(server, 'dora', { method: 'push' });
      const deliveries = deliveriesOf(server);
      let before = deliveries.count();
      const started = await full.startAuthentication({ username: 'dora', application: 'VPN' });
      expect(started).toMatchObject({ status: 'pending', method: 'push' });
      if (started.status !== 'pending') throw new Error('not pending');
      const [push] = await deliveries.after(before);
      expect(push).toMatchObject({ channel: 'push', userId, text: 'Sign-in request for dora to VPN: approve or deny.' });
      await expect(full.pollAuthentication({ handle: started.handle })).resolves.toMatchObject({ status: 'pending' });
      const held = full.pollAuthentication({ handle: started.handle, waitSeconds: 15 });
      await sleep(300);
      expect((await server.api('POST', `/admin/v1/approvals/${push.approvalId}`, { decision: 'approve' })).status).toBe(200);
      await expect(held).resolves.toMatchObject({ status: 'accepted', userId, username: 'dora' });
      // One accepted answer per handle: polling it again yields no second assertion.
      await expect(full.pollAuthentication({ handle: started.handle })).resolves.toMatchObject({ status: 'rejected', reason: 'invalid_state' });

      before = deliveries.count();
      const second = await full.startAuthentication({ username: 'dora' });
      if (second.status !== 'pending') throw new Error('not pending');
      const [push2] = await deliveries.after(before);
      await expect(full.cancelAuthentication({ handle: second.handle })).resolves.toEqual({ status: 'cancelled' });
      await expect(full.pollAuthentication({ handle: second.handle })).resolves.toMatchObject({ status: 'rejected', reason: 'approval_cancelled' });
      const late = await server.api('POST', `/admin/v1/approvals/${push2.approvalId}`, { decision: 'approve' });
      expect(late.status).toBe(409);

      before = deliveries.count();
      const third = await full.startAuthentication({ username: 'dora' });
      if (third.status !== 'pending') throw new Error('not pending');
      const [push3] = await deliveries.after(before);
      expect((await server.api('POST', `/admin/v1/approvals/${push3.approvalId}`, { decision: 'deny' })).status).toBe(200);
      await expect(problemOf(full.cancelAuthentication({ handle: third.handle }))).resolves.toEqual({ status: 409, code: 'approval_already_decided' });
      await expect(full.pollAuthentication({ handle: third.handle })).resolves.toMatchObject({ status: 'rejected', reason: 'approval_denied' });
    });

    it('refuses unknown users and users without the method, and validates PINs (wrong ones count)', async () => {
      await createUser(server, 'emil', { pin: '48261937' });
      await expect(full.startAuthentication({ username: 'nobody' })).resolves.toMatchObject({ status: 'rejected', reason: 'unknown_user' });
      await expect(full.startAuthentication({ username: 'emil' })).resolves.toMatchObject({ status: 'rejected', reason: 'no_second_factor' });
      await expect(full.startAuthentication({ username: 'emil', method: 'sms' })).resolves.toMatchObject({ status: 'rejected', reason: 'no_second_factor' });
      await expect(full.validatePin({ username: 'emil', pin: '48261937' })).resolves.toEqual({ valid: true });
      await expect(full.validatePin({ username: 'emil', pin: '0000' })).resolves.toMatchObject({ valid: false, reason: 'invalid_pin' });
      await expect(full.validatePin({ username: 'nobody', pin: '0000' })).resolves.toMatchObject({ valid: false, reason: 'unknown_user' });
    });
  });

  describe('users', () => {
    it('looks a user up with methods, never secrets, phone numbers masked', async () => {
      const { userId } = await createUser(server, 'fritz', { totp: true, pin: '48261937', phone: '+15550123456', method: 'sms' });
      const res = await full.getUser('FRITZ');
      expect(res).toMatchObject({
        userId, username: 'fritz', enabled: true, hasPin: true, defaultMethod: 'sms', phones: [{ label: 'mobile', number: '+*******3456' }],
        methods: [{ method: 'totp', available: true }, { method: 'sms', available: true }, { method: 'voice', available: true }, { method: 'push', available: true }],
      });
      expect(res.tokens).toHaveLength(1);
      expect(JSON.stringify(res)).not.toMatch(/seed|hash|15550123456/i);
      await expect(problemOf(full.getUser('nobody'))).resolves.toEqual({ status: 404, code: 'unknown_user' });
    });
  });

  describe('self-service for a signed-in user', () => {
    async function signIn(client: TwofoldSdkClient, username: string, seed: Buffer, step = 0, pin?: string): Promise<string> {
      const started = await client.startAuthentication({ username, ...(pin ? { pin } : {}) });
      if (started.status !== 'challenge') throw new Error(`no challenge: ${JSON.stringify(started)}`);
      const answered = await client.answerChallenge({ challenge: started.challenge, code: totp(seed, step) });
      if (answered.status !== 'accepted') throw new Error(`not accepted: ${JSON.stringify(answered)}`);
      return answered.userAssertion;
    }

    it('changes the PIN, which ends the sign-in it was made with', async () => {
      const { seed } = await createUser(server, 'gael', { totp: true });
      const assertion = await signIn(full, 'gael', seed!);
      await expect(full.changePin(assertion, { pin: '73915824' })).resolves.toBeUndefined();
      await expect(full.validatePin({ username: 'gael', pin: '73915824' })).resolves.toEqual({ valid: true });
      await expect(problemOf(full.getSelf(assertion))).resolves.toEqual({ status: 401, code: 'user_assertion_invalid' });
      await expect(full.getSelf(await signIn(full, 'gael', seed!, 1, '73915824'))).resolves.toMatchObject({ username: 'gael' });
    });

    it('changes phone, enrolls and removes a TOTP token, reports fraud', async () => {
      const { seed, userId } = await createUser(server, 'gina', { totp: true, phone: '+15550111' });
      const assertion = await signIn(full, 'gina', seed!);
      await expect(full.getSelf(assertion)).resolves.toMatchObject({ userId, phones: [{ number: '+15550111' }] });

      const changed = await full.changePhone(assertion, { number: '+1 (555) 0199' });
      expect(changed.phones).toEqual([{ label: 'mobile', number: '+15550199' }]);
      expect((await server.api('GET', '/admin/v1/users/gina')).body.phones).toEqual([{ label: 'mobile', number: '+15550199' }]);

      const enrolled = await full.enrollToken(assertion, { label: 'new phone' });
      expect(enrolled.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
      expect(enrolled.qrSvg).toMatch(/<svg/);
      expect(Buffer.from(enrolled.qrPngBase64, 'base64').subarray(1, 4).toString()).toBe('PNG');
      expect((await full.getSelf(assertion)).tokens.map((t) => t.label)).toContain('new phone');
      await expect(full.removeToken(assertion, enrolled.token.tokenId)).resolves.toBeUndefined();
      expect((await full.getSelf(assertion)).tokens.map((t) => t.tokenId)).not.toContain(enrolled.token.tokenId);
      await expect(problemOf(full.removeToken(assertion, enrolled.token.tokenId))).resolves.toEqual({ status: 404, code: 'unknown_token' });

      await expect(full.reportFraud(assertion, { reason: 'not me' })).resolves.toMatchObject({ blocked: true });
      await expect(full.startAuthentication({ username: 'gina' })).resolves.toMatchObject({ status: 'rejected', reason: 'user_blocked' });
    });

    it('needs a valid user assertion issued to the same credential', async () => {
      const { seed } = await createUser(server, 'hugo', { totp: true });
      const assertion = await signIn(full, 'hugo', seed!);
      await expect(problemOf(full.getSelf(''))).resolves.toEqual({ status: 401, code: 'user_assertion_required' });
      const bare = await full.raw('GET', '/sdk/v1/self-service/me');
      expect([bare.status, (bare.body as { code: string }).code]).toEqual([401, 'user_assertion_required']);
      await expect(problemOf(viaCert.changePin(assertion, { pin: '73915824' }))).resolves.toEqual({ status: 401, code: 'user_assertion_invalid' });
      await expect(problemOf(full.changePin(`${assertion.slice(0, -4)}AAAA`, { pin: '73915824' }))).resolves.toEqual({ status: 401, code: 'user_assertion_invalid' });
      // A challenge handle is not an assertion.
      const started = await full.startAuthentication({ username: 'hugo' });
      if (started.status !== 'challenge') throw new Error('no challenge');
      await expect(problemOf(full.changePin(started.challenge, { pin: '73915824' }))).resolves.toEqual({ status: 401, code: 'user_assertion_invalid' });
      expect((await server.api('GET', '/admin/v1/users/hugo')).body.hasPin).toBe(false);
    });
  });

  describe('credentials and scopes', () => {
    const bodies: Record<string, unknown> = {
      startAuthentication: { username: 'alice' }, answerChallenge: { challenge: 'A'.repeat(40), code: '123456' },
      pollAuthentication: { handle: 'A'.repeat(40) }, cancelAuthentication: { handle: 'A'.repeat(40) }, validatePin: { username: 'alice', pin: '1234' },
      changePin: { pin: '73915824' }, changePhone: { number: '+15550100' }, enrollToken: {}, reportFraud: {},
    };
    const call = (client: TwofoldSdkClient, op: (typeof SDK_OPERATIONS)[number]) =>
      client.raw(op.method.toUpperCase(), op.path.replace('{username}', 'alice').replace('{tokenId}', 't1').replace('{deviceId}', 'd1'), {
        ...(bodies[op.operationId] !== undefined ? { body: bodies[op.operationId] } : {}), headers: op.userAssertion ? { 'x-user-assertion': 'A'.repeat(40) } : {},
      });

    it('answers 403 scope_not_granted for every operation outside the credential\'s scopes, and nothing else', async () => {
      const byScope = new Map<Scope, TwofoldSdkClient>();
      for (const scope of ALL_SCOPES) {
        const others = ALL_SCOPES.filter((s) => s !== scope);
        byScope.set(scope, track(bearerClient(server, (await issueCredential(server, `without-${scope}`, others)).token)));
      }
      const head = await logHead(server);
      for (const op of SDK_OPERATIONS.filter((o) => o.scope)) {
        const without = await call(byScope.get(op.scope as Scope)!, op);
        expect({ op: op.operationId, status: without.status, code: (without.body as { code?: string }).code }).toEqual({ op: op.operationId, status: 403, code: 'scope_not_granted' });
        const other = ALL_SCOPES.find((s) => s !== op.scope)!;
        const withScope = await call(byScope.get(other)!, op);
        expect({ op: op.operationId, status: withScope.status }).not.toEqual({ op: op.operationId, status: 403 });
      }
      expect(await logHead(server)).toBe(head);
    });

    it('answers 401 to no credential, wrong or malformed ones, foreign or unbound certificates, and revoked credentials', async () => {
      const op = (client: TwofoldSdkClient) => problemOf(client.getUser('alice'));
      const anonymous = track(new TwofoldSdkClient({ baseUrl: server.url, ca: server.ca, validateResponses: true }));
      await expect(op(anonymous)).resolves.toEqual({ status: 401, code: 'unauthenticated' });
      const issued = await issueCredential(server, 'to-revoke', ALL_SCOPES);
      const [id] = issued.token.split('.');
      for (const token of [`${id}.${'x'.repeat(43)}`, 'garbage', `${issued.token}x`, `${id}`]) {
        await expect(op(track(bearerClient(server, token)))).resolves.toEqual({ status: 401, code: 'unauthenticated' });
      }
      const basic = await anonymous.raw('GET', '/sdk/v1/users/alice', { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } });
      expect(basic.status).toBe(401);

      const foreignCa = createClusterCa('someone-else');
      const foreign = issueCertificate(foreignCa, 'intruder', { client: true });
      // Same fingerprint registered, but the certificate does not chain to the cluster CA.
      await issueCredential(server, 'foreign', ALL_SCOPES, certificateFingerprint(foreign.certPem));
      await expect(op(track(certClient(server, foreign)))).resolves.toEqual({ status: 401, code: 'unauthenticated' });
      await expect(op(track(certClient(server, clientCertificate(server, 'unbound'))))).resolves.toEqual({ status: 401, code: 'unauthenticated' });

      const revokedCert = clientCertificate(server, 'revoked-cert');
      const certCredential = await issueCredential(server, 'revoked-cert', ALL_SCOPES, revokedCert.fingerprint);
      const byToken = track(bearerClient(server, issued.token));
      const byCert = track(certClient(server, revokedCert));
      await expect(byToken.getUser('alice')).resolves.toMatchObject({ username: 'alice' });
      await expect(byCert.getUser('alice')).resolves.toMatchObject({ username: 'alice' });
      expect((await server.api('DELETE', `/admin/v1/sdk-credentials/${issued.credentialId}`)).status).toBe(204);
      expect((await server.api('DELETE', `/admin/v1/sdk-credentials/${certCredential.credentialId}`)).status).toBe(204);
      await expect(op(byToken)).resolves.toEqual({ status: 401, code: 'credential_revoked' });
      await expect(op(byCert)).resolves.toEqual({ status: 401, code: 'credential_revoked' });
    });
  });

  describe('bad input', () => {
    it('gets a stable problem code for every kind of bad request, and the log does not move', async () => {
      const client = track(bearerClient(server, (await issueCredential(server, 'bad-input', ALL_SCOPES)).token));
      const { seed } = await createUser(server, 'ivan', { totp: true });
      const started = await client.startAuthentication({ username: 'ivan' });
      if (started.status !== 'challenge') throw new Error('no challenge');
      const answered = await client.answerChallenge({ challenge: started.challenge, code: totp(seed!) });
      if (answered.status !== 'accepted') throw new Error('not accepted');
      const assertion = answered.userAssertion;
      const me = { 'x-user-assertion': assertion };
      const A = '/sdk/v1/authentications';
      const cases: Array<{ name: string; method: string; path: string; body?: unknown; raw?: string; headers?: Record<string, string>; status: number; code: string; field?: string }> = [
        { name: 'invalid JSON', method: 'POST', path: A, raw: '{"username":', status: 400, code: 'invalid_json' },
        { name: 'not JSON', method: 'POST', path: A, raw: 'username=ivan', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, code: 'unsupported_media_type' },
        { name: 'no body', method: 'POST', path: A, status: 400, code: 'validation_failed', field: 'body' },
        { name: 'array body', method: 'POST', path: A, body: [{ username: 'ivan' }], status: 400, code: 'validation_failed', field: 'body' },
        { name: 'string body', method: 'POST', path: A, body: 'ivan', status: 400, code: 'validation_failed', field: 'body' },
        { name: 'too large', method: 'POST', path: A, body: { username: 'ivan', application: 'x'.repeat(20_000) }, status: 413, code: 'payload_too_large' },
        { name: 'unknown field', method: 'POST', path: A, body: { username: 'ivan', passcode: 'x' }, status: 400, code: 'validation_failed' },
        { name: 'username wrong type', method: 'POST', path: A, body: { username: 42 }, status: 400, code: 'validation_failed', field: 'username' },
        { name: 'username bad characters', method: 'POST', path: A, body: { username: 'iv an' }, status: 400, code: 'validation_failed', field: 'username' },
        { name: 'username too long', method: 'POST', path: A, body: { username: 'a'.repeat(65) }, status: 400, code: 'validation_failed', field: 'username' },
        { name: 'unknown method', method: 'POST', path: A, body: { username: 'ivan', method: 'carrier-pigeon' }, status: 400, code: 'validation_failed', field: 'method' },
        { name: 'PIN not digits', method: 'POST', path: A, body: { username: 'ivan', pin: '12ab' }, status: 400, code: 'validation_failed', field: 'pin' },
        { name: 'application with control characters', method: 'POST', path: A, body: { username: 'ivan', application: 'Pay\u0007roll' }, status: 400, code: 'validation_failed', field: 'application' },
        { name: 'answer without code', method: 'POST', path: `${A}/answer`, body: { challenge: started.challenge }, status: 400, code: 'validation_failed', field: 'code' },
        { name: 'answer code not digits', method: 'POST', path: `${A}/answer`, body: { challenge: started.challenge, code: '12345a' }, status: 400, code: 'validation_failed', field: 'code' },
        { name: 'answer handle not base64url', method: 'POST', path: `${A}/answer`, body: { challenge: 'not a handle!', code: '123456' }, status: 400, code: 'validation_failed', field: 'challenge' },
        { name: 'poll wait too long', method: 'POST', path: `${A}/poll`, body: { handle: started.challenge, waitSeconds: 26 }, status: 400, code: 'validation_failed', field: 'waitSeconds' },
        { name: 'poll wait fractional', method: 'POST', path: `${A}/poll`, body: { handle: started.challenge, waitSeconds: 1.5 }, status: 400, code: 'validation_failed', field: 'waitSeconds' },
        { name: 'cancel without handle', method: 'POST', path: `${A}/cancel`, body: {}, status: 400, code: 'validation_failed', field: 'handle' },
        { name: 'PIN check without PIN', method: 'POST', path: '/sdk/v1/pin-validations', body: { username: 'ivan' }, status: 400, code: 'validation_failed', field: 'pin' },
        { name: 'lookup bad username', method: 'GET', path: '/sdk/v1/users/%20%00', status: 400, code: 'validation_failed', field: 'username' },
        { name: 'PIN too short', method: 'PUT', path: '/sdk/v1/self-service/pin', body: { pin: '12' }, headers: me, status: 400, code: 'pin_too_short' },
        { name: 'PIN trivial', method: 'PUT', path: '/sdk/v1/self-service/pin', body: { pin: '1234' }, headers: me, status: 400, code: 'pin_trivial' },
        { name: 'PIN not numeric', method: 'PUT', path: '/sdk/v1/self-service/pin', body: { pin: 'abcdef' }, headers: me, status: 400, code: 'pin_not_numeric' },
        { name: 'phone not E.164', method: 'PUT', path: '/sdk/v1/self-service/phone', body: { number: '555-CALL-ME' }, headers: me, status: 400, code: 'validation_failed' },
        { name: 'phone missing', method: 'PUT', path: '/sdk/v1/self-service/phone', body: {}, headers: me, status: 400, code: 'validation_failed', field: 'number' },
        { name: 'token label too long', method: 'POST', path: '/sdk/v1/self-service/tokens', body: { label: 'x'.repeat(65) }, headers: me, status: 400, code: 'validation_failed', field: 'label' },
        { name: 'token kind not offered', method: 'POST', path: '/sdk/v1/self-service/tokens', body: { kind: 'hotp' }, headers: me, status: 400, code: 'validation_failed' },
        { name: 'remove unknown token', method: 'DELETE', path: '/sdk/v1/self-service/tokens/no-such-token', headers: me, status: 404, code: 'unknown_token' },
        { name: 'remove bad token id', method: 'DELETE', path: '/sdk/v1/self-service/tokens/bad%20id', headers: me, status: 400, code: 'validation_failed', field: 'tokenId' },
        { name: 'fraud reason too long', method: 'POST', path: '/sdk/v1/self-service/fraud-reports', body: { reason: 'x'.repeat(300) }, headers: me, status: 400, code: 'validation_failed', field: 'reason' },
        { name: 'unknown route', method: 'GET', path: '/sdk/v1/nothing-here', status: 404, code: 'not_found' },
      ];
      const before = await logHead(server);
      const userBefore = (await server.api('GET', '/admin/v1/users/ivan')).body;
      for (const c of cases) {
        const res = await client.raw(c.method, c.path, { ...(c.raw !== undefined ? { rawBody: c.raw } : {}), ...(c.body !== undefined ? { body: c.body } : {}), headers: c.headers });
        const problem = res.body as { code?: string; field?: string; status?: number; detail?: string };
        expect({ name: c.name, status: res.status, code: problem.code, ...(c.field ? { field: problem.field } : {}) })
          .toEqual({ name: c.name, status: c.status, code: c.code, ...(c.field ? { field: c.field } : {}) });
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(problem.detail).toEqual(expect.any(String));
        // Nothing the caller sent comes back in the error.
        expect(problem.detail).not.toMatch(/12ab|abcdef|CALL-ME/);
      }
      // Well-formed but useless handles are authentication outcomes, not errors; they write nothing.
      const tampered = `${started.challenge.slice(0, -6)}AAAAAA`;
      await expect(client.answerChallenge({ challenge: tampered, code: '123456' })).resolves.toMatchObject({ status: 'rejected', reason: 'invalid_state' });
      await expect(client.pollAuthentication({ handle: started.challenge })).resolves.toMatchObject({ status: 'rejected', reason: 'invalid_state' });
      await expect(client.cancelAuthentication({ handle: tampered })).resolves.toMatchObject({ status: 'rejected', reason: 'invalid_state' });
      expect(await logHead(server)).toBe(before);
      expect((await server.api('GET', '/admin/v1/users/ivan')).body).toEqual(userBefore);
    });
  });

  describe('rate limits', () => {
    it('limits guessable calls per user with 429 and Retry-After', async () => {
      await createUser(server, 'jana', { totp: true });
      const outcomes: Array<number | string> = [];
      for (let i = 0; i < 12; i++) {
        const res = await full.raw('POST', '/sdk/v1/authentications', { body: { username: 'jana' } });
        outcomes.push(res.status === 429 ? `429:${res.headers['retry-after']}:${(res.body as { code: string }).code}` : res.status);
      }
      expect(outcomes.slice(0, 10)).toEqual(Array(10).fill(200));
      expect(outcomes[10]).toMatch(/^429:\d+:rate_limited$/);
      // Another user is not affected.
      await createUser(server, 'karl', { totp: true });
      await expect(full.startAuthentication({ username: 'karl' })).resolves.toMatchObject({ status: 'challenge' });
    });

    it('limits every call per credential with 429 and Retry-After', async () => {
      const token = (await issueCredential(server, 'flood', ['users:read'])).token;
      const client = track(new TwofoldSdkClient({ baseUrl: server.url, ca: server.ca, token, maxSockets: 16 }));
      // The bucket holds 400 calls (refilled at 5/s here): flood until the first refusal.
      let served = 0;
      let limited: Awaited<ReturnType<TwofoldSdkClient['raw']>> | undefined;
      for (let round = 0; round < 30 && !limited; round++) {
        const results = await Promise.all(Array.from({ length: 100 }, () => client.raw('GET', '/sdk/v1/users/alice')));
        limited = results.find((r) => r.status === 429);
        served += results.filter((r) => r.status === 200).length;
      }
      expect(limited).toBeDefined();
      expect(served).toBeGreaterThanOrEqual(400);
      expect(Number(limited!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(limited!.body).toMatchObject({ code: 'rate_limited', status: 429, retryAfterSeconds: expect.any(Number) });
      // Other credentials keep working.
      await expect(full.getUser('alice')).resolves.toMatchObject({ username: 'alice' });
    });
  });

  it('serves the OpenAPI document that is kept in the repository', async () => {
    const served = await full.openApiDocument();
    expect(served).toEqual(JSON.parse(readFileSync(join(REPO_ROOT, 'docs/openapi/sdk-v1.json'), 'utf8')));
    expect(served.openapi).toBe('3.1.0');
  });

  it('never writes codes, PINs or handles to its log', async () => {
    const log = server.stdout.join('');
    expect(log).toMatch(/SDK authentication/);
    for (const secret of ['48261937', '73915824', 'userAssertion', '"challenge":"', '"handle":"']) expect(log).not.toContain(secret);
  });
});
