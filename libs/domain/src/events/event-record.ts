import { DomainEvent } from './event';
import { CURRENT_SCHEMA_VERSION, TwofoldEvent, TwofoldEventType } from './catalogue';

// How an event looks when it comes back from the log (StoredEvent has these fields too).
export interface EventRecord {
  type: string;
  schemaVersion: number;
  payload: Record<string, unknown>;
}

// evolve functions accept either a fresh DomainEvent (`data`) or a log record (`payload`).
export type EventLike = EventRecord | DomainEvent;

export type EventOfType<T extends TwofoldEventType> = Extract<TwofoldEvent, { type: T }>;

// Builds a catalogue event at its current schema version.
export function makeEvent<T extends TwofoldEventType>(type: T, data: EventOfType<T>['data']): EventOfType<T> {
  return { type, schemaVersion: CURRENT_SCHEMA_VERSION[type], data } as EventOfType<T>;
}

// The shape the log wants to append (add metadata, then hand to EventStore.append).
export function toRecord(event: DomainEvent): EventRecord {
  return { type: event.type, schemaVersion: event.schemaVersion, payload: event.data as Record<string, unknown> };
}

export function recordOf(event: EventLike): EventRecord {
  return 'payload' in event ? event : toRecord(event);
}

// A fold from one evolve step: (events, state = initial) => the state after them, in order.
export function foldWith<S>(evolve: (state: S, event: EventLike) => S, initial: S): (events: Iterable<EventLike>, state?: S) => S {
  return (events, state = initial) => {
    let s = state;
    for (const e of events) s = evolve(s, e);
    return s;
  };
}
