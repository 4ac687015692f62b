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
import { SERVER_NODE_OPTIONS } from '../support/server-process';

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
  // Every durable append and every read-model commit is reported as it happens (the lag probe
  // needs each one's time), except while the parent says quiet (its closed loops): then the latest
  // of each every 50 ms, so the master's process is not busy reading the slaves' reports when its
  // own speed with slaves is what is measured.
  let appends = 0;
  let quiet: NodeJS.Timeout | null = null;
  let pending: { head?: number; visible?: number } = {};
  const report = (m: { head?: number; visible?: number }) => {
    if (quiet) pending = { ...pending, ...m };
    else process.send!({ ...m, appends, at: now(), cpu: cpuMs() });
  };
  slave.on('appended', (head) => {
    appends++;
    report({ head: head.position });
  });
  // The slave's read model, as a node runs it: what RADIUS and the SDK answer from.
  const projector = new ReadModelProjector(store.dataSource, { afterCommit: (position) => report({ visible: position }) });
  await projector.init();
  projector.follow(store);
  slave.on('connected', () => process.send!({ connected: true, at: now(), cpu: cpuMs() }));
  process.on('message', async (m: { cmd?: string }) => {
    // pause: disconnect from the master (it then runs as if alone); resume: reconnect and catch up.
    if (m.cmd === 'pause') return void slave.stop().then(() => process.send!({ paused: true }));
    if (m.cmd === 'resume') return slave.start();
    if (m.cmd === 'quiet' && !quiet) {
      quiet = setInterval(() => {
        if (pending.head !== undefined || pending.visible !== undefined) process.send!({ ...pending, appends, at: now(), cpu: cpuMs() });
        pending = {};
      }, 50);
      return;
    }
    if (m.cmd === 'loud' && quiet) {
      clearInterval(quiet);
      quiet = null;
      if (pending.head !== undefined || pending.visible !== undefined) process.send!({ ...pending, appends, at: now(), cpu: cpuMs() });
      pending = {};
      return;
    }
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
  quiet(on: boolean): void; // on: reports at most every 50 ms (closed loops); off: each one as it happens
}

export function startChild(config: ChildConfig, dir: string, entry: string): ChildSlave {
  const configPath = join(dir, `${config.name}.json`);
  writeFileSync(configPath, JSON.stringify(config));
  // BENCH_CPU_PROF_DIR=<dir>: each slave writes a V8 CPU profile there when it stops (where time goes).
  // Each slave runs with the node options of a server, and BENCH_SLAVE_NODE_ARGS (a flag to compare).
  const profDir = process.env.BENCH_CPU_PROF_DIR;
  const execArgv = [...SERVER_NODE_OPTIONS, ...(profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []), ...(process.env.BENCH_SLAVE_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const proc = fork(entry, ['--child', configPath], { stdio: 'inherit', execArgv });
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
    quiet: (on) => proc.send({ cmd: on ? 'quiet' : 'loud' }),
  };
  proc.on('message', (m: { head?: number; visible?: number; appends?: number; at?: number; cpu?: number; connected?: boolean; stopped?: boolean; paused?: boolean; verifyOk?: boolean; checked?: number }) => {
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
      child.appends = m.appends ?? child.appends + 1;
      for (const fn of listeners) fn(m.head, m.at!);
    }
    if (m.stopped) stopped?.({ verifyOk: !!m.verifyOk, checked: m.checked ?? 0 });
    if (m.paused) paused?.();
  });
  return child;
}
