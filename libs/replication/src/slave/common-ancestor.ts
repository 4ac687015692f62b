import { GENESIS_HASH, type ReplicaEventStore } from '@twofold/event-store';
import type { AncestorMessage, LogPoint } from '../protocol/messages';
import { ReplicationError } from '../replication-error';
import { checkpointsBetween } from './checkpoints';
import { dial, helloFor, type DialOptions } from './dial';

export interface CommonAncestor {
  ancestor: LogPoint; // highest position where this log and the master's agree
  diverged: boolean; // false: this log is a prefix of the master's
  masterHead: LogPoint;
  rounds: number;
}

export interface ProbeOptions extends DialOptions {
  store: ReplicaEventStore;
  connectTimeoutMs?: number;
  onEpoch(epoch: number): void; // a refusal still carries the master's epoch
  onUntrusted(detail: string): void;
}

// Where this log and the master's part: probe rounds (one short connection each) that send up to
// MAX_CHECKPOINTS (position, hash) pairs and narrow the interval by that factor each time, so a
// million-record tail takes about four rounds. For an old master returning as a slave; the
// caller sets the tail above `ancestor` aside before starting replication.
export async function findCommonAncestor(o: ProbeOptions, maxRounds = 16): Promise<CommonAncestor> {
  const head = await o.store.head();
  let lo: LogPoint = { position: 0, hash: GENESIS_HASH }; // known shared
  let hi = head.position; // positions in (lo, hi] not known yet
  let masterHead: LogPoint = { position: 0, hash: GENESIS_HASH };
  for (let round = 1; round <= maxRounds; round++) {
    const checkpoints = await checkpointsBetween(o.store, lo.position, hi);
    const answer = await probe(o, checkpoints, head);
    masterHead = answer.head;
    if (answer.match.position > lo.position) lo = answer.match;
    if (answer.firstMismatch === null) {
      // All matched up to hi; hi + 1 (if any) was a mismatch in an earlier round.
      return { ancestor: lo, diverged: lo.position < head.position, masterHead, rounds: round };
    }
    hi = answer.firstMismatch - 1;
    if (hi <= lo.position) return { ancestor: lo, diverged: true, masterHead, rounds: round };
  }
  throw new ReplicationError('protocol_error', 'common ancestor not found within the round limit', { lo: lo.position, hi });
}

// One probe hello: the master answers `ancestor` and closes; it never streams.
function probe(o: ProbeOptions, checkpoints: LogPoint[], head: LogPoint): Promise<AncestorMessage> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const conn = dial(o, helloFor(o, head, checkpoints, true), {
      onMessage: (m) => {
        if (m.type === 'ancestor') {
          settled = true;
          resolve(m);
        } else if (m.type === 'refuse') {
          settled = true;
          if (m.epoch !== undefined) o.onEpoch(m.epoch);
          reject(new ReplicationError('refused', `master refused the probe: ${m.reason}: ${m.message}`, { reason: m.reason }));
        }
        conn.end();
      },
      onClose: (err) => {
        clearTimeout(timer);
        if (!settled) reject(err ?? new ReplicationError('not_connected', 'master closed the probe connection'));
      },
      onUntrusted: o.onUntrusted,
    });
    const timer = setTimeout(() => conn.destroy(new ReplicationError('not_connected', 'no answer to the probe in time')), o.connectTimeoutMs ?? 10_000);
  });
}
