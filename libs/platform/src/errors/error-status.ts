import { DomainErrorCode } from '@twofold/domain';

// One table from error code to HTTP status for every transport: the admin API and the SDK answer
// with it, the CLI derives its exit codes from it. A DomainErrorCode without a row does not compile.
const DOMAIN_STATUS = {
  [DomainErrorCode.ValidationFailed]: 400,
  [DomainErrorCode.PinTooShort]: 400,
  [DomainErrorCode.PinTooLong]: 400,
  [DomainErrorCode.PinNotNumeric]: 400,
  [DomainErrorCode.PinTrivial]: 400,
  [DomainErrorCode.PasswordTooShort]: 400,
  [DomainErrorCode.PasswordTooLong]: 400,
  [DomainErrorCode.TokenLimit]: 400,
  [DomainErrorCode.InvalidSeed]: 400,
  [DomainErrorCode.InvalidBase32]: 400,
  [DomainErrorCode.InvalidAddress]: 400,
  [DomainErrorCode.InvalidSetting]: 400,
  [DomainErrorCode.CredentialRevoked]: 401,
  // The account's state or the credential's scope forbids the call (the SDK always said 403).
  [DomainErrorCode.ScopeNotGranted]: 403,
  [DomainErrorCode.UserDisabled]: 403,
  [DomainErrorCode.UserLocked]: 403,
  [DomainErrorCode.UserBlocked]: 403,
  [DomainErrorCode.UnknownUser]: 404,
  [DomainErrorCode.UserDeleted]: 404,
  [DomainErrorCode.UnknownToken]: 404,
  [DomainErrorCode.UnknownRadiusClient]: 404,
  [DomainErrorCode.UnknownSdkCredential]: 404,
  [DomainErrorCode.UnknownAdministrator]: 404,
  [DomainErrorCode.UnknownNode]: 404,
  [DomainErrorCode.UnknownDevice]: 404,
  [DomainErrorCode.AlreadyExists]: 409,
  [DomainErrorCode.DuplicateUsername]: 409,
  [DomainErrorCode.DuplicateToken]: 409,
  [DomainErrorCode.DuplicateRadiusClient]: 409,
  [DomainErrorCode.DuplicateSdkCredential]: 409,
  [DomainErrorCode.DuplicateAdministrator]: 409,
  [DomainErrorCode.LastAdministrator]: 409,
  [DomainErrorCode.VersionConflict]: 409,
  [DomainErrorCode.CodeAlreadyUsed]: 409, // a one-time code or challenge was used already
  [DomainErrorCode.CaKeyMissing]: 409, // this node cannot issue certificates (no CA key)
  [DomainErrorCode.BypassNotActive]: 409,
  [DomainErrorCode.UnknownDirectory]: 404,
  // The server cannot read its own data: an internal error, never the caller's fault.
  [DomainErrorCode.SecretUnreadable]: 500,
  [DomainErrorCode.InvalidSecretKey]: 500,
  [DomainErrorCode.UnsupportedSchema]: 500,
} as const satisfies Record<DomainErrorCode, number>;

// Codes raised outside the domain: the transports, the write side, the log and replication.
const OTHER_STATUS = {
  invalid_json: 400,
  invalid_request: 400,
  unauthenticated: 401,
  user_assertion_required: 401,
  user_assertion_invalid: 401,
  forbidden: 403,
  not_found: 404,
  approval_already_decided: 409,
  // The mobile app service (devices sign their calls).
  activation_code_invalid: 400,
  signature_invalid: 401,
  approval_not_for_device: 403,
  approval_expired: 410,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  // 503: try again later (or elsewhere); the code tells the caller why.
  master_unavailable: 503,
  read_only_replica: 503,
  not_ready: 503,
  ack_timeout: 503,
  authentication_unavailable: 503,
  read_model_timeout: 503,
} as const satisfies Record<string, number>;

const BY_CODE: Readonly<Record<string, number>> = { ...OTHER_STATUS, ...DOMAIN_STATUS };

export function httpStatusForCode(code: string | undefined): number {
  if (!code) return 500;
  return BY_CODE[code] ?? (code.startsWith('unknown_') ? 404 : code.startsWith('invalid_') ? 400 : 500);
}

// Whether a coded error's code and message may be shown to the caller: every refusal (4xx) and every
// "try again later" (503). Any other failure is answered as `internal` and logged.
export function isPublicStatus(status: number): boolean {
  return status < 500 || status === 503;
}
