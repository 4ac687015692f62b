import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { assertUserExists } from '../users/user.policies';
import type { UserState } from '../users/user.state';
import { PushApprovalRequested } from './devices.events';

// What a device signs. Both texts are fixed here, for the server that verifies and the device
// (twofold-device) that signs: a change is a new version string, never an edit.
export const DEVICE_POLL_CONTEXT = 'twofold-device-poll-v1';
export const DEVICE_ANSWER_CONTEXT = 'twofold-approval-v1';
// How far a poll signature's time may be from the server's clock.
export const DEVICE_POLL_WINDOW_SECONDS = 60;

export type DeviceDecision = 'approve' | 'deny';

export function devicePollMessage(deviceId: string, unixSeconds: number): string {
  return `${DEVICE_POLL_CONTEXT}\n${deviceId}\n${unixSeconds}`;
}

export function deviceAnswerMessage(a: { approvalId: string; decision: DeviceDecision; number?: number | null; notMe?: boolean; deviceId: string }): string {
  return `${DEVICE_ANSWER_CONTEXT}\n${a.approvalId}\n${a.decision}\n${a.number ?? ''}\n${a.notMe ? 1 : 0}\n${a.deviceId}`;
}

// The three numbers a device offers: the right one and two others, in an order that depends on
// the approval (the same on every node and every poll), so the position gives nothing away.
export function numberChoices(numberToMatch: number, approvalKey: string): number[] {
  let h = 2166136261;
  for (let i = 0; i < approvalKey.length; i++) h = Math.imul(h ^ approvalKey.charCodeAt(i), 16777619) >>> 0;
  const choices = [numberToMatch];
  let x = h;
  while (choices.length < 3) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const n = 10 + ((x >>> 8) % 90);
    if (!choices.includes(n)) choices.push(n);
  }
  const shift = h % 3;
  return [...choices.slice(shift), ...choices.slice(0, shift)];
}

// The security outcome 'push_requested': the pending request for the user's devices, on the
// user's stream (a deleted or unknown user has no devices to ask).
export function decidePushRequested(state: UserState, r: { userId: string; approvalKey: string; approvalId: string; source: string }, ctx: { now: Date }): PushApprovalRequested[] {
  assertUserExists(state, r.userId);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(r.approvalKey) || !/^[A-Za-z0-9_-]{1,1024}$/.test(r.approvalId)) {
    throw DomainError.rule(DomainErrorCode.ValidationFailed, 'approvalId', 'approvalId: must be a sealed approval id');
  }
  return [{ type: 'PushApprovalRequested', schemaVersion: 1, data: { userId: r.userId, approvalKey: r.approvalKey, approvalId: r.approvalId, at: ctx.now.toISOString(), source: r.source } }];
}
