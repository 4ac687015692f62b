import { DirectoryScheduler, DirectorySync } from '@twofold/directory';
import type { NodeServices } from '../node/node-services';

export interface DirectoryRuntime { sync: DirectorySync; scheduler: DirectoryScheduler }

// Directory sync (libs/directory) on this node: runs on demand (the admin API forwards a slave's
// request to the master) and on each source's interval while this node is the writable master.
export function startDirectorySync(rt: Pick<NodeServices, 'commands' | 'queries' | 'logger' | 'role'>, tickMs = Number(process.env.TWOFOLD_DIRECTORY_TICK_MS ?? 30_000)): DirectoryRuntime {
  const logger = rt.logger.child({ component: 'directory' });
  const sync = new DirectorySync({ commands: rt.commands, queries: rt.queries, logger });
  const scheduler = new DirectoryScheduler({ commands: rt.commands, sync, isMaster: () => rt.role.writable, logger }, Number.isFinite(tickMs) && tickMs >= 1000 ? tickMs : 30_000);
  scheduler.start();
  return { sync, scheduler };
}
