import { httpStatusForCode } from '@twofold/platform';

// Exit codes scripts can rely on. Never renumber one: add new ones at the end.
export enum ExitCode {
  Ok = 0,
  General = 1,
  Usage = 2,
  Validation = 3,
  NotFound = 4,
  Conflict = 5,
  Unauthenticated = 6,
  Unavailable = 7,
  LogBroken = 8,
}

export const EXIT_CODE_HELP = `Exit codes:
  0  ok
  1  general or unexpected error
  2  usage or configuration error (unknown command or option, missing argument, bad TWOFOLD_* value)
  3  validation error (the server or the CLI refused the input: HTTP 400, 413, 415; invalid CSV lines)
  4  not found (unknown user, token, client, credential, administrator: HTTP 404; no data directory)
  5  conflict (duplicate, version or If-Match mismatch, last administrator: HTTP 409, 412; already initialized)
  6  unauthenticated or forbidden (missing or wrong admin token: HTTP 401, 403)
  7  server unreachable or not verifiable (TLS), server error (5xx), master unavailable
  8  log verification failed (the hash chain is broken)`;

export function exitCodeForStatus(status: number): ExitCode {
  if (status === 404) return ExitCode.NotFound;
  if (status === 409 || status === 412) return ExitCode.Conflict;
  if (status === 401 || status === 403) return ExitCode.Unauthenticated;
  if (status === 400 || status === 413 || status === 415 || status === 422) return ExitCode.Validation;
  if (status >= 500 || status === 429) return ExitCode.Unavailable;
  return ExitCode.General;
}

// An error with a code raised in this process (offline commands): the same table that gives the
// server's HTTP statuses decides, so `twofold` exits alike online and offline.
export function exitCodeForCode(code: string): ExitCode {
  const status = httpStatusForCode(code);
  return status === 500 ? ExitCode.General : exitCodeForStatus(status);
}
