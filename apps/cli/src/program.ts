import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command, Option } from 'commander';
import { EXIT_CODE_HELP } from './core/exit-codes';
import { registerUserCommands } from './commands/users.command';
import { registerTokenCommands } from './commands/tokens.command';
import { registerSettingsCommands } from './commands/settings.command';
import { registerRadiusClientCommands } from './commands/radius-clients.command';
import { registerAccessCommands } from './commands/access.command';
import { registerClusterCommands } from './commands/cluster.command';
import { registerRolloutCommands } from './commands/rollout.command';
import { registerDirectoryCommands } from './commands/directory.command';
import { registerDeviceCommands } from './commands/devices.command';
import { registerInitCommand } from './offline/init.command';
import { registerLogCommands } from './offline/log.command';
import { registerReplayCommand } from './offline/replay.command';

function packageVersion(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? '0.0.0';
  }
  return '0.0.0';
}

const ENVIRONMENT_HELP = `Environment:
  TWOFOLD_URL          admin API URL (--url)
  TWOFOLD_ADMIN_TOKEN  administrator token (--token); or --token - to read it from standard input.
                       A token written on the command line shows in \`ps\` and lands in shell history
  TWOFOLD_JOIN_TOKEN   join token for \`twofold join\` (or \`join --token -\` to read it from standard input)
  TWOFOLD_CA_FILE      CA certificate to trust (--ca); default <data-dir>/tls/ca.pem and the system CAs
  TWOFOLD_DATA_DIR     data directory for init, log and replay (--data-dir)
  TWOFOLD_DEBUG        print stack traces of unexpected errors
  TWOFOLD_DATABASE_URL, TWOFOLD_CONFIG and the other TWOFOLD_* server settings apply to offline commands too

Secrets (PINs, passwords, shared secrets) are asked for at a prompt, or read from standard input with the
--*-stdin flags; flags like --pin work too but land in shell history. Errors are one line on stderr:
  twofold: <code>: <detail>`;

// The whole command tree; `exitOverride` makes parse errors throw instead of exiting, so main maps them.
export function createProgram(write: { out: (s: string) => void; err: (s: string) => void } = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
}): Command {
  const program = new Command('twofold')
    .description('Twofold administration: users, tokens, settings, RADIUS clients, SDK credentials and administrators through the admin API; init, log and replay on the data directory.')
    .version(packageVersion(), '-V, --version')
    .addOption(new Option('--url <url>', 'admin API URL').env('TWOFOLD_URL').default('https://127.0.0.1:8443'))
    .addOption(new Option('--token <token>', 'administrator token <id>.<secret>; "-" reads it from standard input (never visible in ps)').env('TWOFOLD_ADMIN_TOKEN'))
    .addOption(new Option('--ca <file>', 'CA certificate (PEM) to trust for the admin API').env('TWOFOLD_CA_FILE'))
    .addOption(new Option('--data-dir <dir>', 'data directory').env('TWOFOLD_DATA_DIR').default('./data'))
    .option('--json', 'machine-readable JSON output')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: write.out,
      writeErr: write.err,
      outputError: (message, writeErr) => writeErr(`twofold: usage: ${message.replace(/^error: /, '').trimEnd()} (see --help)\n`),
    })
    .addHelpText('after', `\n${EXIT_CODE_HELP}\n\n${ENVIRONMENT_HELP}\n`);

  registerInitCommand(program);
  registerUserCommands(program);
  registerTokenCommands(program);
  registerSettingsCommands(program);
  registerRadiusClientCommands(program);
  registerAccessCommands(program);
  registerClusterCommands(program);
  registerRolloutCommands(program);
  registerDirectoryCommands(program);
  registerDeviceCommands(program);
  registerLogCommands(program);
  registerReplayCommand(program);
  return program;
}
