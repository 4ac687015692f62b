// Replication benchmark: a master in this process, each slave a child process (as in production,
// so a slave's fsyncs do not stall the master's event loop), over real TLS on 127.0.0.1, each with
// its own SQLite log in a temp dir.
// `npm run bench:replication [-- --seconds 10 --warmup 10 --pairs 3 --pair-seconds 5 --search-seconds 5 --catchup 1000000 --gen-batch 5000 --apply-delay 2 --apply-interval 5 --fan-out-interval 1]`;
// `-- --only-catchup` skips 1-3 and measures catch-up alone.
// Prints figures; asserts nothing.
//   1. the master's sequential single-event appends/s without and with two slaves, and alone
//      again beside a process that syncs the disk as often as the slaves did (their disk is its);
//      each closed loop after `--warmup` seconds of the same load (V8 goes on compiling a path for
//      about 10 s of load: bench:radius measured it); then the same ratio again from `--pairs`
//      alternating pairs, alone (slaves paused) and with them, one right after the other
//   2. open loop at 100, 1,000 and 5,000 events/s: lag from "append committed on the master" to
//      "visible in each slave's read model" (p50/p99/max over both slaves)
//   3. the highest offered rate the master sustains with two slaves and p99 under 50 ms
//   4. catch-up events/s for a fresh slave joining 1,000,000 events behind (textBatch frames, then
//      batch frames as an older slave asks for them), and for 1,000,000 more events written as a
//      server writes them for 10,000 users who sign in (the read model folds users' rows)
// With each figure, CPU time per event (user + system, from process.cpuUsage) of the master and
// of each slave: less sensitive than rates and lags to other work on a shared machine.
// Pinned as a RADIUS peer is measured: the master on core 0, the slaves (their own machines in
// production) on core 1, with taskset; `-- --no-pin` runs all three unpinned.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventStore, type TypeOrmEventStore } from '@twofold/event-store';
import { createClusterCa, issueCertificate } from '@twofold/platform';
import { ReplicationMaster } from '@twofold/replication';
import { arg } from './bench-args';
import { CORES, cpuMs, event, fmt, ms, now, percentile, PIN, pin, signInHistoryEvent, sleep, startCpuNeighbour, startDiskNeighbour } from './replication-bench-support';
import { CLUSTER, runChild, startChild, type ChildSlave } from './replication-bench-slaves';

interface RateResult {
  rate: number;
  achieved: number; // events/s the master committed
  p50: number;
  p99: number;
  max: number;
  samples: number;
  durableP99: number;
  masterCpuUs: number; // per event committed
  slaveCpuUs: number; // per event, mean of the slaves
}

// Lag samples per phase: committedAt for each position appended in the phase; each slave's
// "visible" (read model committed) and "durable" (log committed) reports turn into samples.
class LagProbe {
  committedAt = new Map<number, number>();
  visible: number[] = [];
  durable: number[] = [];
  private seenVisible = [0, 0];
  private seenDurable = [0, 0];

  constructor(slaves: ChildSlave[]) {
    slaves.forEach((child, i) => {
      child.onVisible((p, at) => this.take(this.visible, this.seenVisible, i, p, at));
      child.onHead((p, at) => this.take(this.durable, this.seenDurable, i, p, at));
    });
  }

  reset(from: number): void {
    this.committedAt.clear();
    this.visible = [];
    this.durable = [];
    this.seenVisible = [from, from];
    this.seenDurable = [from, from];
  }

  private take(into: number[], seen: number[], i: number, position: number, at: number): void {
    for (let p = seen[i] + 1; p <= position; p++) {
      const t = this.committedAt.get(p);
      if (t !== undefined) into.push(at - t);
    }
    seen[i] = Math.max(seen[i], position);
  }
}

async function waitForSlaves(slaves: ChildSlave[], position: number): Promise<void> {
  while (slaves.some((c) => c.visible < position)) await sleep(5);
}

