import { Command } from 'commander';
import { intOption, run } from '../core/context';
import { ExitCode } from '../core/exit-codes';

export function registerLogCommands(program: Command): void {
  const log = program.command('log').description('work on the event log in the data directory (offline: the server may be stopped)');

  log.command('verify').description(`walk the hash chain from position 1 and name the first broken record (exit ${ExitCode.LogBroken} if broken)`)
    .action(run(async (ctx) => (await import('./log')).verify(ctx)));

  log.command('tail').description('print the last records of the log (--json: one StoredEvent per line); with --kafka, the log from the cluster\'s Kafka topic as NDJSON')
    .option('-n, --lines <n>', 'how many records (default 10)', intOption('--lines', 0, 1_000_000), 10)
    .option('-f, --follow', 'keep printing new records as they are appended (Ctrl-C to stop)')
    .option('--kafka <brokers>', `read the topic on these brokers (host:port,...) instead of the data directory; TLS/SASL from TWOFOLD_KAFKA_*; exit ${ExitCode.LogBroken} if the chain is broken`)
    .option('--from <position>', 'with --kafka: start at this position (default 1)', intOption('--from', 1, Number.MAX_SAFE_INTEGER), 1)
    .option('--topic <topic>', 'with --kafka: the topic (default: the only twofold.<clusterId>.log on the brokers)')
    .option('--group <group>', 'with --kafka: a consumer group that commits its offsets and resumes there')
    .action(run(async (ctx, o: { lines: number; follow?: boolean; kafka?: string; from: number; topic?: string; group?: string }) => (o.kafka
      ? (await import('./log-kafka')).tailFromKafka(ctx, { kafka: o.kafka, from: o.from, follow: o.follow, topic: o.topic, group: o.group })
      : (await import('./log')).tail(ctx, o))));

  log.command('export').summary('write the log to stdout as NDJSON').description('write the log to standard output as NDJSON, one StoredEvent per line (e.g. `twofold log export > log.ndjson`); progress and a summary go to stderr')
    .option('--from <position>', 'start at this position (default 1)', intOption('--from', 1, Number.MAX_SAFE_INTEGER), 1)
    .action(run(async (ctx, o: { from: number }) => (await import('./log')).exportLog(ctx, o)));

  program.command('audit').description('offline: what a user looked like at a moment, and every change with who asked for it (from the log)')
    .command('user <username>').description('the user as of --at (default: now), with the changes up to then; secrets show only as "set"')
    .option('--at <time>', 'a date or time, e.g. 2026-03-01 or 2026-03-01T12:00:00Z')
    .action(run(async (ctx, username: string, o: { at?: string }) => (await import('./audit')).auditUserCommand(ctx, username, o)));
}
