import { spawnSync } from 'node:child_process';

// Runs a bench script in a process of its own on the server's core (`taskset -c 0`, as bench-radius
// pins the server) and returns the JSON line it prints; undefined, with a line saying so, when it failed.
export function runOnServerCore<T>(script: string, what: string, log: (line: string) => void): T | undefined {
  const run = spawnSync('taskset', ['-c', '0', process.execPath, script], { encoding: 'utf8' });
  if (run.status !== 0) {
    log(`  ${what} failed: ${(run.stderr ?? '').trim().split('\n').pop()}`);
    return undefined;
  }
  return JSON.parse(run.stdout.trim()) as T;
}
