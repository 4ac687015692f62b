import { isEventStoreError, type EventStoreError } from '../event-store-error';
import type { NewEvent } from '../event-store';
import { createEventStore } from '../create-event-store';
import type { TypeOrmEventStore } from '../typeorm-event-store';

// Shared by the event-store specs.
export const meta = { actor: 'admin:1', nodeId: 'node-a', epoch: 0 };
export const ev = (payload: Record<string, unknown>, type = 'Tick'): NewEvent => ({ type, schemaVersion: 1, payload, metadata: meta });

export async function caught(p: Promise<unknown>): Promise<EventStoreError> {
  try {
    await p;
  } catch (err) {
    if (isEventStoreError(err)) return err;
    throw err;
  }
  throw new Error('expected an EventStoreError');
}

export function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = (): void => {
      if (predicate()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error('condition not met in time'));
      setTimeout(tick, 10);
    };
    tick();
  });
}

// Stores a spec opens (on a fresh database of its backend unless a url is given; `track` for one
// it built itself), closed after each test.
export function storesClosedAfterEach(freshUrl: () => Promise<string>): {
  store: (url?: string, clock?: () => Date) => Promise<TypeOrmEventStore>;
  track: (store: TypeOrmEventStore) => void;
} {
  const open: TypeOrmEventStore[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });
  return {
    store: async (url, clock) => {
      const s = await createEventStore({ url: url ?? (await freshUrl()), clock });
      open.push(s);
      return s;
    },
    track: (s) => {
      open.push(s);
    },
  };
}
