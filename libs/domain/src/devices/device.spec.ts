import { DomainErrorCode } from '../errors/domain-error';
import { decodeSecurityOutcome, encodeSecurityOutcome } from '../security/security-outcome.codec';
import { ActivateDevice, decideActivateDevice, decideIssueDeviceActivation, decideRemoveDevice, foldDevices, IssueDeviceActivation, RemoveDevice } from './device';
import { deviceAnswerMessage, numberChoices } from './push-request';

describe('devices decider', () => {
  const now = new Date('2026-01-01T00:00:00.000Z');
  const hash = 'a'.repeat(64);
  const issue = IssueDeviceActivation.create({ userId: 'u1', codeHash: hash, expiresAt: '2026-01-01T00:10:00.000Z', source: 'sdk:portal' });
  const activate = ActivateDevice.create({ deviceId: 'd1', userId: 'u1', codeHash: hash, name: 'phone', publicKey: 'M'.repeat(122) });
  const issued = foldDevices(decideIssueDeviceActivation(foldDevices([]), issue, { now }));

  it('activates once with an issued code before it expires; the device can then be removed', () => {
    const [activated] = decideActivateDevice(issued, activate, { now });
    expect(activated.data).toMatchObject({ deviceId: 'd1', userId: 'u1', name: 'phone', pushAddress: null });
    const state = foldDevices([activated], issued);
    expect(state.devices.map((d) => d.deviceId)).toEqual(['d1']);
    expect(() => decideActivateDevice(state, { ...activate, deviceId: 'd2' }, { now })).toThrow(expect.objectContaining({ code: DomainErrorCode.ValidationFailed, field: 'activationCode' }));
    const removed = foldDevices(decideRemoveDevice(state, RemoveDevice.create({ userId: 'u1', deviceId: 'd1', source: 'admin:root' }), { now }), state);
    expect(removed.devices).toEqual([]);
    expect(() => decideRemoveDevice(removed, RemoveDevice.create({ userId: 'u1', deviceId: 'd1', source: 'admin:root' }), { now })).toThrow(expect.objectContaining({ code: DomainErrorCode.UnknownDevice }));
  });

  it('reads an unknown and an expired code the same', () => {
    for (const [state, at] of [[foldDevices([]), now], [issued, new Date('2026-01-01T00:10:00.000Z')]] as const) {
      expect(() => decideActivateDevice(state, activate, { now: at })).toThrow('The activation code is not valid, was used already or has expired.');
    }
  });

  it('refuses an over-long name and a push address that is not http(s)', () => {
    expect(() => ActivateDevice.create({ ...activate, name: 'x'.repeat(65) })).toThrow();
    expect(() => ActivateDevice.create({ ...activate, pushAddress: 'file:///etc/passwd' })).toThrow();
  });
});

describe('push approvals', () => {
  it('offers three different two-digit numbers, the right one among them, the same on every call', () => {
    for (const key of ['k1', 'another-key', 'x'.repeat(40)]) {
      const choices = numberChoices(42, key);
      expect(new Set(choices).size).toBe(3);
      expect(choices).toContain(42);
      expect(choices.every((n) => n >= 10 && n <= 99)).toBe(true);
      expect(numberChoices(42, key)).toEqual(choices);
    }
  });

  it('signs every field of an answer (deny and not-me differ from approve)', () => {
    const base = { approvalId: 'A', decision: 'approve' as const, number: 42, deviceId: 'd1' };
    const texts = new Set([deviceAnswerMessage(base), deviceAnswerMessage({ ...base, decision: 'deny' }), deviceAnswerMessage({ ...base, notMe: true }), deviceAnswerMessage({ ...base, number: 43 }), deviceAnswerMessage({ ...base, deviceId: 'd2' })]);
    expect(texts.size).toBe(5);
  });

  it('carries a push request upstream and back unchanged; a malformed one is refused', () => {
    const outcome = { kind: 'push_requested' as const, userId: 'u1', approvalKey: 'key1', approvalId: 'AQh-sealed_id', source: 'radius:c1' };
    const { kind, payload } = encodeSecurityOutcome(outcome);
    expect(decodeSecurityOutcome(kind, payload, { defaultSource: 'node' })).toEqual({ ok: true, outcome, version: 2 });
    expect(decodeSecurityOutcome(kind, { ...payload, approvalId: 7 }, { defaultSource: 'node' })).toMatchObject({ ok: false });
    expect(decodeSecurityOutcome(kind, { userId: 'u1', approvalKey: 'k', approvalId: 'a' }, { defaultSource: 'node' })).toMatchObject({ ok: false });
  });
});
