import type { EventStore, SnapshotOf, StoredEvent } from '@twofold/event-store';
import { foldUser, LruMap, StateSnapshotCodec, USER_SNAPSHOT } from '@twofold/domain';

export type Fold<S> = (events: StoredEvent[], state?: S) => S;

interface Entry { fold: Fold<unknown>; state: { version: number }; hash: string }

export const DEFAULT_STATE_CACHE_SIZE = 20_000;

// Folds whose state is also kept in the store's snapshot table, so a cold load (after a restart, or
// once evicted here) reads one snapshot row and the records after it.
const SNAPSHOT_CODECS = new Map<unknown, unknown>([[foldUser, USER_SNAPSHOT]]);

// A stream folded from its first record that is longer than this gets a snapshot written on its
// own (a history from before snapshots existed): the next cold load starts from there.
export const SNAPSHOT_AFTER_FULL_FOLD = 16;

// An append writes the stream's snapshot when it reaches a version that is a multiple of this, so
// a cold load reads the snapshot row and at most this many records, however long the history.
// Writing it with every append cost about 10 µs per sign-in (the state's JSON and a row in a
// random page of the table), for a warm sign-in that never reads it.
export const SNAPSHOT_EVERY = 16;

// Whether an append from version `before` to `after` passes a snapshot version.
export function snapshotDue(before: number, after: number): boolean {
  return Math.floor(after / SNAPSHOT_EVERY) > Math.floor(before / SNAPSHOT_EVERY);
}

// Each stream's folded state with the version and hash of its last record, least recently used
// evicted first. Loading a stream reads only the records after that version (plus the last
// folded one, to see it is still the record we folded), so a decision costs the same for a
// user's first and ten-thousandth sign-in; nothing at all when the store vouches that record is
// still the stream's last (knownStreamHead: it wrote it, and nothing else has written since). The append's expected-version check stays the guard:
// anything stale here ends in a version_conflict, after which the entry is dropped.
export class FoldedStateCache {
  private readonly entries: LruMap<string, Entry>;

  constructor(private readonly store: EventStore, maxEntries = DEFAULT_STATE_CACHE_SIZE) {
    this.entries = new LruMap(maxEntries);
  }

  async load<S extends { version: number }>(streamId: string, fold: Fold<S>): Promise<S> {
    const cached = this.entries.get(streamId);
    if (cached && cached.fold === (fold as unknown)) {
      // The store wrote that very record and nothing has written the stream since: no read.
      const head = this.store.knownStreamHead?.(streamId);
      if (head && head.version === cached.state.version && head.hash === cached.hash) {
        this.entries.set(streamId, cached); // the most recently used
        return cached.state as S;
      }
      const state = await this.continueFrom(streamId, fold, cached.state as S, cached.hash);
      if (state) return state;
    }
    this.entries.delete(streamId);
    const codec = codecOf(fold);
    if (codec) {
      const state = await this.fromSnapshot(streamId, fold, codec);
      if (state) return state;
    }
    const history = await this.store.readStream(streamId);
    const state = fold(history);
    if (history.length === 0) return state;
    const last = history[history.length - 1];
    if (this.remember(streamId, fold, state, last) && codec && history.length > SNAPSHOT_AFTER_FULL_FOLD) {
      // Once per such stream; a failure only means the next cold load folds in full again.
      await this.store.writeSnapshot(streamId, { fold: codec.fold, foldVersion: codec.version, streamVersion: last.streamVersion, hash: last.hash, state: codec.encode(state) })
        .catch(() => undefined);
    }
    return state;
  }

  // What to pass to the append of events decided on `before`: the snapshot to write with them
  // (folds that have one), and, once stored, the state to keep.
  forAppend<S extends { version: number }>(streamId: string, fold: Fold<S>, before: S): { snapshot?: SnapshotOf; appended(stored: StoredEvent[]): S } {
    const codec = codecOf(fold);
    let after: { stored: StoredEvent[]; state: S } | undefined;
    const snapshot: SnapshotOf | undefined = codec && ((stored) => {
      const state = fold(stored, before);
      after = { stored, state };
      if (!snapshotDue(before.version, state.version)) return null;
      return { fold: codec.fold, foldVersion: codec.version, state: codec.encode(state) };
    });
    return {
      snapshot,
      appended: (stored) => {
        const state = after && after.stored.length === stored.length && after.stored[after.stored.length - 1].hash === stored[stored.length - 1]?.hash ? after.state : fold(stored, before);
        if (stored.length > 0) this.remember(streamId, fold, state, stored[stored.length - 1]);
        return state;
      },
    };
  }

  forget(streamId: string): void {
    this.entries.delete(streamId);
  }

  get size(): number {
    return this.entries.size;
  }

  // A snapshot of another fold version, of a shape the codec does not recognise, or of a record
  // that is no longer in the log is ignored.
  private async fromSnapshot<S extends { version: number }>(streamId: string, fold: Fold<S>, codec: StateSnapshotCodec<S>): Promise<S | null> {
    const snapshot = await this.store.readSnapshot(streamId, codec.fold);
    if (!snapshot || snapshot.foldVersion !== codec.version) return null;
    const state = codec.decode(snapshot.state);
    if (!state || state.version !== snapshot.streamVersion || state.version < 1) return null;
    return this.continueFrom(streamId, fold, state, snapshot.hash);
  }

  // From the last folded record on: if it is gone or different (history set aside after a
  // divergence), `state` describes another history and null is answered.
  private async continueFrom<S extends { version: number }>(streamId: string, fold: Fold<S>, from: S, hash: string): Promise<S | null> {
    const tail = await this.store.readStream(streamId, from.version - 1);
    if (tail[0]?.hash !== hash || tail[0].streamVersion !== from.version) return null;
    const state = tail.length > 1 ? fold(tail.slice(1), from) : from;
    return this.remember(streamId, fold, state, tail[tail.length - 1]) ? state : null;
  }

  // Kept only when the fold counted every record (state.version = the stream's version): a fold
  // that ignores the state it is given would otherwise be cached wrong.
  private remember<S extends { version: number }>(streamId: string, fold: Fold<S>, state: { version: number }, last: StoredEvent): boolean {
    this.entries.delete(streamId);
    if (state.version !== last.streamVersion) return false;
    this.entries.set(streamId, { fold: fold as unknown as Fold<unknown>, state, hash: last.hash });
    return true;
  }
}

function codecOf<S>(fold: Fold<S>): StateSnapshotCodec<S> | undefined {
  return SNAPSHOT_CODECS.get(fold) as StateSnapshotCodec<S> | undefined;
}
