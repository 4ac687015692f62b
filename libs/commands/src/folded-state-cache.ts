import type { EventStore, StoredEvent } from '@twofold/event-store';

export type Fold<S> = (events: StoredEvent[], state?: S) => S;

interface Entry { fold: Fold<unknown>; state: { version: number }; hash: string }

export const DEFAULT_STATE_CACHE_SIZE = 20_000;

// Each stream's folded state with the version and hash of its last record, least recently used
// evicted first. Loading a stream reads only the records after that version (plus the last
// folded one, to see it is still the record we folded), so a decision costs the same for a
// user's first and ten-thousandth sign-in. The append's expected-version check stays the guard:
// anything stale here ends in a version_conflict, after which the entry is dropped.
export class FoldedStateCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly store: EventStore, private readonly maxEntries = DEFAULT_STATE_CACHE_SIZE) {}

  async load<S extends { version: number }>(streamId: string, fold: Fold<S>): Promise<S> {
    const cached = this.entries.get(streamId);
    if (cached && cached.fold === (fold as unknown)) {
      // From the last folded record on: if it is gone or different (history set aside after a
      // divergence), the cached state describes another history and is thrown away.
      const tail = await this.store.readStream(streamId, cached.state.version - 1);
      if (tail[0]?.hash === cached.hash && tail[0].streamVersion === cached.state.version) {
        const state = tail.length > 1 ? fold(tail.slice(1), cached.state as S) : (cached.state as S);
        if (this.remember(streamId, fold, state, tail[tail.length - 1])) return state;
      }
    }
    this.entries.delete(streamId);
    const history = await this.store.readStream(streamId);
    const state = fold(history);
    if (history.length > 0) this.remember(streamId, fold, state, history[history.length - 1]);
    return state;
  }

  // After our own append: the state the caller decided on plus what it wrote.
  appended<S extends { version: number }>(streamId: string, fold: Fold<S>, before: S, stored: StoredEvent[]): void {
    if (stored.length === 0) return;
    this.remember(streamId, fold, fold(stored, before), stored[stored.length - 1]);
  }

  forget(streamId: string): void {
    this.entries.delete(streamId);
  }

  get size(): number {
    return this.entries.size;
  }

  // Kept only when the fold counted every record (state.version = the stream's version): a fold
  // that ignores the state it is given would otherwise be cached wrong.
  private remember<S extends { version: number }>(streamId: string, fold: Fold<S>, state: { version: number }, last: StoredEvent): boolean {
    this.entries.delete(streamId);
    if (state.version !== last.streamVersion) return false;
    this.entries.set(streamId, { fold: fold as unknown as Fold<unknown>, state, hash: last.hash });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return true;
  }
}
