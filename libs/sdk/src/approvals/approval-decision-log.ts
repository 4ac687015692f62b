import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Subscription } from '@twofold/event-store';
import type { ApprovalDecisionLog, RecordedDecision } from '@twofold/mfa';
import { SDK_DEPS, SdkDeps } from '../sdk.deps';

// Decisions as the log holds them (stream approval-<key>), wherever they were taken; a log
// subscription wakes long-polls on this node as soon as a decision is appended by any node.
@Injectable()
export class StoreApprovalDecisionLog implements ApprovalDecisionLog, OnModuleInit, OnModuleDestroy {
  private readonly waiters = new Map<string, Set<() => void>>();
  private subscription?: Subscription;

  // Reads and cancellations go through the node's write side (guarded on slaves like every write).
  constructor(@Inject(SDK_DEPS) private readonly deps: SdkDeps) {}

  async onModuleInit(): Promise<void> {
    const head = await this.deps.store.head();
    this.subscription = this.deps.store.subscribe(head.position, (event) => {
      if (event.type === 'OutOfBandApprovalDecided') this.wake(String(event.payload.approvalKey));
    });
  }

  onModuleDestroy(): void {
    this.subscription?.close();
    for (const key of [...this.waiters.keys()]) this.wake(key);
  }

  read(approvalKey: string): Promise<RecordedDecision | null> {
    return this.deps.commands.approvals.decision(approvalKey);
  }

  waitForChange(approvalKey: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(approvalKey) ?? new Set<() => void>();
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0 && this.waiters.get(approvalKey) === set) this.waiters.delete(approvalKey);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      set.add(done);
      this.waiters.set(approvalKey, set);
      // A decision appended between the caller's read and this registration must not be missed.
      void this.read(approvalKey).then((d) => d && done(), () => done());
    });
  }

  cancel(approvalKey: string, userId: string, source: string): Promise<RecordedDecision | null> {
    return this.deps.commands.approvals.cancel(approvalKey, userId, source);
  }

  private wake(approvalKey: string): void {
    for (const done of [...(this.waiters.get(approvalKey) ?? [])]) done();
  }
}
