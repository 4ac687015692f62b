// The slaves of bench-replication.ts: each one a child process with its own SQLite log and read
// model, reporting its durable head, what its read model shows and its CPU to the parent, which
// can pause it (disconnect) and resume it (reconnect and catch up) between measurements.
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEventStore } from '@twofold/event-store';
import { ReadModelProjector } from '@twofold/read-model';
import { ReplicationSlave } from '@twofold/replication';
import { cpuMs, now, PIN, pin } from './replication-bench-support';

export const CLUSTER = 'bench-cluster';

export interface ChildConfig {
  name: string;
  port: number;
  dir: string;
  tls: { key: string; cert: string; ca: string };
  applyDelayMs?: number;
  applyIntervalMs?: number;
  canonicalText?: boolean; // false: the slave asks for batch frames, as an older slave does
}

// Child mode: one slave with its own store; reports every durable head to the parent.
export async function runChild(configPath: string): Promise<void> {
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as ChildConfig;
  const store = await createEventStore({ url: join(config.dir, 'log.sqlite') });
  const slave = new ReplicationSlave({
    store, clusterId: CLUSTER, nodeId: config.name, nodeName: config.name, epoch: () => 0,
    master: { host: '127.0.0.1', port: config.port }, tls: config.tls, reconnect: { minMs: 50, maxMs: 1000 },
    applyDelayMs: config.applyDelayMs,
    applyIntervalMs: config.applyIntervalMs,
    canonicalText: config.canonicalText,
  });
  slave.on('appended', (head) => process.send!({ head: head.position, at: now() }));
  // The slave's read model, as a node runs it: what RADIUS and the SDK answer from.
  const projector = new ReadModelProjector(store.dataSource, { afterCommit: (position) => process.send!({ visible: position, at: now(), cpu: cpuMs() }) });
  await projector.init();
  projector.follow(store);
  slave.on('connected', () => process.send!({ connected: true, at: now(), cpu: cpuMs() }));
  process.on('message', async (m: { cmd?: string }) => {
    // pause: disconnect from the master (it then runs as if alone); resume: reconnect and catch up.
    if (m.cmd === 'pause') return void slave.stop().then(() => process.send!({ paused: true }));
    if (m.cmd === 'resume') return slave.start();
    if (m.cmd !== 'stop') return;
    await slave.stop();
    projector.stop();
    const verify = await store.verify();
    await store.close();
    process.send!({ stopped: true, verifyOk: verify.ok, checked: verify.checked }, () => process.exit(0));
  });
  slave.start();
}

export interface ChildSlave {
  proc: ChildProcess;
  head: number;
  appends: number; // durable appends (one WAL sync each) the child reported
  visible: number;
  cpu: number; // the child's CPU ms at its last report
  connectedCpu: number;
  onHead(fn: (position: number, at: number) => void): void;
  onVisible(fn: (position: number, at: number) => void): void;
  connected: Promise<number>; // when the master welcomed it (the child's clock)
  stop(): Promise<{ verifyOk: boolean; checked: number }>;
  pause(): Promise<void>; // disconnected from the master once it resolves
  resume(): void;
}

export function startChild(config: ChildConfig, dir: string, entry: string): ChildSlave {
  const configPath = join(dir, `${config.name}.json`);
  writeFileSync(configPath, JSON.stringify(config));
  // BENCH_CPU_PROF_DIR=<dir>: each slave writes a V8 CPU profile there when it stops (where time goes).
  const profDir = process.env.BENCH_CPU_PROF_DIR;
  const proc = fork(entry, ['--child', configPath], { stdio: 'inherit', execArgv: profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [] });
  if (PIN && proc.pid !== undefined) pin(proc.pid, PIN.slaves); // before it opens its store or connects
  const listeners: Array<(position: number, at: number) => void> = [];
  const visibleListeners: Array<(position: number, at: number) => void> = [];
  let stopped: ((v: { verifyOk: boolean; checked: number }) => void) | undefined;
  let paused: (() => void) | undefined;
  let connected!: (at: number) => void;
  const child: ChildSlave = {
    proc,
    head: 0,
    appends: 0,
    visible: 0,
    cpu: 0,
    connectedCpu: 0,
    onHead: (fn) => listeners.push(fn),
    onVisible: (fn) => visibleListeners.push(fn),
    connected: new Promise((r) => (connected = r)),
    stop: () => new Promise((resolve) => {
      stopped = resolve;
      proc.send({ cmd: 'stop' });
    }),
    pause: () => new Promise((resolve) => {
      paused = resolve;
      proc.send({ cmd: 'pause' });
    }),
    resume: () => proc.send({ cmd: 'resume' }),
  };
  proc.on('message', (m: { head?: number; visible?: number; at?: number; cpu?: number; connected?: boolean; stopped?: boolean; paused?: boolean; verifyOk?: boolean; checked?: number }) => {
    if (m.cpu !== undefined) child.cpu = m.cpu;
    if (m.connected) {
      child.connectedCpu = m.cpu ?? 0;
      connected(m.at!);
    }
    if (m.visible !== undefined) {
      child.visible = m.visible;
      for (const fn of visibleListeners) fn(m.visible, m.at!);
    }
    if (m.head !== undefined) {
      child.head = m.head;
      child.appends++;
      for (const fn of listeners) fn(m.head, m.at!);
    }
    if (m.stopped) stopped?.({ verifyOk: !!m.verifyOk, checked: m.checked ?? 0 });
    if (m.paused) paused?.();
  });
  return child;
}
