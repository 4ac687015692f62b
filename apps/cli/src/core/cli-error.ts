import { ExitCode } from './exit-codes';

// Every failure the CLI reports: one line on stderr (`twofold: <code>: <detail>`) and an exit code.
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode,
    readonly field?: string,
  ) {
    super(message);
  }

  static usage(message: string, field?: string): CliError {
    return new CliError('usage', message, ExitCode.Usage, field);
  }

  static validation(message: string, field?: string): CliError {
    return new CliError('validation_failed', message, ExitCode.Validation, field);
  }
}

export function formatError(err: CliError): string {
  const field = err.field ? ` (field: ${err.field})` : '';
  return `twofold: ${err.code}: ${err.message}${field}`;
}
