import type { UserState } from '@twofold/domain';
import type { AuthOutcome, RejectReason } from './engine.types';
import { sendLimitedMessage } from './send-limit';

// What the user reads (RADIUS Reply-Message, SDK message). Failures of a secret all read the same.
const MESSAGES: Record<RejectReason, string> = {
  bad_request: 'Authentication failed.',
  unknown_user: 'Authentication failed.',
  user_disabled: 'Your account is disabled. Contact your administrator.',
  user_locked: 'Your account is locked after too many failed sign-in attempts. Try again later.',
  user_blocked: 'Your account is blocked after a fraud report. Contact your administrator.',
  invalid_credentials: 'Authentication failed.',
  invalid_pin: 'Authentication failed.',
  invalid_code: 'Authentication failed.',
  code_replayed: 'This code has already been used. Wait for the next code and try again.',
  first_factor_unavailable: 'Your password cannot be checked right now. Try again later.',
  no_second_factor: 'No second factor is set up for your account. Contact your administrator.',
  invalid_state: 'The sign-in has expired or is not valid. Start again.',
  delivery_failed: 'The verification request could not be sent. Try again later.',
  approval_denied: 'The sign-in was denied.',
  approval_timeout: 'The sign-in was not approved in time.',
  fraud_reported: 'Fraud was reported for this sign-in; your account is blocked. Contact your administrator.',
  approval_cancelled: 'The sign-in was cancelled.',
  rate_limited: sendLimitedMessage(60),
  internal_error: 'Authentication is temporarily unavailable. Try again later.',
};

// Reasons written into AuthenticationFailed events: describe what failed, never the value.
const FAILURE_TEXT: Partial<Record<RejectReason, string>> = {
  invalid_credentials: 'wrong password',
  invalid_pin: 'wrong PIN',
  invalid_code: 'wrong one-time code',
  code_replayed: 'one-time code already used',
  approval_denied: 'approval denied',
};

export function failureText(reason: RejectReason): string {
  return FAILURE_TEXT[reason] ?? reason;
}

export function reject(reason: RejectReason, userId?: string, message = MESSAGES[reason]): AuthOutcome {
  return userId === undefined ? { kind: 'reject', reason, message } : { kind: 'reject', reason, message, userId };
}

export function lockedReject(state: UserState, userId: string): AuthOutcome {
  const until = state.lockedOut?.until;
  return reject('user_locked', userId, until
    ? `Your account is locked after too many failed sign-in attempts until ${until.replace(/\.\d+Z$/, 'Z')}.`
    : 'Your account is locked after too many failed sign-in attempts. Contact your administrator.');
}
