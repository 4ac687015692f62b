import type { EventStore, StoredEvent } from '@twofold/event-store';
import type { ReadModelProjector } from '@twofold/read-model';
import { DomainEvent, toRecord, errorCodeOf } from '@twofold/domain';
import { Actor } from './actor';
import { CommandError } from './command-error';
import { Fold, FoldedStateCache } from './folded-state-cache';

export interface ExecutorDeps {
  store: EventStore;
  projector: ReadModelProjector;
  nodeId: string;
  epoch?: () => number;
  onAppended?: (count: number) => void;
  // Throws when this node may not write (a slave, or a master fenced by a higher epoch).
  assertWritable?: () => void;
  // Resolves once enough slaves hold the position (synchronous replication); may throw.
  afterAppend?: (position: number) => Promise<void>;
  // Streams whose folded state is kept in memory (least recently used evicted).
  stateCacheSize?: number;
}

// state: what the decision ran on; after: with the appended events folded in (= state when none).
export interface Executed<S> { state: S; events: StoredEvent[]; after: S }

const MAX_ATTEMPTS = 3;

// Load a stream's state (folded once, then kept with its version: only newer records are read),
// decide, append with the version we folded, and wait until the read model shows the result (so
// the caller reads its own write). A concurrent writer makes the append fail without writing;
// deciding again on the freshly read state keeps every rule honest.
export class StreamExecutor {
  // Shared with security batches of the same write side (see SecurityBatchDeps).
  readonly states: FoldedStateCache;

  constructor(private readonly deps: ExecutorDeps) {
    this.states = new FoldedStateCache(deps.store, deps.stateCacheSize);
  }

  // A fold must take the state to continue from (fold(newer, state)); folds are compared by
  // identity, so pass a module-level function, not a fresh closure per call.
  async execute<S extends { version: number }>(
    streamId: string,
    fold: Fold<S>,
    decide: (state: S) => DomainEvent[] | Promise<DomainEvent[]>,
    actor: Actor,
  ): Promise<Executed<S>> {
    this.deps.assertWritable?.();
    for (let attempt = 1; ; attempt++) {
      const state = await this.states.load(streamId, fold);
      const events = await decide(state);
      if (events.length === 0) return { state, events: [], after: state };
      try {
        const pending = this.states.forAppend(streamId, fold, state);
        // One object for all of them: the store encodes it once.
        const metadata = {
          actor: actor.actor, nodeId: this.deps.nodeId, epoch: this.deps.epoch?.() ?? 0,
          ...(actor.correlationId ? { correlationId: actor.correlationId } : {}),
          ...(actor.causationId ? { causationId: actor.causationId } : {}),
        };
        const stored = await this.deps.store.append(streamId, state.version, events.map((e) => ({ ...toRecord(e), metadata })), { snapshot: pending.snapshot });
        const after = pending.appended(stored);
        this.deps.onAppended?.(stored.length);
        const position = stored[stored.length - 1].position;
        await this.deps.afterAppend?.(position);
        await this.deps.projector.waitFor(position);
        return { state, events: stored, after };
      } catch (err) {
        const code = errorCodeOf(err);
        if (code === 'version_conflict') this.states.forget(streamId);
        if (code === 'version_conflict' && attempt < MAX_ATTEMPTS) continue;
        if (code === 'version_conflict') throw new CommandError('version_conflict', 'the record is being changed by someone else; retry');
        throw err;
      }
    }
  }
}