// The same ratio from rounds taken one right after the other, `--pairs` rounds of
// `--pair-seconds` per leg: alone (the slaves paused), with the slaves (resumed, caught up), and
// alone again beside a process that keeps the slaves' core as busy as they just did. On a shared
// machine whose speed drifts by half from one minute to the next, medians of close rounds say
// more than one pair minutes apart; the third leg tells the replication's cost from a busy core's.
async function alternatingPairs(masterStore: TypeOrmEventStore, slaves: ChildSlave[], seq: { n: number }): Promise<void> {
  const pairs = arg('pairs', 3, 0);
  const seconds = arg('pair-seconds', 5);
  const withRatios: number[] = [];
  const busyRatios: number[] = [];
  const shown: string[] = [];
  for (let i = 0; i < pairs; i++) {
    await Promise.all(slaves.map((c) => c.pause()));
    mark('alone');
    const alone = await closedLoop(masterStore, seconds, seq);
    mark('alone-end');
    for (const c of slaves) c.resume();
    await waitForSlaves(slaves, (await masterStore.head()).position);
    const slaveCpu0 = slaves.reduce((sum, c) => sum + c.cpu, 0);
    mark('with');
    const withSlaves = await closedLoop(masterStore, seconds, seq);
    mark('with-end');
    await waitForSlaves(slaves, (await masterStore.head()).position);
    const share = (slaves.reduce((sum, c) => sum + c.cpu, 0) - slaveCpu0) / (seconds * 1000); // of one core
    await Promise.all(slaves.map((c) => c.pause()));
    const cpu = startCpuNeighbour(share);
    const beside = await closedLoop(masterStore, seconds, seq);
    await cpu.stop();
    for (const c of slaves) c.resume();
    await waitForSlaves(slaves, (await masterStore.head()).position);
    withRatios.push(withSlaves.rate / alone.rate);
    busyRatios.push(beside.rate / alone.rate);
    const pct = (r: number) => `${Math.round(100 * r)} %`;
    shown.push(`  round ${i + 1}: alone ${fmt(alone.rate)}/s (${alone.split}); 2 slaves ${fmt(withSlaves.rate)}/s = ${pct(withSlaves.rate / alone.rate)} (${withSlaves.split}; slaves busy ${pct(share)} of their core); ` +
      `alone beside their core kept as busy ${fmt(beside.rate)}/s = ${pct(beside.rate / alone.rate)} (${beside.split})`);
  }
  if (pairs === 0) return;
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  console.log(`alternating rounds, ${seconds} s per leg: with 2 slaves median ${Math.round(100 * median(withRatios))} % of alone; alone beside the slaves' core kept as busy median ${Math.round(100 * median(busyRatios))} % of alone`);
  for (const line of shown) console.log(line);
}

// BENCH_MARK_LEGS=1: each leg's start and end on stderr, in CLOCK_MONOTONIC seconds (what
// `perf record -k CLOCK_MONOTONIC` stamps its samples with), to cut a profile by leg.
function mark(leg: string): void {
  if (process.env.BENCH_MARK_LEGS) console.error(`leg ${leg} ${(Number(process.hrtime.bigint()) / 1e9).toFixed(6)}`);
}

// Open loop: every millisecond tick appends whatever the schedule says is due (one appendMany
// per tick, each event its own stream, as group commit would write them), without waiting for
// the previous tick's append: a master that falls behind shows it in the achieved rate.
async function openLoop(store: TypeOrmEventStore, slaves: ChildSlave[], probe: LagProbe, rate: number, seconds: number, seq: { n: number }): Promise<RateResult> {
  const from = (await store.head()).position;
  await waitForSlaves(slaves, from);
  probe.reset(from);
  const total = Math.round(rate * seconds);
  const cpu0 = cpuMs();
  const slaveCpu0 = slaves.map((c) => c.cpu);
  let issued = 0;
  const inFlight = new Set<Promise<void>>();
  const t0 = performance.now();
  while (issued < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000)) - issued;
    if (due > 0) {
      const appends = Array.from({ length: due }, () => {
        const i = seq.n++;
        return { streamId: `open-${i}`, expectedVersion: -1, events: [event(i)] };
      });
      issued += due;
      const p = store.appendMany(appends).then((rows) => {
        const at = now();
        for (const r of rows) probe.committedAt.set(r.position, at);
      });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
    await sleep(1);
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - t0) / 1000;
  const head = (await store.head()).position;
  const masterCpuUs = ((cpuMs() - cpu0) * 1000) / total;
  await waitForSlaves(slaves, head);
  await sleep(50); // the last "visible" reports
  const slaveCpuUs = slaves.reduce((sum, c, i) => sum + ((c.cpu - slaveCpu0[i]) * 1000) / total, 0) / slaves.length;
  const sorted = [...probe.visible].sort((a, b) => a - b);
  const durable = [...probe.durable].sort((a, b) => a - b);
  return { rate, achieved: total / elapsed, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN, samples: sorted.length, durableP99: percentile(durable, 99), masterCpuUs, slaveCpuUs };
}

