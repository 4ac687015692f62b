import {
  AddDirectorySource, decideAddDirectorySource, decideRemoveDirectorySource, decideUpdateDirectorySource, UpdateDirectorySource, DirectoryState, directoryNameField, DomainError, DomainErrorCode, DomainEvent, foldDirectory, makeEvent,
  openRun, SealContext, SecretSealer, Streams, SyncCounts,
} from '@twofold/domain';
import type { EventStore, StoredEvent } from '@twofold/event-store';
import { Actor } from './actor';
import { objectBody } from './input';
import { StreamExecutor } from './stream-executor';

const DIRECTORY_LISTED = ['DirectorySourceAdded', 'DirectorySourceRemoved'];
const LISTING_RANGE = 20_000;

export type PublicDirectorySource = Omit<NonNullable<DirectoryState['config']>, 'bindPassword'> & { bindPasswordSet: true };

function parseName(raw: string): string {
  const parsed = directoryNameField.safeParse(raw);
  if (!parsed.success) throw DomainError.rule(DomainErrorCode.ValidationFailed, 'name', 'name: must be 1 to 32 characters from a-z, 0-9 and "-"');
  return parsed.data;
}

// Run ids are `<source>.<n>`: `directory approve <run>` names its source.
export function sourceOfRun(runId: string): { name: string; runId: string } {
  const m = /^([a-z0-9][a-z0-9-]{0,31})\.(\d{1,9})$/.exec(runId.trim());
  if (!m) throw DomainError.rule(DomainErrorCode.ValidationFailed, 'run', 'run: must be a run id like corp.3 (from `directory show`)');
  return { name: m[1], runId: m[0] };
}

// The directory sources' own stream: configuration and the run records around each sync.
export class DirectoryCommands {
  private listed: { after: number; hash: string; names: Set<string> } = { after: 0, hash: '', names: new Set() };

  constructor(private readonly executor: StreamExecutor, private readonly store: EventStore, private readonly sealer: SecretSealer, private readonly now: () => Date) {}

  async state(rawName: string): Promise<DirectoryState> {
    const name = parseName(rawName);
    const state = foldDirectory(await this.store.readStream(Streams.directory(name)));
    if (!state.config) throw DomainError.rule(DomainErrorCode.UnknownDirectory, 'name', `No directory source "${name}".`);
    return state;
  }

  async add(body: unknown, actor: Actor): Promise<PublicDirectorySource> {
    const command = AddDirectorySource.create(objectBody(body));
    await this.executor.execute(Streams.directory(command.name), foldDirectory, (s) => decideAddDirectorySource(s, command, { sealer: this.sealer }), actor);
    return this.show(command.name).then((s) => s.source);
  }

  // body: the fields to change (not the name); a new bindPassword is sealed like the first.
  async update(rawName: string, body: unknown, actor: Actor): Promise<PublicDirectorySource> {
    const name = parseName(rawName);
    const command = UpdateDirectorySource.create({ name, changes: objectBody(body) });
    await this.executor.execute(Streams.directory(name), foldDirectory, (s) => decideUpdateDirectorySource(s, command, { sealer: this.sealer }), actor);
    return this.show(name).then((s) => s.source);
  }

  // The source's users stay (enabled or disabled as they are) and are no longer synced.
  async remove(rawName: string, actor: Actor): Promise<{ name: string; keptUsers: number }> {
    const name = parseName(rawName);
    let keptUsers = 0;
    await this.append(name, actor, (s) => {
      const events = decideRemoveDirectorySource(s, name, { now: this.now() });
      keptUsers = (events[0].data as { keptUsers: number }).keptUsers;
      return events;
    });
    return { name, keptUsers };
  }

