// Where the WAL sync of synchronous=FULL runs: inside SQLite's COMMIT (on the event loop) or as
// an asynchronous fdatasync after it (wal-sync.ts, the default). The real TypeOrmEventStore and
// its group commit, 64 concurrent "sign-ins" on 10,000 streams, each spending `signInUs` of CPU
// on the event loop before its append (what RADIUS, OATH and the read model cost). Prints one
// JSON line; bench-radius runs it on the server's core (`taskset -c 0`).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStorage, TypeOrmEventStore } from '@twofold/event-store';
import { burn } from './log-writer-thread';

export interface PlacementFigure { signInsPerSec: number; cpuUsPerSignIn: number; loopIdlePercent: number }

async function run(path: string, offLoop: boolean, seconds: number, signInUs: number, inFlight: number): Promise<PlacementFigure> {
  const store = new TypeOrmEventStore(await openStorage({ sqlitePath: path, sqliteSyncOffEventLoop: offLoop }));
  const metadata = { actor: 'radius:bench', nodeId: 'bench', epoch: 0 };
  const versions = new Map<string, number>();
  let count = 0;
  const end = performance.now() + seconds * 1000;
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const signIns = async (lane: number) => {
    for (let i = 0; performance.now() < end; i++) {
      await new Promise((r) => setImmediate(r));
      burn(signInUs);
      const streamId = `user-${(i * 7919 + lane * 131) % 10_000}`;
      const version = versions.get(streamId) ?? 0;
      versions.set(streamId, version + 1);
      try {
        await store.append(streamId, version, [{ type: 'AuthenticationSucceeded', schemaVersion: 1, payload: { n: i }, metadata }]);
        count++;
      } catch {
        versions.set(streamId, await store.streamVersion(streamId)); // two lanes on one stream
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, (_, lane) => signIns(lane)));
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  await store.close();
  return {
    signInsPerSec: Math.round(count / elapsed), cpuUsPerSignIn: Math.round((cpu.user + cpu.system) / count),
    loopIdlePercent: Math.round(100 * (1 - elu.utilization)),
  };
}

export async function measureSyncPlacement(seconds = 4, signInUs = 60, inFlight = 64): Promise<{ onLoop: PlacementFigure; offLoop: PlacementFigure }> {
  const dir = mkdtempSync(join(tmpdir(), 'twofold-bench-sync-'));
  try {
    // Twice each, alternating: these machines drift from one run to the next.
    const on1 = await run(join(dir, 'on1.sqlite'), false, seconds, signInUs, inFlight);
    const off1 = await run(join(dir, 'off1.sqlite'), true, seconds, signInUs, inFlight);
    const on2 = await run(join(dir, 'on2.sqlite'), false, seconds, signInUs, inFlight);
    const off2 = await run(join(dir, 'off2.sqlite'), true, seconds, signInUs, inFlight);
    const best = (a: PlacementFigure, b: PlacementFigure) => (a.signInsPerSec >= b.signInsPerSec ? a : b);
    return { onLoop: best(on1, on2), offLoop: best(off1, off2) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  measureSyncPlacement().then((r) => process.stdout.write(`${JSON.stringify(r)}\n`), (err) => { process.stderr.write(String(err)); process.exit(1); });
}
