export type SdkErrorCode =
  | 'unauthenticated'
  | 'credential_revoked'
  | 'scope_not_granted'
  | 'user_assertion_required'
  | 'user_assertion_invalid'
  | 'rate_limited'
  | 'validation_failed'
  | 'payload_too_large'
  | 'approval_already_decided'
  | 'unknown_user'
  | 'user_disabled'
  | 'user_locked'
  | 'user_blocked'
  | 'authentication_unavailable'
  | 'not_ready'
  | 'invalid_code'
  | 'invalid_enrolment'
  | 'activation_code_invalid'
  | 'signature_invalid'
  | 'approval_not_for_device'
  | 'approval_expired'
  | 'unknown_device';

export interface SdkErrorDetails {
  field?: string;
  issues?: Array<{ field?: string; rule: string; code: string }>;
  retryAfterSeconds?: number;
}

// Errors of the SDK transport itself; domain and command errors pass through with their own codes.
export class SdkError extends Error {
  override readonly name = 'SdkError';

  constructor(readonly code: SdkErrorCode, message: string, readonly details: SdkErrorDetails = {}) {
    super(message);
  }
}
