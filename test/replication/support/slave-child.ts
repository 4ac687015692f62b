// A replication slave in a process of its own (its SQLite log and read model), for tests that
// kill -9 or SIGSTOP it: `node dist/test/replication/support/slave-child.js <config.json>`.
// Reports on stdout, one JSON object a line: {connected}, {appended: position} (durable),
// {visible: position} (read model committed), {applying: position} (see pauseAt).
import { readFileSync, writeSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import { createEventStore, type TypeOrmEventStore } from '@twofold/event-store';
import { ReadModelProjector } from '@twofold/read-model';
import { ReplicationSlave } from '@twofold/replication';

export interface SlaveChildConfig {
  clusterId: string;
  name: string; // node name = certificate CN; node id is `id-<name>`
  port: number; // the master's replication port on 127.0.0.1
  dbPath: string;
  tls: { key: string; cert: string; ca: string };
  // Test hook: when the row at this position is inserted (inside the transaction that applies
  // the batch holding it), say {applying} and block, so the test can kill -9 mid-transaction.
  pauseAt?: number;
  // The same, when the read model's checkpoint passes this position (the read-model part of the
  // batch's transaction: its log rows are written, the commit has not happened).
  pauseReadModelAt?: number;
}

function say(line: Record<string, unknown>): void {
  writeSync(1, `${JSON.stringify(line)}\n`); // synchronous: out before anything else happens
}

function pauseInsideTransaction(store: TypeOrmEventStore, config: SlaveChildConfig): void {
  const db = (store.dataSource.driver as unknown as { databaseConnection: BetterSqlite3.Database }).databaseConnection;
  db.function('twofold_test_pause', (p: unknown) => {
    say({ applying: Number(p) });
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120_000);
    return 0;
  });
  // A TEMP trigger lives only in this connection: a restarted process has none.
  if (config.pauseAt !== undefined) {
    db.exec(`CREATE TEMP TRIGGER twofold_test_pause AFTER INSERT ON event_log WHEN NEW.position = ${Math.trunc(config.pauseAt)} BEGIN SELECT twofold_test_pause(NEW.position); END`);
  }
  if (config.pauseReadModelAt !== undefined) {
    const at = Math.trunc(config.pauseReadModelAt);
    db.exec(`CREATE TEMP TRIGGER twofold_test_pause_rm AFTER UPDATE ON rm_checkpoint WHEN NEW.position >= ${at} AND OLD.position < ${at} BEGIN SELECT twofold_test_pause(${at}); END`);
  }
}

async function main(): Promise<void> {
  const config = JSON.parse(readFileSync(process.argv[2], 'utf8')) as SlaveChildConfig;
  const store = await createEventStore({ url: config.dbPath });
  const projector = new ReadModelProjector(store.dataSource, { afterCommit: (position) => say({ visible: position }) });
  await projector.init();
  if (config.pauseAt !== undefined || config.pauseReadModelAt !== undefined) pauseInsideTransaction(store, config);
  projector.follow(store);
  const slave = new ReplicationSlave({
    store, clusterId: config.clusterId, nodeId: `id-${config.name}`, nodeName: config.name, epoch: () => 0,
    master: { host: '127.0.0.1', port: config.port }, tls: config.tls, reconnect: { minMs: 20, maxMs: 200 },
  });
  slave.on('connected', () => say({ connected: true }));
  slave.on('appended', (head) => say({ appended: head.position }));
  process.on('SIGTERM', () => {
    void (async () => {
      await slave.stop();
      projector.stop();
      await store.close();
      process.exit(0);
    })();
  });
  slave.start();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
