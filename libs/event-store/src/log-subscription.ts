import type { EventEmitter } from 'node:events';
import type { StoredEvent, Subscription } from './event-store';
import { EventStoreError } from './event-store-error';

export interface SubscribeOptions {
  // Fallback poll for appends made by other processes sharing the database (default 250 ms).
  // Appends through any store on the same DataSource wake subscribers at once.
  pollIntervalMs?: number;
  // A handler that throws gets the SAME event again after this delay (default 1000 ms), until it
  // succeeds or the subscription is closed: nothing is skipped, order is kept.
  retryDelayMs?: number;
  batchSize?: number; // events read per query while catching up (default 500)
  onError?: (err: unknown, event?: StoredEvent) => void;
  // A follower that also gets records another way (a slave's read model, projected inside
  // appendReplicated): before each read the subscription moves on to this position, so it
  // neither reads nor hands over what the follower already has.
  skipTo?: () => number;
}

export const APPENDED = 'appended';
// Emitted with the position setAsideAfter kept: records above it left event_log.
export const SET_ASIDE = 'set-aside';

export class LogSubscription implements Subscription {
  private closed = false;
  private signalled = false;
  private wake?: () => void;
  private wakeOnAppend = false;
  private setAsideAt?: number; // lowest position kept by a set-aside since the current read began
  private readonly pollIntervalMs: number;
  private readonly retryDelayMs: number;
  private readonly batchSize: number;
  readonly done: Promise<void>;

  constructor(
    private readonly read: (afterPosition: number, limit: number) => Promise<StoredEvent[]>,
    private readonly notifier: EventEmitter,
    private lastPosition: number,
    private readonly handler: (event: StoredEvent) => Promise<void> | void,
    private readonly options: SubscribeOptions,
    private readonly onClose: (s: LogSubscription) => void,
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.batchSize = options.batchSize ?? 500;
    notifier.on(APPENDED, this.onAppended);
    notifier.on(SET_ASIDE, this.onSetAside);
    this.done = this.run();
  }

  // Position of the last event the handler accepted.
  get position(): number {
    return this.lastPosition;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.notifier.off(APPENDED, this.onAppended);
    this.notifier.off(SET_ASIDE, this.onSetAside);
    this.wake?.();
    this.onClose(this);
  }

  private readonly onAppended = (): void => {
    this.signalled = true;
    if (this.wakeOnAppend) this.wake?.();
  };

  // setAsideAfter(p) in this process: a subscription that already handed records above p to its
  // handler can no longer be continued (the positions will be reused by a different history),
  // so it is closed and told through onError with code 'diverged'; its owner must rebuild its
  // read model from a new subscription. One still at or below p carries on, and drops any batch
  // it read before the set-aside. Subscriptions in OTHER processes sharing the database are not
  // told: stop them before setting aside.
  private readonly onSetAside = (position: number): void => {
    this.setAsideAt = Math.min(this.setAsideAt ?? Infinity, position);
    this.signalled = true;
    this.wake?.();
  };

  private divergedBeyondSetAside(): boolean {
    if (this.setAsideAt === undefined || this.lastPosition <= this.setAsideAt) return false;
    this.close();
    this.report(
      new EventStoreError(
        'diverged',
        `records after position ${this.setAsideAt} were set aside, but this subscription had delivered up to ${this.lastPosition}; rebuild from a new subscription`,
        { keptPosition: this.setAsideAt, deliveredPosition: this.lastPosition },
      ),
    );
    return true;
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      if (this.divergedBeyondSetAside()) return;
      this.signalled = false;
      this.setAsideAt = undefined;
      const skip = this.options.skipTo?.();
      if (skip !== undefined && skip > this.lastPosition) this.lastPosition = skip;
      let batch: StoredEvent[];
      try {
        batch = await this.read(this.lastPosition, this.batchSize);
      } catch (err) {
        if (this.closed) return;
        this.report(err);
        await this.sleep(this.retryDelayMs, false);
        continue;
      }
      for (const event of batch) {
        const outcome = await this.deliver(event);
        if (outcome === 'closed') return;
        if (outcome === 'stale') break; // read before a set-aside: read again
        this.lastPosition = event.position;
        if (this.divergedBeyondSetAside()) return;
      }
      if (batch.length < this.batchSize && !this.signalled) await this.sleep(this.pollIntervalMs, true);
    }
  }

  // 'closed' when the subscription was closed before the handler accepted the event; 'stale'
  // when the event was set aside before the handler accepted it.
  private async deliver(event: StoredEvent): Promise<'delivered' | 'closed' | 'stale'> {
    for (;;) {
      if (this.closed) return 'closed';
      if (this.setAsideAt !== undefined && event.position > this.setAsideAt) return 'stale';
      try {
        await this.handler(event);
        return 'delivered'; // even if close() came meanwhile
      } catch (err) {
        if (this.closed) return 'closed';
        this.report(err, event);
        await this.sleep(this.retryDelayMs, false);
      }
    }
  }

  private report(err: unknown, event?: StoredEvent): void {
    if (this.options.onError) {
      try {
        this.options.onError(err, event);
      } catch {
        // an error reporter must not stop the subscription
      }
      return;
    }
    // Only position and type: payloads may carry sealed secrets.
    const where = event ? ` at position ${event.position} (${event.type})` : '';
    const next = this.closed ? 'closed' : 'retrying';
    console.error(`event-store subscription${where}: ${err instanceof Error ? err.message : String(err)}; ${next}`);
  }

  private sleep(ms: number, wakeOnAppend: boolean): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        this.wakeOnAppend = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
      this.wakeOnAppend = wakeOnAppend;
    });
  }
}
