// Replication benchmark: a master in this process, each slave a child process (as in production,
// so a slave's fsyncs do not stall the master's event loop), over real TLS on 127.0.0.1, each with
// its own SQLite log in a temp dir.
// `npm run bench:replication [-- --seconds 10 --catchup 1000000 --gen-batch 1000]`.
// Prints figures; asserts nothing.
//   1. sustained single-event appends/s on the master with two slaves attached
//   2. lag from "append returned on the master" to "durable in the slave's store" (p50/p99)
//   3. catch-up events/s for a fresh slave joining N events behind
import { fork, type ChildProcess } from 'node:child_process';
import { ReadModelProjector } from '@twofold/read-model';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventStore, type NewEvent, type TypeOrmEventStore } from '@twofold/event-store';
import { createClusterCa, issueCertificate } from '@twofold/platform';
import { ReplicationMaster, ReplicationSlave } from '@twofold/replication';

const CLUSTER = 'bench-cluster';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

function event(i: number): NewEvent {
  return {
    type: 'AuthenticationFailed',
    schemaVersion: 1,
    payload: { userId: `u-${i % 5000}`, at: new Date().toISOString(), reason: 'bad_otp', source: 'radius:client-1', seq: i },
    metadata: { actor: 'radius:client-1', nodeId: 'master', epoch: 0 },
  };
}

interface ChildConfig {
  name: string;
  port: number;
  dir: string;
  tls: { key: string; cert: string; ca: string };
}

const now = (): number => performance.timeOrigin + performance.now(); // comparable across processes

// Child mode: one slave with its own store; reports every durable head to the parent.
async function runChild(configPath: string): Promise<void> {
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as ChildConfig;
  const store = await createEventStore({ url: join(config.dir, 'log.sqlite') });
  const slave = new ReplicationSlave({
    store, clusterId: CLUSTER, nodeId: config.name, nodeName: config.name, epoch: () => 0,
    master: { host: '127.0.0.1', port: config.port }, tls: config.tls, reconnect: { minMs: 50, maxMs: 1000 },
  });
  slave.on('appended', (head) => process.send!({ head: head.position, at: now() }));
  // The slave's read model, as a node runs it: what RADIUS and the SDK answer from.
  const projector = new ReadModelProjector(store.dataSource, { afterCommit: (position) => process.send!({ visible: position, at: now() }) });
  await projector.init();
  projector.follow(store);
  slave.on('connected', () => process.send!({ connected: true }));
  process.on('message', async (m: { cmd?: string }) => {
    if (m.cmd !== 'stop') return;
    await slave.stop();
    projector.stop();
    const verify = await store.verify();
    await store.close();
    process.send!({ stopped: true, verifyOk: verify.ok, checked: verify.checked }, () => process.exit(0));
  });
  slave.start();
}

interface ChildSlave {
  proc: ChildProcess;
  head: number;
  onHead(fn: (position: number, at: number) => void): void;
  onVisible(fn: (position: number, at: number) => void): void;
  connected: Promise<void>;
  stop(): Promise<{ verifyOk: boolean; checked: number }>;
}

