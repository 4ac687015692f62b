import { Command } from 'commander';
import { run } from '../core/context';
import { ExitCode } from '../core/exit-codes';
import { IMPORT_COLUMNS } from './user-import.columns';


export function registerUserImport(user: Command): void {
  user.command('import <file>')
    .summary('create or update users from a CSV file')
    .description(`create or update users from a CSV file ("-" reads standard input). Header row required; columns: ${IMPORT_COLUMNS.join(', ')} (username required, the rest optional; an empty cell leaves the value as it is; phone is the primary phone number). Invalid lines are reported and skipped; the exit code is ${ExitCode.Validation} when any line was invalid.`)
    .option('--dry-run', 'show what would be created, updated, left unchanged or refused, and write nothing')
    .option('--stop-on-error', 'stop at the first invalid line (lines before it stay imported)')
    .action(run(async (ctx, file: string, o: { dryRun?: boolean; stopOnError?: boolean }) => (await import('./user-import')).importUsers(ctx, file, o)));
}
