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
}

function say(line: Record<string, unknown>): void {
  writeSync(1, `${JSON.stringify(line)}\n`); // synchronous: out before anything else happens
}

function pauseInsideTransaction(store: TypeOrmEventStore, position: number): void {
  const db = (store.dataSource.driver as unknown as { databaseConnection: BetterSqlite3.Database }).databaseConnection;
  db.function('twofold_test_pause', (p: unknown) => {
    say({ applying: Number(p) });
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120_000);
    return 0;
  });
  // A TEMP trigger lives only in this connection: a restarted process has none.
  db.exec(`CREATE TEMP TRIGGER twofold_test_pause AFTER INSERT ON event_log WHEN NEW.position = ${Math.trunc(position)} BEGIN SELECT twofold_test_pause(NEW.position); END`);
}

async function main(): Promise<void> {
  const config = JSON.parse(readFileSync(process.argv[2], 'utf8')) as SlaveChildConfig;
  const store = await createEventStore({ url: config.dbPath });
  if (config.pauseAt !== undefined) pauseInsideTransaction(store, config.pauseAt);
  const projector = new ReadModelProjector(store.dataSource, { afterCommit: (position) => say({ visible: position }) });
  await projector.init();
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
