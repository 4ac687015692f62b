// Does a worker thread for the SQLite log writer help? Measured, not assumed: 64 concurrent
// "sign-ins" each burn SIGN_IN_US of CPU on the event loop (what the RADIUS path costs besides
// the append) and then append one record, group-committed (one transaction + fsync for all that
// queued meanwhile, synchronous=FULL), either on the main thread (what the server does) or by a
// writer in a worker thread with its own connection. Prints sign-ins/s and main-thread CPU per
// sign-in for both. Part of `npm run bench:radius`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const DDL = 'CREATE TABLE IF NOT EXISTS event_log (position INTEGER PRIMARY KEY, stream_id TEXT NOT NULL, stream_version INTEGER NOT NULL, payload TEXT NOT NULL, UNIQUE (stream_id, stream_version))';
type Row = [number, string, number, string];

function openDb(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(DDL);
  return db;
}

function writer(db: Database.Database): (rows: Row[]) => void {
  const insert = db.prepare('INSERT INTO event_log (position, stream_id, stream_version, payload) VALUES (?, ?, ?, ?)');
  return db.transaction((rows: Row[]) => { for (const r of rows) insert.run(...r); });
}

if (!isMainThread && workerData?.logWriter) {
  const write = writer(openDb(workerData.path as string));
  parentPort!.on('message', (rows: Row[]) => {
    write(rows);
    parentPort!.postMessage(rows.length);
  });
}

// The sign-in's own CPU on the event loop (also log-sync-placement.ts).
export function burn(us: number): void {
  const end = process.hrtime.bigint() + BigInt(us * 1000);
  while (process.hrtime.bigint() < end) { /* the sign-in's own work */ }
}

// cpuUsPerSignIn: the whole process (both threads); loopBusyUsPerSignIn: time the event loop was
// not free to take the next request (a synchronous fsync on the main thread counts here).
export interface WriterFigure { signInsPerSec: number; cpuUsPerSignIn: number; loopBusyUsPerSignIn: number; signInsPerGroup: number }

async function run(mode: 'main' | 'worker', path: string, seconds: number, signInUs: number, inFlight: number): Promise<WriterFigure> {
  let queue: Array<{ row: Row; done: () => void }> = [];
  let busy = false;
  let position = 0;
  let groups = 0;
  const db = mode === 'main' ? openDb(path) : undefined;
  const write = db ? writer(db) : undefined;
  const worker = mode === 'worker' ? new Worker(__filename, { workerData: { logWriter: true, path } }) : undefined;
  const flush = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    while (queue.length > 0) {
      await new Promise<void>((r) => setImmediate(r));
      const group = queue;
      queue = [];
      groups++;
      if (write) write(group.map((g) => g.row));
      else await new Promise<void>((r) => { worker!.once('message', () => r()); worker!.postMessage(group.map((g) => g.row)); });
      for (const g of group) g.done();
    }
    busy = false;
  };
  const append = (row: Row) => new Promise<void>((done) => { queue.push({ row, done }); void flush(); });
  let count = 0;
  let running = true;
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const t0 = Date.now();
  const loops = Array.from({ length: inFlight }, async (_, i) => {
    for (let n = 0; running; n++) {
      await new Promise<void>((r) => setImmediate(r)); // the next request arrives
      burn(signInUs);
      await append([++position, `user-${i}`, n + 1, '{"type":"OathCodeUsed"}']);
      count++;
    }
  });
  await new Promise((r) => setTimeout(r, seconds * 1000));
  running = false;
  await Promise.all(loops);
  const elapsed = (Date.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  await worker?.terminate();
  db?.close();
  return {
    signInsPerSec: Math.round(count / elapsed), cpuUsPerSignIn: Math.round((cpu.user + cpu.system) / count),
    loopBusyUsPerSignIn: Math.round((elu.active * 1000) / count), signInsPerGroup: Math.round(count / groups),
  };
}

export async function measureLogWriters(seconds = 5, signInUs = 60, inFlight = 64): Promise<{ main: WriterFigure; worker: WriterFigure }> {
  const dir = mkdtempSync(join(tmpdir(), 'twofold-bench-writer-'));
  try {
    const main = await run('main', join(dir, 'main.sqlite'), seconds, signInUs, inFlight);
    const worker = await run('worker', join(dir, 'worker.sqlite'), seconds, signInUs, inFlight);
    return { main, worker };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// `taskset -c 0 node dist/test/bench/log-writer-thread.js`: one JSON line (bench-radius runs it so,
// on the server's core, as the server would run).
if (isMainThread && require.main === module) {
  measureLogWriters().then((r) => process.stdout.write(`${JSON.stringify(r)}\n`), (err) => { process.stderr.write(String(err)); process.exit(1); });
}
