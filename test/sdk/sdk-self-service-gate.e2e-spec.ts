import { TwofoldSdkClient } from '@twofold/sdk-client';
import { ServerProcess } from '../support/server-process';
import { createUser, problemOf, totp, withServerAndFullClient } from './sdk-support';

// Self-service is gated like a sign-in (disabled, locked, blocked), and a user assertion taken
// before a block, lock, disable or PIN change no longer opens self-service, even once lifted.
describe('SDK self-service gate', () => {
  let server: ServerProcess;
  let sdk: TwofoldSdkClient;

  withServerAndFullClient((s, c) => { server = s; sdk = c; });

  async function signIn(username: string, seed: Buffer, step: number, pin?: string): Promise<string> {
    const started = await sdk.startAuthentication({ username, ...(pin ? { pin } : {}) });
    if (started.status !== 'challenge') throw new Error(`no challenge: ${JSON.stringify(started)}`);
    const answered = await sdk.answerChallenge({ challenge: started.challenge, code: totp(seed, step) });
    if (answered.status !== 'accepted') throw new Error(`not accepted: ${JSON.stringify(answered)}`);
    return answered.userAssertion;
  }

  const tokenCount = async (username: string) => ((await server.api('GET', `/admin/v1/users/${username}/tokens`)).body as unknown[]).length;
  const admin = async (method: string, path: string, body: unknown = {}) => expect((await server.api(method, path, body)).status).toBeLessThan(300);

  it('a user blocked for fraud gets no new seed with an assertion from before the block, nor after the unblock', async () => {
    const { seed } = await createUser(server, 'fred', { totp: true });
    const assertion = await signIn('fred', seed!, 0);
    await admin('POST', '/admin/v1/users/fred/block', { reason: 'fraud reported by the help desk' });
    await expect(problemOf(sdk.enrollToken(assertion, { label: 'attacker phone' }))).resolves.toEqual({ status: 403, code: 'user_blocked' });
    await admin('POST', '/admin/v1/users/fred/unblock');
    await expect(problemOf(sdk.enrollToken(assertion, { label: 'attacker phone' }))).resolves.toEqual({ status: 401, code: 'user_assertion_invalid' });
    expect(await tokenCount('fred')).toBe(1);
    // A sign-in after the unblock works as before.
    const fresh = await signIn('fred', seed!, 1);
    await expect(sdk.enrollToken(fresh, { label: 'new phone' })).resolves.toMatchObject({ otpauthUri: expect.stringMatching(/^otpauth:/) });
    expect(await tokenCount('fred')).toBe(2);
  });

  it('a user locked out by failed PIN checks is refused, and the old assertion stays void after the unlock', async () => {
    const { seed } = await createUser(server, 'lena', { totp: true, pin: '73915482' });
    const assertion = await signIn('lena', seed!, 0, '73915482');
    for (let i = 0; i < 5; i++) await sdk.validatePin({ username: 'lena', pin: '11112222' });
    await expect(problemOf(sdk.getSelf(assertion))).resolves.toEqual({ status: 403, code: 'user_locked' });
    await admin('POST', '/admin/v1/users/lena/unlock');
    await expect(problemOf(sdk.changePhone(assertion, { number: '+15550177' }))).resolves.toEqual({ status: 401, code: 'user_assertion_invalid' });
  });

  it('a disabled user is refused; re-enabled, the assertion from before is void', async () => {
    const { seed } = await createUser(server, 'dina', { totp: true });
    const assertion = await signIn('dina', seed!, 0);
    await admin('POST', '/admin/v1/users/dina/disable');
    await expect(problemOf(sdk.enrollToken(assertion, {}))).resolves.toEqual({ status: 403, code: 'user_disabled' });
    await admin('POST', '/admin/v1/users/dina/enable');
    await expect(problemOf(sdk.enrollToken(assertion, {}))).resolves.toEqual({ status: 401, code: 'user_assertion_invalid' });
    expect(await tokenCount('dina')).toBe(1);
  });

  it('a PIN change (by the administrator or the user) voids the assertions issued before it', async () => {
    const { seed } = await createUser(server, 'paul', { totp: true });
    const assertion = await signIn('paul', seed!, 0);
    await admin('PUT', '/admin/v1/users/paul/pin', { pin: '73915482' });
    await expect(problemOf(sdk.getSelf(assertion))).resolves.toEqual({ status: 401, code: 'user_assertion_invalid' });
    const next = await signIn('paul', seed!, 1, '73915482');
    await expect(sdk.changePin(next, { pin: '48261937' })).resolves.toBeUndefined();
    await expect(problemOf(sdk.enrollToken(next, {}))).resolves.toEqual({ status: 401, code: 'user_assertion_invalid' });
  });
});
