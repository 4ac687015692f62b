import { join } from 'node:path';
import { ServerProcess } from '../support/server-process';
import {
  addRadiusClient, createRadiusUser, oathtoolTotp, papWith, readDeliveries, waitForDeliveries,
} from '../support/radius-tools';
import { describeIfTools } from '../support/radius-suite';

// Two server processes over one log (the same SQLite data directory, different ports): a sign-in
// started on one node is finished on the other, and decisions taken on one reach the other.

const SECRET = 'two-nodes-e2e-secret';

describeIfTools('RADIUS across two nodes sharing one log', () => {
  let a: ServerProcess;
  let b: ServerProcess;
  let deliveries: string;
  const pap = papWith(SECRET, { timeoutS: 3 });

  beforeAll(async () => {
    a = await ServerProcess.start({ env: { TWOFOLD_RADIUS_OOB_TIMEOUT_MS: '10000' } });
    await addRadiusClient(a, { name: 'loopback', address: '127.0.0.1', secret: SECRET, firstFactor: 'local-password' });
    b = await ServerProcess.start({ dataDir: a.dataDir, adminToken: a.adminToken, env: { TWOFOLD_RADIUS_OOB_TIMEOUT_MS: '10000' } });
    deliveries = join(a.dataDir, 'deliveries.jsonl');
  });

  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  it('issues the Access-Challenge on node A and accepts the answer on node B; the code is then spent on A too', async () => {
    const { secret } = await createRadiusUser(a, 'olga', { password: 'olga-password', totp: true });
    const challenge = await pap(a, 'olga', 'olga-password');
    expect(challenge.code).toBe('Access-Challenge');
    const code = oathtoolTotp(secret!);
    const answer = await pap(b, 'olga', code, { State: challenge.state! });
    expect(answer.code).toBe('Access-Accept');
    // Used once anywhere means used everywhere.
    const replay = await pap(a, 'olga', `olga-password${code}`);
    expect(replay.code).toBe('Access-Reject');
    expect(replay.replyMessage).toMatch(/already been used/);
  });

  it('sends the SMS from node B and accepts its code on node A', async () => {
    await createRadiusUser(b, 'pete', { password: 'pete-password', method: 'sms', phone: '+15550199' });
    const before = readDeliveries(deliveries).length;
    const challenge = await pap(b, 'pete', 'pete-password');
    expect(challenge.code).toBe('Access-Challenge');
    const [sms] = (await waitForDeliveries(deliveries, before + 1)).slice(before);
    const code = /\d{6}/.exec(sms.text)![0];
    const answer = await pap(a, 'pete', code, { State: challenge.state! });
    expect(answer.code).toBe('Access-Accept');
    // The same State and code replayed on the other node: answered once means answered everywhere.
    const replay = await pap(b, 'pete', code, { State: challenge.state! });
    expect(replay.code).toBe('Access-Reject');
  });

  it('holds a push on node A and releases it when node B records the approval', async () => {
    const { userId } = await createRadiusUser(a, 'ruth', { password: 'ruth-password', method: 'push' });
    const before = readDeliveries(deliveries).length;
    const held = pap(a, 'ruth', 'ruth-password', {}, 15);
    const [push] = (await waitForDeliveries(deliveries, before + 1)).slice(before);
    expect(push.userId).toBe(userId);
    expect((await b.api('POST', `/admin/v1/approvals/${push.approvalId}`, { decision: 'approve' })).status).toBe(200);
    expect((await held).code).toBe('Access-Accept');
  });

  it('reports fraud on node B and node A rejects the blocked user', async () => {
    await createRadiusUser(a, 'sara', { password: 'sara-password', method: 'push' });
    const before = readDeliveries(deliveries).length;
    const held = pap(a, 'sara', 'sara-password', {}, 15);
    const [push] = (await waitForDeliveries(deliveries, before + 1)).slice(before);
    expect((await b.api('POST', `/admin/v1/approvals/${push.approvalId}`, { decision: 'fraud' })).status).toBe(200);
    const rejected = await held;
    expect(rejected.code).toBe('Access-Reject');
    expect(rejected.replyMessage).toMatch(/Fraud was reported/);
    // Node A's read model follows the shared log by polling: wait until it shows the block.
    for (let i = 0; i < 50 && !(await a.api('GET', '/admin/v1/users/sara')).body.blocked; i++) await new Promise((r) => setTimeout(r, 100));
    const next = await pap(a, 'sara', 'sara-password');
    expect(next.replyMessage).toMatch(/blocked after a fraud report/);
  });
});
