// What a sign-in costs in the log and the read model alone, without RADIUS and the engine: the
// real TypeOrmEventStore (group commit, synchronous=FULL) and a ReadModelProjector following it,
// 10,000 users with an HOTP token, 64 concurrent sign-ins, each appending a sign-in
// (AuthenticationSucceeded with the code it spent) and waiting until the read model shows it, as
// the server answers. Prints one JSON line; bench-radius runs it on the server's core
// (`taskset -c 0`) and prints it beside the server's own figure, so the rest is RADIUS and engine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStorage, TypeOrmEventStore } from '@twofold/event-store';
import { ReadModelProjector } from '@twofold/read-model';
import { signInHistoryEvent } from './replication-bench-support';
import { runOnServerCore } from './server-core';

export interface SignInStorageFigure { signInsPerSec: number; cpuUsPerSignIn: number }

const USERS = 10_000;

async function measure(seconds: number, warmupSeconds: number, inFlight: number): Promise<SignInStorageFigure> {
  const dir = mkdtempSync(join(tmpdir(), 'twofold-bench-sign-in-storage-'));
  const store = new TypeOrmEventStore(await openStorage({ sqlitePath: join(dir, 'log.sqlite') }));
  const projector = new ReadModelProjector(store.dataSource);
  try {
    const versions = new Map<string, number>();
    for (let k = 0; k < 2 * USERS; k += 2) {
      const created = signInHistoryEvent(k, USERS);
      await store.append(created.streamId, 0, [created.event, signInHistoryEvent(k + 1, USERS).event]);
      versions.set(created.streamId, 2);
    }
    await projector.init();
    await projector.catchUp(store);
    projector.follow(store);
    let k = 2 * USERS; // round robin over the users, each sign-in spending the next counter
    const run = async (ms: number): Promise<number> => {
      const end = performance.now() + ms;
      let count = 0;
      await Promise.all(Array.from({ length: inFlight }, async () => {
        while (performance.now() < end) {
          const { streamId, event } = signInHistoryEvent(k++, USERS);
          const version = versions.get(streamId)!;
          versions.set(streamId, version + 1);
          const [stored] = await store.append(streamId, version, [event]);
          await projector.waitFor(stored.position);
          count++;
        }
      }));
      return count;
    };
    await run(warmupSeconds * 1000); // V8 compiles the path under load first
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const count = await run(seconds * 1000);
    const cpu = process.cpuUsage(cpu0);
    const elapsed = (performance.now() - t0) / 1000;
    return { signInsPerSec: Math.round(count / elapsed), cpuUsPerSignIn: Math.round((cpu.user + cpu.system) / count) };
  } finally {
    projector.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// From bench-radius: this file in a process of its own on the server's core.
export function printSignInStorage(log: (line: string) => void): void {
  const f = runOnServerCore<SignInStorageFigure>(__filename, 'log + read model alone', log);
  if (!f) return;
  log(`  log + read model alone (no RADIUS, no engine)  ${String(f.signInsPerSec).padStart(7)} sign-ins/s  ${f.cpuUsPerSignIn} µs CPU per sign-in, 64 in flight`);
}

if (require.main === module) {
  measure(8, 4, 64).then((r) => process.stdout.write(`${JSON.stringify(r)}\n`), (err) => { process.stderr.write(String(err)); process.exit(1); });
}
