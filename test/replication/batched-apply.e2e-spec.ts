import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { TypeOrmEventStore } from '@twofold/event-store';
import { appendTicks, CLUSTER_ID, Harness, harnessPerTest, readAll, waitFor } from '../../libs/replication/src/testing/cluster-fixture';
import type { SlaveChildConfig } from './support/slave-child';

const CHILD = join(__dirname, '../../dist/test/replication/support/slave-child.js');

// A slave in its own process (built by `npm run build`), as a real node runs: its own SQLite log
// and read model, killed and stopped with real signals.
class SlaveProcess {
  appended = 0; // durable, as it reported
  visible = 0; // in its read model
  applying?: number;
  readonly exited: Promise<number | null>;
  private readonly proc: ChildProcess;

  constructor(h: Harness, config: SlaveChildConfig) {
    if (!existsSync(CHILD)) throw new Error(`${CHILD} is missing: run \`npm run build\` first`);
    const path = join(h.tempDir(), `${config.name}.json`);
    writeFileSync(path, JSON.stringify(config));
    this.proc = spawn(process.execPath, [CHILD, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
    createInterface({ input: this.proc.stdout! }).on('line', (line) => {
      const m = JSON.parse(line) as { appended?: number; visible?: number; applying?: number };
      if (m.appended !== undefined) this.appended = Math.max(this.appended, m.appended);
      if (m.visible !== undefined) this.visible = Math.max(this.visible, m.visible);
      if (m.applying !== undefined) this.applying = m.applying;
    });
    h.onCleanup(async () => {
      if (this.proc.exitCode === null && this.proc.signalCode === null) {
        this.proc.kill('SIGCONT');
        this.proc.kill('SIGKILL');
        await this.exited;
      }
    });
  }

  signal(signal: NodeJS.Signals): void {
    this.proc.kill(signal);
  }

  async stop(): Promise<void> {
    this.proc.kill('SIGTERM');
    expect(await this.exited).toBe(0);
  }
}

describe('replication: batches applied whole in a slave process (kill -9, stall)', () => {
  const h = harnessPerTest();

  const configFor = (name: string, port: number, dbPath: string, extra: Partial<SlaveChildConfig> = {}): SlaveChildConfig => ({
    clusterId: CLUSTER_ID, name, port, dbPath, tls: h.tls(name), ...extra,
  });

  async function expectSameLog(master: TypeOrmEventStore, slaveDb: string): Promise<TypeOrmEventStore> {
    const slave = await h.storeAt(slaveDb);
    const [a, b] = await Promise.all([readAll(master), readAll(slave)]);
    expect(b.map((r) => r.position)).toEqual(a.map((r) => r.position)); // each once, none missing
    expect(b.map((r) => r.hash)).toEqual(a.map((r) => r.hash));
    expect((await slave.verify()).ok).toBe(true);
    return slave;
  }

  // The log: ticks and, on one user's stream, a sign-in counter the read model folds (each
  // UnenrolledSignInAllowed adds one): an event projected twice or skipped shows in the count.
  async function appendTicksAndSignIns(store: TypeOrmEventStore, rounds: number): Promise<void> {
    const meta = { actor: 'radius:test', nodeId: 'master', epoch: 0 };
    const signIn = (i: number) => ({ type: 'UnenrolledSignInAllowed', schemaVersion: 1, payload: { userId: 'u-1', at: new Date(i * 1000).toISOString(), source: 'radius:test' }, metadata: meta });
    if ((await store.streamVersion('user-u-1')) === 0) {
      await store.append('user-u-1', 0, [{
        type: 'UserCreated', schemaVersion: 1, metadata: meta,
        payload: { userId: 'u-1', username: 'alice', displayName: 'Alice', email: null, phones: [], preferredMethod: 'totp', language: 'en' },
      }]);
    }
    for (let r = 0; r < rounds; r++) {
      await appendTicks(store, 150, 150);
      await store.append('user-u-1', -1, Array.from({ length: 150 }, (_, i) => signIn(r * 150 + i)));
    }
  }

  // What the slave's read model holds against its own log: the checkpoint is the log's head (one
  // transaction for both) and the user's counter is the number of sign-ins in the log, once each.
  async function expectReadModelMatchesLog(store: TypeOrmEventStore): Promise<number> {
    const head = (await store.head()).position;
    const [checkpoint] = await store.dataSource.query(`SELECT position FROM rm_checkpoint WHERE name = 'main'`);
    expect(Number(checkpoint.position)).toBe(head);
    const signIns = (await readAll(store)).filter((r) => r.type === 'UnenrolledSignInAllowed').length;
    const [user] = await store.dataSource.query(`SELECT state FROM rm_users WHERE user_id = 'u-1'`);
    expect(user ? JSON.parse(user.state).unenrolledSignIns : 0).toBe(signIns);
    return head;
  }

  it.each([
    ['while it writes the log rows', { pauseAt: 1500 }],
    ['while it writes the read-model rows', { pauseReadModelAt: 1500 }],
  ])('a slave killed -9 inside the transaction of a batch (%s) resumes with the chain intact and nothing applied twice, in the log or its read model', async (_when, pause) => {
    const mStore = await h.sqliteStore();
    await appendTicksAndSignIns(mStore, 10); // 3001 records
    const master = await h.master(mStore, { batchSize: 1000, maxBatchesInFlight: 2 });
    const port = master.address().port;
    const dbPath = join(h.tempDir(), 'slave.sqlite');

    const first = new SlaveProcess(h, configFor('slave-1', port, dbPath, pause));
    await waitFor('the batch holding 1500 half written', () => first.applying === 1500, 60_000);
    first.signal('SIGKILL');
    await first.exited;

    // What the killed process left: whole batches only, every link intact, the read model at
    // the same point.
    const left = await h.storeAt(dbPath);
    const leftHead = (await left.head()).position;
    expect(leftHead).toBeLessThan(1500);
    expect((await left.verify()).ok).toBe(true);
    expect(await expectReadModelMatchesLog(left)).toBe(leftHead);
    await left.close();

    const second = new SlaveProcess(h, configFor('slave-1', port, dbPath));
    await waitFor('caught up after the restart', () => second.appended >= 3001 && second.visible >= 3001, 60_000);
    await appendTicksAndSignIns(mStore, 1); // and it follows live
    await waitFor('live tail', () => second.appended >= 3301 && second.visible >= 3301, 60_000);
    await second.stop();

    const slave = await expectSameLog(mStore, dbPath);
    expect(await expectReadModelMatchesLog(slave)).toBe(3301);
  });

  it('a slave that stops reading (SIGSTOP) is held at its window while the other keeps receiving; then it is closed, reconnects and catches up', async () => {
    const mStore = await h.sqliteStore();
    await appendTicks(mStore, 100);
    const master = await h.master(mStore, { batchSize: 100, maxBatchesInFlight: 2, heartbeatMs: 200, idleTimeoutMs: 60_000, stallTimeoutMs: 1500 });
    const port = master.address().port;
    const [db1, db2] = [join(h.tempDir(), 's1.sqlite'), join(h.tempDir(), 's2.sqlite')];
    const s1 = new SlaveProcess(h, configFor('slave-1', port, db1));
    const s2 = new SlaveProcess(h, configFor('slave-2', port, db2));
    await waitFor('both following', () => s1.appended >= 100 && s2.appended >= 100, 60_000);

    s2.signal('SIGSTOP');
    let stalledInFlight = 0;
    for (let round = 0; round < 10; round++) {
      await appendTicks(mStore, 100, 20);
      const head = (await mStore.head()).position;
      // The other slave gets every round while the stopped one holds at most its window.
      await waitFor(`slave-1 at ${head}`, () => s1.appended >= head, 60_000);
      const stalled = master.status().find((s) => s.nodeName === 'slave-2');
      if (stalled) stalledInFlight = Math.max(stalledInFlight, stalled.inFlight);
    }
    expect(s1.appended).toBe(1100);
    expect(stalledInFlight).toBeLessThanOrEqual(200);
    // Its window full and no ack: the master ends the session (the slave reconnects later).
    await waitFor('stalled session closed', () => !master.status().some((s) => s.nodeName === 'slave-2'), 60_000);

    s2.signal('SIGCONT');
    await waitFor('slave-2 caught up', () => s2.appended >= 1100 && s2.visible >= 1100, 60_000);
    await waitFor('slave-2 back in the status', () => master.status().some((s) => s.nodeName === 'slave-2' && s.ackedPosition === 1100));
    await s1.stop();
    await s2.stop();
    await expectSameLog(mStore, db1);
    await expectSameLog(mStore, db2);
  });
});
