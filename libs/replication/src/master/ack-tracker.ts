import { ReplicationError } from '../replication-error';

// What each slave has made durable (kept across its reconnects), and the writers waiting for
// enough of them: synchronous replication.
export class AckTracker {
  private readonly lastAcked = new Map<string, number>();
  private waiters: Array<{ position: number; count: number; resolve: () => void }> = [];

  // A hello proves the slave holds its head: never lower what it acknowledged before.
  holds(nodeId: string, position: number): void {
    this.set(nodeId, Math.max(this.lastAcked.get(nodeId) ?? 0, position));
  }

  set(nodeId: string, position: number): void {
    this.lastAcked.set(nodeId, position);
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => this.count(w.position) >= w.count);
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  forget(nodeId: string): void {
    this.lastAcked.delete(nodeId);
  }

  count(position: number): number {
    let n = 0;
    for (const p of this.lastAcked.values()) if (p >= position) n++;
    return n;
  }

  // Resolves once `count` distinct slaves have made `position` durable; rejects ack_timeout.
  wait(position: number, count: number, timeoutMs: number): Promise<void> {
    if (this.count(position) >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        position,
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new ReplicationError('ack_timeout', `position ${position} acknowledged by ${this.count(position)} of ${count} slaves within ${timeoutMs} ms`, { position, count, acked: this.count(position) }));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  // Stopping: pending waiters are left to their time-outs, never resolved.
  clear(): void {
    for (const w of this.waiters) w.resolve = () => undefined;
    this.waiters = [];
  }
}
