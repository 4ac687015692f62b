import { GENESIS_HASH, type ReplicaEventStore } from '@twofold/event-store';
import { MAX_CHECKPOINTS, type LogPoint } from '../protocol/messages';

// (position, hash) pairs of the slave's own log that a hello carries, for finding where it and the
// master's parted.
async function hashAt(store: ReplicaEventStore, position: number): Promise<LogPoint> {
  if (position === 0) return { position: 0, hash: GENESIS_HASH };
  const [r] = await store.readFrom(position - 1, 1);
  return { position, hash: r.hash };
}

// head, head-1, head-2, head-4, ...: a first refusal already brackets a recent divergence.
export async function exponentialCheckpoints(store: ReplicaEventStore, head: number): Promise<LogPoint[]> {
  const positions: number[] = [];
  for (let step = 0; head - step >= 1 && positions.length < MAX_CHECKPOINTS; step = step === 0 ? 1 : step * 2) positions.push(head - step);
  positions.reverse();
  return Promise.all(positions.map((p) => hashAt(store, p)));
}

// Up to MAX_CHECKPOINTS - 1 evenly spaced positions in (lo, hi], always including hi.
export async function checkpointsBetween(store: ReplicaEventStore, lo: number, hi: number): Promise<LogPoint[]> {
  const span = hi - lo;
  if (span <= 0) return [];
  const n = Math.min(span, MAX_CHECKPOINTS - 1);
  const positions = new Set<number>();
  for (let i = 1; i <= n; i++) positions.add(lo + Math.ceil((span * i) / n));
  return Promise.all([...positions].sort((x, y) => x - y).map((p) => hashAt(store, p)));
}
