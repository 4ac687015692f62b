import type { EventEmitter } from 'node:events';
import type { StoredEvent, Subscription } from './event-store';

export interface SubscribeOptions {
  // Fallback poll for appends made by other processes sharing the database (default 250 ms).
  // Appends through any store on the same DataSource wake subscribers at once.
  pollIntervalMs?: number;
  // A handler that throws gets the SAME event again after this delay (default 1000 ms), until it
  // succeeds or the subscription is closed: nothing is skipped, order is kept.
  retryDelayMs?: number;
  batchSize?: number; // events read per query while catching up (default 500)
  onError?: (err: unknown, event?: StoredEvent) => void;
}

export const APPENDED = 'appended';

export class LogSubscription implements Subscription {
  private closed = false;
  private signalled = false;
  private wake?: () => void;
  private wakeOnAppend = false;
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
    this.wake?.();
    this.onClose(this);
  }

  private readonly onAppended = (): void => {
    this.signalled = true;
    if (this.wakeOnAppend) this.wake?.();
  };

  private async run(): Promise<void> {
    while (!this.closed) {
      this.signalled = false;
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
        if (!(await this.deliver(event))) return;
        this.lastPosition = event.position;
      }
      if (batch.length < this.batchSize && !this.signalled) await this.sleep(this.pollIntervalMs, true);
    }
  }

  // false when the subscription was closed before the handler accepted the event.
  private async deliver(event: StoredEvent): Promise<boolean> {
    while (!this.closed) {
      try {
        await this.handler(event);
        return true; // delivered, even if close() came meanwhile
      } catch (err) {
        if (this.closed) return false;
        this.report(err, event);
        await this.sleep(this.retryDelayMs, false);
      }
    }
    return false;
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
    console.error(`event-store subscription${where}: ${err instanceof Error ? err.message : String(err)}; retrying`);
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
