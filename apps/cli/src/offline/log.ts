import { once } from 'node:events';
import type { StoredEvent } from '@twofold/event-store';
import { CliError } from '../core/cli-error';
import { CliContext } from '../core/context';
import { ExitCode } from '../core/exit-codes';
import { renderRecord } from '../core/output';
import { Progress } from '../core/progress';
import { openOfflineStorage } from './offline-storage';

const BATCH = 1000;

function eventLine(e: StoredEvent): string {
  return `${String(e.position).padStart(7)}  ${e.timestamp}  ${e.type.padEnd(28)} ${e.streamId.padEnd(52)}  ${e.metadata?.actor ?? '-'}`;
}

// Writes respecting back-pressure, so `log export > file` of a big log stays in bounded memory.
async function writeOut(chunk: string): Promise<void> {
  if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
}

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const done = (signal: string) => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve(signal);
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

export async function verify(ctx: CliContext): Promise<void> {
  const storage = await openOfflineStorage(ctx.dataDir);
  try {
    const head = await storage.store.head();
    const progress = new Progress('verifying', head.position, process.stderr, ctx.out.json);
    const result = await storage.store.verify((checked) => progress.update(checked));
    if (result.ok) {
      progress.finish();
      ctx.out.result(result, () => renderRecord([['log', 'OK: the hash chain is intact'], ['records', result.checked], ['head', `${result.head.position} ${result.head.hash}`]]));
      return;
    }
    progress.abandon();
    const { position, reason } = result.firstBroken;
    let record: StoredEvent | undefined;
    try {
      [record] = await storage.store.readFrom(position - 1, 1);
    } catch {
      record = undefined; // unreadable: the position and reason are what we can name
    }
    const where = record ? ` (${record.type} on ${record.streamId}, version ${record.streamVersion}, ${record.timestamp})` : '';
    ctx.out.result({ ...result, record: record ? { position, streamId: record.streamId, streamVersion: record.streamVersion, type: record.type, timestamp: record.timestamp } : undefined }, () =>
      renderRecord([['log', 'BROKEN'], ['first broken record', `position ${position}${where}`], ['reason', reason], ['intact before it', result.checked]]));
    throw new CliError('log_broken', `the log is broken at position ${position}${where}: ${reason}`, ExitCode.LogBroken);
  } finally {
    await storage.close();
  }
}

export async function tail(ctx: CliContext, o: { lines: number; follow?: boolean }): Promise<void> {
  const storage = await openOfflineStorage(ctx.dataDir);
  try {
    const show = (e: StoredEvent) => (ctx.out.json ? `${JSON.stringify(e)}\n` : `${eventLine(e)}\n`);
    const head = await storage.store.head();
    const from = Math.max(0, head.position - o.lines);
    let last = from;
    while (last < head.position) {
      const batch = await storage.store.readFrom(last, Math.min(BATCH, head.position - last));
      if (batch.length === 0) break;
      for (const e of batch) await writeOut(show(e));
      last = batch[batch.length - 1].position;
    }
    if (!o.follow) return;
    // New records written by a running server are picked up by polling the database.
    const subscription = storage.store.subscribe(last, (e) => writeOut(show(e)));
    await untilSignal();
    subscription.close();
  } finally {
    await storage.close();
  }
}

export async function exportLog(ctx: CliContext, o: { from: number }): Promise<void> {
  const storage = await openOfflineStorage(ctx.dataDir);
  try {
    const head = await storage.store.head();
    const total = Math.max(0, head.position - o.from + 1);
    const progress = new Progress('exporting', total);
    let after = o.from - 1;
    let count = 0;
    while (after < head.position) {
      const batch = await storage.store.readFrom(after, Math.min(BATCH, head.position - after));
      if (batch.length === 0) break;
      await writeOut(batch.map((e) => `${JSON.stringify(e)}\n`).join(''));
      count += batch.length;
      after = batch[batch.length - 1].position;
      progress.update(count);
    }
    progress.finish();
    process.stderr.write(count ? `exported ${count} records (positions ${o.from}-${after})\n` : 'nothing to export\n');
  } finally {
    await storage.close();
  }
}
