// Once-only codes across a partition. A slave that accepts a code (or answers a challenge) sends
// the record upstream and, while the master is reachable, waits for the master's verdict before
// answering Accept: the master's log is the one place that knows whether another node used the
// code first. While it is not reachable (no connection, or no verdict within `timeoutMs`), the
// slave accepts on its own record (availability) and counts it here, so the window is visible.

export type UpstreamRefusal = { code: string; field?: string };
export type Verdict = { confirmed: true } | { confirmed: false; refused: UpstreamRefusal } | { confirmed: false; refused: null };

export interface UnconfirmedWindow {
  masterReachable: boolean;
  // Since when this slave has had no connection to the master (null while connected).
  masterUnreachableSince: string | null;
  // Codes/challenges this slave accepted without the master's verdict that the master has not
  // reconciled yet (they are in the outbox), and since when the oldest of them.
  acceptedUnconfirmed: number;
  acceptedUnconfirmedSince: string | null;
  // Of those, how many the master refused once it heard of them (used on another node first).
  refusedAfterAccept: number;
}

export interface VerdictMetrics {
  unconfirmed(): void;
  refusedAfterAccept(): void;
}

interface Waiter { resolve(v: Verdict): void; timer: NodeJS.Timeout }

const MAX_TRACKED = 100_000;

export class UpstreamVerdicts {
  private readonly waiters = new Map<string, Waiter>();
  // Verdicts that came before anyone waited (the master can be quick), and unconfirmed accepts.
  private readonly early = new Map<string, UpstreamRefusal | null>();
  private readonly unconfirmedIds = new Set<string>();
  private connected = false;
  private unreachableSince: number | null;
  private unconfirmedSince: number | null = null;
  private refusedLater = 0;

  constructor(private readonly timeoutMs: number, private readonly metrics: VerdictMetrics, private readonly clock: () => number = Date.now) {
    this.unreachableSince = clock();
  }

  setConnected(connected: boolean): void {
    if (connected === this.connected) return;
    this.connected = connected;
    if (connected) {
      this.unreachableSince = null;
    } else {
      this.unreachableSince = this.clock();
      // No verdict will come over a closed connection: whoever waits decides on its own record now.
      for (const [id, w] of this.waiters) this.settle(id, w, { confirmed: false, refused: null });
    }
  }

  // The master's answer for an upstream id (null: appended).
  record(id: string, refused: UpstreamRefusal | null): void {
    if (this.unconfirmedIds.delete(id)) {
      if (refused) {
        this.refusedLater++;
        this.metrics.refusedAfterAccept();
      }
      if (this.unconfirmedIds.size === 0) this.unconfirmedSince = null;
      return;
    }
    const w = this.waiters.get(id);
    if (w) return this.settle(id, w, refused ? { confirmed: false, refused } : { confirmed: true });
    if (this.early.size >= MAX_TRACKED) this.early.clear();
    this.early.set(id, refused);
  }

  // Waits for the master's verdict on `id`, at most timeoutMs; at once when the master is unreachable.
  async await(id: string): Promise<Verdict> {
    const early = this.early.get(id);
    if (early !== undefined) {
      this.early.delete(id);
      return early ? { confirmed: false, refused: early } : { confirmed: true };
    }
    const verdict = this.connected
      ? await new Promise<Verdict>((resolve) => {
        const timer = setTimeout(() => this.settle(id, this.waiters.get(id)!, { confirmed: false, refused: null }), this.timeoutMs);
        this.waiters.set(id, { resolve, timer });
      })
      : { confirmed: false as const, refused: null };
    if (!verdict.confirmed && verdict.refused === null) this.noteUnconfirmed(id);
    return verdict;
  }

  status(): UnconfirmedWindow {
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      masterReachable: this.connected,
      masterUnreachableSince: iso(this.unreachableSince),
      acceptedUnconfirmed: this.unconfirmedIds.size,
      acceptedUnconfirmedSince: iso(this.unconfirmedSince),
      refusedAfterAccept: this.refusedLater,
    };
  }

  private noteUnconfirmed(id: string): void {
    this.unconfirmedSince ??= this.clock();
    if (this.unconfirmedIds.size < MAX_TRACKED) this.unconfirmedIds.add(id);
    this.metrics.unconfirmed();
  }

  private settle(id: string, w: Waiter, v: Verdict): void {
    clearTimeout(w.timer);
    this.waiters.delete(id);
    w.resolve(v);
  }
}
