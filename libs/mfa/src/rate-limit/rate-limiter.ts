export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface RateLimit {
  burst: number; // bucket size
  perSecond: number; // refill rate
}

interface Bucket { tokens: number; at: number }

// How many of the least recently used buckets are looked at to pick one to forget.
const EVICTION_SCAN = 32;

// Token buckets in this process's memory: per node, not cluster-wide (documented in docs/sdk.md).
// The map is kept in least-recently-used order; when it is full one bucket is forgotten, never all,
// so a flood of new keys cannot reset the limit of a key that is being limited.
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly limit: RateLimit, private readonly now: () => number = Date.now, private readonly maxKeys = 200_000) {}

  get size(): number {
    return this.buckets.size;
  }

  take(key: string): RateDecision {
    const now = this.now();
    const { perSecond } = this.limit;
    const bucket = this.buckets.get(key);
    const tokens = bucket ? this.level(bucket, now) : this.limit.burst;
    if (bucket) this.buckets.delete(key);
    else if (this.buckets.size >= this.maxKeys) this.evictOne(now);
    if (tokens >= 1) {
      this.buckets.set(key, { tokens: tokens - 1, at: now });
      return { ok: true };
    }
    this.buckets.set(key, { tokens, at: now });
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / perSecond)) };
  }

  private level(b: Bucket, now: number): number {
    return Math.min(this.limit.burst, b.tokens + ((now - b.at) / 1000) * this.limit.perSecond);
  }

  // Among the least recently used buckets, forget the fullest: a full bucket carries no
  // information, an empty one is a limit in force. Bounded work per insert, whatever the size.
  private evictOne(now: number): void {
    let victim: string | undefined;
    let best = -Infinity;
    let seen = 0;
    for (const [key, b] of this.buckets) {
      const level = this.level(b, now);
      if (level > best) {
        best = level;
        victim = key;
      }
      if (level >= this.limit.burst || ++seen >= EVICTION_SCAN) break;
    }
    if (victim !== undefined) this.buckets.delete(victim);
  }
}
