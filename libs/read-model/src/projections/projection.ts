import type { StoredEvent } from '@twofold/event-store';
import { narrowEvent, type TwofoldEvent } from '@twofold/domain';
import type { Sql } from '../storage/sql';

// A projection's handlers, one per event type it keeps (the compiler wants every member of E and
// no other): the statements for that event, given its data (narrowed) and its record (version, time).
export type ProjectionHandlers<E extends TwofoldEvent> = {
  readonly [K in E['type']]: (sql: Sql, data: Extract<E, { type: K }>['data'], e: StoredEvent) => Promise<unknown>;
};

// A projection: applies an event and says whether it was one of its types. `types` names them,
// so the projector calls it only for those (a catching-up slave applies millions of events).
export interface Projection {
  (sql: Sql, e: StoredEvent): Promise<boolean>;
  readonly types: ReadonlySet<string>;
}

// A projection from its handlers: true when the event is one of its types (and was applied).
export function projection<E extends TwofoldEvent>(handlers: ProjectionHandlers<E>): Projection {
  const types = Object.fromEntries(Object.keys(handlers).map((type) => [type, true])) as Record<E['type'], true>;
  const project = async (sql: Sql, e: StoredEvent): Promise<boolean> => {
    const event = narrowEvent(e, types);
    if (!event) return false;
    await (handlers[event.type as E['type']] as (sql: Sql, data: unknown, e: StoredEvent) => Promise<unknown>)(sql, event.data, e);
    return true;
  };
  return forTypes(types, project);
}

// A hand-written projection (one that returns false for some of its types, so that another
// projection folds them too) with the types it looks at.
export function forTypes(types: Readonly<Record<string, true>>, project: (sql: Sql, e: StoredEvent) => Promise<boolean>): Projection {
  return Object.assign(project, { types: new Set(Object.keys(types)) });
}
