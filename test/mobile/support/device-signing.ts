import { deviceAnswerMessage, devicePollMessage } from '@twofold/domain';
import type { DeviceIdentity } from '../../../apps/device/src/device-identity';

// A device's signatures, made with the reference device's key (tests sign with the wrong key on purpose).
export function signedPoll(key: DeviceIdentity, deviceId: string, time = Math.floor(Date.now() / 1000)): { time: number; signature: string } {
  return { time, signature: key.signText(devicePollMessage(deviceId, time)) };
}

export function deviceAnswer(key: DeviceIdentity, deviceId: string, a: { approvalId: string; decision: 'approve' | 'deny'; number?: number; notMe?: boolean }) {
  const signature = key.signText(deviceAnswerMessage({ ...a, number: a.number ?? null, notMe: a.notMe === true, deviceId }));
  return { approvalId: a.approvalId, decision: a.decision, ...(a.number !== undefined ? { number: a.number } : {}), ...(a.notMe ? { notMe: true } : {}), signature };
}