  // Names from DirectorySourceAdded records. The scheduler asks every 30 s: only the records after
  // the last one read are scanned (checked by hash, so a history set aside is scanned afresh), a
  // part at a time with the event loop let go in between, so a long log never stalls sign-ins.
  async list(): Promise<string[]> {
    let seen = this.listed;
    if (seen.after > 0) {
      const [last] = await this.store.readFrom(seen.after - 1, 1);
      if (last?.hash !== seen.hash) seen = { after: 0, hash: '', names: new Set() };
    }
    const names = new Set(seen.names);
    const note = (e: StoredEvent) => {
      if (e.type === 'DirectorySourceAdded') names.add(String(e.payload.name));
      else if (e.type === 'DirectorySourceRemoved') names.delete(String(e.payload.name));
    };
    if (this.store.readTypes) {
      // The database picks the few records out (nothing else of a long log is decoded), a range
      // of positions at a time with the event loop let go in between.
      const head = await this.store.head();
      for (let from = seen.after; from < head.position; from += LISTING_RANGE) {
        if (from > seen.after) await new Promise((r) => setImmediate(r));
        for (const e of await this.store.readTypes(from, Math.min(from + LISTING_RANGE, head.position), DIRECTORY_LISTED)) note(e);
      }
      this.listed = { after: head.position, hash: head.hash, names };
      return [...names].sort();
    }
    let { after, hash } = seen;
    for (;;) {
      const page = await this.store.readFrom(after, 1000);
      if (page.length === 0) break;
      for (const e of page) note(e);
      ({ position: after, hash } = page[page.length - 1]);
      if (page.length === 1000) await new Promise((r) => setImmediate(r));
    }
    this.listed = { after, hash, names };
    return [...names].sort();
  }

  async show(name: string): Promise<{ source: PublicDirectorySource; managedUsers: number; runs: DirectoryState['runs'] }> {
    const state = await this.state(name);
    const { bindPassword: _p, ...config } = state.config!;
    return { source: { ...config, bindPasswordSet: true }, managedUsers: Object.keys(state.linked).length, runs: state.runs };
  }

  bindPassword(state: DirectoryState): string {
    return this.sealer.open(state.config!.bindPassword, SealContext.directoryBindPassword(state.config!.name));
  }

  private async append(name: string, actor: Actor, decide: (s: DirectoryState) => DomainEvent[]): Promise<DirectoryState> {
    const done = await this.executor.execute(Streams.directory(name), foldDirectory, decide, actor);
    return foldDirectory(done.events, done.state);
  }

  // A run left open by a crash is closed as failed first: visibly, never half-applied in silence
  // (the next run makes the same idempotent changes again and completes them).
  async start(name: string, actor: Actor, approvedRemovals: number | null, approvedRun?: string): Promise<{ runId: string; state: DirectoryState }> {
    const at = this.now().toISOString();
    let runId = '';
    const state = await this.append(name, actor, (s) => {
      if (!s.config) throw DomainError.rule(DomainErrorCode.UnknownDirectory, 'name', `No directory source "${name}".`);
      const open = openRun(s, approvedRun);
      runId = approvedRun ?? `${name}.${s.runCount + 1}`;
      return [
        ...(open ? [makeEvent('DirectorySyncFailed', { runId: open.runId, at, reason: 'interrupted: the master stopped before the run completed; the next run repeats its changes' })] : []),
        ...(approvedRun ? [] : [makeEvent('DirectorySyncStarted', { runId, at, approvedRemovals })]),
      ];
    });
    return { runId, state };
  }

  held(name: string, runId: string, reason: string, planned: SyncCounts, actor: Actor) {
    return this.append(name, actor, () => [makeEvent('DirectorySyncHeld', { runId, at: this.now().toISOString(), reason, planned })]);
  }

  failed(name: string, runId: string, reason: string, actor: Actor) {
    return this.append(name, actor, () => [makeEvent('DirectorySyncFailed', { runId, at: this.now().toISOString(), reason: reason.slice(0, 500) })]);
  }

  completed(name: string, runId: string, data: { counts: SyncCounts; linked: Record<string, string>; unlinked: string[]; refusals: Array<{ username: string; reason: string }>; server: string }, actor: Actor) {
    return this.append(name, actor, () => [makeEvent('DirectorySyncCompleted', { runId, at: this.now().toISOString(), ...data })]);
  }

  // An administrator lets a held run go on: recorded, then the sync runs again under that run id.
  async approve(runRef: string, actor: Actor): Promise<{ name: string; runId: string; planned: SyncCounts }> {
    const { name, runId } = sourceOfRun(runRef);
    const state = await this.state(name);
    const run = state.runs.find((r) => r.runId === runId);
    if (!run) throw DomainError.rule(DomainErrorCode.UnknownDirectory, 'run', `No run ${runId}.`);
    if (run.status !== 'held') throw DomainError.rule(DomainErrorCode.VersionConflict, 'run', `Run ${runId} is ${run.status}, not waiting for approval.`);
    await this.append(name, actor, () => [makeEvent('DirectorySyncApproved', { runId, at: this.now().toISOString(), by: actor.actor })]);
    return { name, runId, planned: run.planned! };
  }
}
