import { computeRecordHash, GENESIS_HASH, type StoredEvent } from '@twofold/event-store';
import { recordEpoch } from './log-record-codec';

export class ChainBrokenError extends Error {
  readonly code = 'log_broken';
  constructor(readonly position: number, readonly reason: string) {
    super(`the log from Kafka is broken at position ${position}: ${reason}`);
  }
}

// next: new, print it; duplicate: seen already; before-start: below `from`;
// stale: from an older epoch than one already seen (a replaced master's late record), dropped;
// fork: a newer epoch's record replaces the tail from its position (see `lastFork`), print it.
export type Verdict = 'next' | 'duplicate' | 'before-start' | 'stale' | 'fork';

export interface Fork { fromPosition: number; toPosition: number; epoch: number; newEpoch: number }

const WINDOW = 100_000; // positions remembered for duplicate and fork checks

const epochOf = recordEpoch;

// What a consumer of the topic does with each record: drop what it has already seen (a
// republished position with the hash it already holds), require the next position, check that
// each record hashes to its hash and links to the previous one, and follow epochs: after a
// promotion the new master's records win over the old master's divergent tail.
export class ChainVerifier {
  private last?: { position: number; hash: string };
  private readonly recent = new Map<number, { hash: string; epoch: number }>();
  private highestEpoch = 0;
  lastFork?: Fork;

  // from: the first position wanted. Below it records are skipped; at position 1 the chain must
  // start at the genesis hash; a later start trusts its first record's prevHash.
  // trustFirst: accept the first record at or after `from` as the anchor (a consumer group
  // resuming from its committed offset).
  constructor(private readonly from = 1, private readonly opts: { trustFirst?: boolean } = {}) {}

  get position(): number {
    return this.last?.position ?? this.from - 1;
  }

  accept(e: StoredEvent): Verdict {
    if (computeRecordHash(e) !== e.hash) throw new ChainBrokenError(e.position, 'the record does not hash to its hash (altered in transit or at rest)');
    const epoch = epochOf(e);
    if (e.position < this.from && !this.last) return 'before-start';
    if (epoch < this.highestEpoch) return 'stale';
    if (!this.last) {
      if (e.position !== this.from && !this.opts.trustFirst) throw new ChainBrokenError(this.from, `the topic jumps to position ${e.position} (records missing)`);
      if (e.position === 1 && e.prevHash !== GENESIS_HASH) throw new ChainBrokenError(1, 'position 1 does not start from the genesis hash');
      return this.take(e, epoch, 'next');
    }
    if (e.position <= this.last.position) {
      const held = this.recent.get(e.position);
      if (!held || held.hash === e.hash) return 'duplicate'; // republished after a crash or an outage
      const before = e.position === 1 ? GENESIS_HASH : this.recent.get(e.position - 1)?.hash;
      if (epoch > held.epoch && before === e.prevHash) {
        // A promoted master's history leaves the old master's here: set the old tail aside.
        this.lastFork = { fromPosition: e.position, toPosition: this.last.position, epoch: held.epoch, newEpoch: epoch };
        for (let p = e.position; p <= this.last.position; p++) this.recent.delete(p);
        return this.take(e, epoch, 'fork');
      }
      throw new ChainBrokenError(e.position, 'a second, different record at this position');
    }
    if (e.position !== this.last.position + 1) throw new ChainBrokenError(this.last.position + 1, `the topic jumps from ${this.last.position} to ${e.position} (records missing)`);
    if (e.prevHash !== this.last.hash) throw new ChainBrokenError(e.position, `prevHash does not link to the record at ${this.last.position}`);
    return this.take(e, epoch, 'next');
  }

  private take(e: StoredEvent, epoch: number, verdict: Verdict): Verdict {
    this.last = { position: e.position, hash: e.hash };
    this.highestEpoch = Math.max(this.highestEpoch, epoch);
    this.recent.set(e.position, { hash: e.hash, epoch });
    if (this.recent.size > WINDOW) this.recent.delete(this.recent.keys().next().value as number);
    return verdict;
  }
}
