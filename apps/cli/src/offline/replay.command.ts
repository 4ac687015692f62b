import { Command } from 'commander';
import { run } from '../core/context';

export function registerReplayCommand(program: Command): void {
  program.command('replay').summary('catch up or (--rebuild) rebuild the read model from the log (offline)')
    .description('bring the read model (query tables) up to date with the log; with --rebuild, throw it away and replay the whole log from position 1 (stop the server first). Shows a progress bar and the events/s reached')
    .option('--rebuild', 'rebuild from position 1 instead of catching up from the checkpoint')
    .option('--force', 'run even though something answers on the server\'s HTTPS port')
    .action(run(async (ctx, o: { rebuild?: boolean; force?: boolean }) => (await import('./replay')).replay(ctx, o)));
}
