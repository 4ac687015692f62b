import { availableParallelism } from 'node:os';

// libuv runs argon2 (@node-rs/argon2 is async napi work) and every fs call, the SQLite WAL's
// fdatasync among them, on one pool of UV_THREADPOOL_SIZE threads (default 4). A hash takes tens
// of milliseconds; with as many in flight as there are threads, a WAL sync queues behind them and
// every sign-in waiting for it (HOTP ones included) waits that long too. Hashes therefore take at
// most `limit` threads, one fewer than the pool (and no more than the cores, where more would only
// queue in the kernel instead); the rest wait here, first come first served.
// As libuv reads it (threadpool.c): unset, 4; else atoi() of it into an unsigned int, 0 taken as
// 1 and anything above 1024 (a negative number wraps) as 1024.
export function threadPoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.UV_THREADPOOL_SIZE;
  if (value === undefined) return 4;
  const digits = /^\s*([+-]?\d+)/.exec(value);
  const n = digits ? Number(digits[1]) : 0;
  if (n === 0) return 1;
  return n < 0 || n > 1024 ? 1024 : n;
}

export function defaultHashConcurrency(poolSize = threadPoolSize(), cores = availableParallelism()): number {
  return Math.max(1, Math.min(poolSize - 1, cores));
}

export class ThreadPoolShare {
  private running = 0;
  private peak = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be an integer >= 1');
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    this.peak = Math.max(this.peak, this.running);
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // the slot passes on: running stays the same
      else this.running--;
    }
  }

  // The most ever in flight at once, and how many wait now (for tests and status).
  get stats(): { peak: number; running: number; waiting: number } {
    return { peak: this.peak, running: this.running, waiting: this.waiting.length };
  }
}

// One share for the whole process: every hasher uses the same libuv pool.
export const argon2Threads = new ThreadPoolShare(defaultHashConcurrency());
