import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { DataDirectory, openDataDir, TwofoldConfig } from '@twofold/platform';
import { EventStore, openStorage, TypeOrmEventStore } from '@twofold/event-store';
import { ReadModelProjector, ReadModelQueries } from '@twofold/read-model';
import { SecretKeyring } from '@twofold/domain';
import { Argon2idHasher } from '@twofold/mfa';
import { CommandService } from '@twofold/commands';
import { createMetrics, Metrics } from '../metrics/metrics';

// Everything one node holds, built once at start-up and handed to the transports.
export interface NodeRuntime {
  config: TwofoldConfig;
  dataDir: DataDirectory;
  logger: Logger;
  dataSource: DataSource;
  store: EventStore;
  projector: ReadModelProjector;
  queries: ReadModelQueries;
  commands: CommandService;
  metrics: Metrics;
  // Set only on the start that created the first administrator: shown once, never stored.
  firstAdminToken?: string;
  close(): Promise<void>;
}

export async function startNode(config: TwofoldConfig, logger: Logger): Promise<NodeRuntime> {
  const dataDir = openDataDir(config.dataDir, { nodeName: config.nodeName });
  if (dataDir.created) logger.info({ clusterId: dataDir.identity.clusterId, dataDir: dataDir.path }, 'created a new cluster');
  const dataSource = await openStorage({ url: config.databaseUrl, sqlitePath: dataDir.sqlitePath });
  const store = new TypeOrmEventStore(dataSource);
  const projector = new ReadModelProjector(dataSource);
  await projector.init();
  const caughtUp = await projector.catchUp(store);
  logger.info({ position: caughtUp }, 'read model caught up');
  const metrics = createMetrics();
  projector.follow(store, (err) => logger.error({ err: (err as Error).message }, 'read model projection failed'));
  const queries = new ReadModelQueries(dataSource);
  const keyring = new SecretKeyring(dataDir.masterKeyId, { [dataDir.masterKeyId]: dataDir.masterKey });
  const commands = new CommandService({
    store, projector, queries, sealer: keyring, hasher: new Argon2idHasher(),
    nodeId: dataDir.identity.nodeId, onAppended: (n: number) => metrics.eventsAppended.inc(n),
  });
  const firstAdminToken = await commands.access.bootstrapFirstAdministrator();
  if (firstAdminToken) logger.info('created the first administrator "admin" (credential printed once on the console)');
  return {
    config, dataDir, logger, dataSource, store, projector, queries, commands, metrics, firstAdminToken,
    async close() {
      projector.stop();
      await store.close();
    },
  };
}
