import { LruMap } from '@twofold/domain';
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

// One per key while it is cached, updated in place; `response` is undefined while the request is
// in progress.
interface Entry { response: Buffer | undefined; expiresAt: number }

// Pure: the caller passes the time, so tests and the server share one clock source. Order is
// last-write order (LruMap): the oldest write goes first, expired or when over maxEntries.
export class DuplicateRequestCache {
  private readonly entries: LruMap<string, Entry>;
  private readonly ttlMs: number;
  private readonly inProgressTtlMs: number;

  constructor(options: DuplicateRequestCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.inProgressTtlMs = options.inProgressTtlMs ?? 120_000;
    const maxEntries = options.maxEntries ?? 10_000;
    if (!(this.ttlMs > 0) || !(this.inProgressTtlMs > 0) || !Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError('DuplicateRequestCache needs positive ttlMs, inProgressTtlMs and maxEntries');
    }
    this.entries = new LruMap(maxEntries);
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

  private put(key: string, response: Buffer | undefined, expiresAt: number, nowMs: number): void {
    const entry = this.entries.get(key);
    if (entry === undefined) this.entries.set(key, { response, expiresAt });
    else {
      entry.response = response;
      entry.expiresAt = expiresAt;
      this.entries.set(key, entry); // written last
    }
    // Expired entries at the front go (amortised O(1)); LruMap already keeps it to maxEntries.
    for (let oldest = this.entries.oldest(); oldest !== undefined && oldest.value.expiresAt <= nowMs; oldest = this.entries.oldest()) {
      this.entries.delete(oldest.key);
    }
  }
}
