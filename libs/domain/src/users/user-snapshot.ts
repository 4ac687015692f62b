import { jsonSnapshotCodec } from '../events/state-snapshot';
import { INITIAL_USER_STATE, OathTokenState, UserState } from './user.state';

// foldUser's state as a stream snapshot. Raise USER_FOLD_VERSION whenever evolveUser or UserState
// changes what a state means: snapshots of another version are ignored (the stream is folded from
// its first record once, and a new snapshot written), so an upgrade never decides on a stale shape.
export const USER_FOLD_VERSION = 1;

const isToken = (t: OathTokenState): boolean =>
  typeof t === 'object' && t !== null && typeof t.tokenId === 'string' && typeof t.kind === 'string' &&
  Number.isInteger(t.counter) && typeof t.seed === 'object' && t.seed !== null && (t.lastUsedCounter === null || Number.isInteger(t.lastUsedCounter));

export const USER_SNAPSHOT = jsonSnapshotCodec<UserState>('user', USER_FOLD_VERSION, INITIAL_USER_STATE, (s) =>
  Number.isInteger(s.version) && s.version >= 0 && s.tokens.every(isToken) && s.recentFailures.every((f) => typeof f === 'string'));
