import { TypedError, typedErrorGuard } from '@twofold/domain';

// Typed failures of the log; transports map `code` once.
export type EventStoreErrorCode =
  | 'version_conflict' // expected stream version differs from the stored one; nothing written
  | 'invalid_append' // malformed append (no events, bad stream id, payload not JSON-able...)
  | 'chain_mismatch' // replicated records do not continue this log's chain
  | 'invalid_position' // setAsideAfter: position is not an integer in [0, head]; nothing changed
  | 'diverged' // a subscription had delivered records that setAsideAfter removed; it was closed
  | 'storage_busy' // the database stayed locked by another process longer than the busy timeout
  | 'storage_sync_failed' // committed, but the WAL could not be synced to disk: not known durable
  | 'invalid_config'
  | 'closed';

export class EventStoreError extends TypedError<EventStoreErrorCode> {}

export const isEventStoreError = typedErrorGuard(EventStoreError);
