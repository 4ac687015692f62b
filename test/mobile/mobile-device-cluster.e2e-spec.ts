import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PendingApproval, TwofoldSdkClient } from '@twofold/sdk-client';
import { TwofoldDevice } from '../../apps/device/src/twofold-device';
import { cliFor, twofold } from '../support/cli';
import { eventually } from '../support/eventually';
import { ServerProcess } from '../support/server-process';
import { addRadiusClient, createRadiusUser, hasRadclient, oathtoolTotp, radclient } from '../support/radius-tools';
import { joinNode, startNode, untilCaughtUp } from '../replication/support/cluster-nodes';
import { PortalProcess } from '../portal/support/portal-process';
import { caFileOf, logPosition, newSessionKey } from '../portal/support/portal-setup';
import { bearerClient, issueCredential } from '../sdk/sdk-support';
import { portalFingerprint, twofoldDevice } from './support/device-cli';

const SECRET = 'mobile-radius-secret';
const MASTER_ENV = { TWOFOLD_NODE_NAME: 'master1', TWOFOLD_SDK_APPROVAL_WINDOW_MS: '5000' };
const run = hasRadclient ? describe : describe.skip;

// The phone is `twofold-device` (a child process) talking to the portal's /mobile/v1, which
// forwards to the MASTER; the push sign-ins are held on the SLAVE (RADIUS) or started there (SDK).
// Then the master is killed: the slave decides the answers for the sign-ins it holds, and the
// master appends them once when it is back.
run('Mobile App Web Service: twofold-device through the portal, sign-ins on the slave', () => {
  let master: ServerProcess;
  let slave: ServerProcess;
  let portal: PortalProcess;
  let onMaster: TwofoldSdkClient;
  let onSlave: TwofoldSdkClient;
  let fingerprint: string;
  let totpSecret: string;
  let deviceId: string;
  const keys = mkdtempSync(join(tmpdir(), 'twofold-phone-'));
  const phoneKey = join(keys, 'ebba-phone.json');
  const service = () => `${portal.url}/mobile/v1`;

  beforeAll(async () => {
    master = await ServerProcess.start({ env: MASTER_ENV });
    slave = await startNode(await joinNode(master, 'slave1'), master.adminToken, { TWOFOLD_RADIUS_OOB_TIMEOUT_MS: '20000' });
    const { token } = await issueCredential(master, 'portal', ['authenticate', 'self-service', 'devices']);
    ({ secret: totpSecret } = await createRadiusUser(master, 'ebba', { password: 'ebba-password', method: 'push', totp: true }) as { secret: string });
    await addRadiusClient(master, { name: 'vpn', address: '127.0.0.1', secret: SECRET, firstFactor: 'local-password' });
    await untilCaughtUp(master, slave);
    // The master first; the slave when the master cannot be reached (a read fails over).
    portal = await PortalProcess.start({ sdkUrls: [master.url, slave.url], sdkCaFile: caFileOf(master), credential: token, sessionKey: newSessionKey() });
    fingerprint = portalFingerprint(portal.dataDir);
    onMaster = bearerClient(master, token);
    onSlave = bearerClient(slave, token);
  });

  afterAll(async () => {
    onMaster?.close();
    onSlave?.close();
    await portal?.stop();
    await slave?.stop();
    await master?.stop();
  });

  async function activationCode(username = 'ebba', secret = totpSecret): Promise<string> {
    const started = await onMaster.startAuthentication({ username, method: 'totp' });
    if (started.status !== 'challenge') throw new Error(`no challenge: ${JSON.stringify(started)}`);
    const answered = await onMaster.answerChallenge({ challenge: started.challenge, code: oathtoolTotp(secret) });
    if (answered.status !== 'accepted') throw new Error(`not accepted: ${JSON.stringify(answered)}`);
    return (await onMaster.issueDeviceActivation(answered.userAssertion)).activationCode;
  }

  it('activates the phone with the self-service code (a wrong code is refused and writes nothing); the CLI lists it', async () => {
    const code = await activationCode();
    const before = await logPosition(master);
    const wrong = await twofoldDevice(phoneKey, ['activate', '--service', service(), '--code', `${code.slice(0, 11)}${code[11] === 'A' ? 'B' : 'A'}`, '--name', 'Ebba phone', '--fingerprint', fingerprint]);
    expect(wrong.code).toBe(65);
    expect(wrong.stderr).toMatch(/^twofold-device: activation_code_invalid: 400 activation_code_invalid: The activation code is not valid/);
    expect(await logPosition(master)).toBe(before);

    const activated = await twofoldDevice(phoneKey, ['--json', 'activate', '--service', service(), '--code', code, '--name', 'Ebba phone', '--fingerprint', fingerprint]);
    expect(activated.stderr).toBe('');
    expect(activated.json()).toEqual({ deviceId: expect.any(String), username: 'ebba' });
    deviceId = activated.json().deviceId;
    const listed = await cliFor(master)(['device', 'list', 'ebba']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(deviceId);
    expect(listed.stdout).toContain('Ebba phone');
  });

  it('a RADIUS push held on the slave is approved by the phone through the portal on the master', async () => {
    await untilCaughtUp(master, slave);
    const held = radclient(slave.radiusPort, SECRET, { 'User-Name': 'ebba', 'User-Password': 'ebba-password', 'Message-Authenticator': '0x00' }, { timeoutS: 25, retries: 1 });
    const waited = await twofoldDevice(phoneKey, ['--json', 'wait', '--timeout', '20']);
    expect(waited.code).toBe(0);
    const { approval } = waited.json();
    // RADIUS cannot show a number while it holds the request: no number to match.
    expect(approval).toMatchObject({ from: 'radius:vpn', numberChoices: [] });
    const approved = await twofoldDevice(phoneKey, ['approve']);
    expect(approved).toMatchObject({ code: 0, stdout: 'approved\n' });
    expect((await held).code).toBe('Access-Accept');
  });

  it('an SDK push started on the slave shows a number; the phone picks it and the sign-in is accepted', async () => {
    const started = await onSlave.startAuthentication({ username: 'ebba', application: 'Payroll' });
    if (started.status !== 'pending') throw new Error(`not pending: ${JSON.stringify(started)}`);
    const waited = await twofoldDevice(phoneKey, ['wait', '--timeout', '20']);
    expect(waited.stdout).toMatch(/^sign-in to Payroll from sdk:portal at .*\npick the number the sign-in shows: \d+ {2}\d+ {2}\d+\n/);
    const choices = /shows: (.*)\n/.exec(waited.stdout)![1].split(/\s+/).map(Number);
    expect(choices).toContain(started.numberToMatch);
    expect(await twofoldDevice(phoneKey, ['approve', '--number', String(started.numberToMatch)])).toMatchObject({ code: 0, stdout: 'approved\n' });
    await expect(onSlave.pollAuthentication({ handle: started.handle, waitSeconds: 10 })).resolves.toMatchObject({ status: 'accepted', username: 'ebba' });
  });

  it('refuses, with a clear 4xx and nothing written: a replayed answer, another key, a late answer, over-long fields', async () => {
    const phone = TwofoldDevice.open(phoneKey);
    const stranger = TwofoldDevice.open(join(keys, 'stranger.json'));
    const started = await onSlave.startAuthentication({ username: 'ebba' });
    if (started.status !== 'pending') throw new Error('not pending');
    const approval = (await phone.waitForApproval(10))!;
    const answer = phone.signedAnswer({ approvalId: approval.approvalId, decision: 'approve', number: started.numberToMatch });
    const path = `/devices/${deviceId}/approvals/answer`;
    // Straight to the slave, with the master up: the slave forwards it to the master, which decides.
    await expect(onSlave.answerDeviceApproval(deviceId, answer as never)).resolves.toEqual({ decision: 'approved' });
    expect(slave.logLines().filter((l) => l.op === 'device.answer.held')).toEqual([]);
    const before = await logPosition(master);

    const replayed = await phone.call('POST', path, { body: answer });
    expect(replayed).toMatchObject({ status: 409, body: { code: 'approval_already_decided' } });
    // Signed by another key for this device's id.
    const forged = { ...answer, signature: stranger.identity.signText(`twofold-approval-v1\n${approval.approvalId}\napprove\n${started.numberToMatch}\n0\n${deviceId}`) };
    expect(await phone.call('POST', path, { body: forged })).toMatchObject({ status: 401, body: { code: 'signature_invalid' } });
    expect(await phone.call('POST', path, { body: { ...answer, signature: undefined } })).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    expect(await phone.call('POST', path, { body: { ...answer, approvalId: 'A'.repeat(9000) } })).toMatchObject({ status: 413, body: { code: 'payload_too_large' } });
    expect(await phone.call('POST', '/activations', { body: { activationCode: 'A'.repeat(40), name: 'x', publicKey: phone.identity.publicKey } })).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    expect(await phone.call('GET', `/devices/${deviceId}/approvals?wait=0`, { headers: { 'x-device-time': String(Math.floor(Date.now() / 1000)), 'x-device-signature': 'AAAA' } }))
      .toMatchObject({ status: 401, body: { code: 'signature_invalid' } });

    // Late: a push on the master (5 s approval window), answered after its window closed.
    const late = await onMaster.startAuthentication({ username: 'ebba' });
    if (late.status !== 'pending') throw new Error('not pending');
    const lateApproval = (await phone.poll(5)).find((a) => Date.parse(a.expiresAt) === Date.parse(late.expiresAt))!;
    while (Date.now() <= Date.parse(late.expiresAt)) await new Promise((r) => setTimeout(r, 200));
    const afterStart = await logPosition(master);
    const lateAnswer = phone.signedAnswer({ approvalId: lateApproval.approvalId, decision: 'approve', number: late.numberToMatch });
    expect(await phone.call('POST', path, { body: lateAnswer })).toMatchObject({ status: 410, body: { code: 'approval_expired' } });
    expect(await logPosition(master)).toBe(afterStart);
    expect(afterStart - before).toBe(1); // only the late sign-in's own push request was written
  });

  it('deny with "not me" reports fraud: the user is blocked; the administrator removes the device', async () => {
    const started = await onSlave.startAuthentication({ username: 'ebba' });
    if (started.status !== 'pending') throw new Error('not pending');
    expect((await twofoldDevice(phoneKey, ['wait', '--timeout', '10'])).code).toBe(0);
    expect(await twofoldDevice(phoneKey, ['deny', '--not-me'])).toMatchObject({ code: 0, stdout: 'fraud\n' });
    await expect(onSlave.pollAuthentication({ handle: started.handle, waitSeconds: 10 })).resolves.toMatchObject({ status: 'rejected', reason: 'fraud_reported' });
    expect((await master.api('GET', '/admin/v1/users/ebba')).body).toMatchObject({ blocked: true });

    const removed = await cliFor(master)(['device', 'remove', 'ebba', deviceId]);
    expect(removed).toMatchObject({ code: 0, stdout: `removed device ${deviceId} from ebba\n` });
    expect((await cliFor(master)(['device', 'list', 'ebba'])).stdout).toBe('(no devices)\n');
    const gone = await twofoldDevice(phoneKey, ['wait', '--timeout', '0']);
    expect(gone.code).toBe(65);
    expect(gone.stderr).toMatch(/unknown_device/);
  });

  // Frida's phone, activated before the master goes down; the master is restarted in the last test.
  const fridaKey = join(keys, 'frida-phone.json');
  let fridaDevice: string;
  let heldRadiusAnswer: Record<string, unknown>;
  const fridaRadius = () => radclient(slave.radiusPort, SECRET, { 'User-Name': 'frida', 'User-Password': 'frida-password', 'Message-Authenticator': '0x00' }, { timeoutS: 25, retries: 1 });

  it('with the master down, a push held on the master is refused at the slave (503: the slave does not hold it)', async () => {
    const { secret } = await createRadiusUser(master, 'frida', { password: 'frida-password', method: 'push', totp: true });
    const code = await activationCode('frida', secret!);
    // The QR code's text, as the portal's activation page shows it.
    const uri = `twofold-activate:?code=${encodeURIComponent(code)}&service=${encodeURIComponent(service())}`;
    expect(await twofoldDevice(fridaKey, ['activate', '--name', 'Frida phone', '--fingerprint', fingerprint])).toMatchObject({ code: 64, stderr: 'twofold-device: usage: give --service and --code, or --uri\n' });
    expect(await twofoldDevice(fridaKey, ['activate', '--uri', uri, '--name', 'Frida phone', '--fingerprint', fingerprint])).toMatchObject({ code: 0, stderr: '' });
    const phone = TwofoldDevice.open(fridaKey);
    fridaDevice = phone.deviceId;
    // Held by the master; the slave knows of it from the master's log, but cannot release it.
    const lost = radclient(master.radiusPort, SECRET, { 'User-Name': 'frida', 'User-Password': 'frida-password', 'Message-Authenticator': '0x00' }, { timeoutS: 2, retries: 1 });
    const onTheMaster = (await phone.waitForApproval(10))!;
    expect(onTheMaster).toMatchObject({ from: 'radius:vpn' });
    onTheMasterId = onTheMaster.approvalId;
    await untilCaughtUp(master, slave);
    await master.stop('SIGKILL');
    await lost;
    await expect(phone.approve({ approvalId: onTheMaster.approvalId })).rejects.toMatchObject({ status: 503, code: 'master_unavailable' });
  });

  // The push the master held stays listed until it expires: each test picks its own sign-in.
  let onTheMasterId: string;
  async function pendingOnSlave(phone: TwofoldDevice, expiresAt?: string): Promise<PendingApproval> {
    return eventually('the sign-in on the phone', async () => (await phone.poll(2)).find((a) => a.approvalId !== onTheMasterId && (expiresAt === undefined || Date.parse(a.expiresAt) === Date.parse(expiresAt))));
  }

  it('with the master down, an SDK push started on the slave is approved by the phone through the portal (the slave holds it)', async () => {
    const phone = TwofoldDevice.open(fridaKey);
    const started = await onSlave.startAuthentication({ username: 'frida', application: 'Mail' });
    if (started.status !== 'pending') throw new Error(`not pending: ${JSON.stringify(started)}`);
    const approval = await pendingOnSlave(phone, started.expiresAt);
    expect(approval).toMatchObject({ application: 'Mail', from: 'sdk:portal' });
    expect(approval.numberChoices).toContain(started.numberToMatch);
    await expect(phone.approve({ approvalId: approval.approvalId, number: started.numberToMatch })).resolves.toEqual({ decision: 'approved' });
    await expect(onSlave.pollAuthentication({ handle: started.handle, waitSeconds: 10 })).resolves.toMatchObject({ status: 'accepted', username: 'frida' });
    // The slave's stdout reaches this process a little after its answers: wait for the line.
    const held = await eventually('the held decision logged', async () => {
      const lines = slave.logLines().filter((l) => l.op === 'device.answer.held');
      return lines.length > 0 ? lines : undefined;
    });
    expect(held).toMatchObject([{ decision: 'approved', level: 'warn' }]);
  });

  it('with the master down, a RADIUS push held on the slave is approved through the portal: Access-Accept; a replay is refused', async () => {
    const phone = TwofoldDevice.open(fridaKey);
    const held = fridaRadius();
    const approval = await pendingOnSlave(phone);
    expect(approval).toMatchObject({ from: 'radius:vpn', numberChoices: [] });
    heldRadiusAnswer = phone.signedAnswer({ approvalId: approval.approvalId, decision: 'approve' });
    const path = `/devices/${fridaDevice}/approvals/answer`;
    expect(await phone.call('POST', path, { body: heldRadiusAnswer })).toMatchObject({ status: 200, body: { decision: 'approved' } });
    expect((await held).code).toBe('Access-Accept');
    expect(await phone.call('POST', path, { body: heldRadiusAnswer })).toMatchObject({ status: 409, body: { code: 'approval_already_decided' } });
  });

  it('with the master down, deny with "not me" on the slave rejects the sign-in and blocks the user there at once', async () => {
    const phone = TwofoldDevice.open(fridaKey);
    const started = await onSlave.startAuthentication({ username: 'frida' });
    if (started.status !== 'pending') throw new Error('not pending');
    const approval = await pendingOnSlave(phone, started.expiresAt);
    await expect(phone.deny({ approvalId: approval.approvalId, notMe: true })).resolves.toEqual({ decision: 'fraud' });
    await expect(onSlave.pollAuthentication({ handle: started.handle, waitSeconds: 10 })).resolves.toMatchObject({ status: 'rejected', reason: 'fraud_reported' });
    await expect(onSlave.startAuthentication({ username: 'frida' })).resolves.toMatchObject({ status: 'rejected', reason: 'user_blocked' });
    expect((await fridaRadius()).code).toBe('Access-Reject');
  });

  it('once the master is back, each decision taken on the slave is in the log exactly once, and the block holds cluster-wide', async () => {
    master = await ServerProcess.start({ dataDir: master.dataDir, adminToken: master.adminToken, httpPort: master.httpPort, radiusPort: master.radiusPort, replicationPort: master.replicationPort, env: MASTER_ENV });
    const decisions = async () => (await exportedLog(master)).filter((e) => e.type === 'OutOfBandApprovalDecided' && e.payload.source === `device:${fridaDevice}`);
    // The SDK approval, the RADIUS approval and the fraud report; the replay and the refused answer wrote nothing.
    const decided = await eventually('the slave\'s decisions in the master\'s log', async () => ((await decisions()).length >= 3 ? decisions() : undefined));
    expect(decided.map((e) => e.payload.decision).sort()).toEqual(['approved', 'approved', 'fraud']);
    expect(new Set(decided.map((e) => e.payload.approvalKey)).size).toBe(3);
    await eventually('the block on the master', async () => (await master.api('GET', '/admin/v1/users/frida')).body.blocked === true);
    const phone = TwofoldDevice.open(fridaKey);
    expect(await phone.call('POST', `/devices/${fridaDevice}/approvals/answer`, { body: heldRadiusAnswer })).toMatchObject({ status: 409, body: { code: 'approval_already_decided' } });
    expect(await decisions()).toHaveLength(3);
  });
});

async function exportedLog(server: ServerProcess): Promise<Array<{ type: string; payload: Record<string, unknown> }>> {
  const exported = await twofold(['--data-dir', server.dataDir, 'log', 'export']);
  if (exported.code !== 0) throw new Error(`log export: ${exported.stderr}`);
  return exported.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}