function startChild(config: ChildConfig, dir: string): ChildSlave {
  const configPath = join(dir, `${config.name}.json`);
  writeFileSync(configPath, JSON.stringify(config));
  const proc = fork(__filename, ['--child', configPath], { stdio: 'inherit' });
  const listeners: Array<(position: number, at: number) => void> = [];
  const visibleListeners: Array<(position: number, at: number) => void> = [];
  let stopped: ((v: { verifyOk: boolean; checked: number }) => void) | undefined;
  let connected!: () => void;
  const child: ChildSlave = {
    proc,
    head: 0,
    onHead: (fn) => listeners.push(fn),
    onVisible: (fn) => visibleListeners.push(fn),
    connected: new Promise((r) => (connected = r)),
    stop: () => new Promise((resolve) => {
      stopped = resolve;
      proc.send({ cmd: 'stop' });
    }),
  };
  proc.on('message', (m: { head?: number; visible?: number; at?: number; connected?: boolean; stopped?: boolean; verifyOk?: boolean; checked?: number }) => {
    if (m.connected) connected();
    if (m.visible !== undefined) for (const fn of visibleListeners) fn(m.visible, m.at!);
    if (m.head !== undefined) {
      child.head = m.head;
      for (const fn of listeners) fn(m.head, m.at!);
    }
    if (m.stopped) stopped?.({ verifyOk: !!m.verifyOk, checked: m.checked ?? 0 });
  });
  return child;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const seconds = arg('seconds', 10);
  const catchup = arg('catchup', 1_000_000);
  const genBatch = arg('gen-batch', 1000);
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'twofold-bench-repl-'));
    dirs.push(dir);
    return dir;
  };
  const ca = createClusterCa(CLUSTER);
  const tlsOf = (name: string) => {
    const c = issueCertificate(ca, name, { hosts: ['127.0.0.1'] });
    return { key: c.keyPem, cert: c.certPem, ca: ca.certPem };
  };
  const masterStore: TypeOrmEventStore = await createEventStore({ url: join(tempDir(), 'log.sqlite') });
  const master = new ReplicationMaster({
    store: masterStore, clusterId: CLUSTER, nodeId: 'master', epoch: () => 0, tls: tlsOf('master'),
    host: '127.0.0.1', port: 0, batchSize: 500, heartbeatMs: 1000, onUpstream: async () => undefined,
  });
  const { port } = await master.start();
  const configDir = tempDir();
  const slaveChild = (name: string): ChildSlave => startChild({ name, port, dir: tempDir(), tls: tlsOf(name) }, configDir);

  console.log(`replication bench: node ${process.version}, SQLite (synchronous=FULL), TLS on 127.0.0.1, master in-process, slaves in child processes`);
  try {
    // Baseline: the same append loop with no slave attached.
    let baseline = 0;
    const baseStart = performance.now();
    while (performance.now() < baseStart + seconds * 1000) {
      await masterStore.append(`user-${baseline % 1000}`, -1, [event(baseline)]);
      baseline++;
      await new Promise((r) => setImmediate(r));
    }
    const baseElapsed = (performance.now() - baseStart) / 1000;
    console.log(`baseline appends (1 event each, sequential), no slave: ${fmt(baseline)} in ${baseElapsed.toFixed(1)} s = ${fmt(baseline / baseElapsed)}/s`);

    // 1 + 2: live appends with two slaves following.
    const slaves = [slaveChild('slave-1'), slaveChild('slave-2')];
    await Promise.all(slaves.map((c) => c.connected));
    const appendedAt = new Map<number, number>();
    const lags: number[][] = [[], []];
    const visibleLags: number[][] = [[], []];
    const track = (into: number[]) => {
      let seen = 0;
      return (position: number, at: number) => {
        for (let p = seen + 1; p <= position; p++) {
          const t = appendedAt.get(p);
          if (t !== undefined) into.push(at - t);
        }
        seen = Math.max(seen, position);
      };
    };
    slaves.forEach((child, i) => {
      child.onHead(track(lags[i]));
      child.onVisible(track(visibleLags[i]));
    });

    let appends = 0;
    const start = performance.now();
    const end = start + seconds * 1000;
    while (performance.now() < end) {
      const [e] = await masterStore.append(`user-${appends % 1000}`, -1, [event(appends)]);
      appendedAt.set(e.position, now());
      appends++;
      // A server appends from request callbacks; a bare loop of appends would never let the
      // event loop run the sockets (all awaits here resolve as microtasks).
      await new Promise((r) => setImmediate(r));
    }
    const elapsed = (performance.now() - start) / 1000;
    const head = await masterStore.head();
    const drainStart = performance.now();
    while (slaves.some((c) => c.head < head.position)) await new Promise((r) => setTimeout(r, 5));
    console.log(`sustained appends (1 event each, sequential), 2 slaves attached: ${fmt(appends)} in ${elapsed.toFixed(1)} s = ${fmt(appends / elapsed)}/s`);
    console.log(`  slaves reached the master's head ${fmt(performance.now() - drainStart)} ms after the last append`);
    await new Promise((r) => setTimeout(r, 1000)); // let the read models apply the tail
    visibleLags.forEach((l, i) => {
      const sorted = [...l].sort((a, b) => a - b);
      console.log(`  slave-${i + 1} lag append->visible in the slave's read model: p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms (${fmt(sorted.length)} samples)`);
    });
    lags.forEach((l, i) => {
      const sorted = [...l].sort((a, b) => a - b);
      console.log(`  slave-${i + 1} lag append->durable on slave: p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${sorted.at(-1)?.toFixed(1)} ms (${fmt(sorted.length)} samples)`);
    });
    for (const c of slaves) {
      const v = await c.stop();
      if (!v.verifyOk) console.log('  !! a slave log failed verification');
    }

    // 3: a fresh slave joining `catchup` events behind.
    const toWrite = Math.max(0, catchup - head.position);
    const genStart = performance.now();
    for (let done = 0; done < toWrite; done += genBatch) {
      const n = Math.min(genBatch, toWrite - done);
      await masterStore.append(`bulk-${done % 997}`, -1, Array.from({ length: n }, (_, i) => event(done + i)));
    }
    const genSeconds = (performance.now() - genStart) / 1000;
    console.log(`master log generated: ${fmt(toWrite)} events in batches of ${genBatch} in ${genSeconds.toFixed(1)} s = ${fmt(toWrite / genSeconds)}/s`);
    const target = (await masterStore.head()).position;
    const catchStart = performance.now();
    const joiner = slaveChild('slave-3');
    let lastReport = 0;
    const caughtUp = new Promise<number>((resolve) => {
      joiner.onHead((position, at) => {
        if (position - lastReport >= 250_000) {
          lastReport = position;
          console.log(`  ... ${fmt(position)} / ${fmt(target)}`);
        }
        if (position >= target) resolve(at);
      });
    });
    const doneAt = await caughtUp;
    const catchSeconds = (doneAt - (performance.timeOrigin + catchStart)) / 1000;
    console.log(`catch-up of a fresh slave (child process start included) joining ${fmt(target)} events behind: ${catchSeconds.toFixed(1)} s = ${fmt(target / catchSeconds)} events/s`);
    const v = await joiner.stop();
    console.log(`  joined slave verify: ok=${v.verifyOk} checked=${fmt(v.checked)}`);
  } finally {
    await master.stop();
    await masterStore.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

const childAt = process.argv.indexOf('--child');
(childAt >= 0 ? runChild(process.argv[childAt + 1]) : main()).catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
