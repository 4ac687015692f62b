import 'reflect-metadata';
import { CommanderError } from 'commander';
import { CliError, formatError } from './core/cli-error';
import { hasErrorCode } from '@twofold/domain';
import { ExitCode, exitCodeForCode } from './core/exit-codes';
import { createProgram } from './program';

export async function runCli(argv: string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv);
    return ExitCode.Ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version asked for: 0. Help shown for a missing subcommand, and every parse error: usage.
      return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    if (err instanceof CliError) {
      process.stderr.write(`${formatError(err)}\n`);
      return err.exitCode;
    }
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    // A refusal with a known code (a domain rule broken offline): its code and exit code, like online.
    const exit = hasErrorCode(err) ? exitCodeForCode(err.code) : ExitCode.General;
    if (exit !== ExitCode.General) {
      process.stderr.write(`twofold: ${(err as { code: string }).code}: ${message}\n`);
      return exit;
    }
    process.stderr.write(`twofold: internal: ${message}\n`);
    if (process.env.TWOFOLD_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return ExitCode.General;
  }
}

// stdout closed early (`twofold log export | head`): stop quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(ExitCode.Ok);
});

void runCli(process.argv).then((code) => process.exit(code));
