import type { EventStore, NewEvent } from '@twofold/event-store';
import type { ReadModelProjector } from '@twofold/read-model';
import { DomainEvent, foldUser, toRecord, UserState } from '@twofold/domain';
import { Actor } from './actor';

// Runs security decisions the way StreamExecutor does, but collects them: each user stream is read
// once, every outcome is decided on the state the earlier outcomes left, and commit() writes all
// streams in one transaction (one durable write for many outcomes).
export class SecurityBatch {
  private readonly streams = new Map<string, { base: number; state: UserState; events: NewEvent[] }>();

  constructor(private readonly store: EventStore, private readonly nodeId: string, private readonly epoch: () => number) {}

  get size(): number {
    let n = 0;
    for (const s of this.streams.values()) n += s.events.length;
    return n;
  }

  async execute(streamId: string, fold: typeof foldUser, decide: (state: UserState) => DomainEvent[] | Promise<DomainEvent[]>, actor: Actor): Promise<{ state: UserState }> {
    let s = this.streams.get(streamId);
    if (!s) {
      const state = fold(await this.store.readStream(streamId));
      s = { base: state.version, state, events: [] };
      this.streams.set(streamId, s);
    }
    // A DomainError leaves this stream's state as it was: the other outcomes still count.
    const before = s.state;
    const events = await decide(before);
    if (events.length === 0) return { state: before };
    s.state = fold(events, before);
    for (const e of events) {
      s.events.push({
        ...toRecord(e),
        metadata: { actor: actor.actor, nodeId: this.nodeId, epoch: this.epoch(), ...(actor.causationId ? { causationId: actor.causationId } : {}) },
      });
    }
    return { state: before };
  }

  // Position of the last record written, or null when no outcome produced an event.
  async commit(projector: ReadModelProjector): Promise<number | null> {
    const appends = [...this.streams.entries()].filter(([, s]) => s.events.length > 0).map(([streamId, s]) => ({ streamId, expectedVersion: s.base, events: s.events }));
    if (appends.length === 0) return null;
    const stored = await this.store.appendMany(appends);
    const position = stored[stored.length - 1].position;
    await projector.waitFor(position);
    return position;
  }
}
