import type { Actor, CommandService } from '@twofold/commands';
import { DirectoryEntry, errorCodeOf, KnownUser, planSync, SyncAction, SyncCounts } from '@twofold/domain';
import type { ReadModelQueries } from '@twofold/read-model';
import { DirectoryFetchError, fetchDirectory } from './ldap-source';

export interface SyncReport {
  name: string; runId: string | null; dryRun: boolean; status: 'dry-run' | 'completed' | 'held' | 'failed';
  server: string | null; counts: SyncCounts | null; reason?: string;
  // Dry run: one line per user the run would change.
  changes?: Array<{ action: SyncAction['kind']; username: string; fields?: string[] }>;
  refusals?: Array<{ username: string; reason: string }>;
}

export interface DirectorySyncDeps {
  commands: CommandService;
  queries: ReadModelQueries;
  logger?: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

async function knownUsers(queries: ReadModelQueries): Promise<Map<string, KnownUser>> {
  const users = new Map<string, KnownUser>();
  for (let offset = 0; ; offset += 500) {
    const page = await queries.listUsers({ offset, limit: 500 });
    for (const u of page.items) users.set(u.username, { userId: u.userId, username: u.username, displayName: u.displayName, email: u.email, phones: u.phones, language: u.language, enabled: u.enabled });
    if (page.items.length < 500) return users;
  }
}

const describe = (a: SyncAction) => ({ action: a.kind, username: a.username, ...(a.kind === 'update' ? { fields: Object.keys(a.changes) } : {}) });

// One sync run of a source (on the master: every write goes through the command side, which
// refuses on a node that may not write). Users are changed one by one with actor directory:<name>.
export class DirectorySync {
  private readonly running = new Set<string>();

  constructor(private readonly deps: DirectorySyncDeps) {}

  async run(name: string, opts: { dryRun?: boolean; approvedRun?: string; approvedRemovals?: number } = {}): Promise<SyncReport> {
    const { commands } = this.deps;
    const state = await commands.directories.state(name);
    const config = state.config!;
    const actor: Actor = { actor: `directory:${config.name}` };
    if (opts.dryRun) {
      const fetched = await fetchDirectory(config, commands.directories.bindPassword(state));
      const plan = planSync(fetched.entries, await knownUsers(this.deps.queries), state, null);
      return { name: config.name, runId: null, dryRun: true, status: 'dry-run', server: fetched.server, counts: plan.counts, changes: plan.actions.map(describe), ...(plan.hold ? { reason: plan.hold } : {}) };
    }
    if (this.running.has(config.name)) throw Object.assign(new Error(`a sync of ${config.name} is already running`), { code: 'version_conflict' });
    this.running.add(config.name);
    try {
      const { runId, state: started } = await commands.directories.start(config.name, actor, opts.approvedRemovals ?? null, opts.approvedRun);
      try {
        const fetched = await fetchDirectory(config, commands.directories.bindPassword(started));
        const plan = planSync(fetched.entries, await knownUsers(this.deps.queries), started, opts.approvedRemovals ?? null);
        if (plan.hold) {
          await commands.directories.held(config.name, runId, plan.hold, plan.counts, actor);
          this.deps.logger?.warn({ directory: config.name, runId, planned: plan.counts }, 'directory sync held: over the safety threshold');
          return { name: config.name, runId, dryRun: false, status: 'held', server: fetched.server, counts: plan.counts, reason: plan.hold };
        }
        const { linked, refusals, counts } = await this.apply(plan.actions, plan.link, plan.counts, fetched.entries, actor);
        await commands.directories.completed(config.name, runId, { counts, linked, unlinked: plan.unlink, refusals, server: fetched.server }, actor);
        this.deps.logger?.info({ directory: config.name, runId, counts }, 'directory sync completed');
        return { name: config.name, runId, dryRun: false, status: 'completed', server: fetched.server, counts, refusals };
      } catch (err) {
        const reason = err instanceof DirectoryFetchError ? `${err.code}: ${err.message}` : `${errorCodeOf(err) ?? 'error'}: ${(err as Error).message}`;
        await commands.directories.failed(config.name, runId, reason, actor);
        this.deps.logger?.warn({ directory: config.name, runId, reason }, 'directory sync failed');
        return { name: config.name, runId, dryRun: false, status: 'failed', server: null, counts: null, reason };
      }
    } finally {
      this.running.delete(config.name);
    }
  }

  // Not while a run of it is writing (it would complete into a source that is gone).
  async remove(name: string, actor: Actor): Promise<{ name: string; keptUsers: number }> {
    if (this.running.has(name.trim())) throw Object.assign(new Error(`a sync of ${name.trim()} is running; remove the source when it has ended`), { code: 'version_conflict' });
    return this.deps.commands.directories.remove(name, actor);
  }

  async approve(runRef: string, actor: Actor): Promise<SyncReport> {
    const { name, runId, planned } = await this.deps.commands.directories.approve(runRef, actor);
    return this.run(name, { approvedRun: runId, approvedRemovals: planned.disabled + planned.deleted });
  }

  private async apply(actions: SyncAction[], link: Record<string, string>, planned: SyncCounts, entries: DirectoryEntry[], actor: Actor) {
    const { commands } = this.deps;
    const counts = { ...planned };
    const linked = { ...link };
    const refusals: Array<{ username: string; reason: string }> = [];
    const byName = new Map(entries.map((e) => [e.username, e]));
    for (const a of actions) {
      // Writes on SQLite complete without ever giving the event loop back: let RADIUS and the
      // API answer between two users, however long the run.
      await new Promise((resolve) => setImmediate(resolve));
      try {
        switch (a.kind) {
          case 'create': {
            const e = byName.get(a.username)!;
            const created = await commands.createUser({ username: a.username, ...(e.displayName !== undefined ? { displayName: e.displayName } : {}), ...(e.email !== undefined ? { email: e.email } : {}), ...(e.phones ? { phones: e.phones } : {}), ...(e.language ? { language: e.language } : {}) }, actor);
            linked[a.username] = created.userId;
            break;
          }
          case 'update':
            await commands.updateUser(a.userId, a.changes, actor);
            if (a.enable) await commands.changeUserStatus(a.userId, 'enable', undefined, actor);
            break;
          case 'enable': await commands.changeUserStatus(a.userId, 'enable', undefined, actor); break;
          case 'disable': await commands.changeUserStatus(a.userId, 'disable', undefined, actor); break;
          case 'delete': await commands.deleteUser(a.userId, actor); break;
        }
      } catch (err) {
        const code = errorCodeOf(err);
        // A value the domain refuses (an e-mail that is not one...) skips that user, not the run.
        if (!code || code === 'read_only' || code === 'master_unavailable' || /^E[A-Z]+$/.test(code)) throw err;
        refusals.push({ username: a.username, reason: `${code}: ${(err as Error).message}`.slice(0, 200) });
        counts.refused++;
        if (a.kind === 'create') counts.created--;
        else if (a.kind === 'update') counts.updated--;
        delete linked[a.username];
      }
    }
    return { linked, refusals, counts };
  }
}
