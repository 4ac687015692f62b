import { ApprovalDecision, ApprovalWaiter, PendingApproval } from './engine.ports';

interface Waiter {
  resolve: (decision: ApprovalDecision | 'timeout') => void;
  timer: NodeJS.Timeout;
}

// In-process meeting point for out-of-band approvals. The node holding the request waits here;
// the log subscription calls decide() whichever node wrote the decision. A decision that arrives
// before anyone waits (it cannot in practice, but ordering is not promised) is kept briefly.
export class ApprovalBroker implements ApprovalWaiter {
  private readonly waiters = new Map<string, Waiter>();
  private readonly early = new Map<string, { decision: ApprovalDecision; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now, private readonly earlyTtlMs = 120_000) {}

  get waiting(): number {
    return this.waiters.size;
  }

  expect(approvalId: string, timeoutMs: number): PendingApproval {
    let settle!: (decision: ApprovalDecision | 'timeout') => void;
    const decision = new Promise<ApprovalDecision | 'timeout'>((resolve) => (settle = resolve));
    const seen = this.early.get(approvalId);
    if (seen && seen.expiresAt > this.now()) {
      this.early.delete(approvalId);
      settle(seen.decision);
      return { decision, cancel: () => undefined };
    }
    const timer = setTimeout(() => this.finish(approvalId, 'timeout'), Math.max(0, timeoutMs));
    timer.unref?.();
    this.waiters.set(approvalId, { resolve: settle, timer });
    return { decision, cancel: () => this.finish(approvalId, 'timeout') };
  }

  // True while a request on this node waits for this approval (only this node can release it).
  holds(approvalId: string): boolean {
    return this.waiters.has(approvalId);
  }

  // True when a request on this node was waiting for it.
  decide(approvalId: string, decision: ApprovalDecision): boolean {
    if (this.finish(approvalId, decision)) return true;
    const now = this.now();
    for (const [id, entry] of this.early) if (entry.expiresAt <= now) this.early.delete(id);
    if (this.early.size < 10_000) this.early.set(approvalId, { decision, expiresAt: now + this.earlyTtlMs });
    return false;
  }

  private finish(approvalId: string, decision: ApprovalDecision | 'timeout'): boolean {
    const waiter = this.waiters.get(approvalId);
    if (!waiter) return false;
    this.waiters.delete(approvalId);
    clearTimeout(waiter.timer);
    waiter.resolve(decision);
    return true;
  }

  close(): void {
    for (const id of [...this.waiters.keys()]) this.finish(id, 'timeout');
  }
}
