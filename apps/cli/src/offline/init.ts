import { dataDirExists, openDataDir, restrictDataDirPermissions } from '@twofold/platform';
import { TypeOrmEventStore } from '@twofold/event-store';
import { ReadModelProjector, ReadModelQueries } from '@twofold/read-model';
import { SecretKeyring } from '@twofold/domain';
import { Argon2idHasher } from '@twofold/mfa';
import { CommandService } from '@twofold/commands';
import { CliError } from '../core/cli-error';
import { CliContext } from '../core/context';
import { ExitCode } from '../core/exit-codes';
import { openDatabase, offlineConfig } from './offline-storage';

export async function init(ctx: CliContext, o: { nodeName?: string }): Promise<void> {
  const config = offlineConfig(ctx.dataDir);
  const existed = dataDirExists(config.dataDir);
  let dataDir;
  try {
    dataDir = openDataDir(config.dataDir, { nodeName: o.nodeName ?? config.nodeName, hosts: [config.advertiseHost, ...config.tls.hosts] });
  } catch (err) {
    throw new CliError('data_dir_invalid', (err as Error).message, ExitCode.General, 'data-dir');
  }
  const dataSource = await openDatabase(config, dataDir.path);
  try {
    restrictDataDirPermissions(dataDir.path);
  } catch (err) {
    await dataSource.destroy();
    throw new CliError('data_dir_invalid', (err as Error).message, ExitCode.General, 'data-dir');
  }
  const store = new TypeOrmEventStore(dataSource);
  const sealer = new SecretKeyring(dataDir.masterKeyId, { [dataDir.masterKeyId]: dataDir.masterKey });
  const projector = new ReadModelProjector(dataSource, { sealer });
  try {
    // The same wiring as the server's start-up, so the first administrator is made the same way.
    await projector.init();
    await projector.catchUp(store);
    projector.follow(store);
    const queries = new ReadModelQueries(dataSource);
    if ((await queries.listAdministrators()).length > 0) {
      throw new CliError('already_initialized', `${config.dataDir} already holds cluster ${dataDir.identity.clusterId} with administrators; nothing was changed`, ExitCode.Conflict, 'data-dir');
    }
    const commands = new CommandService({
      store, projector, queries, hasher: new Argon2idHasher(), nodeId: dataDir.identity.nodeId,
      sealer,
    });
    const token = await commands.access.bootstrapFirstAdministrator();
    if (!token) throw new CliError('already_initialized', `${config.dataDir} already has administrators`, ExitCode.Conflict, 'data-dir');
    const { clusterId, nodeId, nodeName } = dataDir.identity;
    ctx.out.result({ dataDir: dataDir.path, created: !existed, clusterId, nodeId, nodeName, storage: config.databaseUrl ? 'postgres' : 'sqlite', adminName: 'admin', adminToken: token }, () =>
      `${existed ? 'initialized' : 'created'} cluster ${clusterId} in ${dataDir.path}\n` +
      `node ${nodeName} (${nodeId}), storage ${config.databaseUrl ? 'PostgreSQL' : 'SQLite'}\n\n` +
      'First administrator "admin" created. Save this credential now; it is shown only once:\n\n' +
      `  TWOFOLD_ADMIN_TOKEN=${token}\n\n` +
      `Start the server with: TWOFOLD_DATA_DIR=${dataDir.path} node --max-semi-space-size=32 dist/apps/server/src/main.js\n`);
  } finally {
    projector.stop();
    await store.close();
  }
}
