import { TwofoldSdkClient } from '@twofold/sdk-client';
import { ServerProcess } from '../support/server-process';
import { ALL_SCOPES, bearerClient, certClient, clientCertificate, createUser, deliveriesOf, issueCredential, sleep, totp } from './sdk-support';

// Two server processes over one log (the same SQLite data directory, different ports): what one
// node starts, the other finishes, with no session shared but the sealed handles and the log.
describe('SDK across two nodes sharing one log', () => {
  let a: ServerProcess;
  let b: ServerProcess;
  const clients: TwofoldSdkClient[] = [];
  let onA: TwofoldSdkClient;
  let onB: TwofoldSdkClient;

  beforeAll(async () => {
    a = await ServerProcess.start();
    b = await ServerProcess.start({ dataDir: a.dataDir, adminToken: a.adminToken });
    // One credential (a client certificate), used against either node.
    const cert = clientCertificate(a, 'adfs-farm');
    await issueCredential(a, 'adfs-farm', ALL_SCOPES, cert.fingerprint);
    onA = certClient(a, cert);
    onB = certClient(b, cert);
    clients.push(onA, onB);
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await b?.stop();
    await a?.stop();
  });

  it('starts a TOTP authentication on A and accepts the answer on B; the code is then spent on A too', async () => {
    const { seed, userId } = await createUser(a, 'olga', { totp: true });
    const started = await onA.startAuthentication({ username: 'olga' });
    if (started.status !== 'challenge') throw new Error(`no challenge: ${JSON.stringify(started)}`);
    const code = totp(seed!);
    await expect(onB.answerChallenge({ challenge: started.challenge, code })).resolves.toMatchObject({ status: 'accepted', userId });
    const again = await onA.startAuthentication({ username: 'olga' });
    if (again.status !== 'challenge') throw new Error('no challenge');
    await expect(onA.answerChallenge({ challenge: again.challenge, code })).resolves.toMatchObject({ status: 'rejected', reason: 'code_replayed' });
  });

  it('sends the SMS from B and accepts its code on A', async () => {
    await createUser(a, 'pete', { method: 'sms', phone: '+15550199' });
    const deliveries = deliveriesOf(a);
    const before = deliveries.count();
    const started = await onB.startAuthentication({ username: 'pete' });
    if (started.status !== 'challenge') throw new Error('no challenge');
    const [sms] = await deliveries.after(before);
    await expect(onA.answerChallenge({ challenge: started.challenge, code: /\d{6}/.exec(sms.text)![0] })).resolves.toMatchObject({ status: 'accepted' });
  });

  it('starts a push on A, long-polls on B, and B answers as soon as A records the approval', async () => {
    const { userId } = await createUser(a, 'ruth', { method: 'push' });
    const deliveries = deliveriesOf(a);
    const before = deliveries.count();
    const started = await onA.startAuthentication({ username: 'ruth' });
    if (started.status !== 'pending') throw new Error('not pending');
    const [push] = await deliveries.after(before);
    const held = onB.pollAuthentication({ handle: started.handle, waitSeconds: 20 });
    await sleep(300);
    expect((await a.api('POST', `/admin/v1/approvals/${push.approvalId}`, { decision: 'approve' })).status).toBe(200);
    await expect(held).resolves.toMatchObject({ status: 'accepted', userId });
  });

  it('cancels on B what A started: A then answers cancelled', async () => {
    await createUser(a, 'sven', { method: 'push' });
    const started = await onA.startAuthentication({ username: 'sven' });
    if (started.status !== 'pending') throw new Error('not pending');
    await expect(onB.cancelAuthentication({ handle: started.handle })).resolves.toEqual({ status: 'cancelled' });
    await expect(onA.pollAuthentication({ handle: started.handle, waitSeconds: 5 })).resolves.toMatchObject({ status: 'rejected', reason: 'approval_cancelled' });
  });

  it('honours a user assertion from A on B (self-service written on the master)', async () => {
    const { seed } = await createUser(a, 'tina', { totp: true });
    const started = await onB.startAuthentication({ username: 'tina' });
    if (started.status !== 'challenge') throw new Error('no challenge');
    const answered = await onB.answerChallenge({ challenge: started.challenge, code: totp(seed!) });
    if (answered.status !== 'accepted') throw new Error('not accepted');
    // A bearer client of the same credential would not do: assertions are bound to the credential.
    await expect(onA.changePin(answered.userAssertion, { pin: '58203716' })).resolves.toBeUndefined();
    expect((await a.api('GET', '/admin/v1/users/tina')).body.hasPin).toBe(true);
    const other = bearerClient(a, (await issueCredential(a, 'other-app', ALL_SCOPES)).token);
    clients.push(other);
    await expect(other.getSelf(answered.userAssertion)).rejects.toMatchObject({ status: 401, code: 'user_assertion_invalid' });
  });
});
