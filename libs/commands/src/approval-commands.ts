import {
  approvalStream, DecideApproval, decideApproval, DomainError, DomainErrorCode, foldApproval, isDomainError, narrowEvent, SecurityOutcome,
} from '@twofold/domain';
import type { EventStore } from '@twofold/event-store';
import { Actor } from './actor';
import { objectBody } from './input';
import type { OutcomeCause, SecurityEvents } from './security-events';
import { StreamExecutor } from './stream-executor';

export type ApprovalOutcome = 'approved' | 'denied' | 'fraud';

const DECIDED = { OutOfBandApprovalDecided: true } as const;

const DECISIONS: Record<string, ApprovalOutcome> = {
  approve: 'approved', approved: 'approved', deny: 'denied', denied: 'denied', fraud: 'fraud',
};

// Out-of-band (push, voice) decisions: one per request, anywhere in the cluster. The node holding
// the waiting request sees the decision arrive through its log.
export class ApprovalCommands {
  constructor(
    private readonly executor: StreamExecutor,
    private readonly store: EventStore,
    private readonly security: SecurityEvents,
    private readonly clock: () => Date,
  ) {}

  async decision(approvalKey: string): Promise<{ decision: ApprovalOutcome; source: string } | null> {
    const events = await this.store.readStream(approvalStream(approvalKey));
    const decided = events.map((e) => narrowEvent(e, DECIDED)).find((e) => e !== null);
    return decided ? { decision: decided.data.decision, source: decided.data.source } : null;
  }

  // body: { decision: "approve" | "deny" | "fraud" }. Fraud blocks the user before the request is
  // released, so the node answering it already sees the block.
  async decide(approval: { approvalKey: string; userId: string }, body: unknown, actor: Actor): Promise<ApprovalOutcome> {
    const raw = objectBody(body).decision;
    const decision = typeof raw === 'string' ? DECISIONS[raw] : undefined;
    if (!decision) throw DomainError.rule(DomainErrorCode.ValidationFailed, 'decision', 'decision: must be "approve", "deny" or "fraud"');
    const command = DecideApproval.create({ approvalKey: approval.approvalKey, userId: approval.userId, decision, source: actor.actor.slice(0, 128) });
    if ((await this.decision(approval.approvalKey)) !== null) {
      throw DomainError.rule(DomainErrorCode.AlreadyExists, 'approvalId', 'This approval request has already been decided.');
    }
    if (decision === 'fraud') await this.security.record({ kind: 'fraud', userId: approval.userId, reason: 'fraud reported on an approval request', source: actor.actor });
    await this.executor.execute(approvalStream(approval.approvalKey), foldApproval, (s) => decideApproval(s, command, { now: this.clock() }), actor);
    return decision;
  }

  // A decision taken on the node that held the sign-in while the master could not be reached (a
  // slave's outbox item, or a promoted node's own): appended once. If the log already holds a
  // decision for the key, that one stands and this one is refused (already_exists) and not written.
  async recordDecided(outcome: Extract<SecurityOutcome, { kind: 'approval_decided' }>, cause: OutcomeCause = {}): Promise<void> {
    const command = DecideApproval.create({ approvalKey: outcome.approvalKey, userId: outcome.userId, decision: outcome.decision, source: outcome.source.slice(0, 128) });
    const actor: Actor = { actor: cause.actor ?? outcome.source, ...(cause.causationId ? { causationId: cause.causationId } : {}) };
    await this.executor.execute(approvalStream(outcome.approvalKey), foldApproval, (s) => decideApproval(s, command, { now: this.clock() }), actor);
  }

  // The caller gave up: recorded as denied, unless a decision was there first (then that one stands).
  async cancel(approvalKey: string, userId: string, source: string): Promise<{ decision: ApprovalOutcome; source: string } | null> {
    const existing = await this.decision(approvalKey);
    if (existing) return existing;
    const command = DecideApproval.create({ approvalKey, userId, decision: 'denied', source });
    try {
      await this.executor.execute(approvalStream(approvalKey), foldApproval, (s) => decideApproval(s, command, { now: this.clock() }), { actor: source });
    } catch (error) {
      if (isDomainError(error, DomainErrorCode.AlreadyExists)) return this.decision(approvalKey);
      throw error;
    }
    return null;
  }
}
