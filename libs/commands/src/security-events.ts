import {
  decideRecordChallengeConsumed, decideRecordFailedAttempt, decideRecordOathCodeUsed, RecordChallengeConsumed, decideRecordSuccessfulAuthentication, evaluateFraudReport, foldUser,
  RecordFailedAttempt, RecordOathCodeUsed, RecordSuccessfulAuthentication, Streams,
  decideRecordBypassUsed, decideRecordUnenrolledPass, RecordBypassUsed, RecordUnenrolledPass,
} from '@twofold/domain';
import type { ReadModelQueries } from '@twofold/read-model';
import type { DomainEvent, UserState } from '@twofold/domain';
import type { EventStore } from '@twofold/event-store';
import type { ReadModelProjector } from '@twofold/read-model';
import { Actor } from './actor';
import { SecurityBatch } from './security-batch';

// StreamExecutor, or a SecurityBatch that collects the same decisions for one transaction.
interface UserStreamExecutor {
  execute(streamId: string, fold: typeof foldUser, decide: (state: UserState) => DomainEvent[] | Promise<DomainEvent[]>, actor: Actor): Promise<unknown>;
}

export interface SecurityBatchDeps { store: EventStore; projector: ReadModelProjector; nodeId: string; epoch?: () => number; onAppended?: (count: number) => void }

// What the authentication engine reports back to the log. On the master these append directly;
// a slave will route the same calls through its outbox to the master.
export interface SecurityEventSink {
  recordFailedAttempt(userId: string, reason: string, source: string): Promise<void>;
  recordSuccess(userId: string, source: string): Promise<void>;
  // Throws a DomainError 'code_already_used' when the step/counter was already accepted anywhere.
  recordOathCodeUsed(userId: string, tokenId: string, counter: number, source: string): Promise<void>;
  // With `challenge`: the answered challenge State is consumed in the same append (once per cluster).
  recordOathSuccess(userId: string, tokenId: string, counter: number, source: string, challenge?: ChallengeAnswered): Promise<void>;
  // A one-time challenge answered and the success, in one append; throws 'code_already_used' on a replay.
  recordChallengeSuccess(userId: string, nonce: string, expiresAt: string, source: string): Promise<void>;
  reportFraud(userId: string, reason: string, source: string): Promise<void>;
  // Staged rollout: a sign-in without a second factor, by a bypass (once-only ones refused when spent:
  // 'bypass_not_active') or because the user is not enrolled and the client allows it.
  recordSecondFactorWaived(userId: string, source: string, bypassId?: string): Promise<void>;
}

export interface ChallengeAnswered { nonce: string; expiresAt: string }

export class SecurityEvents implements SecurityEventSink {
  constructor(
    private readonly executor: UserStreamExecutor,
    private readonly queries: ReadModelQueries,
    private readonly clock: () => Date,
    private readonly batchDeps?: SecurityBatchDeps,
  ) {}

  // causationId: the id a slave gave the event upstream; the master stamps it on what it appends.
  private actor(source: string): Actor {
    return { actor: this.actorOverride ?? source, ...(this.causationId ? { causationId: this.causationId } : {}) };
  }

  private causationId?: string;
  private actorOverride?: string;

  // The same recorder, stamping its events as caused by an upstream message. `actor`: who the
  // metadata names (the sending node), whatever the message's own source says.
  causedBy(causationId: string, actor?: string): SecurityEvents {
    const child = new SecurityEvents(this.executor, this.queries, this.clock, this.batchDeps);
    child.causationId = causationId;
    child.actorOverride = actor;
    return child;
  }

  // Many outcomes (each stamped with its causationId by `record`) in one append. `record` runs
  // again from scratch if a concurrent writer changed one of the streams meanwhile.
  async inBatch(record: (events: SecurityEvents) => Promise<void>): Promise<{ appended: number; position: number | null }> {
    const deps = this.batchDeps;
    if (!deps) throw new Error('security batches need the store and projector');
    for (let attempt = 1; ; attempt++) {
      const batch = new SecurityBatch(deps.store, deps.nodeId, deps.epoch ?? (() => 0));
      await record(new SecurityEvents(batch, this.queries, this.clock));
      try {
        const appended = batch.size;
        const position = await batch.commit(deps.projector);
        if (appended > 0) deps.onAppended?.(appended);
        return { appended, position };
      } catch (err) {
        if ((err as { code?: string }).code === 'version_conflict' && attempt < 5) continue;
        throw err;
      }
    }
  }

  async recordFailedAttempt(userId: string, reason: string, source: string): Promise<void> {
    const command = RecordFailedAttempt.create({ userId, reason, source });
    const settings = await this.queries.getSettings();
    await this.executor.execute(Streams.user(userId), foldUser, (s) => decideRecordFailedAttempt(s, command, { now: this.clock(), settings }), this.actor(source));
  }

  async recordSuccess(userId: string, source: string): Promise<void> {
    const command = RecordSuccessfulAuthentication.create({ userId, source });
    await this.executor.execute(Streams.user(userId), foldUser, (s) => decideRecordSuccessfulAuthentication(s, command, { now: this.clock() }), this.actor(source));
  }

  async recordOathCodeUsed(userId: string, tokenId: string, counter: number, source: string): Promise<void> {
    const command = RecordOathCodeUsed.create({ userId, tokenId, counter });
    await this.executor.execute(Streams.user(userId), foldUser, (s) => decideRecordOathCodeUsed(s, command), this.actor(source));
  }

  // The code's once-only record and the success in one append: one durable write per sign-in.
  async recordOathSuccess(userId: string, tokenId: string, counter: number, source: string, challenge?: ChallengeAnswered): Promise<void> {
    const used = RecordOathCodeUsed.create({ userId, tokenId, counter });
    const success = RecordSuccessfulAuthentication.create({ userId, source });
    const consumed = challenge ? RecordChallengeConsumed.create({ userId, nonce: challenge.nonce, expiresAt: challenge.expiresAt }) : null;
    await this.executor.execute(Streams.user(userId), foldUser, (s) => [
      ...(consumed ? decideRecordChallengeConsumed(s, consumed) : []),
      ...decideRecordOathCodeUsed(s, used),
      ...decideRecordSuccessfulAuthentication(s, success, { now: this.clock() }),
    ], this.actor(source));
  }

  async recordChallengeSuccess(userId: string, nonce: string, expiresAt: string, source: string): Promise<void> {
    const consumed = RecordChallengeConsumed.create({ userId, nonce, expiresAt });
    const success = RecordSuccessfulAuthentication.create({ userId, source });
    await this.executor.execute(Streams.user(userId), foldUser, (s) => [
      ...decideRecordChallengeConsumed(s, consumed),
      ...decideRecordSuccessfulAuthentication(s, success, { now: this.clock() }),
    ], this.actor(source));
  }

  async recordSecondFactorWaived(userId: string, source: string, bypassId?: string): Promise<void> {
    const now = this.clock();
    await this.executor.execute(Streams.user(userId), foldUser, (s) => (bypassId
      ? decideRecordBypassUsed(s, RecordBypassUsed.create({ userId, bypassId, source }), { now })
      : decideRecordUnenrolledPass(s, RecordUnenrolledPass.create({ userId, source }), { now })), this.actor(source));
  }

  async reportFraud(userId: string, reason: string, source: string): Promise<void> {
    const settings = await this.queries.getSettings();
    await this.executor.execute(Streams.user(userId), foldUser, (s) => evaluateFraudReport(s, settings, this.clock(), reason), this.actor(source));
  }
}
