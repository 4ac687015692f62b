import { errorCodeOf } from '@twofold/domain';
import type { CommandService } from '@twofold/commands';
import type { DirectorySync } from './directory-sync';

// Runs each source's sync at its interval, on the master only (asked before every tick, so after a
// promotion the new master takes the schedule over and a demoted one stops). The schedule lives in
// the log: the last run's start time, whichever node ran it.
export class DirectoryScheduler {
  private timer?: NodeJS.Timeout;
  private ticking = false;

  constructor(
    private readonly deps: { commands: CommandService; sync: DirectorySync; isMaster: () => boolean; logger?: { warn(o: object, m: string): void } },
    private readonly tickMs = 30_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async tick(now = Date.now()): Promise<void> {
    if (this.ticking || !this.deps.isMaster()) return;
    this.ticking = true;
    try {
      for (const name of await this.deps.commands.directories.list()) {
        const state = await this.deps.commands.directories.state(name);
        const interval = state.config?.intervalMinutes ?? 0;
        if (interval <= 0) continue;
        const last = state.runs[state.runs.length - 1];
        if (last?.status === 'held') continue; // waits for an administrator
        if (last && now - Date.parse(last.startedAt) < interval * 60_000) continue;
        if (!this.deps.isMaster()) return;
        await this.deps.sync.run(name);
      }
    } catch (err) {
      this.deps.logger?.warn({ code: errorCodeOf(err) ?? 'error' }, 'directory schedule tick failed');
    } finally {
      this.ticking = false;
    }
  }
}
