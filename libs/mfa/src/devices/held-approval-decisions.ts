import { DomainError, DomainErrorCode, type SecurityOutcome } from '@twofold/domain';
import type { ApprovalDecision } from '../engine/engine.ports';
import type { RecordedDecision } from '../engine/out-of-band-polling';

export interface HeldApprovalDecisionsDeps {
  // This node's RADIUS requests waiting for a decision (ApprovalBroker).
  broker: { holds(approvalKey: string): boolean; decide(approvalKey: string, decision: ApprovalDecision): boolean };
  // Push sign-ins started on this node (the SDK's polled flow holds nothing but its start here).
  registry: { has(approvalKey: string): boolean };
  // The node's sign-in recorder: on a slave, its durable outbox, sent upstream when the master is back.
  record(outcome: SecurityOutcome): Promise<unknown>;
  clock?: () => number;
}

interface Taken extends RecordedDecision { until: number }

// Kept past the approval window as long as a polled sign-in's handle can still read its answer.
const KEPT_AFTER_EXPIRY_MS = 180_000;

// Push approvals decided on the node that holds the sign-in while the master cannot be reached.
// Only this node can release its sign-in, so deciding here cannot release it twice; the decision
// goes into the outbox like every outage security outcome (the master appends it once, or keeps
// its own if it holds one). Kept in memory until the approval expires: a replay is refused, and
// the SDK's poll on this node reads it. After a restart this node holds nothing, so it decides nothing.
export class HeldApprovalDecisions {
  private readonly taken = new Map<string, Taken>();
  private readonly listeners = new Set<(approvalKey: string) => void>();

  constructor(private readonly deps: HeldApprovalDecisionsDeps) {}

  holds(approvalKey: string): boolean {
    return this.deps.broker.holds(approvalKey) || this.deps.registry.has(approvalKey);
  }

  read(approvalKey: string): RecordedDecision | null {
    this.prune();
    const taken = this.taken.get(approvalKey);
    return taken ? { decision: taken.decision, source: taken.source } : null;
  }

  onDecided(listener: (approvalKey: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // Fraud blocks the user on this node at once (the outbox's fraud outcome), before the release.
  async decide(approval: { approvalKey: string; userId: string; expiresAt: number }, decision: ApprovalDecision, source: string): Promise<ApprovalDecision> {
    const { approvalKey, userId } = approval;
    if (this.read(approvalKey)) throw DomainError.rule(DomainErrorCode.AlreadyExists, 'approvalId', 'This approval request has already been decided.');
    if (!this.holds(approvalKey)) throw new Error('this node does not hold the approval request');
    // Taken before the first await: a concurrent replay is refused, not recorded twice.
    this.taken.set(approvalKey, { decision, source, until: approval.expiresAt + KEPT_AFTER_EXPIRY_MS });
    try {
      if (decision === 'fraud') await this.deps.record({ kind: 'fraud', userId, reason: 'fraud reported on an approval request', source });
      await this.deps.record({ kind: 'approval_decided', userId, approvalKey, decision, source });
    } catch (error) {
      this.taken.delete(approvalKey);
      throw error;
    }
    this.deps.broker.decide(approvalKey, decision);
    for (const listener of this.listeners) listener(approvalKey);
    return decision;
  }

  private prune(): void {
    const now = this.deps.clock?.() ?? Date.now();
    for (const [key, t] of this.taken) if (t.until <= now) this.taken.delete(key);
  }
}
