import { RadiusPacket } from './radius-packet';

// RFC 5080 §2.2.2: a retransmission (same source, identifier and Request Authenticator) gets the
// cached answer instead of a second run through authentication (a second OTP, a second push).
export function duplicateRequestKey(address: string, port: number, packet: Pick<RadiusPacket, 'identifier' | 'authenticator'>): string {
  return `${address}|${port}|${packet.identifier}|${packet.authenticator.toString('latin1')}`;
}

export type BeginResult = 'new' | 'in-progress' | { cached: Buffer };

export interface DuplicateRequestCacheOptions {
  ttlMs?: number; // how long an answer is replayed; default 30 s
  inProgressTtlMs?: number; // how long an unfinished request blocks retransmissions; default 120 s (push approval waits)
  maxEntries?: number; // default 10 000; the oldest entry goes first when full
}

// One per key while it is cached, updated in place. `write` is the number of its latest write in
// the order queue; `response` is undefined while the request is in progress.
interface Entry { key: string; response: Buffer | undefined; expiresAt: number; write: number }

// Pure: the caller passes the time, so tests and the server share one clock source.
// Order is last-write order: the oldest write goes first (expired, or when over maxEntries). It is
// kept in a queue of our own rather than in the Map's insertion order: a Map that is deleted from
// at the front keeps the holes until it rehashes, and every walk from its front skips them all.
export class DuplicateRequestCache {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly inProgressTtlMs: number;
  private readonly maxEntries: number;
  // The write queue: entry and write number side by side; an item whose entry has been written
  // again since (or deleted) is stale and skipped.
  private queue: Entry[] = [];
  private queueWrites: number[] = [];
  private head = 0;
  private writes = 0;

  constructor(options: DuplicateRequestCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.inProgressTtlMs = options.inProgressTtlMs ?? 120_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    if (!(this.ttlMs > 0) || !(this.inProgressTtlMs > 0) || !Number.isInteger(this.maxEntries) || this.maxEntries < 1) {
      throw new RangeError('DuplicateRequestCache needs positive ttlMs, inProgressTtlMs and maxEntries');
    }
  }

  get size(): number {
    return this.entries.size;
  }

  // 'new' claims the key: process the request, then call set() (or delete() if it produced no answer).
  begin(key: string, nowMs: number): BeginResult {
    const entry = this.live(key, nowMs);
    if (entry !== undefined) return entry.response !== undefined ? { cached: entry.response } : 'in-progress';
    this.put(key, undefined, nowMs + this.inProgressTtlMs, nowMs);
    return 'new';
  }

  get(key: string, nowMs: number): Buffer | undefined {
    return this.live(key, nowMs)?.response;
  }

  set(key: string, response: Buffer, nowMs: number): void {
    this.put(key, response, nowMs + this.ttlMs, nowMs);
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    entry.write = -1;
  }

  private live(key: string, nowMs: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= nowMs) {
      this.entries.delete(key);
      entry.write = -1;
      return undefined;
    }
    return entry;
  }

  private put(key: string, response: Buffer | undefined, expiresAt: number, nowMs: number): void {
    const write = this.writes++;
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = { key, response, expiresAt, write };
      this.entries.set(key, entry);
    } else {
      entry.response = response;
      entry.expiresAt = expiresAt;
      entry.write = write;
    }
    this.queue.push(entry);
    this.queueWrites.push(write);
    this.sweep(nowMs);
  }

  // The oldest live entry, dropping stale queue items in front of it.
  private oldest(): Entry | undefined {
    while (this.head < this.queue.length) {
      const entry = this.queue[this.head];
      if (entry.write === this.queueWrites[this.head]) return entry;
      this.pop();
    }
    return undefined;
  }

  private pop(): void {
    this.queue[this.head] = undefined as unknown as Entry; // let the entry go
    this.head++;
  }

  private evict(entry: Entry): void {
    this.entries.delete(entry.key);
    entry.write = -1;
    this.pop();
  }

  private sweep(nowMs: number): void {
    // Expired entries at the front go first (amortised O(1)); then, if still over the limit, the oldest.
    for (let entry = this.oldest(); entry !== undefined && entry.expiresAt <= nowMs; entry = this.oldest()) this.evict(entry);
    while (this.entries.size > this.maxEntries) this.evict(this.oldest()!);
    this.compact();
  }

  // Keeps the queue near the number of entries: drops the popped front, and stale items when they
  // outnumber the live ones (entries written again while an older one blocks the front).
  private compact(): void {
    const length = this.queue.length - this.head;
    if (this.head >= 1024 && this.head >= length) {
      this.queue = this.queue.slice(this.head);
      this.queueWrites = this.queueWrites.slice(this.head);
      this.head = 0;
    }
    if (length > 1024 && length > 2 * this.entries.size) {
      const queue: Entry[] = [];
      const writes: number[] = [];
      for (let i = this.head; i < this.queue.length; i++) {
        if (this.queue[i].write !== this.queueWrites[i]) continue;
        queue.push(this.queue[i]);
        writes.push(this.queueWrites[i]);
      }
      this.queue = queue;
      this.queueWrites = writes;
      this.head = 0;
    }
  }
}
