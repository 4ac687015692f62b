import type { EventStore, NewEvent } from '@twofold/event-store';
import type { ReadModelProjector } from '@twofold/read-model';
import { DomainEvent, foldUser, toRecord, UserState } from '@twofold/domain';
import { Actor } from './actor';
import { FoldedStateCache } from './folded-state-cache';

// Runs security decisions the way StreamExecutor does, but collects them: each user stream is read
// once, every outcome is decided on the state the earlier outcomes left, and commit() writes all
// streams in one transaction (one durable write for many outcomes).
export class SecurityBatch {
  private readonly streams = new Map<string, { base: UserState; state: UserState; events: NewEvent[] }>();

  constructor(
    private readonly store: EventStore,
    private readonly nodeId: string,
    private readonly epoch: () => number,
    private readonly states = new FoldedStateCache(store),
  ) {}

  get size(): number {
    let n = 0;
    for (const s of this.streams.values()) n += s.events.length;
    return n;
  }

  async execute(streamId: string, fold: typeof foldUser, decide: (state: UserState) => DomainEvent[] | Promise<DomainEvent[]>, actor: Actor): Promise<{ state: UserState; after: UserState }> {
    let s = this.streams.get(streamId);
    if (!s) {
      const state = await this.states.load(streamId, fold);
      s = { base: state, state, events: [] };
      this.streams.set(streamId, s);
    }
    // A DomainError leaves this stream's state as it was: the other outcomes still count.
    const before = s.state;
    const events = await decide(before);
    if (events.length === 0) return { state: before, after: before };
    s.state = fold(events, before);
    const metadata = { actor: actor.actor, nodeId: this.nodeId, epoch: this.epoch(), ...(actor.causationId ? { causationId: actor.causationId } : {}) };
    for (const e of events) s.events.push({ ...toRecord(e), metadata });
    return { state: before, after: s.state };
  }

  // Position of the last record written, or null when no outcome produced an event.
  async commit(projector: ReadModelProjector): Promise<number | null> {
    const written = [...this.streams.entries()].filter(([, s]) => s.events.length > 0)
      .map(([streamId, s]) => ({ streamId, s, pending: this.states.forAppend(streamId, foldUser, s.base) }));
    if (written.length === 0) return null;
    const stored = await this.store.appendMany(written.map(({ streamId, s, pending }) => ({ streamId, expectedVersion: s.base.version, events: s.events, snapshot: pending.snapshot })));
    for (const { streamId, pending } of written) pending.appended(stored.filter((e) => e.streamId === streamId));
    const position = stored[stored.length - 1].position;
    await projector.waitFor(position);
    return position;
  }
}
