import { mkdtempSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devicePollMessage } from '@twofold/domain';
import { TwofoldSdkClient } from '@twofold/sdk-client';
import { DeviceIdentity } from '../../apps/device/src/device-identity';
import { ServerProcess } from '../support/server-process';
import { bearerClient, createUser, issueCredential, logHead, problemOf, totp } from '../sdk/sdk-support';
import { deviceAnswer, signedPoll } from './support/device-signing';

// The SDK's device routes on one node: activation with a self-service code, a push sign-in with
// number matching answered by a signed device, and what is refused (with nothing written).
describe('SDK: mobile-app devices and push approvals', () => {
  let server: ServerProcess;
  let sdk: TwofoldSdkClient;
  const keys = mkdtempSync(join(tmpdir(), 'twofold-device-'));
  const phone = DeviceIdentity.openOrCreate(join(keys, 'phone.json'));
  const other = DeviceIdentity.openOrCreate(join(keys, 'other.json'));

  beforeAll(async () => {
    server = await ServerProcess.start();
    sdk = bearerClient(server, (await issueCredential(server, 'portal', ['authenticate', 'self-service', 'devices'])).token);
  });

  afterAll(async () => {
    sdk?.close();
    await server?.stop();
  });

  async function signedInAs(username: string, seed: Buffer): Promise<string> {
    const started = await sdk.startAuthentication({ username, method: 'totp' });
    if (started.status !== 'challenge') throw new Error(`no challenge: ${JSON.stringify(started)}`);
    const answered = await sdk.answerChallenge({ challenge: started.challenge, code: totp(seed) });
    if (answered.status !== 'accepted') throw new Error(`not accepted: ${JSON.stringify(answered)}`);
    return answered.userAssertion;
  }

  it('activates a device with a one-use code, refuses a wrong one, lists and removes devices', async () => {
    const { seed } = await createUser(server, 'maja', { totp: true });
    const assertion = await signedInAs('maja', seed!);
    const { activationCode, expiresAt } = await sdk.issueDeviceActivation(assertion);
    expect(activationCode).toMatch(/^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{2}$/);
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());

    const before = await logHead(server);
    const wrong = `${activationCode.slice(0, 11)}${activationCode[11] === 'A' ? 'B' : 'A'}`;
    await expect(problemOf(sdk.activateDevice({ activationCode: wrong, name: 'phone', publicKey: phone.publicKey }))).resolves.toMatchObject({ status: 400, code: 'activation_code_invalid' });
    await expect(problemOf(sdk.activateDevice({ activationCode, name: 'x'.repeat(65), publicKey: phone.publicKey }))).resolves.toMatchObject({ status: 400, code: 'validation_failed' });
    await expect(problemOf(sdk.activateDevice({ activationCode, name: 'phone', publicKey: 'A'.repeat(120) }))).resolves.toMatchObject({ status: 400, code: 'validation_failed' });
    expect(await logHead(server)).toBe(before);

    const activated = await sdk.activateDevice({ activationCode: activationCode.toLowerCase().replace(/-/g, ' '), name: 'Maja\'s phone', publicKey: phone.publicKey });
    expect(activated.username).toBe('maja');
    await expect(problemOf(sdk.activateDevice({ activationCode, name: 'again', publicKey: other.publicKey }))).resolves.toMatchObject({ status: 400, code: 'activation_code_invalid' });
    expect((await sdk.listOwnDevices(assertion)).devices).toEqual([{ deviceId: activated.deviceId, name: 'Maja\'s phone', activatedAt: expect.any(String) }]);

    await sdk.removeOwnDevice(assertion, activated.deviceId);
    expect((await sdk.listOwnDevices(assertion)).devices).toEqual([]);
    await expect(problemOf(sdk.pollDeviceApprovals(activated.deviceId, signedPoll(phone, activated.deviceId)))).resolves.toMatchObject({ status: 404, code: 'unknown_device' });
  });

  it('a push sign-in shows a number; the device sees three choices and approves with the right one', async () => {
    const { seed } = await createUser(server, 'nils', { totp: true, method: 'push' });
    const assertion = await signedInAs('nils', seed!);
    const { activationCode } = await sdk.issueDeviceActivation(assertion);
    const { deviceId } = await sdk.activateDevice({ activationCode, name: 'nils phone', publicKey: phone.publicKey });

    const started = await sdk.startAuthentication({ username: 'nils', application: 'Payroll' });
    if (started.status !== 'pending') throw new Error(`not pending: ${JSON.stringify(started)}`);
    expect(started.numberToMatch).toEqual(expect.any(Number));
    const { approvals: [approval] } = await sdk.pollDeviceApprovals(deviceId, signedPoll(phone, deviceId), 5);
    expect(approval).toMatchObject({ application: 'Payroll', from: 'sdk:portal' });
    expect(approval.numberChoices).toHaveLength(3);
    expect(approval.numberChoices).toContain(started.numberToMatch);

    const before = await logHead(server);
    // Refused, nothing written: another device's key, a poll signed by another key, a bad signature, an over-long field.
    await expect(problemOf(sdk.answerDeviceApproval(deviceId, deviceAnswer(other, deviceId, { approvalId: approval.approvalId, decision: 'approve', number: started.numberToMatch }))))
      .resolves.toMatchObject({ status: 401, code: 'signature_invalid' });
    await expect(problemOf(sdk.pollDeviceApprovals(deviceId, signedPoll(other, deviceId)))).resolves.toMatchObject({ status: 401, code: 'signature_invalid' });
    const time = Math.floor(Date.now() / 1000) - 120;
    await expect(problemOf(sdk.pollDeviceApprovals(deviceId, { time, signature: phone.signText(devicePollMessage(deviceId, time)) }))).resolves.toMatchObject({ status: 401, code: 'signature_invalid' });
    const good = deviceAnswer(phone, deviceId, { approvalId: approval.approvalId, decision: 'approve', number: started.numberToMatch });
    await expect(problemOf(sdk.answerDeviceApproval(deviceId, { ...good, decision: 'deny' }))).resolves.toMatchObject({ status: 401, code: 'signature_invalid' });
    await expect(problemOf(sdk.answerDeviceApproval(deviceId, { ...good, signature: 'A'.repeat(201) }))).resolves.toMatchObject({ status: 400, code: 'validation_failed' });
    expect(await logHead(server)).toBe(before);

    // Another user's activated device, signing correctly with its own key, cannot answer nils's sign-in.
    const { seed: stinaSeed } = await createUser(server, 'stina', { totp: true });
    const { activationCode: stinaCode } = await sdk.issueDeviceActivation(await signedInAs('stina', stinaSeed!));
    const stinas = await sdk.activateDevice({ activationCode: stinaCode, name: 'stina phone', publicKey: other.publicKey });
    const beforeStranger = await logHead(server);
    await expect(problemOf(sdk.answerDeviceApproval(stinas.deviceId, deviceAnswer(other, stinas.deviceId, { approvalId: approval.approvalId, decision: 'approve', number: started.numberToMatch }))))
      .resolves.toMatchObject({ status: 403, code: 'approval_not_for_device' });
    expect((await sdk.pollDeviceApprovals(stinas.deviceId, signedPoll(other, stinas.deviceId))).approvals).toEqual([]);
    expect(await logHead(server)).toBe(beforeStranger);

    await expect(sdk.answerDeviceApproval(deviceId, good)).resolves.toEqual({ decision: 'approved' });
    await expect(sdk.pollAuthentication({ handle: started.handle, waitSeconds: 5 })).resolves.toMatchObject({ status: 'accepted', username: 'nils' });
    const after = await logHead(server);
    await expect(problemOf(sdk.answerDeviceApproval(deviceId, good))).resolves.toMatchObject({ status: 409, code: 'approval_already_decided' });
    expect(await logHead(server)).toBe(after);
    expect((await sdk.pollDeviceApprovals(deviceId, signedPoll(phone, deviceId))).approvals).toEqual([]);
  });

  it('a wrong number never approves: the sign-in is denied', async () => {
    const { seed } = await createUser(server, 'olof', { totp: true, method: 'push' });
    const { activationCode } = await sdk.issueDeviceActivation(await signedInAs('olof', seed!));
    const { deviceId } = await sdk.activateDevice({ activationCode, name: 'olof phone', publicKey: phone.publicKey });
    const started = await sdk.startAuthentication({ username: 'olof' });
    if (started.status !== 'pending') throw new Error('not pending');
    const { approvals: [approval] } = await sdk.pollDeviceApprovals(deviceId, signedPoll(phone, deviceId), 5);
    const wrong = approval.numberChoices.find((n) => n !== started.numberToMatch)!;
    await expect(sdk.answerDeviceApproval(deviceId, deviceAnswer(phone, deviceId, { approvalId: approval.approvalId, decision: 'approve', number: wrong })))
      .resolves.toEqual({ decision: 'denied', reason: 'number_mismatch' });
    await expect(sdk.pollAuthentication({ handle: started.handle, waitSeconds: 5 })).resolves.toMatchObject({ status: 'rejected', reason: 'approval_denied' });
  });

  it('announces a push to a device with a push address: a real HTTP webhook gets the device id and a hint, no secret', async () => {
    const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
    let arrived!: () => void;
    const posted = new Promise<void>((resolve) => (arrived = resolve));
    const webhook: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
        arrived();
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    try {
      const { seed } = await createUser(server, 'pia', { totp: true, method: 'push' });
      const { activationCode } = await sdk.issueDeviceActivation(await signedInAs('pia', seed!));
      const pushAddress = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/twofold/push`;
      const { deviceId } = await sdk.activateDevice({ activationCode, name: 'pia phone', publicKey: phone.publicKey, pushAddress });
      const started = await sdk.startAuthentication({ username: 'pia' });
      if (started.status !== 'pending') throw new Error('not pending');
      await posted;
      expect(received).toHaveLength(1);
      expect(received[0].headers['content-type']).toBe('application/json');
      const notice = JSON.parse(received[0].body);
      expect(Object.keys(notice).sort()).toEqual(['approvalHint', 'deviceId']);
      expect(notice.deviceId).toBe(deviceId);
      const { approvals: [approval] } = await sdk.pollDeviceApprovals(deviceId, signedPoll(phone, deviceId));
      expect(received[0].body).not.toContain(approval.approvalId);
    } finally {
      await new Promise((resolve) => webhook.close(resolve));
    }
  });
});
