import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { approvalStream, DecideApproval, decideApproval, DomainErrorCode, foldApproval, isDomainError } from '@twofold/domain';
import type { Subscription } from '@twofold/event-store';
import { StreamExecutor } from '@twofold/commands';
import type { ApprovalDecision, ApprovalDecisionLog, RecordedDecision } from '@twofold/mfa';
import { SDK_DEPS, SdkDeps } from '../sdk.deps';

// Decisions as the log holds them (stream approval-<key>), wherever they were taken; a log
// subscription wakes long-polls on this node as soon as a decision is appended by any node.
@Injectable()
export class StoreApprovalDecisionLog implements ApprovalDecisionLog, OnModuleInit, OnModuleDestroy {
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly executor: StreamExecutor;
  private subscription?: Subscription;

  constructor(@Inject(SDK_DEPS) private readonly deps: SdkDeps) {
    this.executor = new StreamExecutor({ store: deps.store, projector: deps.projector, nodeId: deps.nodeId, ...(deps.writes ?? {}) });
  }

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

  async read(approvalKey: string): Promise<RecordedDecision | null> {
    const events = await this.deps.store.readStream(approvalStream(approvalKey));
    const decided = events.find((e) => e.type === 'OutOfBandApprovalDecided');
    return decided ? { decision: decided.payload.decision as ApprovalDecision, source: String(decided.payload.source) } : null;
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

  async cancel(approvalKey: string, userId: string, source: string): Promise<RecordedDecision | null> {
    const existing = await this.read(approvalKey);
    if (existing) return existing;
    const command = DecideApproval.create({ approvalKey, userId, decision: 'denied', source });
    try {
      await this.executor.execute(approvalStream(approvalKey), foldApproval, (s) => decideApproval(s, command, { now: new Date() }), { actor: source });
    } catch (error) {
      if (isDomainError(error, DomainErrorCode.AlreadyExists)) return this.read(approvalKey);
      throw error;
    }
    return null;
  }

  private wake(approvalKey: string): void {
    for (const done of [...(this.waiters.get(approvalKey) ?? [])]) done();
  }
}
