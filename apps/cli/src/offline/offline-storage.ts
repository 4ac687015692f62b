import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { ConfigError, DataDirectory, dataDirExists, loadConfig, openDataDir, TwofoldConfig } from '@twofold/platform';
import { openStorage, TypeOrmEventStore } from '@twofold/event-store';
import { SecretKeyring } from '@twofold/domain';
import { CliError } from '../core/cli-error';
import { ExitCode } from '../core/exit-codes';

// Variables the CLI reads itself; the server's config loader would call them unknown.
const CLI_ONLY_ENV = ['TWOFOLD_CA_FILE', 'TWOFOLD_DEBUG'];

export interface OfflineStorage {
  config: TwofoldConfig;
  dataDir?: DataDirectory;
  // The cluster key from the data directory (absent when a PostgreSQL log is read without one).
  sealer?: SecretKeyring;
  dataSource: DataSource;
  store: TypeOrmEventStore;
  close(): Promise<void>;
}

// The same configuration the server reads (TWOFOLD_* and TWOFOLD_CONFIG), with --data-dir on top.
export function offlineConfig(dataDir: string): TwofoldConfig {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !CLI_ONLY_ENV.includes(k)));
  try {
    return loadConfig(env, { overrides: { dataDir } });
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError('invalid_config', err.message, ExitCode.Usage, err.key);
    throw err;
  }
}

export function openExistingDataDir(config: TwofoldConfig): DataDirectory | undefined {
  if (!dataDirExists(config.dataDir)) {
    // With PostgreSQL the log lives in the database; the data directory is optional for log work.
    if (config.databaseUrl) return undefined;
    throw new CliError('data_dir_missing', `no Twofold data directory at ${config.dataDir} (run \`twofold init\`, or pass --data-dir)`, ExitCode.NotFound, 'data-dir');
  }
  try {
    return openDataDir(config.dataDir, { create: false });
  } catch (err) {
    throw new CliError('data_dir_invalid', (err as Error).message, ExitCode.General, 'data-dir');
  }
}

export async function openDatabase(config: TwofoldConfig, dataDir: string): Promise<DataSource> {
  try {
    return await openStorage({ url: config.databaseUrl, sqlitePath: join(dataDir, 'twofold.sqlite') });
  } catch (err) {
    const where = config.databaseUrl ? 'the PostgreSQL database (TWOFOLD_DATABASE_URL)' : `${join(dataDir, 'twofold.sqlite')}`;
    throw new CliError('storage_unavailable', `cannot open ${where}: ${(err as Error).message.split('\n')[0].replace(/\/\/[^@/]*@/, '//***@')}`, ExitCode.Unavailable);
  }
}

export async function openOfflineStorage(dataDirOption: string): Promise<OfflineStorage> {
  const config = offlineConfig(dataDirOption);
  const dataDir = openExistingDataDir(config);
  const dataSource = await openDatabase(config, config.dataDir);
  const store = new TypeOrmEventStore(dataSource);
  const sealer = dataDir ? new SecretKeyring(dataDir.masterKeyId, { [dataDir.masterKeyId]: dataDir.masterKey }) : undefined;
  return { config, dataDir, sealer, dataSource, store, close: () => store.close() };
}
