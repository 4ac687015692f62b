// One error class for the domain; each transport maps `code` once (RADIUS reject,
// HTTP status, CLI exit code). Messages name fields and rules, never secret values.
export enum DomainErrorCode {
  ValidationFailed = 'validation_failed',
  AlreadyExists = 'already_exists',
  DuplicateUsername = 'duplicate_username',
  UnknownUser = 'unknown_user',
  UserDeleted = 'user_deleted',
  UserDisabled = 'user_disabled',
  UserLocked = 'user_locked',
  UserBlocked = 'user_blocked',
  PinTooShort = 'pin_too_short',
  PinTooLong = 'pin_too_long',
  PinNotNumeric = 'pin_not_numeric',
  PinTrivial = 'pin_trivial',
  PasswordTooShort = 'password_too_short',
  PasswordTooLong = 'password_too_long',
  VersionConflict = 'version_conflict',
  UnknownToken = 'unknown_token',
  DuplicateToken = 'duplicate_token',
  TokenLimit = 'token_limit',
  CodeAlreadyUsed = 'code_already_used',
  InvalidSeed = 'invalid_seed',
  InvalidBase32 = 'invalid_base32',
  UnknownRadiusClient = 'unknown_radius_client',
  DuplicateRadiusClient = 'duplicate_radius_client',
  InvalidAddress = 'invalid_address',
  UnknownSdkCredential = 'unknown_sdk_credential',
  DuplicateSdkCredential = 'duplicate_sdk_credential',
  CredentialRevoked = 'credential_revoked',
  ScopeNotGranted = 'scope_not_granted',
  UnknownAdministrator = 'unknown_administrator',
  DuplicateAdministrator = 'duplicate_administrator',
  LastAdministrator = 'last_administrator',
  InvalidSetting = 'invalid_setting',
  SecretUnreadable = 'secret_unreadable',
  InvalidSecretKey = 'invalid_secret_key',
  UnsupportedSchema = 'unsupported_schema',
  UnknownNode = 'unknown_node',
  UnknownDevice = 'unknown_device',
  CaKeyMissing = 'ca_key_missing',
  BypassNotActive = 'bypass_not_active',
  UnknownDirectory = 'unknown_directory',
}

export interface DomainErrorIssue {
  field?: string;
  rule: string;
  code: DomainErrorCode;
}

export interface DomainErrorOptions {
  field?: string;
  rule?: string;
  // Every problem found, when validation reports more than one; the first is the error itself.
  issues?: DomainErrorIssue[];
}

export class DomainError extends Error {
  override readonly name = 'DomainError';
  readonly code: DomainErrorCode;
  readonly field?: string;
  readonly rule?: string;
  readonly issues: DomainErrorIssue[];

  constructor(code: DomainErrorCode, message: string, options: DomainErrorOptions = {}) {
    super(message);
    this.code = code;
    this.field = options.field;
    this.rule = options.rule;
    this.issues = options.issues ?? [{ code, field: options.field, rule: options.rule ?? message }];
  }

  // Shorthand for a single broken rule on one field: the rule sentence is the message.
  static rule(code: DomainErrorCode, field: string | undefined, rule: string): DomainError {
    return new DomainError(code, rule, { field, rule });
  }

  toJSON(): { code: DomainErrorCode; message: string; field?: string; rule?: string; issues: DomainErrorIssue[] } {
    return { code: this.code, message: this.message, field: this.field, rule: this.rule, issues: this.issues };
  }
}

export function isDomainError(error: unknown, code?: DomainErrorCode): error is DomainError {
  return error instanceof DomainError && (code === undefined || error.code === code);
}
