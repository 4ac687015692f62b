// Error code -> HTTP status for /sdk/v1. Codes are stable: clients switch on them.
const BY_CODE: Record<string, number> = {
  validation_failed: 400, invalid_json: 400, invalid_request: 400, token_limit: 400,
  pin_too_short: 400, pin_too_long: 400, pin_not_numeric: 400, pin_trivial: 400,
  unauthenticated: 401, credential_revoked: 401, user_assertion_required: 401, user_assertion_invalid: 401,
  scope_not_granted: 403, forbidden: 403, user_disabled: 403, user_locked: 403, user_blocked: 403,
  not_found: 404, unknown_user: 404, user_deleted: 404, unknown_token: 404,
  approval_already_decided: 409, version_conflict: 409, duplicate_token: 409, already_exists: 409,
  payload_too_large: 413, unsupported_media_type: 415, rate_limited: 429,
  authentication_unavailable: 503, not_ready: 503, master_unavailable: 503, read_only_replica: 503, read_model_timeout: 503,
};

export function sdkStatusForCode(code: string | undefined): number {
  if (!code) return 500;
  return BY_CODE[code] ?? (code.startsWith('unknown_') ? 404 : code.startsWith('invalid_') ? 400 : 500);
}
