// Errors of every layer carry a stable string `code` (DomainError, CommandError, EventStoreError,
// Node's system errors such as ECONNREFUSED). One guard instead of `(err as { code?: string }).code`.
export type CodedError = Error & { code: string };

// Not `instanceof Error`: a native addon keeps the error class of the first context that loaded
// it (better-sqlite3 does), so its errors may come from another realm, as in a jest worker.
export function hasErrorCode(error: unknown, code?: string): error is CodedError {
  if (typeof error !== 'object' || error === null) return false;
  const value = (error as { code?: unknown }).code;
  return typeof value === 'string' && (code === undefined || value === code);
}

// The error's string code, or undefined when it has none (numeric LDAP/errno codes included).
export function errorCodeOf(error: unknown): string | undefined {
  return hasErrorCode(error) ? error.code : undefined;
}
