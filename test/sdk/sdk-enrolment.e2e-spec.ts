import { base32Decode } from '@twofold/domain';
import { generateTotp } from '@twofold/mfa';
import { TwofoldSdkClient } from '@twofold/sdk-client';
import { ServerProcess } from '../support/server-process';
import { createUser, deliveriesOf, logHead, problemOf, totp, withServerAndFullClient } from './sdk-support';

// The calls the User Portal needs: the local password as first factor on start, a TOTP enrolment
// that records a token only after a correct code, and the user's own activity.
describe('SDK: password first factor, two-step enrolment, activity', () => {
  let server: ServerProcess;
  let sdk: TwofoldSdkClient;

  withServerAndFullClient((s, c) => { server = s; sdk = c; });

  async function withPassword(username: string, password: string): Promise<Buffer> {
    const { seed } = await createUser(server, username, { totp: true });
    expect((await server.api('PUT', `/admin/v1/users/${username}/password`, { password })).status).toBeLessThan(300);
    return seed!;
  }

  async function signIn(username: string, password: string, seed: Buffer): Promise<string> {
    const started = await sdk.startAuthentication({ username, password });
    if (started.status !== 'challenge') throw new Error(JSON.stringify(started));
    const answered = await sdk.answerChallenge({ challenge: started.challenge, code: totp(seed) });
    if (answered.status !== 'accepted') throw new Error(JSON.stringify(answered));
    return answered.userAssertion;
  }

  it('checks the local password before any challenge; a wrong one is a failed attempt', async () => {
    await withPassword('paula', 'paulas password');
    await expect(sdk.startAuthentication({ username: 'paula', password: 'wrong' })).resolves.toMatchObject({ status: 'rejected', reason: 'invalid_credentials' });
    await expect(sdk.startAuthentication({ username: 'paula', password: 'paulas password' })).resolves.toMatchObject({ status: 'challenge' });
    // A user with no password set cannot pass a password check.
    await createUser(server, 'nopass', { totp: true });
    await expect(sdk.startAuthentication({ username: 'nopass', password: 'anything' })).resolves.toMatchObject({ status: 'rejected', reason: 'invalid_credentials' });
  });

  it('records the token only after a correct code, once, and for the user who began it', async () => {
    const seed = await withPassword('quinn', 'quinns password');
    const assertion = await signIn('quinn', 'quinns password', seed);
    const before = await logHead(server);
    const started = await sdk.beginTokenEnrolment(assertion, { label: 'new phone' });
    expect(started.otpauthUri).toContain(`secret=${started.secret}`);
    expect(await logHead(server)).toBe(before);
    const newSeed = base32Decode(started.secret);
    const wrong = generateTotp(newSeed, Date.now()) === '000000' ? '111111' : '000000';
    await expect(problemOf(sdk.confirmTokenEnrolment(assertion, { enrolment: started.enrolment, code: wrong }))).resolves.toEqual({ status: 400, code: 'invalid_code' });
    await expect(problemOf(sdk.confirmTokenEnrolment(assertion, { enrolment: `${started.enrolment.slice(0, -4)}AAAA`, code: generateTotp(newSeed, Date.now()) }))).resolves.toEqual({ status: 400, code: 'invalid_enrolment' });
    expect(await logHead(server)).toBe(before);

    // Another user's assertion cannot finish it.
    const otherSeed = await withPassword('rita', 'ritas password');
    const rita = await signIn('rita', 'ritas password', otherSeed);
    await expect(problemOf(sdk.confirmTokenEnrolment(rita, { enrolment: started.enrolment, code: generateTotp(newSeed, Date.now()) }))).resolves.toEqual({ status: 400, code: 'invalid_enrolment' });

    const confirmCode = generateTotp(newSeed, Date.now());
    const confirmed = await sdk.confirmTokenEnrolment(assertion, { enrolment: started.enrolment, code: confirmCode });
    expect(confirmed.token).toMatchObject({ kind: 'totp', label: 'new phone' });
    // The code that confirmed the token does not sign in afterwards.
    const again = await sdk.startAuthentication({ username: 'quinn', password: 'quinns password' });
    if (again.status !== 'challenge') throw new Error(JSON.stringify(again));
    await expect(sdk.answerChallenge({ challenge: again.challenge, code: confirmCode })).resolves.toMatchObject({ status: 'rejected', reason: 'code_replayed' });
    await expect(problemOf(sdk.confirmTokenEnrolment(assertion, { enrolment: started.enrolment, code: generateTotp(newSeed, Date.now()) }))).resolves.toEqual({ status: 409, code: 'duplicate_token' });
    const tokens = (await server.api('GET', '/admin/v1/users/quinn/tokens')).body as Array<{ label: string }>;
    expect(tokens.map((t) => t.label).sort()).toEqual(['', 'new phone']);
  });

  it('lists the user\'s own sign-ins and changes, newest first, with where and which node', async () => {
    const seed = await withPassword('sara', 'saras password');
    await sdk.startAuthentication({ username: 'sara', password: 'nope' });
    const assertion = await signIn('sara', 'saras password', seed);
    const { entries } = await sdk.getActivity(assertion);
    expect(entries.slice(0, 2).map((e) => e.kind)).toEqual(['signed_in', 'sign_in_failed']);
    expect(entries.map((e) => e.kind)).toEqual(expect.arrayContaining(['password_changed', 'token_added']));
    expect(entries[0].where).toMatch(/^sdk:/);
    expect(entries[0].node).not.toBe('');
  });

  it('records a new phone number only with the code sent to it, and a handle works once', async () => {
    const seed = await withPassword('tove', 'toves password');
    const assertion = await signIn('tove', 'toves password', seed);
    await expect(problemOf(sdk.beginPhoneChange(assertion, { number: '070-123' }))).resolves.toEqual({ status: 400, code: 'validation_failed' });
    const deliveries = deliveriesOf(server);
    const sent = deliveries.count();
    const before = await logHead(server);
    const started = await sdk.beginPhoneChange(assertion, { number: '+46 (70) 765-43.21' });
    expect(started.number).toBe('+46707654321');
    const [sms] = await deliveries.after(sent);
    expect(sms.to).toBe('+46707654321');
    const code = /\d{6}/.exec(sms.text)![0];
    await expect(problemOf(sdk.confirmPhoneChange(assertion, { change: started.change, code: code === '000000' ? '111111' : '000000' }))).resolves.toEqual({ status: 400, code: 'invalid_code' });
    expect(await logHead(server)).toBe(before);
    const me = await sdk.confirmPhoneChange(assertion, { change: started.change, code });
    expect(me.phones).toEqual([{ label: 'mobile', number: '+46707654321' }]);
    await expect(problemOf(sdk.confirmPhoneChange(assertion, { change: started.change, code }))).resolves.toEqual({ status: 409, code: 'version_conflict' });
  });
});
