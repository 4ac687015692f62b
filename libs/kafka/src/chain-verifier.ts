import { computeRecordHash, GENESIS_HASH, type StoredEvent } from '@twofold/event-store';

export class ChainBrokenError extends Error {
  readonly code = 'log_broken';
  constructor(readonly position: number, readonly reason: string) {
    super(`the log from Kafka is broken at position ${position}: ${reason}`);
  }
}

export type Verdict = 'next' | 'duplicate' | 'before-start';

// What a consumer of the topic does with each record: drop what it has already seen (a
// republished position with the hash it already holds), require the next position, and check
// that each record hashes to its hash and links to the previous one.
export class ChainVerifier {
  private last?: { position: number; hash: string };

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
    if (e.position < this.from && !this.last) return 'before-start';
    if (!this.last) {
      if (e.position !== this.from && !this.opts.trustFirst) throw new ChainBrokenError(this.from, `the topic jumps to position ${e.position} (records missing)`);
      if (e.position === 1 && e.prevHash !== GENESIS_HASH) throw new ChainBrokenError(1, 'position 1 does not start from the genesis hash');
      this.last = { position: e.position, hash: e.hash };
      return 'next';
    }
    if (e.position <= this.last.position) {
      if (e.position === this.last.position && e.hash !== this.last.hash) throw new ChainBrokenError(e.position, 'a second, different record at this position');
      return 'duplicate'; // republished after a crash or a broker outage: already seen
    }
    if (e.position !== this.last.position + 1) throw new ChainBrokenError(this.last.position + 1, `the topic jumps from ${this.last.position} to ${e.position} (records missing)`);
    if (e.prevHash !== this.last.hash) throw new ChainBrokenError(e.position, `prevHash does not link to the record at ${this.last.position}`);
    this.last = { position: e.position, hash: e.hash };
    return 'next';
  }
}
