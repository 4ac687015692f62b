import { connect } from 'node:net';
import { ReadModelProjector } from '@twofold/read-model';
import { CliError } from '../core/cli-error';
import { CliContext } from '../core/context';
import { ExitCode } from '../core/exit-codes';
import { renderRecord } from '../core/output';
import { Progress, rateText } from '../core/progress';
import { openOfflineStorage } from './offline-storage';

// Rebuilding under a running server would empty its query tables while it answers from them.
function somethingListens(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 500 });
    const done = (up: boolean) => { socket.destroy(); resolve(up); };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

// The configured port, and the --url port when it points at this host.
function serverPorts(configured: number, url: string): number[] {
  const ports = new Set([configured]);
  try {
    const u = new URL(url);
    if (['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) ports.add(Number(u.port || 443));
  } catch {
    // not a URL: only the configured port
  }
  return [...ports];
}

export async function replay(ctx: CliContext, o: { rebuild?: boolean; force?: boolean }): Promise<void> {
  const storage = await openOfflineStorage(ctx.dataDir);
  try {
    if (!o.force) {
      for (const port of serverPorts(storage.config.http.port, ctx.options.url)) {
        if (await somethingListens(port)) {
          throw new CliError('server_running', `something answers on port ${port} of this host (the server?): stop the server before replaying, or pass --force`, ExitCode.Conflict);
        }
      }
    }
    // Users' e-mail and phones are sealed in the log: projecting them needs the data directory's key.
    if (!storage.sealer) throw new CliError('data_dir_missing', `replaying needs the data directory ${storage.config.dataDir} (its master key opens users' contact details)`, ExitCode.NotFound, 'data-dir');
    const projector = new ReadModelProjector(storage.dataSource, { sealer: storage.sealer });
    const before = await projector.init();
    const head = await storage.store.head();
    const start = o.rebuild ? 0 : before;
    const progress = new Progress(o.rebuild ? 'rebuilding' : 'catching up', Math.max(0, head.position - start), process.stderr, ctx.out.json);
    const started = Date.now();
    const position = o.rebuild
      ? await projector.rebuild(storage.store, (p) => progress.update(p))
      : await projector.catchUp(storage.store, 2000, (p) => progress.update(p - start));
    progress.finish();
    const ms = Date.now() - started;
    const events = position - start;
    const summary = { rebuilt: Boolean(o.rebuild), events, position, seconds: Number((ms / 1000).toFixed(3)), eventsPerSecond: Math.round(events / Math.max(ms / 1000, 0.001)) };
    ctx.out.result(summary, () => renderRecord([
      ['read model', o.rebuild ? 'rebuilt from position 1' : 'caught up'],
      ['events applied', events], ['now at position', position], ['time', `${(ms / 1000).toFixed(2)} s`], ['rate', `${rateText(events, ms)} events/s`],
    ]));
  } finally {
    await storage.close();
  }
}