async function closedLoop(store: TypeOrmEventStore, seconds: number, seq: { n: number }): Promise<{ rate: number; cpuUs: number; split: string }> {
  let appends = 0;
  const cpu0 = cpuMs();
  const usage0 = process.cpuUsage();
  const start = performance.now();
  while (performance.now() < start + seconds * 1000) {
    const i = seq.n++;
    await store.append(`user-${i % 1000}`, -1, [event(i)]);
    appends++;
    // A server appends from request callbacks; a bare loop of appends would never let the
    // event loop run the sockets (all awaits here resolve as microtasks).
    await new Promise((r) => setImmediate(r));
  }
  // User time is the JavaScript and SQLite work; system time is mostly the WAL's fdatasync (on
  // this VM the guest spends CPU in it), which a busy shared disk stretches.
  const usage = process.cpuUsage(usage0);
  const split = `user ${(usage.user / appends).toFixed(0)} + system ${(usage.system / appends).toFixed(0)} us`;
  return { rate: appends / ((performance.now() - start) / 1000), cpuUs: ((cpuMs() - cpu0) * 1000) / appends, split };
}

async function main(): Promise<void> {
  const seconds = arg('seconds', 10); // the issue asks for >= 10 s per rate
  const searchSeconds = arg('search-seconds', 5);
  const catchup = arg('catchup', 1_000_000);
  const genBatch = arg('gen-batch', 5000);
  const dirs: string[] = [];
  // --slave-dir <dir>: the slaves' logs on another file system than the master's (their own disks,
  // as on their own machines), e.g. /dev/shm; by default every log shares the temp dir's disk.
  const slaveBase = process.argv.includes('--slave-dir') ? process.argv[process.argv.indexOf('--slave-dir') + 1] : tmpdir();
  const tempDir = (base = tmpdir()): string => {
    const dir = mkdtempSync(join(base, 'twofold-bench-repl-'));
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
    host: '127.0.0.1', port: 0, heartbeatMs: 1000, onUpstream: async () => undefined,
    fanOutIntervalMs: process.argv.includes('--fan-out-interval') ? arg('fan-out-interval', 1, 0) : undefined, // default: the library's
  });
  const { port } = await master.start();
  const configDir = tempDir();
  const delayAt = process.argv.indexOf('--apply-delay'); // the slaves' applyDelayMs (default: the library's)
  const applyDelayMs = delayAt >= 0 ? Number(process.argv[delayAt + 1]) : undefined;
  const intervalAt = process.argv.indexOf('--apply-interval'); // the slaves' applyIntervalMs (default: the library's)
  const applyIntervalMs = intervalAt >= 0 ? Number(process.argv[intervalAt + 1]) : undefined;
  const slaveChild = (name: string, canonicalText?: boolean): ChildSlave => startChild({ name, port, dir: tempDir(slaveBase), tls: tlsOf(name), applyDelayMs, applyIntervalMs, canonicalText }, configDir, __filename);
  const seq = { n: 0 };

  if (PIN) pin(process.pid, PIN.master);
  const placement = PIN ? `master pinned to core ${PIN.master}, slaves to core ${PIN.slaves}` : 'unpinned';
  console.log(`replication bench: node ${process.version}, SQLite (synchronous=FULL), TLS on 127.0.0.1, master in-process, 2 slaves in child processes (each with its read model), ${CORES} cores, ${placement}`);
  try {
    // Each slave makes at most one durable append (one WAL sync) per applyIntervalMs under a stream.
    const slaveSyncs = (2 * 1000) / (applyIntervalMs ?? 5);
    if (!process.argv.includes('--only-catchup')) await steadyState(masterStore, slaveChild, seconds, searchSeconds, seq, { dir: tempDir(), perSecond: slaveSyncs });
    await catchUp(masterStore, slaveChild, catchup, genBatch);
  } finally {
    await master.stop();
    await masterStore.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

async function steadyState(
  masterStore: TypeOrmEventStore, slaveChild: (name: string) => ChildSlave, seconds: number, searchSeconds: number, seq: { n: number },
  neighbour: { dir: string; perSecond: number },
): Promise<void> {
  const warmup = arg('warmup', 10, 0);
  await closedLoop(masterStore, warmup, seq); // warm-up (JIT, a fresh log's first pages): not counted
  const { rate: alone, cpuUs: aloneCpu, split: aloneSplit } = await closedLoop(masterStore, seconds, seq);
  console.log(`master appends (1 event each, sequential), no slave: ${fmt(alone)}/s (master CPU ${aloneCpu.toFixed(0)} us per append: ${aloneSplit})`);
  const disk = startDiskNeighbour(neighbour.dir, neighbour.perSecond);
  const { rate: besideSyncs, cpuUs: besideCpu, split: besideSplit } = await closedLoop(masterStore, seconds, seq);
  const synced = (await disk.stop()) / seconds;
  console.log(`master appends, no slave, beside a process syncing the same disk ${fmt(synced)} times/s: ${fmt(besideSyncs)}/s (${Math.round((100 * besideSyncs) / alone)} % of alone; master CPU ${besideCpu.toFixed(0)} us per append: ${besideSplit})`);

  const slaves = [slaveChild('slave-1'), slaveChild('slave-2')];
  await Promise.all(slaves.map((c) => c.connected));
  await waitForSlaves(slaves, (await masterStore.head()).position);

  for (const c of slaves) c.quiet(true); // the closed loops measure the master, not its reading of the reports
  await closedLoop(masterStore, warmup, seq); // warm-up with slaves (the replication paths' JIT), as alone
  await waitForSlaves(slaves, (await masterStore.head()).position);
  const appends0 = slaves.reduce((n, c) => n + c.appends, 0);
  const { rate: withSlaves, cpuUs: withCpu, split: withSplit } = await closedLoop(masterStore, seconds, seq);
  const slaveSyncs = (slaves.reduce((n, c) => n + c.appends, 0) - appends0) / seconds;
  console.log(`master appends (1 event each, sequential), 2 slaves attached: ${fmt(withSlaves)}/s (${Math.round((100 * withSlaves) / alone)} % of alone; master CPU ${withCpu.toFixed(0)} us per append: ${withSplit}; the slaves synced ${fmt(slaveSyncs)} times/s)`);
  await waitForSlaves(slaves, (await masterStore.head()).position);
  await alternatingPairs(masterStore, slaves, seq);
  for (const c of slaves) c.quiet(false);
  const probe = new LagProbe(slaves); // after the closed loop, which it would only slow down

  const results = new Map<number, RateResult>();
  const line = (r: RateResult) => {
    console.log(`open loop ${fmt(r.rate)} events/s, 2 slaves: lag append->visible p50 ${ms(r.p50)} ms p99 ${ms(r.p99)} ms max ${ms(r.max)} ms`);
    console.log(`  committed ${fmt(r.achieved)} events/s; ${fmt(r.samples)} samples over both slaves; append->durable on the slave p99 ${ms(r.durableP99)} ms`);
    console.log(`  CPU per event: master ${r.masterCpuUs.toFixed(1)} us (with its appends), each slave ${r.slaveCpuUs.toFixed(1)} us`);
  };
  for (const rate of [100, 1000, 5000]) {
    const r = await openLoop(masterStore, slaves, probe, rate, seconds, seq);
    results.set(rate, r);
    line(r);
  }

  // Highest sustained rate: walk up the ladder while the master keeps the offered rate (95 %)
  // and p99 stays under 50 ms.
  const sustained = (r: RateResult) => r.p99 < 50 && r.achieved >= 0.95 * r.rate;
  let best: RateResult | undefined;
  let failed: RateResult | undefined;
  for (const rate of [100, 1000, 2000, 5000, 10_000, 20_000, 40_000, 80_000]) {
    let r = results.get(rate);
    if (!r) {
      r = await openLoop(masterStore, slaves, probe, rate, searchSeconds, seq);
      console.log(`  search: ${fmt(rate)} events/s for ${searchSeconds} s: committed ${fmt(r.achieved)}/s, p99 ${ms(r.p99)} ms`);
    }
    if (!sustained(r)) {
      failed = r;
      break;
    }
    best = r;
  }
  console.log(`highest sustained rate with 2 slaves and p99 < 50 ms: ${best ? `${fmt(best.rate)} events/s (p99 ${ms(best.p99)} ms)` : 'none'}` +
    (failed ? `; ${fmt(failed.rate)} events/s gave p99 ${ms(failed.p99)} ms, committed ${fmt(failed.achieved)}/s` : ''));

  for (const c of slaves) {
    const v = await c.stop();
    if (!v.verifyOk) console.log('  !! a slave log failed verification');
  }

}

// A fresh slave joining `catchup` events behind.
async function catchUp(masterStore: TypeOrmEventStore, slaveChild: (name: string, canonicalText?: boolean) => ChildSlave, catchup: number, genBatch: number): Promise<void> {
  const have = (await masterStore.head()).position;
  const toWrite = Math.max(0, catchup - have);
  const genStart = performance.now();
  for (let done = 0; done < toWrite; ) {
    const n = Math.min(genBatch, toWrite - done);
    const streams = 10;
    const per = Math.ceil(n / streams);
    const appends = [];
    for (let s = 0, left = n; s < streams && left > 0; s++, left -= per) {
      appends.push({ streamId: `bulk-${s}`, expectedVersion: -1, events: Array.from({ length: Math.min(per, left) }, (_, i) => event(done + s * per + i)) });
    }
    await masterStore.appendMany(appends);
    done += n;
  }
  const genSeconds = (performance.now() - genStart) / 1000;
  console.log(`  master log generated: ${fmt(toWrite)} events (appendMany of ${fmt(genBatch)}) in ${genSeconds.toFixed(1)} s`);
  const target = (await masterStore.head()).position;
  // Records as canonical text (textBatch, what slaves ask for), then as objects (batch, what an
  // older slave gets), one after the other under the same load.
  for (const [name, canonicalText, form] of [['slave-3', true, 'textBatch frames'], ['slave-4', false, 'batch frames (older slave)']] as const) {
    await joinBehind(slaveChild(name, canonicalText), 0, target, form);
  }
  // The same number of events again, as a server writes them for its users (created, then their
  // sign-ins): the read model now folds users and rewrites their rows. A new slave catches up
  // both parts; the figure is for the second.
  const users = 10_000;
  const historyStart = performance.now();
  for (let done = 0; done < target; ) {
    const n = Math.min(genBatch, target - done);
    const byStream = new Map<string, ReturnType<typeof signInHistoryEvent>['event'][]>();
    for (let k = done; k < done + n; k++) {
      const { streamId, event: e } = signInHistoryEvent(k, users);
      byStream.set(streamId, [...(byStream.get(streamId) ?? []), e]);
    }
    await masterStore.appendMany([...byStream].map(([streamId, events]) => ({ streamId, expectedVersion: -1, events })));
    done += n;
  }
  console.log(`  master log: ${fmt(target)} more events, ${fmt(users)} users created with an HOTP token and then signing in round robin, in ${((performance.now() - historyStart) / 1000).toFixed(1)} s`);
  await joinBehind(slaveChild('slave-5', true), target, (await masterStore.head()).position, `textBatch frames, a log of ${fmt(users)} users' sign-ins (after ${fmt(target)} other events)`);
}

// A fresh slave joins; the figure is for its way from position `from` (0: from its welcome) to `target`.
async function joinBehind(joiner: ChildSlave, from: number, target: number, form: string): Promise<void> {
  let startedAt: number | undefined;
  let startCpu = 0;
  if (from > 0) {
    joiner.onHead((p, at) => {
      if (p >= from && startedAt === undefined) [startedAt, startCpu] = [at, joiner.cpu];
    });
  }
  const durableAt = new Promise<number>((resolve) => joiner.onHead((p, at) => p >= target && resolve(at)));
  const visibleAt = new Promise<number>((resolve) => joiner.onVisible((p, at) => p >= target && resolve(at)));
  const welcomedAt = await joiner.connected;
  if (from === 0) [startedAt, startCpu] = [welcomedAt, joiner.connectedCpu];
  const durable = (await durableAt) - startedAt!;
  const visible = (await visibleAt) - startedAt!;
  const events = target - from;
  const cpuUs = ((joiner.cpu - startCpu) * 1000) / events;
  console.log(`catch-up of a slave ${fmt(events)} events behind, ${form}: ${fmt(events / (durable / 1000))} events/s durable (${(durable / 1000).toFixed(1)} s), ${fmt(events / (visible / 1000))} events/s visible in its read model (${(visible / 1000).toFixed(1)} s); slave CPU ${cpuUs.toFixed(1)} us per event; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const v = await joiner.stop();
  console.log(`  joined slave verify: ok=${v.verifyOk} checked=${fmt(v.checked)}`);
}

const childAt = process.argv.indexOf('--child');
(childAt >= 0 ? runChild(process.argv[childAt + 1]) : main()).catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
