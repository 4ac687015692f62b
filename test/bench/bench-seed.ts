import { openStorage, TypeOrmEventStore } from '@twofold/event-store';
import { SecretKeyring } from '@twofold/domain';
import { openDataDir } from '@twofold/platform';

// A benchmark's data directory opened to write its users straight into the log (the same events
// the admin API writes), with the node's own keyring and the metadata of an administrator's append.
export async function openBenchLog(dataDirPath: string) {
  const dataDir = openDataDir(dataDirPath, { nodeName: 'bench' });
  const dataSource = await openStorage({ sqlitePath: dataDir.sqlitePath });
  const store = new TypeOrmEventStore(dataSource);
  const keyring = new SecretKeyring(dataDir.masterKeyId, { [dataDir.masterKeyId]: dataDir.masterKey });
  const metadata = { actor: 'admin:bench', nodeId: dataDir.identity.nodeId, epoch: 0 };
  return { dataDir, dataSource, store, keyring, metadata };
}
