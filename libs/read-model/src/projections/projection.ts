import type { StoredEvent } from '@twofold/event-store';
import { narrowEvent, type TwofoldEvent } from '@twofold/domain';
import type { Sql } from '../storage/sql';

// A projection's handlers, one per event type it keeps (the compiler wants every member of E and
// no other): the statements for that event, given its data (narrowed) and its record (version, time).
export type ProjectionHandlers<E extends TwofoldEvent> = {
  readonly [K in E['type']]: (sql: Sql, data: Extract<E, { type: K }>['data'], e: StoredEvent) => Promise<unknown>;
};

// A projection from its handlers: true when the event is one of its types (and was applied).
export function projection<E extends TwofoldEvent>(handlers: ProjectionHandlers<E>): (sql: Sql, e: StoredEvent) => Promise<boolean> {
  const types = Object.fromEntries(Object.keys(handlers).map((type) => [type, true])) as Record<E['type'], true>;
  return async (sql, e) => {
    const event = narrowEvent(e, types);
    if (!event) return false;
    await (handlers[event.type as E['type']] as (sql: Sql, data: unknown, e: StoredEvent) => Promise<unknown>)(sql, event.data, e);
    return true;
  };
}
