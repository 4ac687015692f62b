import type { Logger } from 'pino';
import { openDataDir, restrictDataDirPermissions, TwofoldConfig } from '@twofold/platform';
import { reportNodeCertificate } from './node-certificate-report';
import { openStorage, TypeOrmEventStore } from '@twofold/event-store';
import { ReadModelProjector, ReadModelQueries } from '@twofold/read-model';
import { isSecondFactorWaiver } from '@twofold/domain';
import { Argon2idHasher } from '@twofold/mfa';
import { CommandService, SecurityOutcomeSink } from '@twofold/commands';
import { UpstreamOutbox } from '@twofold/replication';
import { createMetrics } from '../metrics/metrics';
import { ClusterRole, MasterAddress } from '../cluster/cluster-role';
import { ReplicationCoordinator } from '../replication/replication-coordinator';
import { settleWhenProjected, UpstreamSecurityEvents } from '../replication/upstream-security-events';
import { UpstreamVerdicts } from '../replication/upstream-verdicts';
import { startKafkaPublishing } from '../kafka/kafka-publishing';
import { createKafkaFollower } from '../kafka/kafka-following';
import type { NodeServices, UserDirectoryView } from './node-services';
import { startDirectorySync, type DirectoryRuntime } from '../directory/directory-runtime';
import { openClusterKeys } from './cluster-keys';

export type { UserDirectoryView } from './node-services';

// Everything one node holds, built once at start-up and handed to the transports.
export interface NodeRuntime extends NodeServices {
  replication: ReplicationCoordinator;
  directorySync?: DirectoryRuntime;
}

export async function startNode(config: TwofoldConfig, logger: Logger): Promise<NodeRuntime> {
  const dataDir = openDataDir(config.dataDir, { nodeName: config.nodeName, hosts: [config.advertiseHost, ...config.tls.hosts] });
  if (dataDir.created) logger.info({ clusterId: dataDir.identity.clusterId, dataDir: dataDir.path }, 'created a new cluster');
  reportNodeCertificate(dataDir, logger);
  const dataSource = await openStorage({ url: config.databaseUrl, sqlitePath: dataDir.sqlitePath });
  // The database files were just created or opened: private like the rest of the directory.
  restrictDataDirPermissions(dataDir.path);
  const store = new TypeOrmEventStore(dataSource);
  const keys = openClusterKeys(dataDir);
  const keyring = keys.keyring;
  const projector = new ReadModelProjector(dataSource, { sealer: keyring });
  await projector.init();
  const caughtUp = await projector.catchUp(store);
  logger.info({ position: caughtUp }, 'read model caught up');
  const metrics = createMetrics();
  projector.follow(store, (err) => logger.error({ err: (err as Error).message }, 'read model projection failed'));
  const queries = new ReadModelQueries(dataSource);

  // The role comes from the log: the newest epoch record names the master; before any, the founder.
  const { identity } = dataDir;
  const self: MasterAddress = {
    nodeId: identity.nodeId, nodeName: identity.nodeName, host: config.advertiseHost, httpPort: config.http.port, replicationPort: config.replication.port,
  };
  const epoch = await queries.getClusterEpoch();
  const masterNodeId = epoch.masterNodeId ?? identity.founderNodeId ?? identity.nodeId;
  const known = (await queries.listClusterNodes()).find((n) => n.nodeId === masterNodeId);
  const masterAddress = masterNodeId === identity.nodeId ? self : known ?? (identity.joinedMaster?.nodeId === masterNodeId ? identity.joinedMaster : null);
  // The one cycle: a write on the master waits for its slaves (synchronous replication), and the
  // coordinator that knows them issues commands. This forward reference is set once, below,
  // before start-up ends; writes during start-up wait for nobody.
  const synchronousReplication: { coordinator?: ReplicationCoordinator } = {};
  const role = new ClusterRole(masterNodeId === identity.nodeId ? 'master' : 'slave', epoch.epoch, masterAddress);

  const commands = new CommandService({
    store, projector, queries, sealer: keyring, hasher: new Argon2idHasher(),
    nodeId: identity.nodeId, epoch: () => role.epoch, onAppended: (n: number) => metrics.eventsAppended.inc(n),
    assertWritable: role.assertWritable,
    afterAppend: (position) => synchronousReplication.coordinator?.waitForSlaves(position) ?? Promise.resolve(),
  });
  const outbox = await UpstreamOutbox.open(dataSource);
  const verdicts = new UpstreamVerdicts(config.replication.confirmTimeoutMs, {
    unconfirmed: () => metrics.unconfirmedAccepts.inc(), refusedAfterAccept: () => metrics.refusedAfterAccept.inc(),
  });
  const upstream = new UpstreamSecurityEvents(outbox, queries, () => new Date(), verdicts);
  await upstream.reload();
  const sink = () => (role.writable ? commands.security : upstream);
  const security: SecurityOutcomeSink = {
    async record(outcome) {
      const after = await sink().record(outcome);
      if (isSecondFactorWaiver(outcome)) metrics.secondFactorWaived.inc({ reason: outcome.kind === 'bypass_used' ? 'bypass' : 'not_enrolled' });
      return after;
    },
  };
  const directory: UserDirectoryView = {
    findUserByUsername: (u) => queries.findUserIdByUsername(u),
    // Security events still in the outbox count on a master too: a promoted node appends them in
    // the background, and until then a code used during the outage must stay used.
    getUserState: (id) => upstream.getUserState(id),
    getSettings: () => queries.currentSettings(),
    // One read for the common case; with outcomes of this node still waiting for the master, the
    // state is read again with them on top (as getUserState does).
    async findSignIn(u) {
      const waiting = upstream.pendingCount > 0;
      const found = await queries.findSignIn(u);
      if (!found || (!waiting && upstream.pendingCount === 0)) return found;
      return { ...found, state: await upstream.getUserState(found.userId) };
    },
  };
  const settling = settleWhenProjected(store, (await store.head()).position, projector, upstream);

  const firstAdminToken = role.role === 'master' ? await commands.access.bootstrapFirstAdministrator() : undefined;
  if (firstAdminToken) logger.info('created the first administrator "admin" (credential printed once on the console)');
  const kafkaFollower = createKafkaFollower({ config, dataDir, store, logger });
  const replication = new ReplicationCoordinator(
    { config, dataDir, logger, dataSource, store, projector, queries, commands, role, kafkaFollower, self },
    outbox, upstream, verdicts,
  );
  synchronousReplication.coordinator = replication;
  const kafka = await startKafkaPublishing({ config, dataDir, dataSource, store, role, logger, metrics, kafkaFollower });
  const runtime: NodeRuntime = {
    config, dataDir, keys, logger, dataSource, store, projector, queries, commands, metrics, role, security, directory, firstAdminToken,
    replication, kafkaFollower, kafka,
    async close() {
      await runtime.kafka?.stop();
      runtime.directorySync?.scheduler.stop();
      await runtime.replication.stop();
      settling.close();
      projector.stop();
      await store.close();
    },
  };
  runtime.directorySync = startDirectorySync(runtime);
  return runtime;
}
