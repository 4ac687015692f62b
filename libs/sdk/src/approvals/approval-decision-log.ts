import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Subscription } from '@twofold/event-store';
import { KeyedWaiters, type ApprovalDecisionLog, type RecordedDecision } from '@twofold/mfa';
import { SDK_DEPS, SdkDeps } from '../sdk.deps';

// Decisions as the log holds them (stream approval-<key>), wherever they were taken; a log
// subscription wakes long-polls on this node as soon as a decision is appended by any node.
@Injectable()
export class StoreApprovalDecisionLog implements ApprovalDecisionLog, OnModuleInit, OnModuleDestroy {
  private readonly waiters = new KeyedWaiters();
  private subscription?: Subscription;
  private stopHeld?: () => void;

  // Reads and cancellations go through the node's write side (guarded on slaves like every write).
  constructor(@Inject(SDK_DEPS) private readonly deps: SdkDeps) {}

  async onModuleInit(): Promise<void> {
    // A decision taken on this node while the master is unreachable (it holds the sign-in).
    this.stopHeld = this.deps.heldDecisions?.onDecided((key) => this.wake(key));
    const head = await this.deps.store.head();
    this.subscription = this.deps.store.subscribe(head.position, (event) => {
      if (event.type === 'OutOfBandApprovalDecided') this.wake(String(event.payload.approvalKey));
    });
  }

  onModuleDestroy(): void {
    this.subscription?.close();
    this.stopHeld?.();
    this.waiters.wakeAll();
  }

  async read(approvalKey: string): Promise<RecordedDecision | null> {
    return this.deps.heldDecisions?.read(approvalKey) ?? this.deps.commands.approvals.decision(approvalKey);
  }

  waitForChange(approvalKey: string, timeoutMs: number): Promise<void> {
    // A decision appended between the caller's read and this registration must not be missed.
    return this.waiters.wait(approvalKey, timeoutMs, (done) => void this.read(approvalKey).then((d) => d && done(), () => done()));
  }

  cancel(approvalKey: string, userId: string, source: string): Promise<RecordedDecision | null> {
    return this.deps.commands.approvals.cancel(approvalKey, userId, source);
  }

  private wake(approvalKey: string): void {
    this.waiters.wake(approvalKey);
  }
}
