import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The partition specs give the host a bridge with an address. Chromium, seeing the host's addresses
// change, fails the requests it has in flight with ERR_NETWORK_CHANGED ("Your connection was
// interrupted"), and a portal spec fails. So a spec file that does either takes this turn for its
// duration: one such file at a time across jest's workers. The lock is a file naming its holder's
// pid; a holder that died (or an earlier spec file of the same worker that never gave it back)
// no longer holds it.
const LOCK = join(tmpdir(), 'twofold-test-network-turn');
export const NETWORK_TURN_WAIT_MS = 10 * 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function holder(): { pid: string; ageMs: number } | null {
  try {
    return { pid: readFileSync(LOCK, 'utf8'), ageMs: Date.now() - statSync(LOCK).mtimeMs };
  } catch {
    return null; // gone meanwhile
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function stale(h: { pid: string; ageMs: number }): boolean {
  if (h.pid === '') return h.ageMs > 5000; // created but never written: its writer died
  const pid = Number(h.pid);
  return !Number.isInteger(pid) || pid <= 0 || pid === process.pid || !alive(pid);
}

// Resolves with the function that gives the turn back.
export async function takeNetworkTurn(waitMs = NETWORK_TURN_WAIT_MS): Promise<() => void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
      return () => {
        if (holder()?.pid === String(process.pid)) rmSync(LOCK, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const h = holder();
    if (h && stale(h)) {
      rmSync(LOCK, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`waited ${waitMs} ms for the network turn (held by pid ${h?.pid ?? '?'})`);
    await sleep(200);
  }
}
