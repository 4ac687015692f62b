// One table from error code to HTTP status, for every error that carries a string `code`.
const BY_CODE: Record<string, number> = {
  validation_failed: 400, invalid_json: 400, payload_too_large: 413, unsupported_media_type: 415,
  invalid_setting: 400, invalid_address: 400, invalid_seed: 400, invalid_base32: 400,
  pin_too_short: 400, pin_too_long: 400, pin_not_numeric: 400, pin_trivial: 400,
  password_too_short: 400, password_too_long: 400, token_limit: 400,
  unauthenticated: 401, forbidden: 403, credential_revoked: 401,
  not_found: 404, unknown_user: 404, user_deleted: 404, unknown_token: 404, unknown_radius_client: 404,
  unknown_sdk_credential: 404, unknown_administrator: 404, unknown_node: 404, ca_key_missing: 409,
  version_conflict: 409, already_exists: 409, duplicate_username: 409, duplicate_token: 409,
  duplicate_radius_client: 409, duplicate_sdk_credential: 409, duplicate_administrator: 409,
  last_administrator: 409, precondition_failed: 412, rate_limited: 429,
  master_unavailable: 503, read_only_replica: 503, not_ready: 503, ack_timeout: 503,
};

export function statusForCode(code: string | undefined): number {
  if (!code) return 500;
  return BY_CODE[code] ?? (code.startsWith('unknown_') ? 404 : code.startsWith('invalid_') ? 400 : 500);
}
