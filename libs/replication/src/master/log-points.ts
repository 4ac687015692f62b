import { GENESIS_HASH, type EventStore } from '@twofold/event-store';
import type { AncestorAnswer, LogPoint } from '../protocol/messages';

// Whether the master's log holds a slave's (position, hash), and where two histories part.
export async function hashAt(store: EventStore, position: number): Promise<string | undefined> {
  if (position === 0) return GENESIS_HASH;
  const [record] = await store.readFrom(position - 1, 1);
  return record?.position === position ? record.hash : undefined;
}

export async function holds(store: EventStore, point: LogPoint): Promise<boolean> {
  return (await hashAt(store, point.position)) === point.hash;
}

// Matching positions form a prefix (each hash covers all before it): walk the checkpoints up
// until the first that differs.
export async function findAncestor(store: EventStore, checkpoints: LogPoint[]): Promise<AncestorAnswer> {
  const sorted = [...checkpoints].sort((a, b) => a.position - b.position);
  let match: LogPoint = { position: 0, hash: GENESIS_HASH };
  for (const cp of sorted) {
    if (cp.position <= match.position) continue;
    if (!(await holds(store, cp))) return { match, firstMismatch: cp.position };
    match = cp;
  }
  return { match, firstMismatch: null };
}
