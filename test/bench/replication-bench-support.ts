// Helpers of bench-replication.ts: the event it appends, core pinning, clocks and formatting, and
// a disk neighbour (a process that syncs the same disk at a set rate, as the slaves do).
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import type { NewEvent } from '@twofold/event-store';

export function event(i: number): NewEvent {
  return {
    type: 'AuthenticationFailed',
    schemaVersion: 1,
    payload: { userId: `u-${i % 5000}`, at: new Date().toISOString(), reason: 'bad_otp', source: 'radius:client-1', seq: i },
    metadata: { actor: 'radius:client-1', nodeId: 'master', epoch: 0 },
  };
}

export const CORES = availableParallelism(); // before pinning narrows it to one
// Core for the master and for the slaves, or undefined when not pinning (--no-pin, one core, no taskset).
export const PIN = ((): { master: number; slaves: number } | undefined => {
  const off = process.argv.includes('--no-pin') || process.argv.includes('--child') || CORES < 2;
  return off || spawnSync('taskset', ['-V']).status !== 0 ? undefined : { master: 0, slaves: 1 };
})();

export function pin(pid: number, core: number): void {
  const r = spawnSync('taskset', ['-p', '-c', String(core), String(pid)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`taskset -p -c ${core} ${pid} failed: ${r.stderr}`);
}

export const now = (): number => performance.timeOrigin + performance.now(); // comparable across processes
export const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
export const ms = (n: number): string => (Number.isFinite(n) ? (n < 10 ? n.toFixed(1) : Math.round(n).toString()) : 'n/a');
export const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

// A child process (on the slaves' core when pinning) that writes 4 KiB and fdatasyncs a file in
// `dir` `perSecond` times a second: the disk work of slaves, without their replication. On one
// machine the slaves' syncs share the master's disk; this shows what that alone costs the master.
export function startDiskNeighbour(dir: string, perSecond: number): { stop(): Promise<number> } {
  const script = `const fs = require('fs'); const fd = fs.openSync(${JSON.stringify(`${dir}/neighbour.bin`)}, 'w');
    const page = Buffer.alloc(4096, 1); const t0 = performance.now(); let done = 0;
    const tick = setInterval(() => { const due = Math.floor(((performance.now() - t0) / 1000) * ${perSecond});
      for (; done < due; done++) { fs.writeSync(fd, page, 0, page.length, 0); fs.fdatasyncSync(fd); } }, 1);
    process.on('message', () => { clearInterval(tick); process.send(done, () => process.exit(0)); });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  if (PIN && child.pid !== undefined) pin(child.pid, PIN.slaves);
  return {
    // How many syncs it made; 0 if it died (then the line shows it synced nothing), never a hang.
    stop: () => new Promise((resolve) => {
      child.once('message', (done) => resolve(Number(done)));
      child.once('exit', () => resolve(0));
      if (child.connected) child.send('stop');
    }),
  };
}

// A child process on the slaves' core that keeps it busy `share` (0..1) of every 10 ms and sleeps
// the rest: the slaves' CPU load, without their disk or network. On this machine's VM a busy
// second core alone slows the master's fdatasync; this shows how much of the gap that is.
export function startCpuNeighbour(share: number): { stop(): Promise<void> } {
  const busy = Math.max(0, Math.min(1, share)) * 10;
  const script = `const a = new Int32Array(new SharedArrayBuffer(4)); let on = true; process.on('message', () => { on = false; process.exit(0); });
    (function cycle() { const t = performance.now(); while (performance.now() - t < ${busy}); if (${busy} < 10) Atomics.wait(a, 0, 0, ${10 - busy}); if (on) setImmediate(cycle); })();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  if (PIN && child.pid !== undefined) pin(child.pid, PIN.slaves);
  return {
    stop: () => new Promise((resolve) => {
      child.once('exit', () => resolve());
      if (child.connected) child.send('stop');
      else resolve();
    }),
  };
}

// A log as a server writes it for its users: each user created with an HOTP token, then their
// sign-ins (each accepted code an AuthenticationSucceeded that moves the token's counter), round
// robin, so a catching-up slave's read model folds and rewrites users' rows as it would for real.
// `k` counts the events generated so far (0 first): the first 2 * users create the users.
export function signInHistoryEvent(k: number, users: number): { streamId: string; event: NewEvent } {
  const metadata = { actor: 'radius:client-1', nodeId: 'master', epoch: 0 };
  const u = k < 2 * users ? Math.floor(k / 2) : k % users;
  const userId = `u-${u}`;
  const tokenId = `t-${u}`;
  const streamId = `user-${userId}`;
  if (k < 2 * users && k % 2 === 0) {
    const payload = { userId, username: `user${u}`, displayName: `User ${u}`, contact: { email: null, phones: [] }, preferredMethod: 'totp', language: 'en' };
    return { streamId, event: { type: 'UserCreated', schemaVersion: 2, payload, metadata } };
  }
  if (k < 2 * users) {
    const seed = { alg: 'A256GCM', keyId: 'k1', iv: 'AAECAwQFBgcICQoL', tag: 'qrvM3e7/ABEiM0RVZneImQ==', ct: `c2VlZA${u}` };
    const payload = { userId, tokenId, kind: 'hotp', algorithm: 'SHA1', digits: 6, period: 30, counter: 0, label: 'bench', seed };
    return { streamId, event: { type: 'OathTokenAssigned', schemaVersion: 1, payload, metadata } };
  }
  const payload = { userId, at: new Date().toISOString(), source: 'radius:client-1', code: { tokenId, counter: Math.floor(k / users) } };
  return { streamId, event: { type: 'AuthenticationSucceeded', schemaVersion: 2, payload, metadata } };
}
