import { isEventStoreError, type EventStoreError } from '../event-store-error';
import type { NewEvent } from '../event-store';

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
