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

type Entry = { state: 'in-progress'; expiresAt: number } | { state: 'done'; response: Buffer; expiresAt: number };

// Pure: the caller passes the time, so tests and the server share one clock source.
export class DuplicateRequestCache {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly inProgressTtlMs: number;
  private readonly maxEntries: number;

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
    if (entry?.state === 'done') return { cached: entry.response };
    if (entry?.state === 'in-progress') return 'in-progress';
    this.put(key, { state: 'in-progress', expiresAt: nowMs + this.inProgressTtlMs }, nowMs);
    return 'new';
  }

  get(key: string, nowMs: number): Buffer | undefined {
    const entry = this.live(key, nowMs);
    return entry?.state === 'done' ? entry.response : undefined;
  }

  set(key: string, response: Buffer, nowMs: number): void {
    this.put(key, { state: 'done', response, expiresAt: nowMs + this.ttlMs }, nowMs);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  private live(key: string, nowMs: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= nowMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private put(key: string, entry: Entry, nowMs: number): void {
    // Re-insert so Map order is last-write order: the front is the oldest.
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.sweep(nowMs);
  }

  private sweep(nowMs: number): void {
    // Expired entries at the front go first (amortised O(1)); then, if still over the limit, the oldest.
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > nowMs) break;
      this.entries.delete(key);
    }
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}
