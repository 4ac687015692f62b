import type { RejectReasonCode } from '@twofold/sdk-client';
import type { AuthOutcome } from '@twofold/mfa';
import { SdkError } from '../errors/sdk-error';

export const unavailable = () => new SdkError('authentication_unavailable', 'authentication is temporarily unavailable; retry shortly', { retryAfterSeconds: 1 });

// An engine reject as the SDK answers it; an internal error and a send limit are the SDK's own errors (503, 429).
export function rejectedResult(outcome: Extract<AuthOutcome, { kind: 'reject' }>): { status: 'rejected'; reason: RejectReasonCode; message: string } {
  if (outcome.reason === 'internal_error') throw unavailable();
  if (outcome.reason === 'rate_limited') throw new SdkError('rate_limited', outcome.message, { retryAfterSeconds: 60 });
  return { status: 'rejected', reason: outcome.reason, message: outcome.message };
}
