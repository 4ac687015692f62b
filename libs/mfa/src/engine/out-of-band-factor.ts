import { errorCodeOf } from '@twofold/domain';
import { createStateNonce, StateSealer } from '../sealed-state/state-sealer';
import { SignInAttempt, EngineContext, fail, succeed } from './attempt';
import { APPROVAL_PURPOSE, AuthOutcome } from './engine.types';
import { reject } from './reject-messages';
import { approvalData } from './out-of-band-polling';

// Out-of-band approval (push, voice call) that holds the request (RADIUS) until it is decided
// anywhere in the cluster, denied or timed out. The SDK's polled flow, which holds nothing, is in
// out-of-band-polling.ts; both send the same sealed approval id.

export async function holdOutOfBand(ctx: EngineContext, attempt: SignInAttempt, channel: 'push' | 'voice'): Promise<AuthOutcome> {
  const { deps, outOfBandTimeoutMs } = ctx;
  const to = channel === 'voice' ? attempt.state.profile?.phones[0]?.number : attempt.username;
  if (!to) return reject('no_second_factor', attempt.userId);
  const nonce = createStateNonce();
  const approvalId = deps.sealer.sealToString({
    // No number to match: a RADIUS client cannot show one while it holds the request.
    purpose: APPROVAL_PURPOSE, userId: attempt.userId, expiresAt: attempt.now + outOfBandTimeoutMs, nonce,
    data: approvalData(attempt.client.clientId, { application: attempt.application, from: attempt.source }),
  });
  // Registered before the request goes out: a decision cannot arrive before anyone waits for it.
  const pending = deps.approvals.expect(nonce, outOfBandTimeoutMs);
  try {
    await deps.delivery.send({
      channel, to, userId: attempt.userId, approvalId,
      text: `Sign-in request for ${attempt.username}: approve or deny.`,
      metadata: { clientId: attempt.client.clientId },
    });
  } catch (error) {
    pending.cancel();
    deps.logger?.warn({ userId: attempt.userId, code: errorCodeOf(error) ?? 'error' }, `${channel} delivery failed`);
    return reject('delivery_failed', attempt.userId);
  }
  switch (await pending.decision) {
    case 'approved':
      return succeed(ctx, attempt);
    case 'denied':
      return fail(ctx, attempt, 'approval_denied');
    case 'fraud':
      // Whoever took the decision reported the fraud (and blocked the user, by settings).
      return reject('fraud_reported', attempt.userId);
    default:
      return reject('approval_timeout', attempt.userId);
  }
}

// For whoever takes an out-of-band decision (admin API, later the mobile app service): the
// approval id is a sealed token, so any node can check it without shared state.
export interface OpenedApproval {
  approvalKey: string; userId: string; clientId?: string; expiresAt: number;
  numberToMatch?: number; application?: string; from?: string;
}

export function openApprovalId(sealer: StateSealer, approvalId: string, nowMs: number): OpenedApproval {
  const claims = sealer.open(approvalId, { purpose: APPROVAL_PURPOSE, nowMs });
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const clientId = text(claims.data?.c);
  const application = text(claims.data?.a);
  const from = text(claims.data?.f);
  const n = claims.data?.n;
  return {
    approvalKey: claims.nonce, userId: claims.userId, expiresAt: claims.expiresAt,
    ...(clientId ? { clientId } : {}), ...(typeof n === 'number' ? { numberToMatch: n } : {}),
    ...(application ? { application } : {}), ...(from ? { from } : {}),
  };
}
