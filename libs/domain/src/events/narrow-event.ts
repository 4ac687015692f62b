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

// One handler per event type of a stream, each given the state (version already moved on) and the
// event's data, narrowed: the compiler wants a handler for every member of E and no other.
export type Evolvers<S, E extends TwofoldEvent> = { readonly [K in E['type']]: (s: S, data: Extract<E, { type: K }>['data']) => S };

// An evolve step from its handlers: every record moves the version on; a type outside E changes
// nothing else. Call with both type arguments (evolver<State, Event>), so none is inferred away.
export function evolver<S extends { version: number }, E extends TwofoldEvent>(handlers: Evolvers<S, E>): (state: S, event: EventLike) => S {
  const types = Object.fromEntries(Object.keys(handlers).map((type) => [type, true])) as Record<E['type'], true>;
  return (state, event) => {
    const s = { ...state, version: state.version + 1 };
    const typed = narrowEvent(event, types);
    return typed ? (handlers[typed.type as E['type']] as (s: S, data: unknown) => S)(s, typed.data) : s;
  };
}
