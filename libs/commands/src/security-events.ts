import {
  decideSecurityOutcome, DEFAULT_SETTINGS, foldUser, hasErrorCode, SecurityOutcome, securityOutcomeReadsSettings, Streams, UserState,
} from '@twofold/domain';
import type { DomainEvent } from '@twofold/domain';
import type { EventStore } from '@twofold/event-store';
import type { ReadModelProjector, ReadModelQueries } from '@twofold/read-model';
import { Actor } from './actor';
import { SecurityBatch } from './security-batch';
import type { FoldedStateCache } from './folded-state-cache';

// StreamExecutor, or a SecurityBatch that collects the same decisions for one transaction. Both
// answer the state the decision ran on and the state after its events.
interface UserStreamExecutor {
  execute(streamId: string, fold: typeof foldUser, decide: (state: UserState) => DomainEvent[] | Promise<DomainEvent[]>, actor: Actor): Promise<{ state: UserState; after: UserState }>;
}

// states: the folded states the single-outcome path keeps (a batch then reads only newer records).
export interface SecurityBatchDeps { store: EventStore; projector: ReadModelProjector; nodeId: string; epoch?: () => number; onAppended?: (count: number) => void; states?: FoldedStateCache }

// Who an outcome is recorded for. causationId: the id a slave gave it upstream (the master stamps
// it on what it appends); actor: who the metadata names (the sending node), whatever the outcome's
// own source says.
export interface OutcomeCause { causationId?: string; actor?: string }

// What the authentication engine reports to the log: one outcome, resolving to the user's state
// after it (lockout and block included). Throws a DomainError 'code_already_used' when the OATH
// step/counter (field 'counter') or the challenge (field 'nonce') was already used anywhere.
export interface SecurityOutcomeSink {
  record(outcome: SecurityOutcome): Promise<UserState>;
}

// On the master (or a promoted node): decided by decideSecurityOutcome and appended.
export class SecurityEvents implements SecurityOutcomeSink {
  constructor(
    private readonly executor: UserStreamExecutor,
    private readonly queries: Pick<ReadModelQueries, 'getSettings'>,
    private readonly clock: () => Date,
    private readonly batchDeps?: SecurityBatchDeps,
  ) {}

  async record(outcome: SecurityOutcome, cause: OutcomeCause = {}): Promise<UserState> {
    // Its event goes on the approval's stream, not the user's: ApprovalCommands.recordDecided.
    if (outcome.kind === 'approval_decided') throw new Error('an approval decision is recorded by ApprovalCommands.recordDecided');
    const settings = securityOutcomeReadsSettings(outcome) ? await this.queries.getSettings() : DEFAULT_SETTINGS;
    const actor: Actor = { actor: cause.actor ?? outcome.source, ...(cause.causationId ? { causationId: cause.causationId } : {}) };
    const { after } = await this.executor.execute(Streams.user(outcome.userId), foldUser, (s) => decideSecurityOutcome(s, outcome, { now: this.clock(), settings }), actor);
    return after;
  }

  // Many outcomes in one append. `record` runs again from scratch if a concurrent writer changed
  // one of the streams meanwhile.
  async inBatch(record: (events: SecurityEvents) => Promise<void>): Promise<{ appended: number; position: number | null }> {
    const deps = this.batchDeps;
    if (!deps) throw new Error('security batches need the store and projector');
    for (let attempt = 1; ; attempt++) {
      const batch = new SecurityBatch(deps.store, deps.nodeId, deps.epoch ?? (() => 0), deps.states);
      await record(new SecurityEvents(batch, this.queries, this.clock));
      try {
        const appended = batch.size;
        const position = await batch.commit(deps.projector);
        if (appended > 0) deps.onAppended?.(appended);
        return { appended, position };
      } catch (err) {
        if (hasErrorCode(err, 'version_conflict') && attempt < 5) continue;
        throw err;
      }
    }
  }
}
