import {
  decideRecordChallengeConsumed, decideRecordFailedAttempt, decideRecordOathCodeUsed, RecordChallengeConsumed, decideRecordSuccessfulAuthentication, evaluateFraudReport, foldUser,
  RecordFailedAttempt, RecordOathCodeUsed, RecordSuccessfulAuthentication, Streams,
} from '@twofold/domain';
import type { ReadModelQueries } from '@twofold/read-model';
import { Actor } from './actor';
import { StreamExecutor } from './stream-executor';

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
}

export interface ChallengeAnswered { nonce: string; expiresAt: string }

export class SecurityEvents implements SecurityEventSink {
  constructor(private readonly executor: StreamExecutor, private readonly queries: ReadModelQueries, private readonly clock: () => Date) {}

  // causationId: the id a slave gave the event upstream; the master stamps it on what it appends.
  private actor(source: string): Actor {
    return { actor: this.actorOverride ?? source, ...(this.causationId ? { causationId: this.causationId } : {}) };
  }

  private causationId?: string;
  private actorOverride?: string;

  // The same recorder, stamping its events as caused by an upstream message. `actor`: who the
  // metadata names (the sending node), whatever the message's own source says.
  causedBy(causationId: string, actor?: string): SecurityEvents {
    const child = new SecurityEvents(this.executor, this.queries, this.clock);
    child.causationId = causationId;
    child.actorOverride = actor;
    return child;
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

  async reportFraud(userId: string, reason: string, source: string): Promise<void> {
    const settings = await this.queries.getSettings();
    await this.executor.execute(Streams.user(userId), foldUser, (s) => evaluateFraudReport(s, settings, this.clock(), reason), this.actor(source));
  }
}
