import type { TwofoldEvent, TwofoldEventType } from './catalogue';
import { EventLike, EventOfType, recordOf } from './event-record';
import { upcast } from './upcasting';

// The event types a fold knows, spelled once as keys: the compiler refuses a member of its union
// that is missing here (or a key that is not one).
export type EventTypes<E extends TwofoldEvent> = Readonly<Record<E['type'], true>>;

// A log record (any schema version) or a fresh event, read once as a typed event of the current
// shape; null for a type outside `types`. The one place a payload is trusted to be its type's (the
// log only holds what the domain wrote, and upcast brought it to the current version).
export function narrowEvent<T extends TwofoldEventType>(event: EventLike, types: Readonly<Record<T, true>>): EventOfType<T> | null {
  const { type, schemaVersion, payload } = upcast(recordOf(event));
  return Object.hasOwn(types, type) ? ({ type, schemaVersion, data: payload } as unknown as EventOfType<T>) : null;
}
