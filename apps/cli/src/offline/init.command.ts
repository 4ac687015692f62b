import { Command } from 'commander';
import { run } from '../core/context';

// Heavy modules (storage, crypto) load only when an offline command runs: API commands start fast.
export function registerInitCommand(program: Command): void {
  program.command('init').summary('create a data directory and the first administrator (offline)')
    .description('create a data directory (cluster identity, master key, CA and node certificate, database) and the first administrator, without starting the server; the administrator token is printed once')
    .option('--node-name <name>', 'this node\'s name (default: TWOFOLD_NODE_NAME or the host name)')
    .action(run(async (ctx, o: { nodeName?: string }) => (await import('./init')).init(ctx, o)));
}
